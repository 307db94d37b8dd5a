// BPE model; see BpeModel.h.
#include "tokenizer/BpeModel.h"

#include "tokenizer/Utf8.h"

#include <queue>

#include <cstdio>
#include <memory>

namespace headroom::tok {

namespace {

constexpr size_t kCacheCapacity = 10000; // as tokenizers' DEFAULT_CACHE_CAPACITY
constexpr size_t kMaxCachedWordBytes = 256;

} // namespace

BpeModel::BpeModel(std::unordered_map<std::string, int32_t> vocab,
                   const std::vector<std::pair<std::string, std::string>> &merges, Options options,
                   const std::string &where)
    : m_vocab(std::move(vocab)), m_options(std::move(options))
{
    // Ids index a table, so an absurd id (2e9 in a hostile file) must not
    // size it: real vocabularies are dense, with gaps only where added tokens sit.
    const int64_t idLimit = 2 * static_cast<int64_t>(m_vocab.size()) + 65536;
    int32_t maxId = -1;
    for (const auto &[token, id] : m_vocab) {
        if (id < 0)
            json::fail(where, ".vocab[`" + token + "`] has a negative id " + std::to_string(id));
        if (id >= idLimit)
            json::fail(where, ".vocab[`" + token + "`] has the id " + std::to_string(id) +
                                  ", far beyond the " + std::to_string(m_vocab.size()) +
                                  " tokens of the vocabulary");
        maxId = std::max(maxId, id);
    }
    m_idToToken.resize(static_cast<size_t>(maxId + 1));
    m_hasId.assign(static_cast<size_t>(maxId + 1), false);
    for (const auto &[token, id] : m_vocab) {
        m_idToToken[id] = token;
        m_hasId[id] = true;
    }
    const size_t prefixLength =
        m_options.continuingSubwordPrefix ? m_options.continuingSubwordPrefix->size() : 0;
    m_merges.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const auto &[a, b] = merges[rank];
        const auto ia = m_vocab.find(a), ib = m_vocab.find(b);
        const std::string name = where + ".merges[" + std::to_string(rank) + "]";
        if (ia == m_vocab.end())
            json::fail(name, ": token `" + a + "` is not in the vocabulary");
        if (ib == m_vocab.end())
            json::fail(name, ": token `" + b + "` is not in the vocabulary");
        std::string merged = a;
        if (prefixLength && b.compare(0, prefixLength, *m_options.continuingSubwordPrefix) == 0)
            merged += b.substr(prefixLength);
        else
            merged += b;
        const auto im = m_vocab.find(merged);
        if (im == m_vocab.end())
            json::fail(name, ": merged token `" + merged + "` is not in the vocabulary");
        // A duplicate pair takes the later rank, as a Rust HashMap collect does.
        m_merges.insert_or_assign(key(ia->second, ib->second),
                                  MergeTarget{static_cast<uint32_t>(rank), im->second});
    }
    if (m_options.unkToken) {
        const auto it = m_vocab.find(*m_options.unkToken);
        if (it != m_vocab.end())
            m_unkId = it->second;
    }
    m_allBytes = true;
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        const auto it = m_vocab.find(name);
        m_byteIds[b] = it == m_vocab.end() ? -1 : it->second;
    }
}

std::unique_ptr<BpeModel> BpeModel::fromJson(const json::Json &object, const std::string &where)
{
    const json::Json &vocabJson = json::require(object, "vocab", where);
    if (!vocabJson.is_object())
        json::fail(json::field(where, "vocab"), " must be an object of token: id");
    std::unordered_map<std::string, int32_t> vocab;
    vocab.reserve(vocabJson.size());
    for (auto it = vocabJson.begin(); it != vocabJson.end(); ++it) {
        if (!it.value().is_number_integer())
            json::fail(json::field(where, "vocab"), "[`" + it.key() + "`] must be an integer id");
        vocab.emplace(it.key(), it.value().get<int32_t>());
    }
    std::vector<std::pair<std::string, std::string>> merges;
    const auto mergesIt = object.find("merges");
    if (mergesIt != object.end() && !mergesIt->is_null()) {
        if (!mergesIt->is_array())
            json::fail(json::field(where, "merges"), " must be an array");
        merges.reserve(mergesIt->size());
        for (size_t i = 0; i < mergesIt->size(); ++i) {
            const auto &m = (*mergesIt)[i];
            const std::string name = where + ".merges[" + std::to_string(i) + "]";
            if (m.is_string()) {
                // Legacy "a b": split at the first space.
                const std::string s = m.get<std::string>();
                const size_t space = s.find(' ');
                if (space == std::string::npos)
                    json::fail(name, " `" + s + "` must be two tokens separated by a space");
                merges.emplace_back(s.substr(0, space), s.substr(space + 1));
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
            } else {
                json::fail(name, " must be \"a b\" or [\"a\", \"b\"]");
            }
        }
    }
    Options options;
    options.unkToken = json::optString(object, "unk_token", where);
    options.continuingSubwordPrefix = json::optString(object, "continuing_subword_prefix", where);
    options.endOfWordSuffix = json::optString(object, "end_of_word_suffix", where);
    if (options.continuingSubwordPrefix && options.continuingSubwordPrefix->empty())
        options.continuingSubwordPrefix.reset();
    if (options.endOfWordSuffix && options.endOfWordSuffix->empty())
        options.endOfWordSuffix.reset();
    options.fuseUnk = json::optBool(object, "fuse_unk", false, where);
    options.byteFallback = json::optBool(object, "byte_fallback", false, where);
    options.ignoreMerges = json::optBool(object, "ignore_merges", false, where);
    return std::make_unique<BpeModel>(std::move(vocab), merges, std::move(options), where);
}

