// The record layouts Headroom trains on and their auto-detection: alpaca
// (instruction, input, output), chat (`messages`: role/content), ShareGPT
// (`conversations`: from/value), plain `text`, and `prompt`/`completion`.
// Detection looks only at which keys the first records have and says why it
// chose ("alpaca: 512/512 records have instruction+output"); a mixed or
// unknown layout is an error listing the keys found. Field types and values
// are checked later, per record (Example.h).
#pragma once

#include "data/Record.h"

#include <optional>
#include <string>
#include <vector>

namespace headroom::data {

enum class DatasetFormat { Auto, Alpaca, Chat, ShareGpt, Text, Completion };

// "auto", "alpaca", "chat", "sharegpt", "text", "completion".
std::string formatName(DatasetFormat format);
// Also accepts "messages" (chat) and "prompt_completion" (completion);
// std::nullopt for anything else.
std::optional<DatasetFormat> parseFormatName(const std::string &name);
// The names a user may pick, for messages.
std::string supportedFormatsText();

// The keys that identify `format` ("instruction+output").
std::string formatKeys(DatasetFormat format);
// Whether `object` has the identifying keys of `format` (not Auto).
bool hasFormatKeys(const nlohmann::json &object, DatasetFormat format);

struct Detection
{
    DatasetFormat format = DatasetFormat::Auto;
    std::string reason; // "alpaca: 512/512 records have instruction+output"
};

// A format wins when at least `minShare` of the inspected records (the first
// `maxRecords`) have its keys; the rest are reported as malformed later.
// Throws headroom::Error naming the file, the key sets found with their
// counts, and the supported formats when no format wins.
Detection detectFormat(const RecordSet &set, size_t maxRecords = 512, double minShare = 0.9);

} // namespace headroom::data
