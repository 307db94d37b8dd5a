// The tokenizer part of a GGUF file's metadata (keys `tokenizer.ggml.*`,
// SPECS.md §7.3) as a plain struct, so the tokenizer does not depend on the
// GGUF reader: io fills it, tokenizer builds a Tokenizer from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace headroom::tok {

struct GgufVocab
{
    std::string
        model;       // tokenizer.ggml.model: "gpt2" (byte-level BPE), "llama" (SentencePiece), ...
    std::string pre; // tokenizer.ggml.pre: "default", "llama-bpe", "qwen2", "gpt-2", "smollm", ...
    std::vector<std::string> tokens; // indexed by id
    std::vector<float> scores;       // optional, same length as tokens when present
    std::vector<int32_t>
        tokenTypes; // optional: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
    std::vector<std::string> merges; // "a b", BPE only
    std::optional<int64_t> bosId, eosId, unkId, padId;
    std::optional<bool> addBos, addEos;
    std::string chatTemplate; // tokenizer.chat_template, may be empty
};

} // namespace headroom::tok
