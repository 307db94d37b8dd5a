// The `post_processor` of tokenizer.json as far as it changes ids: the
// special tokens a template adds around one sequence (TemplateProcessing,
// BertProcessing, RobertaProcessing; ByteLevel only trims offsets and is a
// no-op here; Sequences are flattened). Deliberately single-sequence only:
// pair templates and type ids are not needed for causal-LM fine-tuning.
#pragma once

#include "tokenizer/JsonFields.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace headroom::tok {

class PostProcessor
{
public:
    // A template item: either the input sequence or fixed ids.
    struct Item
    {
        bool isSequence = false;
        std::vector<int32_t> ids;
    };

    static PostProcessor fromJson(const json::Json &object, const std::string &where);
    // bos? $A eos? — what transformers builds from add_bos_token/add_eos_token.
    static PostProcessor bosEos(std::optional<int32_t> bos, std::optional<int32_t> eos);

    // Applies the template when `addSpecialTokens`; otherwise returns ids as is.
    std::vector<int32_t> process(std::vector<int32_t> ids, bool addSpecialTokens) const;

    // The ids a template puts before the sequence (e.g. BOS), for callers that
    // need to know (chat formatting).
    std::vector<int32_t> prefixIds() const;
    bool hasTemplate() const { return m_hasTemplate; }

private:
    void parseInto(const json::Json &object, const std::string &where);
    bool m_hasTemplate = false;
    std::vector<Item> m_single;
};

} // namespace headroom::tok
