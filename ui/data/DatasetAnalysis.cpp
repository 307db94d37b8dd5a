#include "DatasetAnalysis.h"

#include "data/DatasetReader.h"
#include "data/Example.h"
#include "data/PreparedDataset.h"
#include "io/ModelSource.h"
#include "model/TokenizerLoader.h"

#include <algorithm>
#include <limits>

namespace headroom::ui {

namespace {

// Without a tokenizer (or when tokenizing failed as a whole) the records can
// still be checked against the format, so malformed lines show anyway.
void checkRecords(const data::RecordSet &set, DatasetAnalysis &out)
{
    out.malformed = set.malformed;
    const std::string file = set.file.filename().string();
    for (const data::Record &record : set.records) {
        try {
            data::toExample(record.value, out.format);
        } catch (const std::exception &error) {
            out.malformed.push_back({file, record.line, error.what()});
        }
    }
    std::stable_sort(out.malformed.begin(), out.malformed.end(),
                     [](const auto &a, const auto &b) { return a.line < b.line; });
}

} // namespace

DatasetAnalysis analyseDataset(const AnalysisRequest &request)
{
    DatasetAnalysis out;
    out.generation = request.generation;
    out.model = request.model;

    data::RecordSet set;
    try {
        set = data::readRecords(request.dataset);
    } catch (const std::exception &error) {
        out.readError = error.what();
        return out;
    }
    out.fileType = set.fileType;
    out.records = set.records.size();

    if (request.format == data::DatasetFormat::Auto) {
        try {
            const data::Detection detection = data::detectFormat(set);
            out.format = detection.format;
            out.formatReason = detection.reason;
        } catch (const std::exception &error) {
            out.formatError = error.what();
            out.malformed = set.malformed;
            return out;
        }
    } else {
        out.format = request.format;
    }

    out.tokenizer = request.tokenizer;
    if (!request.model.empty() && !out.tokenizer) {
        try {
            out.tokenizer = std::make_shared<const tok::Tokenizer>(
                model::loadTokenizer(io::resolveModelSource(request.model)));
        } catch (const std::exception &error) {
            out.modelError = error.what();
        }
    }
    if (!out.tokenizer) {
        checkRecords(set, out);
        return out;
    }

    // Untruncated lengths: the page compares them with max_seq_len itself, so
    // changing it needs no new pass over the data. Same options otherwise as
    // the trainer (train::TrainingSession) uses.
    data::DataOptions options;
    options.format = out.format;
    options.maxSeqLen = std::numeric_limits<uint32_t>::max();
    options.trainOnPrompt = request.trainOnPrompt;
    try {
        data::PreparedDataset prepared = data::prepareRecords(set, *out.tokenizer, options);
        out.tokenized = true;
        out.chatFormat = prepared.summary.chatFormat;
        out.malformed = std::move(prepared.summary.malformed);
        out.lengths = std::move(prepared.summary.sampleLengths);
        out.droppedNoTargets = prepared.summary.droppedNoTargets;
        const size_t shown = std::min(request.previewSamples, prepared.train.size());
        for (size_t i = 0; i < shown; ++i) {
            auto &sample = prepared.train[i];
            out.preview.push_back({sample.line, std::move(sample.ids), std::move(sample.labels)});
        }
    } catch (const std::exception &error) {
        out.prepareError = error.what();
        checkRecords(set, out);
    }
    return out;
}

} // namespace headroom::ui
