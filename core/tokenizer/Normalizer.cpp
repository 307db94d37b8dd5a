// tokenizer.json normalizers; see Normalizer.h.
#include "tokenizer/Normalizer.h"

#include "tokenizer/Utf8.h"

#include <utf8proc.h>

#include <cstdlib>

namespace headroom::tok {

std::string unicodeNormalize(std::string_view text, Normalizer::Kind form)
{
    if (text.empty())
        return {};
    int options = UTF8PROC_STABLE;
    switch (form) {
    case Normalizer::Kind::Nfc:
        options |= UTF8PROC_COMPOSE;
        break;
    case Normalizer::Kind::Nfd:
        options |= UTF8PROC_DECOMPOSE;
        break;
    case Normalizer::Kind::Nfkc:
        options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
        break;
    case Normalizer::Kind::Nfkd:
        options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
        break;
    default:
        return std::string(text);
    }
    utf8proc_uint8_t *out = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(text.data()),
                                            static_cast<utf8proc_ssize_t>(text.size()), &out,
                                            static_cast<utf8proc_option_t>(options));
    if (n < 0) {
        // Only invalid UTF-8 fails, and the tokenizer repaired that already.
        return std::string(text);
    }
    std::string result(reinterpret_cast<const char *>(out), static_cast<size_t>(n));
    std::free(out);
    return result;
}

std::string unicodeLowercase(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const char32_t c = nextCodePoint(text, i);
        if (c == 0x130) {
            // The one unconditional multi-character lowercase mapping
            // (SpecialCasing.txt) that Rust's char::to_lowercase applies.
            out += "i\xCC\x87";
            continue;
        }
        appendUtf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
    return out;
}

namespace {

std::string stripWhitespace(std::string_view text, bool left, bool right)
{
    size_t begin = 0, end = text.size();
    if (left) {
        while (begin < end) {
            size_t i = begin;
            if (!isUnicodeWhitespace(nextCodePoint(text, i)))
                break;
            begin = i;
        }
    }
    if (right) {
        while (end > begin) {
            size_t start = end - 1;
            while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
                --start;
            size_t i = start;
            if (!isUnicodeWhitespace(nextCodePoint(text, i)))
                break;
            end = start;
        }
    }
    return std::string(text.substr(begin, end - begin));
}

std::string replaceAll(std::string_view text, const Normalizer::Step &step)
{
    std::string out;
    size_t last = 0;
    if (step.kind == Normalizer::Kind::ReplaceString) {
        if (step.text.empty())
            return std::string(text);
        for (size_t at = text.find(step.text); at != std::string_view::npos;
             at = text.find(step.text, last)) {
            out.append(text.substr(last, at - last));
            out += step.content;
            last = at + step.text.size();
        }
    } else {
        for (const auto &[start, end] : step.regex->findAll(text)) {
            out.append(text.substr(last, start - last));
            out += step.content;
            last = end;
        }
    }
    out.append(text.substr(last));
    return out;
}

} // namespace

Normalizer Normalizer::fromJson(const json::Json &object, const std::string &where)
{
    Normalizer n;
    if (!object.is_null())
        n.parseInto(object, where);
    return n;
}

void Normalizer::parseInto(const json::Json &object, const std::string &where)
{
    const std::string type = json::requireString(object, "type", where);
    Step step;
    if (type == "Sequence") {
        const auto &list = json::requireArray(object, "normalizers", where);
        for (size_t i = 0; i < list.size(); ++i)
            parseInto(list[i], where + ".normalizers[" + std::to_string(i) + "]");
        return;
    }
    if (type == "NFC")
        step.kind = Kind::Nfc;
    else if (type == "NFD")
        step.kind = Kind::Nfd;
    else if (type == "NFKC")
        step.kind = Kind::Nfkc;
    else if (type == "NFKD")
        step.kind = Kind::Nfkd;
    else if (type == "Lowercase")
        step.kind = Kind::Lowercase;
    else if (type == "Prepend") {
        step.kind = Kind::Prepend;
        step.text = json::requireString(object, "prepend", where);
    } else if (type == "Strip") {
        step.kind = Kind::Strip;
        step.left = json::optBool(object, "strip_left", true, where);
        step.right = json::optBool(object, "strip_right", true, where);
    } else if (type == "Replace") {
        const auto &pattern = json::require(object, "pattern", where);
        step.content = json::requireString(object, "content", where);
        const std::string patternWhere = json::field(where, "pattern");
        if (pattern.contains("String")) {
            step.kind = Kind::ReplaceString;
            step.text = json::requireString(pattern, "String", patternWhere);
        } else if (pattern.contains("Regex")) {
            step.kind = Kind::ReplaceRegex;
            step.text = json::requireString(pattern, "Regex", patternWhere);
            step.regex = std::make_shared<Regex>(step.text, json::field(patternWhere, "Regex"));
        } else {
            json::fail(patternWhere, " must be {\"String\": ...} or {\"Regex\": ...}");
        }
    } else {
        json::fail(json::field(where, "type"),
                   " `" + type +
                       "` is not supported (supported: NFC, NFD, NFKC, NFKD, Prepend, Replace, "
                       "Lowercase, Strip, Sequence)");
    }
    m_steps.push_back(std::move(step));
}

std::string Normalizer::apply(std::string_view input) const
{
    std::string text(input);
    for (const Step &step : m_steps) {
        switch (step.kind) {
        case Kind::Nfc:
        case Kind::Nfd:
        case Kind::Nfkc:
        case Kind::Nfkd:
            text = unicodeNormalize(text, step.kind);
            break;
        case Kind::Prepend:
            if (!text.empty())
                text = step.text + text;
            break;
        case Kind::ReplaceString:
        case Kind::ReplaceRegex:
            text = replaceAll(text, step);
            break;
        case Kind::Lowercase:
            text = unicodeLowercase(text);
            break;
        case Kind::Strip:
            text = stripWhitespace(text, step.left, step.right);
            break;
        }
    }
    return text;
}

} // namespace headroom::tok
