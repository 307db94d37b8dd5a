// Plain text reader; see TxtReader.h.
#include "data/TxtReader.h"

namespace headroom::data {

void readTxt(std::string_view text, TxtSplit split, RecordSet &out, size_t maxLineBytes)
{
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
    const auto tooLong = [&](size_t line, const std::string &message) {
        flush();
        out.addMalformed(line, message);
    };
    forEachLine(
        text, maxLineBytes,
        [&](size_t line, std::string_view row) {
            const bool blank = row.find_first_not_of(" \t\f\v") == std::string_view::npos;
            if (split == TxtSplit::Line) {
                if (!blank)
                    out.records.push_back({line, nlohmann::json{{"text", std::string(row)}}});
                return;
            }
            if (blank) {
                flush();
                return;
            }
            if (paragraph.empty() && !paragraphTooLong)
                paragraphLine = line;
            paragraphBytes += row.size() + 1;
            if (paragraphBytes > maxLineBytes) {
                paragraphTooLong = true;
                paragraph.clear();
                return;
            }
            if (!paragraphTooLong) {
                if (!paragraph.empty())
                    paragraph += '\n';
                paragraph += row;
            }
        },
        tooLong);
    flush();
}

} // namespace headroom::data
