// JSON Lines: one JSON object per line. Each line is parsed straight from the
// mapped bytes (no copy of the file); a bad line is collected as malformed with
// its number and the parser's message, and reading goes on. Blank lines are
// skipped. Does not interpret the objects (see DatasetFormat/Example).
#pragma once

#include "data/Record.h"

#include <string_view>

namespace headroom::data {

void readJsonl(std::string_view text, RecordSet &out, size_t maxLineBytes = kMaxLineBytes);

// "invalid JSON at column 7: syntax error while parsing object key ..."
// from nlohmann's message (without its exception-id prefix).
std::string jsonParseMessage(const std::exception &e, size_t columnOffset = 0);

} // namespace headroom::data
