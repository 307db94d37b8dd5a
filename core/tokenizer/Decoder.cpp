// tokenizer.json decoders; see Decoder.h.
#include "tokenizer/Decoder.h"

#include "tokenizer/ByteLevel.h"
#include "tokenizer/Utf8.h"

namespace headroom::tok {

namespace {

std::string replaceIn(const std::string &text, const Decoder::Step &step)
{
    std::string out;
    size_t last = 0;
    if (step.kind == Decoder::Kind::ReplaceString) {
        if (step.pattern.empty())
            return text;
        for (size_t at = text.find(step.pattern); at != std::string::npos;
             at = text.find(step.pattern, last)) {
            out.append(text, last, at - last);
            out += step.content;
            last = at + step.pattern.size();
        }
    } else {
        for (const auto &[start, end] : step.regex->findAll(text)) {
            out.append(text, last, start - last);
            out += step.content;
            last = end;
        }
    }
    out.append(text, last);
    return out;
}

std::optional<unsigned char> byteToken(const std::string &token)
{
    // Exactly "<0xHH>" (Rust from_str_radix also takes lowercase hex).
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
        return std::nullopt;
    unsigned value = 0;
    for (int i = 3; i < 5; ++i) {
        const char c = token[i];
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return std::nullopt;
        value = value * 16 + digit;
    }
    return static_cast<unsigned char>(value);
}

std::vector<std::string> byteFallback(std::vector<std::string> tokens)
{
    std::vector<std::string> out;
    std::string bytes;
    size_t count = 0;
    const auto flush = [&] {
        if (count == 0)
            return;
        if (isValidUtf8(bytes)) {
            out.push_back(bytes);
        } else {
            for (size_t i = 0; i < count; ++i)
                out.emplace_back("\xEF\xBF\xBD");
        }
        bytes.clear();
        count = 0;
    };
    for (std::string &token : tokens) {
        if (const auto b = byteToken(token)) {
            bytes += static_cast<char>(*b);
            ++count;
        } else {
            flush();
            out.push_back(std::move(token));
        }
    }
    flush();
    return out;
}

std::vector<std::string> byteLevel(const std::vector<std::string> &tokens)
{
    std::string bytes;
    for (const std::string &token : tokens) {
        // A token maps back byte-wise only if every character is in the table;
        // otherwise (e.g. an added token) its own UTF-8 is kept.
        std::string mapped;
        bool all = true;
        for (size_t i = 0; i < token.size() && all;) {
            const auto b = bytelevel::byteForChar(nextCodePoint(token, i));
            if (b)
                mapped += static_cast<char>(*b);
            else
                all = false;
        }
        bytes += all ? mapped : token;
    }
    return {toValidUtf8Lossy(bytes)};
}

std::vector<std::string> metaspace(const std::vector<std::string> &tokens,
                                   const Decoder::Step &step)
{
    std::vector<std::string> out;
    out.reserve(tokens.size());
    for (size_t t = 0; t < tokens.size(); ++t) {
        const std::string &token = tokens[t];
        std::string s;
        size_t at = 0;
        for (size_t found = token.find(step.replacement); found != std::string::npos;
             found = token.find(step.replacement, at)) {
            s.append(token, at, found - at);
            if (!(t == 0 && found == 0 && !step.prependNever))
                s += ' ';
            at = found + step.replacement.size();
        }
        s.append(token, at);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> strip(const std::vector<std::string> &tokens, const Decoder::Step &step)
{
    std::vector<std::string> out;
    out.reserve(tokens.size());
    for (const std::string &token : tokens) {
        const std::vector<size_t> offsets = codePointOffsets(token);
        const size_t count = offsets.size() - 1;
        const auto charAt = [&](size_t k) {
            return std::string_view(token).substr(offsets[k], offsets[k + 1] - offsets[k]);
        };
        size_t startCut = 0;
        while (startCut < step.start && startCut < count && charAt(startCut) == step.content)
            ++startCut;
        size_t stopCut = 0;
        while (stopCut < step.stop && stopCut < count - startCut &&
               charAt(count - 1 - stopCut) == step.content)
            ++stopCut;
        out.push_back(
            token.substr(offsets[startCut], offsets[count - stopCut] - offsets[startCut]));
    }
    return out;
}

} // namespace

Decoder::Step Decoder::step(Kind kind)
{
    Step s;
    s.kind = kind;
    return s;
}

Decoder Decoder::fromJson(const json::Json &object, const std::string &where)
{
    Decoder d;
    if (!object.is_null())
        d.parseInto(object, where);
    return d;
}

void Decoder::parseInto(const json::Json &object, const std::string &where)
{
    const std::string type = json::requireString(object, "type", where);
    if (type == "Sequence") {
        const auto &list = json::requireArray(object, "decoders", where);
        for (size_t i = 0; i < list.size(); ++i)
            parseInto(list[i], where + ".decoders[" + std::to_string(i) + "]");
        return;
    }
    Step s;
    if (type == "ByteLevel") {
        s.kind = Kind::ByteLevel;
    } else if (type == "ByteFallback") {
        s.kind = Kind::ByteFallback;
    } else if (type == "Fuse") {
        s.kind = Kind::Fuse;
    } else if (type == "Metaspace") {
        s.kind = Kind::Metaspace;
        s.replacement = json::optString(object, "replacement", where).value_or("\xE2\x96\x81");
        if (const auto scheme = json::optString(object, "prepend_scheme", where))
            s.prependNever = *scheme == "never";
        else
            s.prependNever = !json::optBool(object, "add_prefix_space", true, where);
    } else if (type == "Replace") {
        const auto &pattern = json::require(object, "pattern", where);
        const std::string patternWhere = json::field(where, "pattern");
        s.content = json::requireString(object, "content", where);
        if (pattern.contains("String")) {
            s.kind = Kind::ReplaceString;
            s.pattern = json::requireString(pattern, "String", patternWhere);
        } else if (pattern.contains("Regex")) {
            s.kind = Kind::ReplaceRegex;
            s.pattern = json::requireString(pattern, "Regex", patternWhere);
            s.regex = std::make_shared<const Regex>(s.pattern, json::field(patternWhere, "Regex"));
        } else {
            json::fail(patternWhere, " must be {\"String\": ...} or {\"Regex\": ...}");
        }
    } else if (type == "Strip") {
        s.kind = Kind::Strip;
        s.content = json::optString(object, "content", where).value_or(" ");
        s.start =
            static_cast<size_t>(std::max<int64_t>(0, json::optInt(object, "start", 0, where)));
        s.stop = static_cast<size_t>(std::max<int64_t>(0, json::optInt(object, "stop", 0, where)));
    } else {
        json::fail(
            json::field(where, "type"),
            " `" + type +
                "` is not supported (supported: ByteLevel, Metaspace, Replace, ByteFallback, "
                "Fuse, Strip, Sequence)");
    }
    m_steps.push_back(std::move(s));
}

std::string Decoder::decode(std::vector<std::string> tokens) const
{
    if (m_steps.empty()) {
        std::string joined;
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                joined += ' ';
            joined += tokens[i];
        }
        return joined;
    }
    for (const Step &step : m_steps) {
        switch (step.kind) {
        case Kind::ByteLevel:
            tokens = byteLevel(tokens);
            break;
        case Kind::Metaspace:
            tokens = metaspace(tokens, step);
            break;
        case Kind::ReplaceString:
        case Kind::ReplaceRegex:
            for (std::string &t : tokens)
                t = replaceIn(t, step);
            break;
        case Kind::ByteFallback:
            tokens = byteFallback(std::move(tokens));
            break;
        case Kind::Fuse: {
            std::string joined;
            for (const std::string &t : tokens)
                joined += t;
            tokens.assign(1, std::move(joined));
            break;
        }
        case Kind::Strip:
            tokens = strip(tokens, step);
            break;
        }
    }
    std::string out;
    for (const std::string &t : tokens)
        out += t;
    return out;
}

} // namespace headroom::tok
