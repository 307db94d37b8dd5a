// The `decoder` of tokenizer.json: turns token strings back into text.
// ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip and Sequences
// (flattened: each step maps the list of token strings to a new list, as
// tokenizers' decode_chain does). Deliberately no WordPiece/BPE-suffix
// decoders and no transformers-side clean_up_tokenization_spaces.
#pragma once

#include "tokenizer/JsonFields.h"
#include "tokenizer/Regex.h"

#include <memory>
#include <string>
#include <vector>

namespace headroom::tok {

class Decoder
{
public:
    enum class Kind {
        ByteLevel,
        Metaspace,
        ReplaceString,
        ReplaceRegex,
        ByteFallback,
        Fuse,
        Strip
    };

    struct Step
    {
        Kind kind = Kind::Fuse;
        std::string pattern, content; // Replace; Strip: content
        std::shared_ptr<const Regex> regex;
        std::string replacement = "\xE2\x96\x81"; // Metaspace
        bool prependNever = false;                // Metaspace prepend_scheme == never
        size_t start = 0, stop = 0;               // Strip
    };

    static Decoder fromJson(const json::Json &object, const std::string &where);
    void append(Step step) { m_steps.push_back(std::move(step)); }
    bool empty() const { return m_steps.empty(); }

    // With no steps, tokens are joined with single spaces (tokenizers' default).
    std::string decode(std::vector<std::string> tokens) const;

    static Step step(Kind kind);

private:
    void parseInto(const json::Json &object, const std::string &where);
    std::vector<Step> m_steps;
};

} // namespace headroom::tok
