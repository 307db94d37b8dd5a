// Added-token splitting; see AddedVocabulary.h.
#include "tokenizer/AddedVocabulary.h"

#include "tokenizer/Normalizer.h"
#include "tokenizer/Utf8.h"

#include <utf8proc.h>

#include <algorithm>

namespace headroom::tok {

namespace {

// Unicode \w of Rust's regex crate (what tokenizers uses for single_word).
bool isWordChar(char32_t c)
{
    if (c == '_')
        return true;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return false;
    }
}

char32_t lastCodePoint(std::string_view s)
{
    size_t start = s.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
        --start;
    return nextCodePoint(s, start);
}

} // namespace

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer *normalizer)
    : m_tokens(std::move(tokens))
{
    for (size_t i = 0; i < m_tokens.size(); ++i) {
        AddedToken &t = m_tokens[i];
        t.text = t.normalized && normalizer ? normalizer->apply(t.content) : t.content;
        m_byId[t.id] = i;
        m_byContent[t.content] = i;
        if (t.content.empty())
            continue;
        const int kind = t.normalized ? 1 : 0;
        if (!t.text.empty())
            m_patterns[kind].push_back({t.text, i});
    }
    for (int kind = 0; kind < 2; ++kind) {
        m_byFirstByte[kind].assign(256, {});
        for (size_t p = 0; p < m_patterns[kind].size(); ++p)
            m_byFirstByte[kind][static_cast<unsigned char>(m_patterns[kind][p].text[0])].push_back(
                p);
        for (auto &list : m_byFirstByte[kind])
            std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) {
                return m_patterns[kind][a].text.size() > m_patterns[kind][b].text.size();
            });
    }
}

const AddedToken *AddedVocabulary::byId(int32_t id) const
{
    const auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : &m_tokens[it->second];
}

const AddedToken *AddedVocabulary::byContent(std::string_view content) const
{
    const auto it = m_byContent.find(std::string(content));
    return it == m_byContent.end() ? nullptr : &m_tokens[it->second];
}

void AddedVocabulary::split(const Segment &segment, bool normalizedTokens,
                            std::vector<Segment> &out) const
{
    const int kind = normalizedTokens ? 1 : 0;
    const std::string &text = segment.text;
    if (m_patterns[kind].empty() || text.empty()) {
        if (!text.empty())
            out.push_back(segment);
        return;
    }
    const auto &byFirst = m_byFirstByte[kind];
    size_t startOffset = 0; // end of the previous accepted match
    size_t pos = 0;         // where the leftmost-longest search resumes
    const auto emitText = [&](size_t from, size_t to) {
        if (from < to)
            out.push_back(
                {text.substr(from, to - from), std::nullopt, segment.atStart && from == 0});
    };
    while (pos < text.size()) {
        // Leftmost-longest: the first position where any token matches, and
        // the longest token there (like aho-corasick LeftmostLongest).
        const Pattern *found = nullptr;
        size_t at = pos;
        for (; at < text.size() && !found; ++at) {
            for (size_t p : byFirst[static_cast<unsigned char>(text[at])]) {
                const Pattern &pattern = m_patterns[kind][p];
                if (text.compare(at, pattern.text.size(), pattern.text) == 0) {
                    found = &pattern;
                    break;
                }
            }
            if (found)
                break;
        }
        if (!found)
            break;
        size_t start = at, stop = at + found->text.size();
        pos = stop;
        const AddedToken &token = m_tokens[found->token];
        if (token.singleWord) {
            const bool startSpace =
                start == 0 || !isWordChar(lastCodePoint(std::string_view(text).substr(0, start)));
            size_t k = stop;
            const bool stopSpace = stop == text.size() || !isWordChar(nextCodePoint(text, k));
            if (!startSpace || !stopSpace)
                continue;
        }
        if (token.lstrip) {
            size_t newStart = start;
            while (newStart > 0) {
                size_t s = newStart - 1;
                while (s > 0 && (static_cast<unsigned char>(text[s]) & 0xC0) == 0x80)
                    --s;
                size_t k = s;
                if (!isUnicodeWhitespace(nextCodePoint(text, k)))
                    break;
                newStart = s;
            }
            start = std::max(newStart, startOffset);
        }
        if (token.rstrip) {
            while (stop < text.size()) {
                size_t k = stop;
                if (!isUnicodeWhitespace(nextCodePoint(text, k)))
                    break;
                stop = k;
            }
            // The search resumes at the match end, not after the absorbed
            // spaces, exactly as tokenizers' find_iter does.
        }
        emitText(startOffset, start);
        out.push_back({text.substr(start, stop - start), token.id, segment.atStart && start == 0});
        startOffset = stop;
    }
    emitText(startOffset, text.size());
}

} // namespace headroom::tok
