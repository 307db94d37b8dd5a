// One training example in a layout-independent form, converted from a record
// of a known format: a conversation (chat, ShareGPT, alpaca), a prompt with
// its completion, or a plain text. Checks field types and roles and says what
// is wrong with a record; does not render or tokenize (SampleEncoder does).
#pragma once

#include "data/DatasetFormat.h"
#include "tokenizer/ChatFormat.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace headroom::data {

struct Example
{
    enum class Kind { Conversation, Completion, Text };
    Kind kind = Kind::Text;
    std::vector<tok::ChatMessage> messages; // Conversation
    std::string prompt, completion;         // Completion
    std::string text;                       // Text
    size_t line = 0;                        // where the record starts in its file
};

// Throws headroom::Error with the reason (no file or line: the caller adds
// them) when the record does not fit `format` (not Auto):
//  - alpaca: user turn = instruction, plus "\n\n" + input when input is
//    non-empty; assistant turn = output. Optional `system` becomes a system turn.
//  - chat: `messages` [{role, content}], roles system/user/assistant; a
//    record with `conversations` instead is read as ShareGPT (the config's
//    dataset_format `chat` names both).
//  - ShareGPT: `conversations` [{from, value}], from human/user → user,
//    gpt/assistant/chatgpt → assistant, system → system; an optional
//    top-level `system` string becomes the first turn.
//  - completion: `prompt` and `completion` strings.
//  - text: `text` string.
// A conversation needs at least one assistant turn with content.
Example toExample(const nlohmann::json &record, DatasetFormat format);

} // namespace headroom::data