std::optional<int32_t> BpeModel::tokenToId(std::string_view token) const
{
    const auto it = m_vocab.find(std::string(token));
    if (it == m_vocab.end())
        return std::nullopt;
    return it->second;
}

const std::string *BpeModel::idToToken(int32_t id) const
{
    if (id < 0 || static_cast<size_t>(id) >= m_idToToken.size() || !m_hasId[id])
        return nullptr;
    return &m_idToToken[id];
}

void BpeModel::tokenize(std::string_view word, std::vector<int32_t> &out) const
{
    if (word.empty())
        return;
    if (m_options.ignoreMerges) {
        if (const auto it = m_vocab.find(std::string(word)); it != m_vocab.end()) {
            out.push_back(it->second);
            return;
        }
    }
    const bool cacheable = word.size() <= kMaxCachedWordBytes;
    if (cacheable) {
        std::lock_guard lock(m_cacheMutex);
        if (const auto it = m_cache.find(std::string(word)); it != m_cache.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int32_t> ids;
    mergeWord(word, ids);
    out.insert(out.end(), ids.begin(), ids.end());
    if (cacheable) {
        std::lock_guard lock(m_cacheMutex);
        if (m_cache.size() >= kCacheCapacity)
            m_cache.clear();
        m_cache.emplace(std::string(word), std::move(ids));
    }
}

void BpeModel::mergeWord(std::string_view word, std::vector<int32_t> &out) const
{
    struct Symbol
    {
        int32_t id;
        int64_t prev, next;
        bool removed;
    };
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    const auto add = [&](int32_t id) {
        const int64_t index = static_cast<int64_t>(symbols.size());
        if (!symbols.empty())
            symbols.back().next = index;
        symbols.push_back({id, index - 1, -1, false});
    };

    // Split into characters, decorate, map to ids (byte fallback / unk).
    int32_t pendingUnk = -1; // an unknown run not yet emitted (fuse_unk)
    const std::vector<size_t> offsets = codePointOffsets(word);
    const size_t count = offsets.size() - 1;
    std::string piece;
    for (size_t c = 0; c < count; ++c) {
        piece.assign(word.substr(offsets[c], offsets[c + 1] - offsets[c]));
        if (c > 0 && m_options.continuingSubwordPrefix)
            piece.insert(0, *m_options.continuingSubwordPrefix);
        if (c + 1 == count && m_options.endOfWordSuffix)
            piece += *m_options.endOfWordSuffix;
        if (const auto it = m_vocab.find(piece); it != m_vocab.end()) {
            if (pendingUnk >= 0) {
                add(pendingUnk);
                pendingUnk = -1;
            }
            add(it->second);
            continue;
        }
        if (m_options.byteFallback) {
            bool all = true;
            for (unsigned char b : piece)
                all = all && m_byteIds[b] >= 0;
            if (all) {
                // tokenizers does not flush a pending unk here; neither do we.
                for (unsigned char b : piece)
                    add(m_byteIds[b]);
                continue;
            }
        }
        if (m_unkId) {
            if (pendingUnk >= 0 && !m_options.fuseUnk)
                add(pendingUnk);
            if (pendingUnk < 0 || !m_options.fuseUnk)
                pendingUnk = *m_unkId;
        }
    }
    if (pendingUnk >= 0)
        add(pendingUnk);

    struct Candidate
    {
        uint32_t rank;
        int64_t pos;
        int32_t id;
        bool operator<(const Candidate &o) const
        {
            // priority_queue pops the largest: lowest rank, then leftmost.
            return rank != o.rank ? rank > o.rank : pos > o.pos;
        }
    };
    std::priority_queue<Candidate> queue;
    for (size_t i = 0; i + 1 < symbols.size(); ++i)
        if (const auto it = m_merges.find(key(symbols[i].id, symbols[i + 1].id));
            it != m_merges.end())
            queue.push({it->second.rank, static_cast<int64_t>(i), it->second.id});

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol &left = symbols[top.pos];
        if (left.removed || left.next < 0)
            continue;
        const int64_t rightPos = left.next;
        Symbol &right = symbols[rightPos];
        const auto it = m_merges.find(key(left.id, right.id));
        if (it == m_merges.end() || it->second.id != top.id)
            continue; // stale entry
        left.id = top.id;
        right.removed = true;
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = top.pos;
        if (left.prev >= 0)
            if (const auto p = m_merges.find(key(symbols[left.prev].id, left.id));
                p != m_merges.end())
                queue.push({p->second.rank, left.prev, p->second.id});
        if (left.next >= 0)
            if (const auto n = m_merges.find(key(left.id, symbols[left.next].id));
                n != m_merges.end())
                queue.push({n->second.rank, top.pos, n->second.id});
    }
    for (const Symbol &s : symbols)
        if (!s.removed)
            out.push_back(s.id);
}

} // namespace headroom::tok
