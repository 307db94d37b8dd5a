// CSV and TSV with RFC 4180 quoting: a header row names the columns; fields
// may be quoted ("a ""b"" c"), and quoted fields may hold delimiters and
// newlines (CRLF or LF). TSV uses the same rules with a tab delimiter (what
// Python's csv module and spreadsheets write). A row whose field count
// differs from the header's is malformed, reported with the line it starts
// on. Columns with an empty header name (pandas' index) are skipped.
// Every value is a string; no type inference, no other dialects
// (no backslash escapes, no comment lines).
#pragma once

#include "data/Record.h"

#include <string_view>

namespace headroom::data {

// Throws headroom::Error for a missing or duplicate header, or for a record
// longer than maxRecordBytes (usually an unbalanced quote), naming the line.
void readDelimited(std::string_view text, char delimiter, RecordSet &out,
                   size_t maxRecordBytes = kMaxLineBytes);

} // namespace headroom::data
