// Record → Example conversion; see Example.h.
#include "data/Example.h"

#include "common/Error.h"

namespace headroom::data {

namespace {

std::string stringField(const nlohmann::json &object, const char *key, bool required = true)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        if (required)
            throw Error(std::string("missing field `") + key + "`");
        return {};
    }
    if (!it->is_string())
        throw Error(std::string("field `") + key + "` must be a string, got " + it->type_name());
    return it->get<std::string>();
}

const nlohmann::json &arrayField(const nlohmann::json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end())
        throw Error(std::string("missing field `") + key + "`");
    if (!it->is_array())
        throw Error(std::string("field `") + key + "` must be a list, got " + it->type_name());
    if (it->empty())
        throw Error(std::string("field `") + key + "` is empty");
    return *it;
}

void requireAssistant(const std::vector<tok::ChatMessage> &messages)
{
    for (const tok::ChatMessage &m : messages)
        if (m.role == "assistant" && !m.content.empty())
            return;
    throw Error("the conversation has no assistant reply to train on");
}

std::string shareGptRole(const std::string &from, size_t index)
{
    if (from == "human" || from == "user")
        return "user";
    if (from == "gpt" || from == "assistant" || from == "chatgpt")
        return "assistant";
    if (from == "system")
        return "system";
    throw Error("conversations[" + std::to_string(index) + "]: unknown `from` value `" + from +
                "` (expected human, gpt or system)");
}

} // namespace

Example toExample(const nlohmann::json &record, DatasetFormat format)
{
    Example ex;
    switch (format) {
    case DatasetFormat::Alpaca: {
        ex.kind = Example::Kind::Conversation;
        const std::string system = stringField(record, "system", false);
        std::string user = stringField(record, "instruction");
        const std::string input = stringField(record, "input", false);
        if (!input.empty())
            user += "\n\n" + input;
        if (!system.empty())
            ex.messages.push_back({"system", system});
        ex.messages.push_back({"user", user});
        ex.messages.push_back({"assistant", stringField(record, "output")});
        requireAssistant(ex.messages);
        break;
    }
    case DatasetFormat::Chat: {
        // `chat` chosen by name also covers ShareGPT records.
        if (!record.contains("messages") && record.contains("conversations"))
            return toExample(record, DatasetFormat::ShareGpt);
        ex.kind = Example::Kind::Conversation;
        const nlohmann::json &list = arrayField(record, "messages");
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string at = "messages[" + std::to_string(i) + "]: ";
            if (!list[i].is_object())
                throw Error(at + "must be an object with role and content");
            try {
                const std::string role = stringField(list[i], "role");
                if (role != "system" && role != "user" && role != "assistant")
                    throw Error("unknown role `" + role + "` (expected system, user or assistant)");
                ex.messages.push_back({role, stringField(list[i], "content")});
            } catch (const Error &e) {
                throw Error(at + e.what());
            }
        }
        requireAssistant(ex.messages);
        break;
    }
    case DatasetFormat::ShareGpt: {
        ex.kind = Example::Kind::Conversation;
        const std::string system = stringField(record, "system", false);
        if (!system.empty())
            ex.messages.push_back({"system", system});
        const nlohmann::json &list = arrayField(record, "conversations");
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string at = "conversations[" + std::to_string(i) + "]: ";
            if (!list[i].is_object())
                throw Error(at + "must be an object with from and value");
            std::string from, value;
            try {
                from = stringField(list[i], "from");
                value = stringField(list[i], "value");
            } catch (const Error &e) {
                throw Error(at + e.what());
            }
            ex.messages.push_back({shareGptRole(from, i), value});
        }
        requireAssistant(ex.messages);
        break;
    }
    case DatasetFormat::Completion:
        ex.kind = Example::Kind::Completion;
        ex.prompt = stringField(record, "prompt");
        ex.completion = stringField(record, "completion");
        if (ex.completion.empty())
            throw Error("field `completion` is empty");
        break;
    case DatasetFormat::Text:
        ex.kind = Example::Kind::Text;
        ex.text = stringField(record, "text");
        if (ex.text.empty())
            throw Error("field `text` is empty");
        break;
    case DatasetFormat::Auto:
        throw Error("internal: toExample needs a concrete format");
    }
    return ex;
}

} // namespace headroom::data
