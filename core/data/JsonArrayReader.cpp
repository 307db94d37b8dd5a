// JSON array reader; see JsonArrayReader.h.
#include "data/JsonArrayReader.h"

#include "data/JsonlReader.h"

namespace headroom::data {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

void readJsonArray(std::string_view text, RecordSet &out, size_t maxElementBytes)
{
    text = withoutBom(text);
    size_t pos = 0, line = 1;
    const auto skipSpace = [&] {
        while (pos < text.size() && isSpace(text[pos])) {
            if (text[pos] == '\n')
                ++line;
            ++pos;
        }
    };
    skipSpace();
    if (pos >= text.size() || text[pos] != '[') {
        out.addMalformed(line, "expected a JSON array of objects (`[` at the top level)");
        return;
    }
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == ']')
        return;
    while (pos < text.size()) {
        skipSpace();
        const size_t start = pos, startLine = line;
        int depth = 0;
        bool inString = false, escaped = false;
        // Find the end of this element: a `,` or `]` at depth 0 outside strings.
        for (; pos < text.size(); ++pos) {
            const char c = text[pos];
            if (c == '\n')
                ++line;
            if (inString) {
                if (escaped)
                    escaped = false;
                else if (c == '\\')
                    escaped = true;
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"')
                inString = true;
            else if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && depth > 0)
                --depth;
            else if (depth == 0 && (c == ',' || c == ']'))
                break;
        }
        if (pos >= text.size()) {
            out.addMalformed(startLine, "the JSON array is not closed (missing `]`)");
            return;
        }
        std::string_view element = text.substr(start, pos - start);
        while (!element.empty() && isSpace(element.back()))
            element.remove_suffix(1);
        const char terminator = text[pos++];
        if (element.size() > maxElementBytes) {
            out.addMalformed(startLine, "element is " + humanBytes(element.size()) +
                                            ", longer than the " + humanBytes(maxElementBytes) +
                                            " limit");
        } else if (element.empty()) {
            out.addMalformed(startLine, "empty array element");
        } else {
            try {
                nlohmann::json value = nlohmann::json::parse(element.begin(), element.end());
                if (value.is_object())
                    out.records.push_back({startLine, std::move(value)});
                else
                    out.addMalformed(startLine, std::string("expected a JSON object, got ") +
                                                    value.type_name());
            } catch (const std::exception &e) {
                std::string message = jsonParseMessage(e);
                // Columns are relative to the element; say so.
                const std::string prefix = "invalid JSON at column";
                if (message.rfind(prefix, 0) == 0)
                    message.replace(0, prefix.size(), "invalid JSON in element at byte");
                out.addMalformed(startLine, message);
            }
        }
        if (terminator == ']') {
            skipSpace();
            if (pos < text.size())
                out.addMalformed(line, "unexpected text after the closing `]`");
            return;
        }
    }
}

} // namespace headroom::data
