// Dispatch by file type; see DatasetReader.h.
#include "data/DatasetReader.h"

#include "common/Error.h"
#include "common/MappedFile.h"
#include "data/CsvReader.h"
#include "data/JsonArrayReader.h"
#include "data/JsonlReader.h"

#include <algorithm>
#include <cctype>

namespace headroom::data {

std::string fileTypeName(FileType type)
{
    switch (type) {
    case FileType::Jsonl:
        return "JSON Lines";
    case FileType::JsonArray:
        return "JSON array";
    case FileType::Csv:
        return "CSV";
    case FileType::Tsv:
        return "TSV";
    case FileType::Txt:
        return "text";
    }
    return "?";
}

RecordSet readRecords(const std::filesystem::path &file, const ReadOptions &options)
{
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    FileType type;
    if (ext == ".jsonl" || ext == ".ndjson")
        type = FileType::Jsonl;
    else if (ext == ".json")
        type = FileType::JsonArray;
    else if (ext == ".csv")
        type = FileType::Csv;
    else if (ext == ".tsv")
        type = FileType::Tsv;
    else if (ext == ".txt")
        type = FileType::Txt;
    else
        throwFileError(file, "unsupported dataset file type `" + ext +
                                 "` (supported: .jsonl, .ndjson, .json, .csv, .tsv, .txt)");

    const auto mapped = MappedFile::open(file);
    const std::string_view text(reinterpret_cast<const char *>(mapped->data()), mapped->size());
    if (type == FileType::JsonArray) {
        const std::string_view body = withoutBom(text);
        const size_t first = body.find_first_not_of(" \t\r\n");
        if (first != std::string_view::npos && body[first] == '{')
            type = FileType::Jsonl;
    }
    RecordSet set;
    set.file = file;
    set.fileType = fileTypeName(type);
    switch (type) {
    case FileType::Jsonl:
        readJsonl(text, set, options.maxLineBytes);
        break;
    case FileType::JsonArray:
        readJsonArray(text, set, options.maxLineBytes);
        break;
    case FileType::Csv:
        readDelimited(text, ',', set, options.maxLineBytes);
        break;
    case FileType::Tsv:
        readDelimited(text, '\t', set, options.maxLineBytes);
        break;
    case FileType::Txt:
        readTxt(text, options.txtSplit, set, options.maxLineBytes);
        break;
    }
    return set;
}

} // namespace headroom::data
