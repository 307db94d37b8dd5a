// libFuzzer: tokenizer.json loading and encoding. The input is
// "<text>\0<tokenizer.json>": the JSON is loaded, the text encoded (with
// and without special tokens) and decoded again.
#include "FuzzSupport.h"
#include "tokenizer/Tokenizer.h"

#include <cstring>

HEADROOM_FUZZ_TARGET(fuzz_tokenizer)
{
    const std::string_view all(reinterpret_cast<const char *>(data), size);
    const auto split = all.find('\0');
    const std::string_view text =
        split == std::string_view::npos ? std::string_view{} : all.substr(0, split);
    const std::string_view json = split == std::string_view::npos ? all : all.substr(split + 1);
    const auto file = headroom::fuzz::writeScratch("tokenizer.json", json);
    return headroom::fuzz::guarded([&] {
        const auto tokenizer = headroom::tok::Tokenizer::fromTokenizerJson(file);
        for (bool specials : {true, false}) {
            const auto ids = tokenizer.encode(text, specials);
            for (auto id : ids)
                if (id < 0 || static_cast<size_t>(id) >= tokenizer.vocabSize())
                    std::abort();
            (void)tokenizer.decode(ids, !specials);
        }
    });
}
