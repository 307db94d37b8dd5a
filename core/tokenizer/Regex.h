// A compiled PCRE2 pattern (8-bit, UTF + UCP, JIT when available) that finds
// all non-overlapping matches, standing in for the Oniguruma regexes of
// Hugging Face tokenizers. Every match runs under a match and depth limit so
// hostile input cannot hang the process. Deliberately no replacement or
// capture-group API: the tokenizer only needs match spans.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace headroom::tok {

class Regex
{
public:
    // Throws headroom::Error("<where>: invalid regex ...") when the pattern
    // does not compile. `literal` escapes the whole pattern (String patterns).
    Regex(const std::string &pattern, const std::string &where, bool literal = false);
    ~Regex();
    Regex(const Regex &) = delete;
    Regex &operator=(const Regex &) = delete;

    // Byte spans [start, end) of the leftmost non-overlapping matches. Empty
    // matches advance by one code point, as Oniguruma's find_iter does.
    // `text` must be valid UTF-8.
    std::vector<std::pair<size_t, size_t>> findAll(std::string_view text) const;

    const std::string &pattern() const { return m_pattern; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::string m_pattern;
    std::string m_where;
};

} // namespace headroom::tok
