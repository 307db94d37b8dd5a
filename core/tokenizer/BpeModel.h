// The BPE model of tokenizer.json (and of GGUF vocabularies): vocabulary,
// ranked merges, ignore_merges, byte_fallback with <0xHH> tokens, unk with
// fuse_unk, continuing_subword_prefix / end_of_word_suffix, and a bounded
// cache of recent words. Mirrors tokenizers' models/bpe (word.rs merge_all)
// so ties resolve identically. Deliberately no dropout (training-time
// randomness we do not want in a reproducible pipeline) and no training.
#pragma once

#include "tokenizer/JsonFields.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace headroom::tok {

class BpeModel
{
public:
    struct Options
    {
        std::optional<std::string> unkToken;
        std::optional<std::string> continuingSubwordPrefix;
        std::optional<std::string> endOfWordSuffix;
        bool fuseUnk = false;
        bool byteFallback = false;
        bool ignoreMerges = false;
    };

    // `where` names the source for errors, e.g. "tokenizer.json: model".
    BpeModel(std::unordered_map<std::string, int32_t> vocab,
             const std::vector<std::pair<std::string, std::string>> &merges, Options options,
             const std::string &where);
    BpeModel(const BpeModel &) = delete;
    BpeModel &operator=(const BpeModel &) = delete;

    static std::unique_ptr<BpeModel> fromJson(const json::Json &object, const std::string &where);

    // Ids for one pre-token (already byte-mapped where the pipeline does so).
    void tokenize(std::string_view word, std::vector<int32_t> &out) const;

    std::optional<int32_t> tokenToId(std::string_view token) const;
    const std::string *idToToken(int32_t id) const;
    // One past the largest id in the vocabulary.
    size_t size() const { return m_idToToken.size(); }
    const Options &options() const { return m_options; }

private:
    struct MergeTarget
    {
        uint32_t rank;
        int32_t id;
    };
    static uint64_t key(int32_t a, int32_t b)
    {
        return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
    }
    void mergeWord(std::string_view word, std::vector<int32_t> &out) const;

    std::unordered_map<std::string, int32_t> m_vocab;
    std::vector<std::string> m_idToToken;
    std::vector<bool> m_hasId;
    std::unordered_map<uint64_t, MergeTarget> m_merges;
    Options m_options;
    std::optional<int32_t> m_unkId;
    int32_t m_byteIds[256];
    bool m_allBytes = false;

    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int32_t>> m_cache;
};

} // namespace headroom::tok
