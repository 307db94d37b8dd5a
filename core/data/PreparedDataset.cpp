// The data pipeline; see PreparedDataset.h.
#include "data/PreparedDataset.h"

#include "common/Error.h"
#include "data/Example.h"
#include "data/Split.h"

#include <algorithm>

namespace headroom::data {

namespace {

[[noreturn]] void throwNoUsable(const DatasetSummary &s)
{
    std::string why = std::to_string(s.records) + " record" + (s.records == 1 ? "" : "s") + " read";
    if (!s.malformed.empty()) {
        why += ", " + std::to_string(s.malformed.size()) +
               " malformed (first: " + describe(s.malformed.front()) + ")";
    }
    if (s.droppedNoTargets > 0)
        why += ", " + std::to_string(s.droppedNoTargets) +
               " with no target token left after truncation to " + std::to_string(s.maxSeqLen) +
               " tokens";
    throw Error(s.file + ": no usable sample: " + why);
}

} // namespace

PreparedDataset prepareDataset(const std::filesystem::path &file, const tok::Tokenizer &tokenizer,
                               const DataOptions &options)
{
    return prepareRecords(readRecords(file, options.read), tokenizer, options);
}

PreparedDataset prepareRecords(RecordSet set, const tok::Tokenizer &tokenizer,
                               const DataOptions &options)
{
    if (options.maxSeqLen < 2)
        throw Error("max_seq_len must be at least 2, got " + std::to_string(options.maxSeqLen));
    PreparedDataset out;
    DatasetSummary &summary = out.summary;
    const std::string fileName = set.file.filename().string();
    summary.file = fileName;
    summary.fileType = set.fileType.empty() ? "records" : set.fileType;
    summary.records = set.records.size();
    summary.maxSeqLen = options.maxSeqLen;
    summary.malformed = std::move(set.malformed);
    if (set.records.empty())
        throwNoUsable(summary);

    if (options.format == DatasetFormat::Auto) {
        const Detection d = detectFormat(set, options.detectRecords);
        summary.format = d.format;
        summary.formatReason = d.reason;
    } else {
        summary.format = options.format;
        summary.formatReason = "chosen in the configuration";
    }

    EncodeOptions encodeOptions;
    encodeOptions.trainOnPrompt = options.trainOnPrompt;
    encodeOptions.verifyAlignment = options.verifyAlignment;
    encodeOptions.alignment = options.alignment;
    encodeOptions.chatFormat = options.chatFormat;
    const SampleEncoder encoder(tokenizer, encodeOptions);

    std::vector<TokenizedSample> samples;
    samples.reserve(set.records.size());
    for (Record &record : set.records) {
        try {
            Example example = toExample(record.value, summary.format);
            example.line = record.line;
            samples.push_back(encoder.encode(example));
        } catch (const Error &e) {
            summary.malformed.push_back({fileName, record.line, e.what()});
        }
        record.value = nlohmann::json(); // free as we go
    }
    std::sort(summary.malformed.begin(), summary.malformed.end(),
              [](const MalformedLine &a, const MalformedLine &b) { return a.line < b.line; });

    std::vector<TokenizedSample> usable;
    usable.reserve(samples.size());
    for (TokenizedSample &s : samples) {
        const size_t length = s.ids.size();
        if (s.ids.size() > options.maxSeqLen) {
            s.ids.resize(options.maxSeqLen);
            s.labels.resize(options.maxSeqLen);
            ++summary.truncated;
        }
        if (s.targetCount() == 0) {
            ++summary.droppedNoTargets;
            continue;
        }
        summary.sampleLengths.push_back(static_cast<uint32_t>(length));
        summary.notAligned += s.alignedWithWholeText ? 0 : 1;
        summary.totalTokens += s.ids.size();
        summary.targetTokens += s.targetCount();
        usable.push_back(std::move(s));
    }
    if (usable.empty())
        throwNoUsable(summary);
    if (encoder.hasChatFormat() && (summary.format != DatasetFormat::Text))
        summary.chatFormat = tok::ChatFormat::forTokenizer(tokenizer, options.chatFormat).name();

    const SplitIndices split =
        splitTrainValidation(usable.size(), options.validationSplit, options.seed);
    for (size_t i : split.train)
        out.train.push_back(std::move(usable[i]));
    for (size_t i : split.validation)
        out.validation.push_back(std::move(usable[i]));
    summary.samples = usable.size();
    summary.trainSamples = out.train.size();
    summary.validationSamples = out.validation.size();
    if (options.packing) {
        out.packedTrain = packSamples(out.train, options.maxSeqLen);
        out.packedValidation = packSamples(out.validation, options.maxSeqLen);
        summary.packedTrainSequences = out.packedTrain.size();
        summary.packedValidationSequences = out.packedValidation.size();
    }
    return out;
}

} // namespace headroom::data
