// What the data pipeline found, for the GUI's dataset panel and the CLI:
// counts, the detected format and why, malformed lines, truncation, and the
// sample lengths behind a token-length histogram. Plain values only; does not
// keep the samples.
#pragma once

#include "data/DatasetFormat.h"
#include "data/Record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace headroom::data {

struct LengthHistogram
{
    size_t binWidth = 1;        // bin i counts lengths in [i * binWidth, (i + 1) * binWidth)
    std::vector<size_t> counts; // the last bin also holds everything above it
};

struct DatasetSummary
{
    std::string file;     // file name
    std::string fileType; // "JSON Lines", "CSV", ...
    DatasetFormat format = DatasetFormat::Auto;
    std::string formatReason; // "alpaca: 512/512 records have instruction+output" or "chosen: ..."
    std::string chatFormat;   // ChatFormat name used for conversations, "" when none

    size_t records = 0; // records read (before conversion)
    size_t samples = 0; // usable samples (train + validation)
    size_t trainSamples = 0;
    size_t validationSamples = 0;
    size_t packedTrainSequences = 0; // 0 without packing
    size_t packedValidationSequences = 0;
    size_t maxSeqLen = 0;
    size_t truncated = 0;        // samples cut to maxSeqLen
    size_t droppedNoTargets = 0; // samples with no target token left after truncation
    size_t notAligned = 0;       // segment-wise ids differ from whole-text ids
    size_t totalTokens = 0;      // over usable samples, after truncation
    size_t targetTokens = 0;     // tokens with a loss, after truncation
    std::vector<MalformedLine> malformed;
    std::vector<uint32_t> sampleLengths; // usable samples, before truncation

    // `bins` equal bins over [0, max(maxSeqLen, longest)].
    LengthHistogram lengthHistogram(size_t bins = 32) const;
    // A few lines for people ("alpaca (alpaca: 3/3 records have ...); 3 samples ...").
    std::string text(size_t maxMalformedShown = 10) const;
};

} // namespace headroom::data
