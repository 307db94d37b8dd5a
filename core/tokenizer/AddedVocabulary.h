// Added and special tokens (tokenizer.json `added_tokens`): they are cut out
// of the text before anything else runs, longest match first, honouring
// lstrip / rstrip / single_word, and tokens with normalized=true are matched
// on the normalized text (tokenizers' AddedVocabulary). Deliberately no
// runtime add_tokens API: the set is fixed when the tokenizer is built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace headroom::tok {

class Normalizer;

struct AddedToken
{
    int32_t id = 0;
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
    bool special = false;
    // The token's text as tokenizers' id_to_token / decode see it: the
    // normalized content for normalized tokens (e.g. "▁<tool>").
    std::string text;
};

// A run of text, or an added token (`id` set) cut out of it.
struct Segment
{
    std::string text;
    std::optional<int32_t> id;
    bool atStart = false; // begins at offset 0 of the original input
};

class AddedVocabulary
{
public:
    AddedVocabulary() = default;
    // Normalized tokens are matched against their normalized content.
    AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer *normalizer);

    // Splits `text` on the tokens with the given `normalized` flag.
    void split(const Segment &segment, bool normalizedTokens, std::vector<Segment> &out) const;

    const AddedToken *byId(int32_t id) const;
    const AddedToken *byContent(std::string_view content) const;
    const std::vector<AddedToken> &tokens() const { return m_tokens; }
    bool hasNormalized() const { return !m_patterns[1].empty(); }

private:
    struct Pattern
    {
        std::string text; // what is matched (normalized content for normalized tokens)
        size_t token;     // index into m_tokens
    };
    std::vector<AddedToken> m_tokens;
    std::unordered_map<int32_t, size_t> m_byId;
    std::unordered_map<std::string, size_t> m_byContent;
    // [0]: raw-matched, [1]: normalized-matched; by first byte, longest first.
    std::vector<Pattern> m_patterns[2];
    std::vector<std::vector<size_t>> m_byFirstByte[2];
};

} // namespace headroom::tok
