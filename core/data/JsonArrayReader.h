// A JSON file whose top level is an array of objects. The array is split into
// its elements by a small scanner (strings and nesting tracked) so that each
// element is parsed on its own from the mapped bytes: a bad element is
// reported with the line it starts on and the others still load. A top-level
// object is not unwrapped (no {"data": [...]}); DatasetReader sends `.json`
// files that start with `{` to the JSON Lines reader instead.
#pragma once

#include "data/Record.h"

#include <string_view>

namespace headroom::data {

void readJsonArray(std::string_view text, RecordSet &out, size_t maxElementBytes = kMaxLineBytes);

} // namespace headroom::data
