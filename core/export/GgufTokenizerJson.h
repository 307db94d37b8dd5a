// tokenizer.json and tokenizer_config.json for a model exported from a GGUF
// base, built from the file's vocabulary (tokenizer.ggml.*) the way
// transformers' own GGUF conversion builds its tokenizer
// (integrations/gguf/gguf_tokenizer_mapping.py: byte_level_tokenizer,
// add_gguf_special_tokens, set_split_regex), so AutoTokenizer on the export
// tokenizes as AutoTokenizer on the GGUF does. Byte-level BPE
// (tokenizer.ggml.model "gpt2") and SentencePiece ("llama", merges rebuilt
// from the scores) vocabularies; others are reported as unsupported. Writes
// no file.
#pragma once

#include "tokenizer/GgufVocab.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace headroom::exporting {

struct TokenizerFiles
{
    nlohmann::json tokenizerJson;
    nlohmann::json tokenizerConfigJson;
};

// nullopt with `whyNot` set when the vocabulary type is not supported.
std::optional<TokenizerFiles> tokenizerFilesFromGguf(const tok::GgufVocab &vocab,
                                                     std::string &whyNot);

} // namespace headroom::exporting
