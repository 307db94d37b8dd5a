// Format names and detection; see DatasetFormat.h.
#include "data/DatasetFormat.h"

#include "common/Error.h"

#include <map>

namespace headroom::data {

namespace {

// Checked in this order: a record with `messages` and `text` is chat.
constexpr DatasetFormat kDetectable[] = {DatasetFormat::Chat, DatasetFormat::ShareGpt,
                                         DatasetFormat::Alpaca, DatasetFormat::Completion,
                                         DatasetFormat::Text};

} // namespace

std::string formatName(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::Auto:
        return "auto";
    case DatasetFormat::Alpaca:
        return "alpaca";
    case DatasetFormat::Chat:
        return "chat";
    case DatasetFormat::ShareGpt:
        return "sharegpt";
    case DatasetFormat::Text:
        return "text";
    case DatasetFormat::Completion:
        return "completion";
    }
    return "?";
}

std::optional<DatasetFormat> parseFormatName(const std::string &name)
{
    for (DatasetFormat f :
         {DatasetFormat::Auto, DatasetFormat::Alpaca, DatasetFormat::Chat, DatasetFormat::ShareGpt,
          DatasetFormat::Text, DatasetFormat::Completion})
        if (name == formatName(f))
            return f;
    if (name == "messages")
        return DatasetFormat::Chat;
    if (name == "prompt_completion")
        return DatasetFormat::Completion;
    return std::nullopt;
}

std::string supportedFormatsText()
{
    return "alpaca (instruction, input, output), chat (messages: role/content), sharegpt "
           "(conversations: from/value), text (text), completion (prompt, completion)";
}

std::string formatKeys(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::Alpaca:
        return "instruction+output";
    case DatasetFormat::Chat:
        return "messages";
    case DatasetFormat::ShareGpt:
        return "conversations";
    case DatasetFormat::Text:
        return "text";
    case DatasetFormat::Completion:
        return "prompt+completion";
    case DatasetFormat::Auto:
        break;
    }
    return {};
}

bool hasFormatKeys(const nlohmann::json &object, DatasetFormat format)
{
    if (!object.is_object())
        return false;
    switch (format) {
    case DatasetFormat::Alpaca:
        return object.contains("instruction") && object.contains("output");
    case DatasetFormat::Chat:
        return object.contains("messages");
    case DatasetFormat::ShareGpt:
        return object.contains("conversations");
    case DatasetFormat::Text:
        return object.contains("text");
    case DatasetFormat::Completion:
        return object.contains("prompt") && object.contains("completion");
    case DatasetFormat::Auto:
        break;
    }
    return false;
}

Detection detectFormat(const RecordSet &set, size_t maxRecords, double minShare)
{
    const std::string file = set.file.filename().string();
    const size_t n = std::min(maxRecords, set.records.size());
    if (n == 0)
        throw Error(file + ": no records to detect the dataset format from");
    std::map<DatasetFormat, size_t> counts;
    std::map<std::string, size_t> keySets;
    for (size_t i = 0; i < n; ++i) {
        const nlohmann::json &object = set.records[i].value;
        bool matched = false;
        for (DatasetFormat f : kDetectable)
            if (hasFormatKeys(object, f)) {
                ++counts[f];
                matched = true;
                break;
            }
        std::string keys;
        for (const auto &item : object.items())
            keys += (keys.empty() ? "" : ", ") + item.key();
        ++keySets[matched ? keys : keys.empty() ? "(no keys)" : keys];
    }
    DatasetFormat best = DatasetFormat::Auto;
    size_t bestCount = 0;
    for (DatasetFormat f : kDetectable)
        if (counts[f] > bestCount) {
            best = f;
            bestCount = counts[f];
        }
    if (bestCount > 0 && double(bestCount) >= minShare * double(n)) {
        return {best, formatName(best) + ": " + std::to_string(bestCount) + "/" +
                          std::to_string(n) + " records have " + formatKeys(best)};
    }
    std::string found;
    for (const auto &[keys, count] : keySets)
        found +=
            "\n  {" + keys + "}: " + std::to_string(count) + " record" + (count == 1 ? "" : "s");
    throw Error(file + ": cannot tell the dataset format from the first " + std::to_string(n) +
                " records (" +
                (bestCount == 0 ? std::string("none matches a supported format")
                                : "mixed: the most common, " + formatName(best) + ", covers " +
                                      std::to_string(bestCount) + "/" + std::to_string(n)) +
                "). Keys found:" + found + "\nSupported formats: " + supportedFormatsText() +
                ". Pick one with dataset_format or make the records uniform.");
}

} // namespace headroom::data
