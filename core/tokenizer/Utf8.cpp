// UTF-8 helpers; see Utf8.h.
#include "tokenizer/Utf8.h"

namespace headroom::tok {

size_t utf8SequenceLength(std::string_view s, size_t i)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    const size_t left = s.size() - i;
    if (b0 < 0x80)
        return 1;
    const auto cont = [&](size_t k) { return i + k < s.size() && (byte(i + k) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF)
        return left >= 2 && cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (left < 3)
            return 0;
        const unsigned char b1 = byte(i + 1);
        // Reject overlongs (E0 80..9F) and surrogates (ED A0..BF).
        const bool ok1 = b0 == 0xE0   ? (b1 >= 0xA0 && b1 <= 0xBF)
                         : b0 == 0xED ? (b1 >= 0x80 && b1 <= 0x9F)
                                      : (b1 & 0xC0) == 0x80;
        return ok1 && cont(2) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (left < 4)
            return 0;
        const unsigned char b1 = byte(i + 1);
        const bool ok1 = b0 == 0xF0   ? (b1 >= 0x90 && b1 <= 0xBF)
                         : b0 == 0xF4 ? (b1 >= 0x80 && b1 <= 0x8F)
                                      : (b1 & 0xC0) == 0x80;
        return ok1 && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

char32_t nextCodePoint(std::string_view s, size_t &i)
{
    const unsigned char b0 = static_cast<unsigned char>(s[i]);
    size_t n = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    if (i + n > s.size())
        n = s.size() - i;
    char32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    return cp;
}

std::vector<char32_t> toCodePoints(std::string_view s)
{
    std::vector<char32_t> out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();)
        out.push_back(nextCodePoint(s, i));
    return out;
}

std::vector<size_t> codePointOffsets(std::string_view s)
{
    std::vector<size_t> out;
    out.reserve(s.size() + 1);
    for (size_t i = 0; i < s.size();) {
        out.push_back(i);
        nextCodePoint(s, i);
    }
    out.push_back(s.size());
    return out;
}

bool isValidUtf8(std::string_view s)
{
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8SequenceLength(s, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string toValidUtf8Lossy(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8SequenceLength(s, i);
        if (n > 0) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        // Maximal subpart: the lead byte plus the continuation bytes that
        // could still have been part of a valid sequence.
        const unsigned char b0 = static_cast<unsigned char>(s[i]);
        size_t len = 1;
        size_t need = (b0 >= 0xC2 && b0 <= 0xDF)   ? 1
                      : (b0 >= 0xE0 && b0 <= 0xEF) ? 2
                      : (b0 >= 0xF0 && b0 <= 0xF4) ? 3
                                                   : 0;
        for (size_t k = 1; k <= need && i + k < s.size(); ++k) {
            const unsigned char b = static_cast<unsigned char>(s[i + k]);
            bool ok = (b & 0xC0) == 0x80;
            if (k == 1) {
                if (b0 == 0xE0)
                    ok = b >= 0xA0 && b <= 0xBF;
                else if (b0 == 0xED)
                    ok = b >= 0x80 && b <= 0x9F;
                else if (b0 == 0xF0)
                    ok = b >= 0x90 && b <= 0xBF;
                else if (b0 == 0xF4)
                    ok = b >= 0x80 && b <= 0x8F;
            }
            if (!ok)
                break;
            len = k + 1;
        }
        out += "\xEF\xBF\xBD";
        i += len;
    }
    return out;
}

bool isUnicodeWhitespace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

} // namespace headroom::tok
