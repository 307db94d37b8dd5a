// Building a Tokenizer from GGUF metadata (GgufVocab). The default follows
// transformers' GGUF conversion (integrations/gguf/gguf_tokenizer_mapping.py,
// transformers 5.23), which is our oracle; GgufPreTokenization::LlamaCpp picks
// the pre-tokenizer per `tokenizer.ggml.pre` as llama.cpp does instead (they
// differ e.g. for "smollm": llama.cpp isolates digits first, as SmolLM2's own
// tokenizer.json does; transformers uses the plain GPT-2 regex). Deliberately
// only "gpt2" (byte-level BPE) and "llama" (SentencePiece BPE) vocabularies.
#include "tokenizer/ByteLevel.h"
#include "tokenizer/Tokenizer.h"
#include "tokenizer/Utf8.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace headroom::tok {

namespace {

constexpr const char *kWhere = "GGUF tokenizer";
constexpr int32_t kTypeControl = 3;
constexpr int32_t kTypeUserDefined = 4;

constexpr const char *kLlama3Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char *kQwen2Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char *kTekkenSplit =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)"
    R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*)"
    R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char *kGpt4oSplit =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// transformers' GGUF_PRE_TOKENIZER_SPLITS: Split(regex) + ByteLevel(no regex)
// for these, the GPT-2 ByteLevel pre-tokenizer for every other `pre`.
PreTokenizer transformersPreTokenizer(const std::string &pre)
{
    static const std::unordered_map<std::string, const char *> splits = {
        {"llama3", kLlama3Split},       {"llama-v3", kLlama3Split},
        {"llama-bpe", kLlama3Split},    {"falcon3", kLlama3Split},
        {"falcon-h1", kLlama3Split},    {"pixtral", kLlama3Split},
        {"midm-2.0", kLlama3Split},     {"lfm2", kLlama3Split},
        {"jina-v5-nano", kLlama3Split}, {"dbrx", kLlama3Split},
        {"smaug-bpe", kLlama3Split},    {"tekken", kTekkenSplit},
        {"qwen2", kQwen2Split},         {"deepseek-r1-qwen", kQwen2Split},
        {"kormo", kQwen2Split},         {"f2llmv2", kQwen2Split},
        {"megrez", kQwen2Split},        {"gpt-4o", kGpt4oSplit},
        {"llama4", kGpt4oSplit},        {"kanana2", kGpt4oSplit},
        {"talkie", kGpt4oSplit},        {"minimax-m2", kGpt4oSplit}};
    PreTokenizer p;
    if (const auto it = splits.find(pre); it != splits.end()) {
        p.append(PreTokenizer::splitRegex(it->second, SplitBehavior::Isolated));
        p.append(PreTokenizer::byteLevel(false, false));
    } else {
        p.append(PreTokenizer::byteLevel(false, true));
    }
    return p;
}

// The byte-level pre-tokenizer llama.cpp (llama-vocab.cpp) uses for `pre`.
PreTokenizer llamaCppPreTokenizer(const std::string &pre, bool &ignoreMerges)
{
    static const std::unordered_set<std::string> llama3 = {
        "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "dbrx", "smaug-bpe"};
    static const std::unordered_set<std::string> qwen2 = {"qwen2", "deepseek-r1-qwen", "megrez"};
    static const std::unordered_set<std::string> digitsThenGpt2 = {
        "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"};
    PreTokenizer p;
    ignoreMerges = false;
    if (llama3.count(pre)) {
        // Llama-3 relies on ignore_merges (llama.cpp PR 7193).
        ignoreMerges = true;
        p.append(PreTokenizer::splitRegex(kLlama3Split, SplitBehavior::Isolated));
        p.append(PreTokenizer::byteLevel(false, false));
    } else if (qwen2.count(pre)) {
        p.append(PreTokenizer::splitRegex(kQwen2Split, SplitBehavior::Isolated));
        p.append(PreTokenizer::byteLevel(false, false));
    } else if (digitsThenGpt2.count(pre)) {
        p.append(PreTokenizer::digits(true));
        p.append(PreTokenizer::byteLevel(false, true));
    } else {
        // "default", "gpt-2", "gpt2" and anything unknown: the GPT-2 regex,
        // which is what transformers falls back to.
        p.append(PreTokenizer::byteLevel(false, true));
    }
    return p;
}

bool inByteAlphabet(const std::string &token)
{
    for (size_t i = 0; i < token.size();)
        if (!bytelevel::byteForChar(nextCodePoint(token, i)))
            return false;
    return true;
}

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

std::optional<int32_t> checkedId(std::optional<int64_t> id, const GgufVocab &v, const char *key)
{
    if (!id)
        return std::nullopt;
    if (*id < 0 || static_cast<size_t>(*id) >= v.tokens.size())
        throw Error(std::string(kWhere) + ": tokenizer.ggml." + key + " " + std::to_string(*id) +
                    " is outside the vocabulary of " + std::to_string(v.tokens.size()) + " tokens");
    return static_cast<int32_t>(*id);
}

} // namespace

