// The merges of a SentencePiece ("llama") GGUF vocabulary, which stores
// scores instead of merges: transformers' generate_merges(vocab, scores)
// (integrations/gguf/gguf_tokenizer_mapping.py). Shared by Tokenizer::fromGguf
// and the writer of tokenizer.json files for GGUF bases, so training and the
// exported tokenizer merge alike.
#pragma once

#include "tokenizer/GgufVocab.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace headroom::tok {

// `vocab`: token -> id as the tokenizer uses it (the last id of a repeated
// token). v.scores must have one score per token.
std::vector<std::pair<std::string, std::string>>
mergesFromScores(const GgufVocab &v, const std::unordered_map<std::string, int32_t> &vocab);

} // namespace headroom::tok
