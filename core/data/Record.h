// One record of a dataset file (a JSON object, whatever the file type) with
// the line it starts on, and the malformed lines a reader skipped. Shared by
// all readers; does not know about formats (alpaca, chat, ...) or tokens.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::data {

// A physical line (or CSV record, or JSON array element) longer than this is
// refused before anything of its size is allocated.
inline constexpr size_t kMaxLineBytes = size_t(16) << 20;

struct Record
{
    size_t line = 0;      // 1-based line the record starts on
    nlohmann::json value; // always an object
};

struct MalformedLine
{
    std::string file; // file name (not the full path)
    size_t line = 0;  // 1-based
    std::string reason;
};

// "data.jsonl:12: invalid JSON at column 5: ..."
std::string describe(const MalformedLine &m);

struct RecordSet
{
    std::filesystem::path file;
    std::string fileType; // "JSON Lines", "CSV", ... (set by readRecords)
    std::vector<Record> records;
    std::vector<MalformedLine> malformed;

    void addMalformed(size_t line, std::string reason);
};

// Skips a UTF-8 byte order mark.
std::string_view withoutBom(std::string_view text);

// Number of '\n' in text (for line counting while scanning).
size_t countNewlines(std::string_view text);

// "1.5 MiB"-style size for messages.
std::string humanBytes(size_t bytes);

// Splits `text` (BOM removed) at '\n' and calls `onLine(lineNumber, row)` with
// the row's trailing '\r' removed, counting lines from 1. A row longer than
// `maxLineBytes` goes to `onTooLong(lineNumber, message)` instead, before
// anything is copied.
void forEachLine(std::string_view text, size_t maxLineBytes,
                 const std::function<void(size_t, std::string_view)> &onLine,
                 const std::function<void(size_t, const std::string &)> &onTooLong);

} // namespace headroom::data
