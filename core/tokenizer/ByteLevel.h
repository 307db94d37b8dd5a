// The GPT-2 byte-to-unicode table shared by the ByteLevel pre-tokenizer and
// decoder: every byte maps to one printable code point so BPE vocabularies
// can be stored as text. Deliberately nothing else (the regex split lives in
// PreTokenizer.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace headroom::tok::bytelevel {

// The code point that stands for `byte`.
char32_t charForByte(unsigned char byte);

// The byte a code point stands for, or nullopt when it is not in the table.
std::optional<unsigned char> byteForChar(char32_t c);

// Every byte of `text` replaced by its stand-in, as UTF-8.
std::string encode(std::string_view text);

// The GPT-2 split pattern (Hugging Face ByteLevel use_regex=true).
inline constexpr const char *kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

} // namespace headroom::tok::bytelevel
