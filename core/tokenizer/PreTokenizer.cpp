// tokenizer.json pre-tokenizers; see PreTokenizer.h. The split semantics
// mirror tokenizers' NormalizedString::split so that pieces (and therefore
// ids) come out identical.
#include "tokenizer/PreTokenizer.h"

#include "tokenizer/ByteLevel.h"
#include "tokenizer/Utf8.h"

#include <utf8proc.h>

#include <algorithm>
#include <functional>

namespace headroom::tok {

namespace {

struct Span
{
    size_t start, end;
    bool isMatch;
};

using Spans = std::vector<std::pair<size_t, size_t>>;

// Matches plus the gaps between them, covering the whole text.
std::vector<Span> withGaps(const std::string &text, const Spans &matches)
{
    std::vector<Span> out;
    if (text.empty()) {
        out.push_back({0, 0, false});
        return out;
    }
    size_t previous = 0;
    for (const auto &[start, end] : matches) {
        if (previous != start)
            out.push_back({previous, start, false});
        out.push_back({start, end, true});
        previous = end;
    }
    if (previous != text.size())
        out.push_back({previous, text.size(), false});
    return out;
}

// One span per code point that satisfies `predicate`.
Spans charMatches(const std::string &text, const std::function<bool(char32_t)> &predicate)
{
    Spans out;
    for (size_t i = 0; i < text.size();) {
        const size_t start = i;
        if (predicate(nextCodePoint(text, i)))
            out.emplace_back(start, i);
    }
    return out;
}

void splitPiece(const Piece &piece, const Spans &matches, SplitBehavior behavior, bool invert,
                std::vector<Piece> &out)
{
    std::vector<Span> spans = withGaps(piece.text, matches);
    if (invert)
        for (Span &s : spans)
            s.isMatch = !s.isMatch;
    std::vector<Span> result;
    switch (behavior) {
    case SplitBehavior::Isolated:
        result = spans;
        break;
    case SplitBehavior::Removed:
        for (const Span &s : spans)
            if (!s.isMatch)
                result.push_back(s);
        break;
    case SplitBehavior::Contiguous: {
        bool previous = false;
        for (const Span &s : spans) {
            if (s.isMatch == previous && !result.empty())
                result.back().end = s.end;
            else
                result.push_back(s);
            previous = s.isMatch;
        }
        break;
    }
    case SplitBehavior::MergedWithPrevious: {
        bool previous = false;
        for (const Span &s : spans) {
            if (s.isMatch && !previous && !result.empty())
                result.back().end = s.end;
            else
                result.push_back(s);
            previous = s.isMatch;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        bool previous = false;
        for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
            if (it->isMatch && !previous && !result.empty())
                result.back().start = it->start;
            else
                result.push_back(*it);
            previous = it->isMatch;
        }
        std::reverse(result.begin(), result.end());
        break;
    }
    }
    for (const Span &s : result) {
        if (s.end <= s.start)
            continue;
        out.push_back({piece.text.substr(s.start, s.end - s.start), piece.atStart && s.start == 0});
    }
}

bool isNumeric(char32_t c)
{
    const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL ||
           cat == UTF8PROC_CATEGORY_NO;
}

bool isPunctuation(char32_t c)
{
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
               (c >= 0x7B && c <= 0x7E);
    const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

SplitBehavior parseBehavior(const std::string &name, const std::string &where)
{
    if (name == "Removed")
        return SplitBehavior::Removed;
    if (name == "Isolated")
        return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (name == "Contiguous")
        return SplitBehavior::Contiguous;
    json::fail(where, " `" + name +
                          "` is not supported (supported: Removed, Isolated, "
                          "MergedWithPrevious, MergedWithNext, Contiguous)");
}

const std::shared_ptr<const Regex> &gpt2Regex()
{
    static const auto regex = std::make_shared<const Regex>(bytelevel::kGpt2Pattern, "ByteLevel");
    return regex;
}

} // namespace

PreTokenizer::Step PreTokenizer::byteLevel(bool addPrefixSpace, bool useRegex)
{
    Step s;
    s.kind = Kind::ByteLevel;
    s.addPrefixSpace = addPrefixSpace;
    s.useRegex = useRegex;
    if (useRegex)
        s.regex = gpt2Regex();
    return s;
}

PreTokenizer::Step PreTokenizer::splitRegex(const std::string &pattern, SplitBehavior behavior,
                                            bool invert)
{
    Step s;
    s.kind = Kind::Split;
    s.regex = std::make_shared<const Regex>(pattern, "pre_tokenizer.pattern.Regex");
    s.behavior = behavior;
    s.invert = invert;
    return s;
}

PreTokenizer::Step PreTokenizer::digits(bool individual)
{
    Step s;
    s.kind = Kind::Digits;
    s.individualDigits = individual;
    return s;
}

PreTokenizer::Step PreTokenizer::metaspace(PrependScheme scheme, bool split)
{
    Step s;
    s.kind = Kind::Metaspace;
    s.prependScheme = scheme;
    s.split = split;
    return s;
}

PreTokenizer PreTokenizer::fromJson(const json::Json &object, const std::string &where)
{
    PreTokenizer p;
    if (!object.is_null())
        p.parseInto(object, where);
    return p;
}

void PreTokenizer::parseInto(const json::Json &object, const std::string &where)
{
    const std::string type = json::requireString(object, "type", where);
    if (type == "Sequence") {
        const auto &list = json::requireArray(object, "pretokenizers", where);
        for (size_t i = 0; i < list.size(); ++i)
            parseInto(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
        return;
    }
    Step step;
    if (type == "ByteLevel") {
        step = byteLevel(json::optBool(object, "add_prefix_space", true, where),
                         json::optBool(object, "use_regex", true, where));
    } else if (type == "Split") {
        const auto &pattern = json::require(object, "pattern", where);
        const std::string patternWhere = json::field(where, "pattern");
        step.kind = Kind::Split;
        if (pattern.contains("String")) {
            step.regex =
                std::make_shared<const Regex>(json::requireString(pattern, "String", patternWhere),
                                              json::field(patternWhere, "String"), true);
        } else if (pattern.contains("Regex")) {
            step.regex =
                std::make_shared<const Regex>(json::requireString(pattern, "Regex", patternWhere),
                                              json::field(patternWhere, "Regex"));
        } else {
            json::fail(patternWhere, " must be {\"String\": ...} or {\"Regex\": ...}");
        }
        step.behavior = parseBehavior(json::requireString(object, "behavior", where),
                                      json::field(where, "behavior"));
        step.invert = json::optBool(object, "invert", false, where);
    } else if (type == "Metaspace") {
        step.kind = Kind::Metaspace;
        step.replacement = json::optString(object, "replacement", where).value_or("\xE2\x96\x81");
        if (step.replacement.empty() ||
            utf8SequenceLength(step.replacement, 0) != step.replacement.size())
            json::fail(json::field(where, "replacement"), " must be exactly one character");
        if (const auto scheme = json::optString(object, "prepend_scheme", where)) {
            if (*scheme == "always")
                step.prependScheme = PrependScheme::Always;
            else if (*scheme == "first")
                step.prependScheme = PrependScheme::First;
            else if (*scheme == "never")
                step.prependScheme = PrependScheme::Never;
            else
                json::fail(json::field(where, "prepend_scheme"),
                           " `" + *scheme + "` is not supported (supported: always, first, never)");
        } else {
            // Legacy files: add_prefix_space true/false means always/never.
            step.prependScheme = json::optBool(object, "add_prefix_space", true, where)
                                     ? PrependScheme::Always
                                     : PrependScheme::Never;
        }
        step.split = json::optBool(object, "split", true, where);
    } else if (type == "Digits") {
        step = digits(json::optBool(object, "individual_digits", false, where));
    } else if (type == "Whitespace") {
        step.kind = Kind::Whitespace;
        step.regex = std::make_shared<const Regex>(
            R"([\p{L}\p{M}\p{Nd}\p{Pc}]+|[^\p{L}\p{M}\p{Nd}\p{Pc}\s]+)", where);
    } else if (type == "WhitespaceSplit") {
        step.kind = Kind::WhitespaceSplit;
    } else if (type == "Punctuation") {
        step.kind = Kind::Punctuation;
        step.behavior =
            parseBehavior(json::optString(object, "behavior", where).value_or("Isolated"),
                          json::field(where, "behavior"));
    } else {
        json::fail(json::field(where, "type"),
                   " `" + type +
                       "` is not supported (supported: ByteLevel, Split, Metaspace, Digits, "
                       "Whitespace, WhitespaceSplit, Punctuation, Sequence)");
    }
    m_steps.push_back(std::move(step));
}

void PreTokenizer::apply(std::vector<Piece> &pieces) const
{
    for (const Step &step : m_steps) {
        std::vector<Piece> next;
        next.reserve(pieces.size() * 2);
        for (Piece &piece : pieces) {
            switch (step.kind) {
            case Kind::ByteLevel: {
                if (step.addPrefixSpace && (piece.text.empty() || piece.text[0] != ' '))
                    piece.text.insert(piece.text.begin(), ' ');
                std::vector<Piece> parts;
                if (step.useRegex)
                    splitPiece(piece, step.regex->findAll(piece.text), SplitBehavior::Isolated,
                               false, parts);
                else if (!piece.text.empty())
                    parts.push_back(piece);
                for (Piece &part : parts)
                    next.push_back({bytelevel::encode(part.text), part.atStart});
                break;
            }
            case Kind::Split:
                splitPiece(piece, step.regex->findAll(piece.text), step.behavior, step.invert,
                           next);
                break;
            case Kind::Metaspace: {
                std::string text;
                text.reserve(piece.text.size() + 3);
                for (char c : piece.text) {
                    if (c == ' ')
                        text += step.replacement;
                    else
                        text += c;
                }
                const bool startsWithReplacement =
                    text.compare(0, step.replacement.size(), step.replacement) == 0;
                const bool prepend =
                    !startsWithReplacement &&
                    (step.prependScheme == PrependScheme::Always ||
                     (step.prependScheme == PrependScheme::First && piece.atStart));
                if (prepend)
                    text = step.replacement + text;
                Piece replaced{std::move(text), piece.atStart};
                if (step.split) {
                    Spans matches;
                    for (size_t at = replaced.text.find(step.replacement); at != std::string::npos;
                         at = replaced.text.find(step.replacement, at + step.replacement.size()))
                        matches.emplace_back(at, at + step.replacement.size());
                    splitPiece(replaced, matches, SplitBehavior::MergedWithNext, false, next);
                } else if (!replaced.text.empty()) {
                    next.push_back(std::move(replaced));
                }
                break;
            }
            case Kind::Digits:
                splitPiece(piece, charMatches(piece.text, isNumeric),
                           step.individualDigits ? SplitBehavior::Isolated
                                                 : SplitBehavior::Contiguous,
                           false, next);
                break;
            case Kind::Whitespace:
                splitPiece(piece, step.regex->findAll(piece.text), SplitBehavior::Removed, true,
                           next);
                break;
            case Kind::WhitespaceSplit:
                splitPiece(piece, charMatches(piece.text, isUnicodeWhitespace),
                           SplitBehavior::Removed, false, next);
                break;
            case Kind::Punctuation:
                splitPiece(piece, charMatches(piece.text, isPunctuation), step.behavior, false,
                           next);
                break;
            }
        }
        pieces = std::move(next);
    }
}

} // namespace headroom::tok
