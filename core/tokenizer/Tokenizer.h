// The tokenizer of a model: text → ids and back, exactly as Hugging Face
// `tokenizers` does for BPE tokenizers (added tokens → normalizer →
// pre-tokenizer → BPE → post-processor; decoders for the way back). Built from
// a Hugging Face folder (tokenizer.json + tokenizer_config.json, ...) or from
// GGUF metadata (GgufTokenizer.cpp). Immutable once built, cheap to copy and
// safe to use from several threads. Deliberately no WordPiece/Unigram models,
// no offsets, no padding/truncation (the data pipeline does that).
#pragma once

#include "tokenizer/AddedVocabulary.h"
#include "tokenizer/BpeModel.h"
#include "tokenizer/Decoder.h"
#include "tokenizer/GgufVocab.h"
#include "tokenizer/Normalizer.h"
#include "tokenizer/PostProcessor.h"
#include "tokenizer/PreTokenizer.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::tok {

// Named chat templates (tokenizer_config.json may hold a list).
struct NamedTemplate
{
    std::string name;
    std::string source;
};

// How a byte-level GGUF vocabulary is pre-tokenized. LlamaCpp (the default):
// per `tokenizer.ggml.pre` as llama.cpp does, which reproduces the original
// tokenizer.json (e.g. SmolLM2 isolates digits), so fine-tuning data is split
// as in pretraining and at inference; an unknown `pre` is an error.
// Transformers: as transformers' GGUF conversion does (plain GPT-2 regex for
// "smollm" and for any `pre` it does not know).
enum class GgufPreTokenization { LlamaCpp, Transformers };

class Tokenizer
{
public:
    // Everything a tokenizer is made of; loaders fill it.
    struct Parts
    {
        AddedVocabulary added;
        Normalizer normalizer;
        PreTokenizer preTokenizer;
        std::unique_ptr<BpeModel> model;
        PostProcessor postProcessor;
        Decoder decoder;
        std::optional<int32_t> bosId, eosId, padId, unkId;
        std::vector<NamedTemplate> chatTemplates; // "default" first when present
    };

    explicit Tokenizer(std::shared_ptr<const Parts> parts);

    // A Hugging Face tokenizer folder: tokenizer.json (required), and when
    // present tokenizer_config.json, special_tokens_map.json, chat_template.jinja.
    static Tokenizer fromFolder(const std::filesystem::path &folder);
    // Only a tokenizer.json (no config overrides).
    static Tokenizer fromTokenizerJson(const std::filesystem::path &file);
    // From the `tokenizer.ggml.*` metadata of a GGUF file.
    static Tokenizer fromGguf(const GgufVocab &vocab,
                              GgufPreTokenization preTokenization = GgufPreTokenization::LlamaCpp);

    // Invalid UTF-8 in `text` is replaced by U+FFFD first, so any byte string
    // can be encoded.
    std::vector<int32_t> encode(std::string_view text, bool addSpecialTokens = true) const;
    // Unknown ids are skipped, as tokenizers does.
    std::string decode(const std::vector<int32_t> &ids, bool skipSpecialTokens = false) const;

    std::optional<int32_t> tokenToId(std::string_view token) const;
    std::optional<std::string> idToToken(int32_t id) const;
    bool isSpecial(int32_t id) const;
    // One past the largest id (model vocabulary and added tokens).
    size_t vocabSize() const;

    std::optional<int32_t> bosId() const { return m_parts->bosId; }
    std::optional<int32_t> eosId() const { return m_parts->eosId; }
    std::optional<int32_t> padId() const { return m_parts->padId; }
    std::optional<int32_t> unkId() const { return m_parts->unkId; }
    // The ids encode(..., true) puts before the text (e.g. BOS); may be empty.
    std::vector<int32_t> prefixIds() const { return m_parts->postProcessor.prefixIds(); }

    // The default chat template source ("" when none), and all named ones.
    std::string chatTemplate() const;
    const std::vector<NamedTemplate> &chatTemplates() const { return m_parts->chatTemplates; }

private:
    std::shared_ptr<const Parts> m_parts;
};

} // namespace headroom::tok
