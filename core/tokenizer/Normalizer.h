// The `normalizer` of tokenizer.json: Unicode normalization forms, Prepend,
// Replace, Lowercase, Strip and nested Sequences (flattened to one list).
// Applied to each piece of text between added tokens. Deliberately does not
// track the alignment to the original text (only ids are needed), and does
// not implement SentencePiece's "Precompiled" charsmap or BERT normalizers.
#pragma once

#include "tokenizer/JsonFields.h"
#include "tokenizer/Regex.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::tok {

class Normalizer
{
public:
    enum class Kind {
        Nfc,
        Nfd,
        Nfkc,
        Nfkd,
        Prepend,
        ReplaceString,
        ReplaceRegex,
        Lowercase,
        Strip
    };

    struct Step
    {
        Kind kind = Kind::Nfc;
        std::string text;    // Prepend: the prefix; Replace: the pattern
        std::string content; // Replace: the replacement
        bool left = false, right = false;
        std::shared_ptr<const Regex> regex;
    };

    Normalizer() = default;

    // `where` is "<file>: normalizer" (nested steps append their path).
    static Normalizer fromJson(const json::Json &object, const std::string &where);

    void append(Step step) { m_steps.push_back(std::move(step)); }
    bool empty() const { return m_steps.empty(); }
    std::string apply(std::string_view text) const;

private:
    void parseInto(const json::Json &object, const std::string &where);
    std::vector<Step> m_steps;
};

// Unicode helpers used by other components as well.
std::string unicodeNormalize(std::string_view text, Normalizer::Kind form);
std::string unicodeLowercase(std::string_view text);

} // namespace headroom::tok
