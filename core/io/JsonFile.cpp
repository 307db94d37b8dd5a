// JSON parsing with positions and duplicate-key detection. Does not validate
// any schema: each caller checks the fields it needs.
#include "io/JsonFile.h"

#include "common/Error.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace headroom::io {

namespace {
// Line and column (1-based) of byte offset `pos` in `text`.
std::pair<std::size_t, std::size_t> lineColumn(std::string_view text, std::size_t pos)
{
    pos = std::min(pos, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}
} // namespace

nlohmann::json parseJsonText(std::string_view text, const std::filesystem::path &file)
{
    // One key set per open object; a duplicate is recorded and reported after
    // parsing because throwing through the parser callback is not documented.
    std::vector<std::set<std::string>> open;
    std::string duplicate;
    auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json &parsed) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start) {
            open.emplace_back();
        } else if (event == E::object_end) {
            if (!open.empty())
                open.pop_back();
        } else if (event == E::key && !open.empty() && duplicate.empty()) {
            auto key = parsed.get<std::string>();
            if (!open.back().insert(key).second)
                duplicate = key;
        }
        return true;
    };
    nlohmann::json result;
    try {
        result = nlohmann::json::parse(text.begin(), text.end(), callback);
    } catch (const nlohmann::json::parse_error &e) {
        // e.byte is 1-based position of the offending character.
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        auto [line, column] = lineColumn(text, at);
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ".
        if (auto colon = what.find(": "); colon != std::string::npos)
            what = what.substr(colon + 2);
        throwFileError(file, "invalid JSON at line " + std::to_string(line) + " column " +
                                 std::to_string(column) + ": " + what);
    } catch (const nlohmann::json::exception &e) {
        // Not a parse_error but still bad input: a number too large for a
        // double ("1e999", out_of_range.406) comes out of the parser this way.
        std::string what = e.what();
        if (auto bracket = what.find("] "); bracket != std::string::npos)
            what = what.substr(bracket + 2);
        throwFileError(file, "invalid JSON: " + what);
    }
    if (!duplicate.empty())
        throwFileError(file, "duplicate key `" + duplicate + "`");
    return result;
}

namespace {
// SAX handler behind countObjectMembers: depth 1 is inside the top-level
// object. Returning false from a handler stops nlohmann's parser.
class MemberCounter
{
public:
    MemberCounter(std::string_view underKey, std::size_t stopAfter, std::string_view excluded)
        : m_under(underKey), m_stop(stopAfter), m_excluded(excluded)
    {}
    std::size_t count() const { return m_count; }

    bool null() { return true; }
    bool boolean(bool) { return true; }
    bool number_integer(nlohmann::json::number_integer_t) { return true; }
    bool number_unsigned(nlohmann::json::number_unsigned_t) { return true; }
    bool number_float(nlohmann::json::number_float_t, const std::string &) { return true; }
    bool string(std::string &) { return true; }
    bool binary(nlohmann::json::binary_t &) { return true; }
    bool start_object(std::size_t)
    {
        ++m_depth;
        // Entering the value of top-level member `underKey`.
        if (m_depth == 2 && !m_under.empty() && m_topKey == m_under)
            m_inTarget = true;
        return true;
    }
    bool end_object()
    {
        if (m_depth == 2)
            m_inTarget = false;
        --m_depth;
        return true;
    }
    bool start_array(std::size_t)
    {
        ++m_depth;
        return true;
    }
    bool end_array()
    {
        --m_depth;
        return true;
    }
    bool key(std::string &k)
    {
        if (m_depth == 1)
            m_topKey = k;
        const bool counted = m_under.empty() ? m_depth == 1 : (m_inTarget && m_depth == 2);
        if (counted && (m_excluded.empty() || k != m_excluded))
            ++m_count;
        return m_count <= m_stop;
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::json::exception &)
    {
        return false;
    }

private:
    std::string_view m_under;
    std::size_t m_stop;
    std::string_view m_excluded;
    std::string m_topKey;
    int m_depth = 0;
    bool m_inTarget = false;
    std::size_t m_count = 0;
};
} // namespace

std::size_t countObjectMembers(std::string_view text, std::string_view underKey,
                               std::size_t stopAfter, std::string_view excludedKey)
{
    MemberCounter counter(underKey, stopAfter, excludedKey);
    try {
        nlohmann::json::sax_parse(text.begin(), text.end(), &counter);
    } catch (const nlohmann::json::exception &) {
        // Bad input (a number beyond a double, ...): parseJsonText words it.
    }
    return counter.count();
}

nlohmann::json readJsonFile(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throwFileError(file, std::string("cannot read: ") + std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    return parseJsonText(ss.str(), file);
}

} // namespace headroom::io
