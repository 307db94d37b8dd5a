// Small UTF-8 helpers the tokenizer needs: walking code points, encoding one,
// and repairing invalid input the way Rust's String::from_utf8_lossy does (one
// U+FFFD per maximal invalid subpart), because that is what the Hugging Face
// decoders produce. Deliberately no normalization or case mapping (utf8proc
// does that in Normalizer.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::tok {

// Length in bytes of the well-formed UTF-8 sequence at `s[i]`, or 0 when the
// bytes there are not a valid sequence.
size_t utf8SequenceLength(std::string_view s, size_t i);

// Appends the UTF-8 encoding of `cp` to `out`.
void appendUtf8(std::string &out, char32_t cp);

// Decodes valid UTF-8 into code points (input must be valid).
std::vector<char32_t> toCodePoints(std::string_view s);

// Byte offsets where each code point starts, plus s.size() at the end.
std::vector<size_t> codePointOffsets(std::string_view s);

// Decodes the code point at `s[i]` (valid UTF-8 assumed) and advances `i`.
char32_t nextCodePoint(std::string_view s, size_t &i);

bool isValidUtf8(std::string_view s);

// Replaces each maximal invalid subpart with U+FFFD (Unicode "best practice",
// as Rust's from_utf8_lossy and Python's errors="replace" do).
std::string toValidUtf8Lossy(std::string_view s);

// Unicode White_Space, as Rust's char::is_whitespace.
bool isUnicodeWhitespace(char32_t c);

} // namespace headroom::tok
