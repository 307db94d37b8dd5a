// Plain text files. By default one sample per paragraph: samples are separated
// by one or more blank (whitespace-only) lines and the line breaks inside a
// paragraph are kept, so multi-line samples (code, poems, dialogues) survive.
// TxtSplit::Line makes every non-blank line a sample (Hugging Face `text`
// loader's default). Each sample becomes {"text": ...}. No other markup is
// interpreted.
#pragma once

#include "data/Record.h"

#include <string_view>

namespace headroom::data {

enum class TxtSplit { Paragraph, Line };

void readTxt(std::string_view text, TxtSplit split, RecordSet &out,
             size_t maxLineBytes = kMaxLineBytes);

} // namespace headroom::data
