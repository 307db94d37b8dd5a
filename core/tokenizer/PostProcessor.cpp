// Post-processors; see PostProcessor.h.
#include "tokenizer/PostProcessor.h"

namespace headroom::tok {

PostProcessor PostProcessor::fromJson(const json::Json &object, const std::string &where)
{
    PostProcessor p;
    if (!object.is_null())
        p.parseInto(object, where);
    return p;
}

PostProcessor PostProcessor::bosEos(std::optional<int32_t> bos, std::optional<int32_t> eos)
{
    PostProcessor p;
    p.m_hasTemplate = true;
    if (bos)
        p.m_single.push_back({false, {*bos}});
    p.m_single.push_back({true, {}});
    if (eos)
        p.m_single.push_back({false, {*eos}});
    return p;
}

void PostProcessor::parseInto(const json::Json &object, const std::string &where)
{
    const std::string type = json::requireString(object, "type", where);
    if (type == "Sequence") {
        const auto &list = json::requireArray(object, "processors", where);
        for (size_t i = 0; i < list.size(); ++i)
            parseInto(list[i], where + ".processors[" + std::to_string(i) + "]");
        return;
    }
    if (type == "ByteLevel")
        return;
    if (type == "TemplateProcessing") {
        const auto &single = json::requireArray(object, "single", where);
        const auto &specials = json::require(object, "special_tokens", where);
        std::vector<Item> items;
        for (size_t i = 0; i < single.size(); ++i) {
            const std::string itemWhere = where + ".single[" + std::to_string(i) + "]";
            const auto &item = single[i];
            if (item.contains("Sequence")) {
                items.push_back({true, {}});
            } else if (item.contains("SpecialToken")) {
                const std::string name =
                    json::requireString(item["SpecialToken"], "id", itemWhere + ".SpecialToken");
                const std::string specialWhere = json::field(where, "special_tokens");
                if (!specials.is_object() || !specials.contains(name))
                    json::fail(specialWhere, " has no entry `" + name + "` used by " + itemWhere);
                const auto &ids =
                    json::requireArray(specials[name], "ids", specialWhere + "." + name);
                Item special;
                for (const auto &id : ids) {
                    if (!id.is_number_integer())
                        json::fail(specialWhere + "." + name + ".ids", " must be integers");
                    special.ids.push_back(id.get<int32_t>());
                }
                items.push_back(std::move(special));
            } else {
                json::fail(itemWhere, " must be {\"Sequence\": ...} or {\"SpecialToken\": ...}");
            }
        }
        m_single = std::move(items);
        m_hasTemplate = true;
        return;
    }
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        // {"cls": [token, id], "sep": [token, id]} → cls $A sep
        const auto idOf = [&](const char *key) {
            const auto &pair = json::requireArray(object, key, where);
            if (pair.size() != 2 || !pair[1].is_number_integer())
                json::fail(json::field(where, key), " must be [token, id]");
            return pair[1].get<int32_t>();
        };
        m_single = {{false, {idOf("cls")}}, {true, {}}, {false, {idOf("sep")}}};
        m_hasTemplate = true;
        return;
    }
    json::fail(json::field(where, "type"),
               " `" + type +
                   "` is not supported (supported: TemplateProcessing, ByteLevel, BertProcessing, "
                   "RobertaProcessing, Sequence)");
}

std::vector<int32_t> PostProcessor::process(std::vector<int32_t> ids, bool addSpecialTokens) const
{
    if (!addSpecialTokens || !m_hasTemplate)
        return ids;
    std::vector<int32_t> out;
    out.reserve(ids.size() + 4);
    for (const Item &item : m_single) {
        if (item.isSequence)
            out.insert(out.end(), ids.begin(), ids.end());
        else
            out.insert(out.end(), item.ids.begin(), item.ids.end());
    }
    return out;
}

std::vector<int32_t> PostProcessor::prefixIds() const
{
    std::vector<int32_t> out;
    for (const Item &item : m_single) {
        if (item.isSequence)
            break;
        out.insert(out.end(), item.ids.begin(), item.ids.end());
    }
    return out;
}

} // namespace headroom::tok
