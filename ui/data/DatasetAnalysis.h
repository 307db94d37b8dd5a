// What the data page learns about a dataset, computed off the GUI thread with
// the engine's own pipeline (readRecords, detectFormat, prepareRecords with the
// model's tokenizer and chat template), so the preview and the lengths are
// exactly what training will see. Without a model only the reader and the
// format checks run. Plain values: the result crosses threads by copy.
#pragma once

#include "data/DatasetFormat.h"
#include "data/Record.h"
#include "tokenizer/Tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace headroom::ui {

struct AnalysisRequest
{
    uint64_t generation = 0; // stale results (an older request) are discarded
    std::filesystem::path dataset;
    std::string model; // empty: no model open yet
    // The tokenizer of `model` when the page already has it; loaded when null.
    std::shared_ptr<const tok::Tokenizer> tokenizer;
    data::DatasetFormat format = data::DatasetFormat::Auto;
    bool trainOnPrompt = false;
    size_t previewSamples = 5;
};

struct PreviewSample
{
    size_t line = 0;
    std::vector<int32_t> ids;
    std::vector<int32_t> labels; // data::kIgnoreIndex where no loss is taken
};

struct DatasetAnalysis
{
    uint64_t generation = 0;
    std::string readError; // the file could not be read at all
    std::string fileType;  // "JSON Lines", ...
    size_t records = 0;

    data::DatasetFormat format = data::DatasetFormat::Auto;
    std::string formatReason; // the engine's reason when detected; empty when chosen
    std::string formatError;  // detection failed: the key sets found

    std::string model;
    std::shared_ptr<const tok::Tokenizer> tokenizer;
    std::string modelError;   // the tokenizer could not be loaded
    std::string prepareError; // e.g. no usable sample
    bool tokenized = false;
    std::string chatFormat;

    std::vector<data::MalformedLine> malformed; // sorted by line
    std::vector<uint32_t> lengths;              // tokens per usable sample, untruncated
    std::vector<PreviewSample> preview;         // the first usable samples, untruncated
    size_t droppedNoTargets = 0;
};

// Never throws: every failure lands in one of the error fields.
DatasetAnalysis analyseDataset(const AnalysisRequest &request);

} // namespace headroom::ui
