// The whole data pipeline in one call: read a dataset file, detect or check
// its format, render and tokenize every record with loss masks, truncate,
// split off validation samples (seeded) and optionally pack. Returns the
// samples and a DatasetSummary. Malformed records are collected, not fatal;
// a dataset with no usable sample is a headroom::Error naming the file and
// summarising why. Does not batch, shuffle per epoch or build tensors.
#pragma once

#include "data/DatasetFormat.h"
#include "data/DatasetReader.h"
#include "data/DatasetSummary.h"
#include "data/Packing.h"
#include "data/SampleEncoder.h"

#include <filesystem>
#include <optional>
#include <string>

namespace headroom::data {

struct DataOptions
{
    DatasetFormat format = DatasetFormat::Auto;
    size_t maxSeqLen = 2048;
    bool packing = false;
    bool trainOnPrompt = false;
    double validationSplit = 0.0; // fraction of usable samples, [0, 1)
    uint64_t seed = 42;
    size_t detectRecords = 512;            // records inspected by auto-detection
    std::optional<std::string> chatFormat; // overrides the tokenizer's template
    bool verifyAlignment = true;
    MaskAlignment alignment = MaskAlignment::Segments;
    ReadOptions read;
};

struct PreparedDataset
{
    std::vector<TokenizedSample> train, validation;            // truncated to maxSeqLen
    std::vector<PackedSequence> packedTrain, packedValidation; // only with packing
    DatasetSummary summary;
};

PreparedDataset prepareDataset(const std::filesystem::path &file, const tok::Tokenizer &tokenizer,
                               const DataOptions &options = {});

// The same from records already read (tests, other sources).
PreparedDataset prepareRecords(RecordSet set, const tok::Tokenizer &tokenizer,
                               const DataOptions &options = {});

} // namespace headroom::data
