// Hugging Face tokenizer files from a GGUF vocabulary (see GgufTokenizerJson.h).
#include "export/GgufTokenizerJson.h"

#include "tokenizer/ByteLevel.h"
#include "tokenizer/GgufMerges.h"
#include "tokenizer/GgufSplits.h"

#include <algorithm>
#include <unordered_map>

namespace headroom::exporting {

namespace {

constexpr int32_t kTypeControl = 3;
constexpr int32_t kTypeUserDefined = 4;

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come back
// as themselves so they fail the alphabet check.
char32_t nextCodePoint(const std::string &s, std::size_t &i)
{
    const auto byte = static_cast<unsigned char>(s[i]);
    int length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : 4;
    if (i + length > s.size())
        length = 1;
    char32_t c = length == 1 ? byte : byte & (0x3F >> (length - 1));
    for (int k = 1; k < length; ++k)
        c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += length;
    return c;
}

bool inByteAlphabet(const std::string &token)
{
    for (std::size_t i = 0; i < token.size();)
        if (!tok::bytelevel::byteForChar(nextCodePoint(token, i)))
            return false;
    return true;
}

nlohmann::json addedToken(int64_t id, const std::string &content, bool special)
{
    return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
            {"rstrip", false}, {"normalized", false}, {"special", special}};
}

nlohmann::json tokenOrNull(const tok::GgufVocab &v, std::optional<int64_t> id)
{
    if (!id || *id < 0 || static_cast<std::size_t>(*id) >= v.tokens.size())
        return nullptr;
    return v.tokens[static_cast<std::size_t>(*id)];
}

// TemplateProcessing: [BOS] $A [EOS], the pair form repeating the specials,
// as transformers builds it from add_bos_token / add_eos_token.
nlohmann::json postProcessor(const tok::GgufVocab &v, bool addBos, bool addEos)
{
    nlohmann::json single = nlohmann::json::array(), pair = nlohmann::json::array();
    nlohmann::json specials = nlohmann::json::object();
    auto special = [&](std::optional<int64_t> id, int typeId, nlohmann::json &into) {
        const auto token = tokenOrNull(v, id);
        if (token.is_null())
            return;
        into.push_back({{"SpecialToken", {{"id", token}, {"type_id", typeId}}}});
        specials[token.get<std::string>()] = {{"id", token}, {"ids", {*id}}, {"tokens", {token}}};
    };
    auto sequence = [](const char *id, int typeId) {
        return nlohmann::json{{"Sequence", {{"id", id}, {"type_id", typeId}}}};
    };
    if (addBos)
        special(v.bosId, 0, single);
    single.push_back(sequence("A", 0));
    if (addEos)
        special(v.eosId, 0, single);
    pair = single;
    if (addBos)
        special(v.bosId, 1, pair);
    pair.push_back(sequence("B", 1));
    if (addEos)
        special(v.eosId, 1, pair);
    return {{"type", "TemplateProcessing"},
            {"single", single},
            {"pair", pair},
            {"special_tokens", specials}};
}

// The BPE model as transformers' GGUF conversion writes it: affixes ""
// (byte-level) or null (SentencePiece); SentencePiece also falls back to
// byte tokens and fuses unknowns.
nlohmann::json bpeModel(const nlohmann::json &vocab, const nlohmann::json &merges,
                        const nlohmann::json &affix, bool sentencePiece)
{
    return {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", nullptr},
            {"continuing_subword_prefix", affix},
            {"end_of_word_suffix", affix},
            {"fuse_unk", sentencePiece},
            {"byte_fallback", sentencePiece},
            {"ignore_merges", false},
            {"vocab", vocab},
            {"merges", merges}};
}

// The byte-level BPE parts (tokenizer.ggml.model "gpt2"): transformers
// respells tokens written outside the byte alphabet (a repeated spelling
// keeps its last id, a Python dict comprehension) and splits by `pre`.
struct ModelParts
{
    nlohmann::json vocab = nlohmann::json::object();
    nlohmann::json model, preTokenizer, decoder;
    bool byteLevel = true;
    bool addBosByDefault = false;
};

ModelParts byteLevelParts(const tok::GgufVocab &v)
{
    ModelParts parts;
    for (std::size_t i = 0; i < v.tokens.size(); ++i) {
        const auto &token = v.tokens[i];
        parts.vocab[inByteAlphabet(token) ? token : tok::bytelevel::encode(token)] = i;
    }
    nlohmann::json merges = nlohmann::json::array();
    for (const auto &merge : v.merges) {
        const auto space = merge.find(' ');
        if (space == std::string::npos)
            continue; // Tokenizer::fromGguf refuses these when the model loads
        merges.push_back({merge.substr(0, space), merge.substr(space + 1)});
    }
    if (const char *split = tok::transformersGgufSplit(v.pre))
        parts.preTokenizer = {{"type", "Sequence"},
                              {"pretokenizers",
                               {{{"type", "Split"},
                                 {"pattern", {{"Regex", split}}},
                                 {"behavior", "Isolated"},
                                 {"invert", false}},
                                {{"type", "ByteLevel"},
                                 {"add_prefix_space", false},
                                 {"trim_offsets", true},
                                 {"use_regex", false}}}}};
    else
        parts.preTokenizer = {{"type", "ByteLevel"},
                              {"add_prefix_space", false},
                              {"trim_offsets", true},
                              {"use_regex", true}};
    parts.decoder = {{"type", "ByteLevel"},
                     {"add_prefix_space", true},
                     {"trim_offsets", true},
                     {"use_regex", true}};
    parts.model = bpeModel(parts.vocab, merges, "", false);
    return parts;
}

// The SentencePiece parts (tokenizer.ggml.model "llama"), as transformers'
// GGUF conversion builds them (GGUFLlamaConverter, legacy=false): merges
// rebuilt from the scores, byte fallback with fused unknowns, Metaspace that
// prepends "▁" at the start of the text only, and the matching decoder.
ModelParts sentencePieceParts(const tok::GgufVocab &v)
{
    ModelParts parts;
    parts.byteLevel = false;
    parts.addBosByDefault = true; // llama.cpp and transformers, as Tokenizer::fromGguf
    std::unordered_map<std::string, int32_t> ids;
    for (std::size_t i = 0; i < v.tokens.size(); ++i) {
        ids[v.tokens[i]] = static_cast<int32_t>(i);
        parts.vocab[v.tokens[i]] = i;
    }
    nlohmann::json merges = nlohmann::json::array();
    for (auto &[left, right] : tok::mergesFromScores(v, ids))
        merges.push_back({std::move(left), std::move(right)});
    const std::string metaspace = "\xE2\x96\x81"; // ▁
    parts.preTokenizer = {{"type", "Metaspace"},
                          {"replacement", metaspace},
                          {"prepend_scheme", "first"},
                          {"split", false}};
    parts.decoder = {
        {"type", "Sequence"},
        {"decoders",
         {{{"type", "Replace"}, {"pattern", {{"String", metaspace}}}, {"content", " "}},
          {{"type", "ByteFallback"}},
          {{"type", "Fuse"}},
          {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}};
    parts.model = bpeModel(parts.vocab, merges, nullptr, true);
    return parts;
}

} // namespace

std::optional<TokenizerFiles> tokenizerFilesFromGguf(const tok::GgufVocab &v, std::string &whyNot)
{
    ModelParts parts;
    if (v.model == "gpt2") {
        parts = byteLevelParts(v);
    } else if (v.model == "llama" && v.scores.size() == v.tokens.size()) {
        parts = sentencePieceParts(v);
    } else {
        whyNot = "tokenizer.ggml.model `" + v.model +
                 (v.model == "llama" ? "` without one tokenizer.ggml.scores entry per token"
                                     : "`: only byte-level BPE (gpt2) and SentencePiece (llama) "
                                       "vocabularies are converted to tokenizer.json");
        return std::nullopt;
    }
    // A byte-level token outside the byte alphabet cannot be matched whole.
    const auto matchable = [&](const std::string &token) {
        return !parts.byteLevel || inByteAlphabet(token);
    };

    // Control tokens special, user-defined ones plain, and the tokens named
    // bos/eos/unk/pad special too, as transformers does.
    std::vector<nlohmann::json> added;
    std::vector<int64_t> addedIds;
    auto add = [&](int64_t id, bool special) {
        if (std::find(addedIds.begin(), addedIds.end(), id) != addedIds.end())
            return;
        addedIds.push_back(id);
        added.push_back(addedToken(id, v.tokens[static_cast<std::size_t>(id)], special));
    };
    for (std::size_t i = 0; i < v.tokenTypes.size() && i < v.tokens.size(); ++i) {
        if (v.tokenTypes[i] == kTypeControl && matchable(v.tokens[i]))
            add(static_cast<int64_t>(i), true);
        else if (v.tokenTypes[i] == kTypeUserDefined && parts.vocab.contains(v.tokens[i]))
            add(static_cast<int64_t>(i), false);
    }
    for (const auto &id : {v.bosId, v.eosId, v.unkId, v.padId})
        if (id && *id >= 0 && static_cast<std::size_t>(*id) < v.tokens.size() &&
            matchable(v.tokens[static_cast<std::size_t>(*id)]))
            add(*id, true);
    std::sort(added.begin(), added.end(),
              [](const auto &a, const auto &b) { return a["id"] < b["id"]; });

    const bool addBos = v.addBos.value_or(parts.addBosByDefault), addEos = v.addEos.value_or(false);
    TokenizerFiles files;
    files.tokenizerJson = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer", parts.preTokenizer},
        {"post_processor", postProcessor(v, addBos, addEos)},
        {"decoder", parts.decoder},
        {"model", parts.model},
    };
    // The generic fast tokenizer class takes tokenizer.json as it is, so the
    // pre-tokenizer above survives loading (a model-specific class may
    // rebuild its own).
    auto &config = files.tokenizerConfigJson;
    config = {{"tokenizer_class", "PreTrainedTokenizerFast"},
              {"bos_token", tokenOrNull(v, v.bosId)},
              {"eos_token", tokenOrNull(v, v.eosId)},
              {"unk_token", tokenOrNull(v, v.unkId)},
              {"pad_token", tokenOrNull(v, v.padId)},
              {"add_bos_token", addBos},
              {"add_eos_token", addEos},
              {"clean_up_tokenization_spaces", false}};
    if (!v.chatTemplate.empty())
        config["chat_template"] = v.chatTemplate;
    return files;
}

} // namespace headroom::exporting
