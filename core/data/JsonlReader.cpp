// JSON Lines reader; see JsonlReader.h.
#include "data/JsonlReader.h"

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
    const auto tooLong = [&](size_t line, const std::string &message) {
        out.addMalformed(line, message);
    };
    forEachLine(
        text, maxLineBytes,
        [&](size_t line, std::string_view row) {
            if (row.find_first_not_of(" \t") == std::string_view::npos)
                return;
            nlohmann::json value;
            try {
                value = nlohmann::json::parse(row.begin(), row.end());
            } catch (const std::exception &e) {
                out.addMalformed(line, jsonParseMessage(e));
                return;
            }
            if (!value.is_object()) {
                out.addMalformed(line,
                                 std::string("expected a JSON object, got ") + value.type_name());
                return;
            }
            out.records.push_back({line, std::move(value)});
        },
        tooLong);
}

} // namespace headroom::data
