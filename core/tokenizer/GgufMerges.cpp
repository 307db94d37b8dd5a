// Merges rebuilt from SentencePiece scores; see GgufMerges.h.
#include "tokenizer/GgufMerges.h"

#include "tokenizer/Utf8.h"

#include <algorithm>

namespace headroom::tok {

// transformers' generate_merges(vocab, vocab_scores): every split of a token
// into two vocabulary tokens, ordered by the token's score (best first), then
// by longer left piece, then longer right piece; ties keep vocabulary order.
std::vector<std::pair<std::string, std::string>>
mergesFromScores(const GgufVocab &v, const std::unordered_map<std::string, int32_t> &vocab)
{
    struct Candidate
    {
        std::string left, right;
        float score;
        size_t leftChars, rightChars;
    };
    // dict(zip(tokens, scores)): first position, last score.
    std::unordered_map<std::string, float> scoreOf;
    std::vector<const std::string *> order;
    for (size_t i = 0; i < v.tokens.size(); ++i) {
        const auto [it, inserted] = scoreOf.insert_or_assign(v.tokens[i], v.scores[i]);
        if (inserted)
            order.push_back(&it->first);
    }
    std::vector<Candidate> merges;
    for (const std::string *token : order) {
        const std::vector<size_t> offsets = codePointOffsets(*token);
        const size_t chars = offsets.size() - 1;
        std::vector<Candidate> local;
        for (size_t k = 1; k < chars; ++k) {
            std::string left = token->substr(0, offsets[k]), right = token->substr(offsets[k]);
            if (vocab.count(left) && vocab.count(right))
                local.push_back({std::move(left), std::move(right), scoreOf[*token], k, chars - k});
        }
        std::stable_sort(local.begin(), local.end(), [&](const Candidate &a, const Candidate &b) {
            const int32_t al = vocab.at(a.left), bl = vocab.at(b.left);
            return al != bl ? al < bl : vocab.at(a.right) < vocab.at(b.right);
        });
        for (Candidate &c : local)
            merges.push_back(std::move(c));
    }
    // sorted(..., key=(score, len l, len r), reverse=True) is a stable sort
    // by the key descending.
    std::stable_sort(merges.begin(), merges.end(), [](const Candidate &a, const Candidate &b) {
        if (a.score != b.score)
            return a.score > b.score;
        if (a.leftChars != b.leftChars)
            return a.leftChars > b.leftChars;
        return a.rightChars > b.rightChars;
    });
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(merges.size());
    for (Candidate &c : merges)
        out.emplace_back(std::move(c.left), std::move(c.right));
    return out;
}

} // namespace headroom::tok
