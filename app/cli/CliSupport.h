// What several subcommands share: resolving MODEL, loading the model and its
// tokenizer with the user's dtype/attention choice, reading input lines.
#pragma once

#include "io/ModelSource.h"
#include "model/ModelLoader.h"
#include "tokenizer/Tokenizer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace headroom::cli {

// --text T (one input, may contain newlines) or --file F (one input per line).
std::vector<std::string> readInputs(const std::optional<std::string> &text, const std::optional<std::string> &file);

std::unique_ptr<model::CausalLM> loadModelFor(const io::ModelSource &source, const std::string &dtype,
                                              const std::string &attention);

tok::Tokenizer loadTokenizerFor(const io::ModelSource &source);

// Prompt ids for `text`: raw (with the tokenizer's special tokens such as
// BOS), or with `chat` as one user turn in the model's chat format (its
// chat_template, or `chatFormat` when given) followed by the assistant header.
std::vector<int64_t> promptIds(const tok::Tokenizer &tokenizer, const std::string &text, bool chat,
                               const std::optional<std::string> &chatFormat = {});

// Tokens that end an assistant turn in the model's chat format (e.g. <|im_end|>).
std::vector<int64_t> chatStopIds(const tok::Tokenizer &tokenizer);

} // namespace headroom::cli
