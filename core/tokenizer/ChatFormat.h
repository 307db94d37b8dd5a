// Chat formatting for the few prompt formats fine-tuning needs (ChatML,
// Llama-3, Llama-2, Mistral, Zephyr): recognises which one a model's Jinja
// chat_template implements by its characteristic markers and renders
// messages exactly as transformers' apply_chat_template(tokenize=False) does
// for the real templates of those families. Also reports where assistant
// replies sit in the text, so a loss mask can be built. Deliberately not a
// Jinja interpreter: unknown templates are an error naming the formats a
// user can pick instead. Tools and multimodal content are not supported.
#pragma once

#include "tokenizer/Tokenizer.h"

#include <optional>
#include <string>
#include <vector>

namespace headroom::tok {

struct ChatMessage
{
    std::string role; // "system", "user", "assistant"
    std::string content;
};

// Byte range of one assistant reply in the rendered text: [begin, contentEnd)
// is the reply, [begin, end) includes the end-of-turn marker that follows it
// (train on that too, so the model learns to stop).
struct AssistantSpan
{
    size_t begin = 0;
    size_t contentEnd = 0;
    size_t end = 0;
};

struct RenderedChat
{
    std::string text;
    std::vector<AssistantSpan> assistant;
};

class ChatFormat
{
public:
    enum class Style { ChatMl, Llama3, Llama2, Mistral, Zephyr };

    // The names accepted by `named` and listed in errors.
    static std::vector<std::string> names();

    // `name` one of names(); bos/eos are the tokens' texts (e.g. "<s>").
    static ChatFormat named(const std::string &name, const std::string &bosToken = {},
                            const std::string &eosToken = {});

    // Recognises the style of `templateSource`; throws headroom::Error when
    // it is empty or unrecognised (the message lists names()).
    static ChatFormat detect(const std::string &templateSource, const std::string &bosToken = {},
                             const std::string &eosToken = {});

    // The tokenizer's own template (or `explicitName` when given), with its
    // BOS/EOS texts.
    static ChatFormat forTokenizer(const Tokenizer &tokenizer,
                                   const std::optional<std::string> &explicitName = {});

    Style style() const { return m_style; }
    std::string name() const;
    // ChatML templates (SmolLM2, Qwen2.5) insert a system prompt when the
    // conversation has none; empty when the template does not.
    const std::string &defaultSystemPrompt() const { return m_defaultSystem; }

    // Throws headroom::Error for conversations the real template rejects
    // (e.g. a system message for Mistral, roles not alternating for Llama-2).
    RenderedChat render(const std::vector<ChatMessage> &messages, bool addGenerationPrompt) const;

private:
    ChatFormat(Style style, std::string bos, std::string eos)
        : m_style(style), m_bos(std::move(bos)), m_eos(std::move(eos))
    {}
    Style m_style;
    std::string m_bos, m_eos;
    std::string m_defaultSystem;
};

} // namespace headroom::tok
