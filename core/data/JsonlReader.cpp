// JSON Lines reader; see JsonlReader.h.
#include "data/JsonlReader.h"

#include <cstring>

namespace headroom::data {

std::string jsonParseMessage(const std::exception &e, size_t columnOffset)
{
    std::string what = e.what();
    if (const auto *pe = dynamic_cast<const nlohmann::json::parse_error *>(&e)) {
        // "[json.exception.parse_error.101] parse error at line 1, column 6: syntax error ..."
        const size_t colon = what.find(": ", what.find("parse error"));
        const std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
        return "invalid JSON at column " + std::to_string(pe->byte + columnOffset) + ": " + detail;
    }
    const size_t bracket = what.find("] ");
    return "invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2));
}

void readJsonl(std::string_view text, RecordSet &out, size_t maxLineBytes)
{
    text = withoutBom(text);
    size_t line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        ++line;
        const void *nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
        const size_t end =
            nl ? static_cast<size_t>(static_cast<const char *>(nl) - text.data()) : text.size();
        std::string_view row = text.substr(pos, end - pos);
        pos = end + 1;
        if (row.size() > maxLineBytes) {
            out.addMalformed(line, "line is " + humanBytes(row.size()) + ", longer than the " +
                                       humanBytes(maxLineBytes) + " limit");
            continue;
        }
        if (!row.empty() && row.back() == '\r')
            row.remove_suffix(1);
        if (row.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(row.begin(), row.end());
        } catch (const std::exception &e) {
            out.addMalformed(line, jsonParseMessage(e));
            continue;
        }
        if (!value.is_object()) {
            out.addMalformed(line, std::string("expected a JSON object, got ") + value.type_name());
            continue;
        }
        out.records.push_back({line, std::move(value)});
    }
}

} // namespace headroom::data
