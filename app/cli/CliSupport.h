// What several subcommands share: resolving MODEL, loading the model and its
// tokenizer with the user's dtype/attention choice, reading input lines.
#pragma once

#include "io/ModelSource.h"
#include "model/ModelLoader.h"
#include "tokenizer/Tokenizer.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace headroom::cli {

// --text T (one input, may contain newlines) or --file F (one input per line).
std::vector<std::string> readInputs(const std::optional<std::string> &text,
                                    const std::optional<std::string> &file);

std::unique_ptr<model::CausalLM> loadModelFor(const io::ModelSource &source,
                                              const std::string &dtype,
                                              const std::string &attention,
                                              const std::string &device = "auto");

// --dtype, --attention and --device (with checks) of the subcommands that run the model.
struct ComputeOptions
{
    std::string dtype = "fp32";
    std::string attention = "sdpa";
    std::string device = "auto";
    void addTo(CLI::App &command);
};

tok::Tokenizer loadTokenizerFor(const io::ModelSource &source);

// Prompt ids for `text`: raw (with the tokenizer's special tokens such as
// BOS), or with `chat` as one user turn in the model's chat format (its
// chat_template, or `chatFormat` when given) followed by the assistant header.
std::vector<int64_t> promptIds(const tok::Tokenizer &tokenizer, const std::string &text, bool chat,
                               const std::optional<std::string> &chatFormat = {});

// Prints a generation while it grows: decodes all tokens so far and writes
// what is new, holding back a trailing incomplete UTF-8 character (decoded as
// U+FFFD) until the next token completes it. Special tokens are not shown.
class TokenStreamer
{
public:
    TokenStreamer(const tok::Tokenizer &tokenizer, std::ostream &out)
        : m_tokenizer(tokenizer), m_out(out)
    {}
    void add(int64_t token);
    void finish(); // writes whatever is still held back
    const std::vector<int32_t> &tokens() const { return m_tokens; }
    std::string text() const { return m_tokenizer.decode(m_tokens, true); }

private:
    const tok::Tokenizer &m_tokenizer;
    std::ostream &m_out;
    std::vector<int32_t> m_tokens;
    std::string m_printed;
};

} // namespace headroom::cli
