// Building a Tokenizer from GGUF metadata (GgufVocab). By default a byte-level
// vocabulary is pre-tokenized per `tokenizer.ggml.pre` as llama.cpp does,
// which for the models we checked is what their original tokenizer.json does
// (e.g. "smollm": digits isolated first, as SmolLM2's tokenizer.json does), so
// training data is tokenized as in pretraining and at inference in llama.cpp.
// GgufPreTokenization::Transformers follows transformers' GGUF conversion
// instead (integrations/gguf/gguf_tokenizer_mapping.py, transformers 5.23),
// which uses the plain GPT-2 regex for "smollm" and any `pre` it does not
// know. Vocabulary, merges, added tokens and decoder are the same in both;
// the llama.cpp mode also takes ignore_merges, and BOS when the file has no
// add_bos_token, from `pre` as llama.cpp does. Deliberately only "gpt2"
// (byte-level BPE) and "llama" (SentencePiece BPE) vocabularies.
#include "tokenizer/ByteLevel.h"
#include "tokenizer/GgufMerges.h"
#include "tokenizer/GgufSplits.h"
#include "tokenizer/Tokenizer.h"
#include "tokenizer/Utf8.h"

#include <algorithm>
#include <string_view>
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
    PreTokenizer p;
    if (const char *split = transformersGgufSplit(pre)) {
        p.append(PreTokenizer::splitRegex(split, SplitBehavior::Isolated));
        p.append(PreTokenizer::byteLevel(false, false));
    } else {
        p.append(PreTokenizer::byteLevel(false, true));
    }
    return p;
}

// GPT-2's regex (what ByteLevel(use_regex=true) splits with); llama.cpp
// spells it without the final `|\s+`, but its hand-written matcher for this
// regex (unicode_regex_split_custom_gpt2) splits a whitespace run the same way.
constexpr const char *kGpt2Split =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// llama.cpp spells the caseless contractions that start the Llama-3 and
// Qwen2 regexes with ASCII classes: unlike (?i:...) they do not match
// Unicode case variants such as "'ſ" (U+017F folds to s).
constexpr std::string_view kContractionsCaseless = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
constexpr const char *kContractionsAscii =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
static_assert(std::string_view(kLlama3Split).starts_with(kContractionsCaseless));
static_assert(std::string_view(kQwen2Split).starts_with(kContractionsCaseless));

std::string withAsciiContractions(std::string_view regex)
{
    return kContractionsAscii + std::string(regex.substr(kContractionsCaseless.size()));
}

