// Plain text reader; see TxtReader.h.
#include "data/TxtReader.h"

#include <cstring>

namespace headroom::data {

void readTxt(std::string_view text, TxtSplit split, RecordSet &out, size_t maxLineBytes)
{
    text = withoutBom(text);
    size_t pos = 0, line = 0;
    size_t paragraphLine = 0, paragraphBytes = 0;
    std::string paragraph;
    bool paragraphTooLong = false;
    const auto flush = [&] {
        if (paragraphTooLong)
            out.addMalformed(paragraphLine,
                             "paragraph is longer than the " + humanBytes(maxLineBytes) + " limit");
        else if (!paragraph.empty())
            out.records.push_back({paragraphLine, nlohmann::json{{"text", paragraph}}});
        paragraph.clear();
        paragraphBytes = 0;
        paragraphTooLong = false;
    };
    while (pos < text.size()) {
        ++line;
        const void *nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
        const size_t end =
            nl ? static_cast<size_t>(static_cast<const char *>(nl) - text.data()) : text.size();
        std::string_view row = text.substr(pos, end - pos);
        pos = end + 1;
        if (row.size() > maxLineBytes) {
            flush();
            out.addMalformed(line, "line is " + humanBytes(row.size()) + ", longer than the " +
                                       humanBytes(maxLineBytes) + " limit");
            continue;
        }
        if (!row.empty() && row.back() == '\r')
            row.remove_suffix(1);
        const bool blank = row.find_first_not_of(" \t\f\v") == std::string_view::npos;
        if (split == TxtSplit::Line) {
            if (!blank)
                out.records.push_back({line, nlohmann::json{{"text", std::string(row)}}});
            continue;
        }
        if (blank) {
            flush();
            continue;
        }
        if (paragraph.empty() && !paragraphTooLong)
            paragraphLine = line;
        paragraphBytes += row.size() + 1;
        if (paragraphBytes > maxLineBytes) {
            paragraphTooLong = true;
            paragraph.clear();
            continue;
        }
        if (!paragraphTooLong) {
            if (!paragraph.empty())
                paragraph += '\n';
            paragraph += row;
        }
    }
    flush();
}

} // namespace headroom::data