Tokenizer Tokenizer::fromGguf(const GgufVocab &v, GgufPreTokenization preTokenization)
{
    const std::string where = kWhere;
    if (v.tokens.empty())
        throw Error(where + ": tokenizer.ggml.tokens is missing or empty");
    if (!v.tokenTypes.empty() && v.tokenTypes.size() != v.tokens.size())
        throw Error(where + ": tokenizer.ggml.token_type has " +
                    std::to_string(v.tokenTypes.size()) + " entries for " +
                    std::to_string(v.tokens.size()) + " tokens");
    auto parts = std::make_shared<Parts>();
    const bool byteLevel = v.model == "gpt2";
    std::unordered_map<std::string, int32_t> vocab;
    vocab.reserve(v.tokens.size());
    std::vector<std::string> spelled(v.tokens.size());
    for (size_t i = 0; i < v.tokens.size(); ++i) {
        // transformers respells a byte-level token that uses characters
        // outside the byte alphabet (llama.cpp stores some raw).
        spelled[i] = byteLevel && !inByteAlphabet(v.tokens[i]) ? bytelevel::encode(v.tokens[i])
                                                               : v.tokens[i];
        vocab[spelled[i]] = static_cast<int32_t>(i);
    }

    BpeModel::Options options;
    bool addBos = false;
    if (byteLevel) {
        std::vector<std::pair<std::string, std::string>> merges;
        merges.reserve(v.merges.size());
        for (size_t i = 0; i < v.merges.size(); ++i) {
            const std::string &m = v.merges[i];
            const size_t space = m.find(' ');
            if (space == std::string::npos || m.find(' ', space + 1) != std::string::npos)
                throw Error(where + ": tokenizer.ggml.merges[" + std::to_string(i) + "] `" + m +
                            "` must be two tokens separated by one space");
            merges.emplace_back(m.substr(0, space), m.substr(space + 1));
        }
        if (preTokenization == GgufPreTokenization::LlamaCpp)
            parts->preTokenizer = llamaCppPreTokenizer(v.pre, options.ignoreMerges);
        else
            parts->preTokenizer =
                transformersPreTokenizer(v.pre); // GPT2Tokenizer: no ignore_merges
        parts->model = std::make_unique<BpeModel>(vocab, merges, options, where);
        parts->decoder.append(Decoder::step(Decoder::Kind::ByteLevel));
        addBos = v.addBos.value_or(false);
    } else if (v.model == "llama") {
        if (v.scores.size() != v.tokens.size())
            throw Error(
                where +
                ": tokenizer.ggml.scores must have one score per token for a `llama` vocabulary");
        options.byteFallback = true;
        options.fuseUnk = true;
        const auto merges = mergesFromScores(v, vocab);
        parts->model = std::make_unique<BpeModel>(vocab, merges, options, where);
        // transformers' LlamaTokenizer (legacy=false): Metaspace, prepend
        // only at the start of the text, no split.
        parts->preTokenizer.append(
            PreTokenizer::metaspace(PreTokenizer::PrependScheme::First, false));
        Decoder::Step replace = Decoder::step(Decoder::Kind::ReplaceString);
        replace.pattern = "\xE2\x96\x81";
        replace.content = " ";
        parts->decoder.append(replace);
        parts->decoder.append(Decoder::step(Decoder::Kind::ByteFallback));
        parts->decoder.append(Decoder::step(Decoder::Kind::Fuse));
        Decoder::Step strip = Decoder::step(Decoder::Kind::Strip);
        strip.content = " ";
        strip.start = 1;
        parts->decoder.append(strip);
        // Older files have no flag; llama.cpp adds BOS for SentencePiece.
        addBos = v.addBos.value_or(true);
    } else {
        throw Error(where + ": tokenizer.ggml.model `" + v.model +
                    "` is not supported (supported: gpt2, llama)");
    }

    // Control tokens become special added tokens, user-defined ones plain
    // added tokens, so both are matched whole in text.
    std::vector<AddedToken> added;
    const auto addToken = [&](size_t id, bool special) {
        AddedToken t;
        t.id = static_cast<int32_t>(id);
        t.content = v.tokens[id];
        t.special = special; // normalized=false: matched on the raw text
        added.push_back(std::move(t));
    };
    for (size_t i = 0; i < v.tokenTypes.size(); ++i) {
        const int32_t type = v.tokenTypes[i];
        if (type == kTypeControl && (!byteLevel || inByteAlphabet(v.tokens[i])))
            addToken(i, true);
        else if (type == kTypeUserDefined && vocab.count(v.tokens[i]))
            addToken(i, false);
    }
    // transformers registers the tokens named by bos/eos/unk/pad ids as
    // special tokens too (an `<unk>` typed 2 is matched whole in text).
    for (const auto &id : {v.bosId, v.eosId, v.unkId, v.padId}) {
        if (!id || *id < 0 || static_cast<size_t>(*id) >= v.tokens.size())
            continue; // checkedId below reports it
        const bool known = std::any_of(added.begin(), added.end(),
                                       [&](const AddedToken &t) { return t.id == *id; });
        if (!known && (!byteLevel || inByteAlphabet(v.tokens[*id])))
            addToken(static_cast<size_t>(*id), true);
    }
    parts->added = AddedVocabulary(std::move(added), nullptr);

    parts->bosId = checkedId(v.bosId, v, "bos_token_id");
    parts->eosId = checkedId(v.eosId, v, "eos_token_id");
    parts->unkId = checkedId(v.unkId, v, "unknown_token_id");
    parts->padId = checkedId(v.padId, v, "padding_token_id");
    const bool addEos = v.addEos.value_or(false);
    if (addBos || addEos)
        parts->postProcessor = PostProcessor::bosEos(addBos ? parts->bosId : std::nullopt,
                                                     addEos ? parts->eosId : std::nullopt);
    if (!v.chatTemplate.empty())
        parts->chatTemplates.push_back({"default", v.chatTemplate});
    return Tokenizer(parts);
}

} // namespace headroom::tok
