// The `pre_tokenizer` of tokenizer.json: cuts normalized text into the pieces
// the BPE model sees. ByteLevel, Split (String/Regex, every behaviour, invert),
// Metaspace, Digits, Whitespace, WhitespaceSplit, Punctuation and Sequences
// (flattened). Deliberately no offsets: a piece only remembers whether it
// starts the original text, which Metaspace's prepend_scheme "first" needs.
#pragma once

#include "tokenizer/JsonFields.h"
#include "tokenizer/Regex.h"

#include <memory>
#include <string>
#include <vector>

namespace headroom::tok {

struct Piece
{
    std::string text;
    bool atStart = false; // begins at offset 0 of the original input
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class PreTokenizer
{
public:
    enum class Kind {
        ByteLevel,
        Split,
        Metaspace,
        Digits,
        Whitespace,
        WhitespaceSplit,
        Punctuation
    };
    enum class PrependScheme { Always, First, Never };

    struct Step
    {
        Kind kind = Kind::ByteLevel;
        bool addPrefixSpace = false; // ByteLevel
        bool useRegex = true;        // ByteLevel
        std::shared_ptr<const Regex>
            regex; // Split (String patterns are escaped), ByteLevel, Whitespace
        SplitBehavior behavior = SplitBehavior::Isolated;
        bool invert = false;
        std::string replacement = "\xE2\x96\x81"; // Metaspace
        PrependScheme prependScheme = PrependScheme::Always;
        bool split = true;             // Metaspace
        bool individualDigits = false; // Digits
    };

    static PreTokenizer fromJson(const json::Json &object, const std::string &where);

    void append(Step step) { m_steps.push_back(std::move(step)); }
    bool empty() const { return m_steps.empty(); }

    // Splits every piece in place, step after step.
    void apply(std::vector<Piece> &pieces) const;

    // Builders for the GGUF path and for tests.
    static Step byteLevel(bool addPrefixSpace, bool useRegex);
    static Step splitRegex(const std::string &pattern, SplitBehavior behavior, bool invert = false);
    static Step digits(bool individual);
    static Step metaspace(PrependScheme scheme, bool split);

private:
    void parseInto(const json::Json &object, const std::string &where);
    std::vector<Step> m_steps;
};

} // namespace headroom::tok
