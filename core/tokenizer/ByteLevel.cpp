// GPT-2 byte table; see ByteLevel.h.
#include "tokenizer/ByteLevel.h"

#include "tokenizer/Utf8.h"

#include <array>

namespace headroom::tok::bytelevel {

namespace {

struct Table
{
    std::array<char32_t, 256> forward{};
    std::array<unsigned char, 68> extra{}; // byte for U+0100 + i
    Table()
    {
        // Printable Latin-1 bytes stand for themselves; the other 68 bytes get
        // U+0100.. in increasing byte order (openai/gpt-2 encoder.py).
        char32_t next = 0x100;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            if (!printable)
                extra[next - 0x100] = static_cast<unsigned char>(b);
            forward[b] = printable ? static_cast<char32_t>(b) : next++;
        }
    }
};

const Table &table()
{
    static const Table t;
    return t;
}

} // namespace

char32_t charForByte(unsigned char byte)
{
    return table().forward[byte];
}

std::optional<unsigned char> byteForChar(char32_t c)
{
    if ((c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF))
        return static_cast<unsigned char>(c);
    if (c >= 0x100 && c < 0x100 + 68)
        return table().extra[c - 0x100];
    return std::nullopt;
}

std::string encode(std::string_view text)
{
    std::string out;
    out.reserve(text.size() * 2);
    for (unsigned char b : text)
        appendUtf8(out, table().forward[b]);
    return out;
}

} // namespace headroom::tok::bytelevel