// The byte-level pre-tokenizer llama.cpp (llama-vocab.cpp, llama_vocab::impl::
// load and llm_tokenizer_bpe) uses for `pre`: its regexes applied one after
// the other (each splits the pieces of the previous one, keeping unmatched
// text as pieces), then the bytes mapped to the byte alphabet. Only the `pre`
// values whose regexes we have checked; llama.cpp refuses an unknown `pre`,
// and so do we (naming it) rather than guess a different tokenization.
// `ignoreMerges` and `addBos` (used when the file has no add_bos_token) are
// set as llama.cpp sets them for `pre`.
PreTokenizer llamaCppPreTokenizer(const std::string &pre, bool &ignoreMerges, bool &addBos)
{
    // llama.cpp sets ignore_merges only for the LLAMA3 group, not for dbrx
    // and smaug-bpe, which share the regex.
    static const std::unordered_set<std::string> llama3 = {"llama3",  "llama-v3",  "llama-bpe",
                                                           "falcon3", "falcon-h1", "pixtral"};
    static const std::unordered_set<std::string> llama3Regex = {"dbrx", "smaug-bpe"};
    static const std::unordered_set<std::string> qwen2 = {"qwen2", "deepseek-r1-qwen", "megrez",
                                                          "stablelm2"};
    // LLAMA_VOCAB_PRE_TYPE_GPT2 (and MPT, OLMO, JAIS): the GPT-2 regex alone.
    static const std::unordered_set<std::string> gpt2 = {
        "gpt-2",      "phi-2",      "jina-es",    "jina-de",      "gigachat",
        "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe",
        "mpt",        "olmo",       "jais",       "exaone4"};
    // STARCODER, REFACT, COMMAND_R, SMOLLM, CODESHELL, EXAONE, MINERVA:
    // "\p{N}" then the GPT-2 regex, i.e. every digit is its own piece (what
    // SmolLM2's tokenizer.json does with Digits(individual_digits=true)).
    static const std::unordered_set<std::string> digitsThenGpt2 = {
        "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"};
    PreTokenizer p;
    ignoreMerges = false;
    addBos = false;
    if (pre.empty() || pre == "default") {
        // LLAMA_VOCAB_PRE_TYPE_DEFAULT (llama.cpp also uses it, with a
        // warning, when the file has no `pre`): punctuation runs, then the
        // GPT-2 regex, then digit runs, then groups of three ASCII digits.
        for (const char *regex :
             {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2Split, R"(\p{N}+)", R"([0-9][0-9][0-9])"})
            p.append(PreTokenizer::splitRegex(regex, SplitBehavior::Isolated));
    } else if (llama3.count(pre) || llama3Regex.count(pre)) {
        // Llama-3 relies on ignore_merges (llama.cpp PR 7193).
        ignoreMerges = addBos = llama3.count(pre) > 0;
        p.append(
            PreTokenizer::splitRegex(withAsciiContractions(kLlama3Split), SplitBehavior::Isolated));
    } else if (qwen2.count(pre)) {
        p.append(
            PreTokenizer::splitRegex(withAsciiContractions(kQwen2Split), SplitBehavior::Isolated));
    } else if (digitsThenGpt2.count(pre)) {
        p.append(PreTokenizer::splitRegex(R"(\p{N})", SplitBehavior::Isolated));
        p.append(PreTokenizer::splitRegex(kGpt2Split, SplitBehavior::Isolated));
    } else if (gpt2.count(pre)) {
        p.append(PreTokenizer::splitRegex(kGpt2Split, SplitBehavior::Isolated));
    } else {
        throw Error(std::string(kWhere) + ": tokenizer.ggml.pre `" + pre +
                    "` is not supported (supported: default, gpt-2, llama-bpe, qwen2, smollm and "
                    "their aliases; GgufPreTokenization::Transformers falls back to GPT-2 for "
                    "any other value)");
    }
    p.append(PreTokenizer::byteLevel(false, false));
    return p;
}

bool inByteAlphabet(const std::string &token)
{
    for (size_t i = 0; i < token.size();)
        if (!bytelevel::byteForChar(nextCodePoint(token, i)))
            return false;
    return true;
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

const char *transformersGgufSplit(std::string_view pre)
{
    static const std::unordered_map<std::string_view, const char *> splits = {
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
    const auto it = splits.find(pre);
    return it == splits.end() ? nullptr : it->second;
}

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
        bool addBosByDefault = false;
        if (preTokenization == GgufPreTokenization::LlamaCpp)
            parts->preTokenizer =
                llamaCppPreTokenizer(v.pre, options.ignoreMerges, addBosByDefault);
        else
            parts->preTokenizer =
                transformersPreTokenizer(v.pre); // GPT2Tokenizer: no ignore_merges
        parts->model = std::make_unique<BpeModel>(vocab, merges, options, where);
        parts->decoder.append(Decoder::step(Decoder::Kind::ByteLevel));
        // BOS: tokenizer.ggml.add_bos_token when present, as llama.cpp and
        // transformers both do; it is what the converter copied from the
        // original tokenizer (for SmolLM2 it is false, matching its
        // tokenizer.json: no BOS, ByteLevel post-processor only, and a chat
        // template that starts with <|im_start|>, not a BOS). Without the
        // flag: what llama.cpp does for `pre` (BOS for the Llama-3 family
        // only) by default, none in transformers' mode.
        addBos = v.addBos.value_or(addBosByDefault);
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
