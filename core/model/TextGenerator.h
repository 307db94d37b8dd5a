// A loaded model that answers prompts, streaming text as it is produced: the
// model (HF folder, .gguf file or cached repo id, as the CLI takes it), its
// tokenizer and chat format, and optionally one PEFT LoRA adapter that can be
// switched off and on again without reloading, so the fine-tuned and the base
// answer come from ONE loaded base model. What `headroom-cli generate` and the
// GUI's chat run. Torch-free and Qt-free header (pimpl); not thread-safe: use
// one instance from one thread at a time.
#pragma once

#include "model/ModelConfig.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace headroom::tok {
class Tokenizer;
}

namespace headroom::model {

// Tokens that end an assistant turn in the common chat formats (<|im_end|>,
// <|eot_id|>, <|end|>, </s>) that this tokenizer has.
std::vector<int64_t> chatStopIds(const tok::Tokenizer &tokenizer);

// How a prompt is turned into ids.
enum class PromptMode {
    Auto, // as one user turn in the model's chat format when it has a template, else raw
    Raw,  // the text as is, with the tokenizer's special tokens (BOS)
    Chat, // one user turn in the chat format; an Error when the model has none
};

struct TextGeneratorOptions
{
    std::string dtype = "fp32";         // fp32 | bf16 | fp16 (and the long spellings)
    std::string attention = "sdpa";     // sdpa | eager
    std::string device = "auto";        // auto | cpu | cuda | cuda:N
    std::optional<std::string> adapter; // PEFT adapter folder, enabled after loading
    PromptMode prompt = PromptMode::Auto;
    std::optional<std::string>
        chatFormat; // a ChatFormat name instead of the template (implies Chat)
};

// Sampling settings of one answer; temperature 0 is greedy decoding.
struct GenerationOptions
{
    int64_t maxNewTokens = 128;
    double temperature = 0.0;
    double topP = 1.0;
    double repetitionPenalty = 1.0;
    uint64_t seed = 0;
};

struct GenerationResult
{
    std::string text;               // the decoded continuation, special tokens skipped
    std::vector<int64_t> promptIds; // what the model was given
    std::vector<int64_t> tokenIds;  // what it produced (prompt excluded)
    bool stopped = false;           // cancelled through the stop token
};

class TextGenerator
{
public:
    // Loads the model, tokenizer and adapter. Throws headroom::Error naming
    // the file and field for an argument that does not resolve, a broken
    // model, a missing tokenizer, an adapter that does not fit the model, or
    // PromptMode::Chat for a model without a (recognised) chat template.
    explicit TextGenerator(const std::string &modelArgument,
                           const TextGeneratorOptions &options = {});
    ~TextGenerator();
    TextGenerator(TextGenerator &&) noexcept;
    TextGenerator &operator=(TextGenerator &&) noexcept;

    // Applies a PEFT adapter folder to the loaded model (replacing one loaded
    // before) and enables it; the model itself is not read again.
    void loadAdapter(const std::string &folder);
    bool hasAdapter() const;
    // Detaches / re-attaches the adapter's LoRA modules: off gives exactly the
    // base model's outputs. No effect without an adapter.
    void setAdapterEnabled(bool enabled);
    bool adapterEnabled() const;

    // Whether prompts are sent as a chat turn, and in which format ("chatml", ...).
    bool usesChatFormat() const;
    std::string chatFormatName() const;
    std::string deviceName() const;         // "cpu", "cuda:0"
    const ModelConfig &modelConfig() const; // the loaded model's shape

    // Answers `userMessage`; `onPiece` receives the text as it grows, in
    // pieces that never split a UTF-8 character (a character spread over
    // several tokens is held back until complete). Generation ends at EOS or
    // the chat format's end-of-turn token, at maxNewTokens, or when `stop`
    // is requested (then `stopped` is set). Returns the whole text.
    GenerationResult run(const std::string &userMessage, const GenerationOptions &options,
                         const std::function<void(const std::string &piece)> &onPiece = {},
                         std::stop_token stop = {});
    std::string generate(const std::string &userMessage, const GenerationOptions &options,
                         const std::function<void(const std::string &piece)> &onPiece = {},
                         std::stop_token stop = {})
    {
        return run(userMessage, options, onPiece, std::move(stop)).text;
    }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace headroom::model
