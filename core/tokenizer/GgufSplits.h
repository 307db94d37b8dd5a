// Which Split regex transformers' GGUF tokenizer conversion puts before a
// byte-level BPE (integrations/gguf/gguf_tokenizer_mapping.py,
// GGUF_PRE_TOKENIZER_SPLITS, transformers 5.23), by `tokenizer.ggml.pre`.
// Shared by Tokenizer::fromGguf and the writer of tokenizer.json files for
// GGUF bases, so both split text the same way. No tokenization here.
#pragma once

#include <string_view>

namespace headroom::tok {

// The regex (used with behavior "isolated", followed by ByteLevel without its
// own regex), or nullptr when transformers keeps GPT-2's ByteLevel(use_regex).
const char *transformersGgufSplit(std::string_view pre);

} // namespace headroom::tok
