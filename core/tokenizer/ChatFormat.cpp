// Chat formats; see ChatFormat.h. Each render function is a transcription of
// the family's real Jinja template.
#include "tokenizer/ChatFormat.h"

#include "common/Error.h"
#include "tokenizer/Utf8.h"

namespace headroom::tok {

namespace {

std::string joinedNames()
{
    std::string out;
    for (const std::string &n : ChatFormat::names())
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Python's str.strip() / Jinja's trim: Unicode whitespace at both ends.
std::string strip(const std::string &s)
{
    size_t begin = 0, end = s.size();
    while (begin < end) {
        size_t i = begin;
        if (!isUnicodeWhitespace(nextCodePoint(s, i)))
            break;
        begin = i;
    }
    while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
            --start;
        size_t i = start;
        if (!isUnicodeWhitespace(nextCodePoint(s, i)))
            break;
        end = start;
    }
    return s.substr(begin, end - begin);
}

// Undoes the escapes a Jinja string literal may use.
std::string unescapeJinja(const std::string &s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char c = s[++i];
            out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The default system prompt of a ChatML template: a literal
// '<|im_start|>system\n...<|im_end|>' that is not built from a message.
std::string chatMlDefaultSystem(const std::string &source)
{
    const std::string head = "<|im_start|>system";
    for (size_t at = source.find(head); at != std::string::npos; at = source.find(head, at + 1)) {
        size_t i = at + head.size();
        if (source.compare(i, 2, "\\n") == 0)
            i += 2;
        else if (i < source.size() && source[i] == '\n')
            i += 1;
        else
            continue;
        const size_t end = source.find("<|im_end|>", i);
        if (end == std::string::npos)
            continue;
        const std::string body = source.substr(i, end - i);
        // A literal prompt lies inside one string literal.
        if (body.empty() || body.find_first_of("'\"{}") != std::string::npos)
            continue;
        return unescapeJinja(body);
    }
    return {};
}

void requireAlternating(const std::vector<ChatMessage> &messages, size_t first, const char *format)
{
    for (size_t i = first; i < messages.size(); ++i) {
        const bool user = messages[i].role == "user";
        if (user != ((i - first) % 2 == 0))
            throw Error(std::string("chat format ") + format +
                        ": conversation roles must alternate user/assistant/user/assistant/...");
    }
}

} // namespace

std::vector<std::string> ChatFormat::names()
{
    return {"chatml", "llama3", "llama2", "mistral", "zephyr"};
}

std::string ChatFormat::name() const
{
    return names()[static_cast<size_t>(m_style)];
}

ChatFormat ChatFormat::named(const std::string &name, const std::string &bos,
                             const std::string &eos)
{
    const auto all = names();
    for (size_t i = 0; i < all.size(); ++i)
        if (all[i] == name)
            return ChatFormat(static_cast<Style>(i), bos, eos);
    throw Error("chat format `" + name + "` is not known (choose one of: " + joinedNames() + ")");
}

ChatFormat ChatFormat::detect(const std::string &source, const std::string &bos,
                              const std::string &eos)
{
    if (source.empty())
        throw Error("chat template: the model has none; choose a chat format explicitly (one of: " +
                    joinedNames() + ")");
    const auto has = [&](const char *marker) { return source.find(marker) != std::string::npos; };
    // Variants whose output differs from the family's base template even for
    // plain conversations: refuse rather than render something else.
    const auto variant = [&](const char *what) {
        throw Error(std::string("chat template: ") + what +
                    " is not supported; choose a format explicitly (one of: " + joinedNames() +
                    ")");
    };
    if (has("<|im_start|>") && has("<think>"))
        variant("a ChatML template with <think> reasoning blocks (Qwen3-style)");
    if (has("<|start_header_id|>") && has("Cutting Knowledge Date"))
        variant("a Llama-3.1-style template with a dated system preamble");
    if (has("<|im_start|>")) {
        ChatFormat f(Style::ChatMl, bos, eos);
        f.m_defaultSystem = chatMlDefaultSystem(source);
        return f;
    }
    if (has("<|start_header_id|>"))
        return ChatFormat(Style::Llama3, bos, eos);
    if (has("<<SYS>>"))
        return ChatFormat(Style::Llama2, bos, eos);
    if (has("[INST]"))
        return ChatFormat(Style::Mistral, bos, eos);
    if (has("<|user|>") && has("<|assistant|>"))
        return ChatFormat(Style::Zephyr, bos, eos);
    throw Error(
        "chat template: not recognised as any supported format; choose one explicitly (one of: " +
        joinedNames() + ")");
}

ChatFormat ChatFormat::forTokenizer(const Tokenizer &tokenizer,
                                    const std::optional<std::string> &explicitName)
{
    const auto text = [&](std::optional<int32_t> id) {
        return id ? tokenizer.idToToken(*id).value_or(std::string()) : std::string();
    };
    const std::string bos = text(tokenizer.bosId()), eos = text(tokenizer.eosId());
    if (explicitName && !explicitName->empty()) {
        ChatFormat f = named(*explicitName, bos, eos);
        if (f.m_style == Style::ChatMl)
            f.m_defaultSystem = chatMlDefaultSystem(tokenizer.chatTemplate());
        return f;
    }
    return detect(tokenizer.chatTemplate(), bos, eos);
}

RenderedChat ChatFormat::render(const std::vector<ChatMessage> &messages,
                                bool addGenerationPrompt) const
{
    RenderedChat out;
    std::string &s = out.text;
    const auto assistantReply = [&](const std::string &content, const std::string &terminator) {
        AssistantSpan span;
        span.begin = s.size();
        s += content;
        span.contentEnd = s.size();
        s += terminator;
        span.end = s.size();
        out.assistant.push_back(span);
    };
    switch (m_style) {
    case Style::ChatMl:
        // SmolLM2 / Qwen2.5: a default system turn when the first message is
        // not one; every turn `<|im_start|>role\ncontent<|im_end|>\n`.
        // (SmolLM2 adds it inside the message loop, so not for an empty list.)
        if (!m_defaultSystem.empty() && !messages.empty() && messages.front().role != "system")
            s += "<|im_start|>system\n" + m_defaultSystem + "<|im_end|>\n";
        for (const ChatMessage &m : messages) {
            s += "<|im_start|>" + m.role + "\n";
            if (m.role == "assistant")
                assistantReply(m.content, "<|im_end|>");
            else
                s += m.content + "<|im_end|>";
            s += "\n";
        }
        if (addGenerationPrompt)
            s += "<|im_start|>assistant\n";
        break;
    case Style::Llama3:
        // Meta-Llama-3-*-Instruct: BOS once, content trimmed.
        for (size_t i = 0; i < messages.size(); ++i) {
            if (i == 0)
                s += m_bos;
            s += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n";
            if (messages[i].role == "assistant")
                assistantReply(strip(messages[i].content), "<|eot_id|>");
            else
                s += strip(messages[i].content) + "<|eot_id|>";
        }
        if (addGenerationPrompt)
            s += "<|start_header_id|>assistant<|end_header_id|>\n\n";
        break;
    case Style::Llama2: {
        // Llama-2-*-chat: optional system folded into the first user turn,
        // BOS before every user turn, contents stripped.
        size_t first = 0;
        std::string system;
        bool hasSystem = false;
        if (!messages.empty() && messages[0].role == "system") {
            system = messages[0].content;
            hasSystem = true;
            first = 1;
        }
        requireAlternating(messages, first, "llama2");
        for (size_t i = first; i < messages.size(); ++i) {
            std::string content = messages[i].content;
            if (i == first && hasSystem)
                content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
            if (messages[i].role == "user") {
                s += m_bos + "[INST] " + strip(content) + " [/INST]";
            } else if (messages[i].role == "assistant") {
                s += " ";
                assistantReply(strip(content), " " + m_eos);
            }
        }
        break;
    }
    case Style::Mistral:
        // Mistral-7B-Instruct v0.1/v0.2: BOS once, user/assistant only.
        for (const ChatMessage &m : messages)
            if (m.role != "user" && m.role != "assistant")
                throw Error(
                    "chat format mistral: only user and assistant roles are supported (got `" +
                    m.role + "`)");
        requireAlternating(messages, 0, "mistral");
        s += m_bos;
        for (const ChatMessage &m : messages) {
            if (m.role == "user")
                s += "[INST] " + m.content + " [/INST]";
            else
                assistantReply(m.content, m_eos);
        }
        break;
    case Style::Zephyr:
        // zephyr-7b-beta: `<|role|>\ncontent</s>\n`, prompt `<|assistant|>\n`.
        for (size_t i = 0; i < messages.size(); ++i) {
            const ChatMessage &m = messages[i];
            if (m.role != "user" && m.role != "system" && m.role != "assistant")
                continue;
            s += "<|" + m.role + "|>\n";
            if (m.role == "assistant")
                assistantReply(m.content, m_eos);
            else
                s += m.content + m_eos;
            s += "\n";
            if (i + 1 == messages.size() && addGenerationPrompt)
                s += "<|assistant|>\n";
        }
        break;
    }
    return out;
}

} // namespace headroom::tok
