// Opens a dataset file by memory mapping and sends it to the reader its type
// needs: .jsonl/.ndjson (JSON Lines), .json (a JSON array; or JSON Lines when
// the first character is `{`, as `datasets.to_json` writes), .csv, .tsv,
// .txt. Returns records and malformed lines; never throws for a bad line,
// only for an unreadable file, an unknown extension or a broken CSV header.
// Does not look inside the records (see DatasetFormat).
#pragma once

#include "data/Record.h"
#include "data/TxtReader.h"

#include <filesystem>
#include <string>

namespace headroom::data {

enum class FileType { Jsonl, JsonArray, Csv, Tsv, Txt };

struct ReadOptions
{
    TxtSplit txtSplit = TxtSplit::Paragraph;
    size_t maxLineBytes = kMaxLineBytes;
};

std::string fileTypeName(FileType type);

RecordSet readRecords(const std::filesystem::path &file, const ReadOptions &options = {});

} // namespace headroom::data
