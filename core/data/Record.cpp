// Small shared helpers of the readers; see Record.h.
#include "data/Record.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace headroom::data {

std::string describe(const MalformedLine &m)
{
    return m.file + ":" + std::to_string(m.line) + ": " + m.reason;
}

void RecordSet::addMalformed(size_t line, std::string reason)
{
    malformed.push_back({file.filename().string(), line, std::move(reason)});
}

std::string_view withoutBom(std::string_view text)
{
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    return text;
}

size_t countNewlines(std::string_view text)
{
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string humanBytes(size_t bytes)
{
    char buf[32];
    if (bytes >= (size_t(1) << 20))
        std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1 << 20));
    else if (bytes >= 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", double(bytes) / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
    return buf;
}

void forEachLine(std::string_view text, size_t maxLineBytes,
                 const std::function<void(size_t, std::string_view)> &onLine,
                 const std::function<void(size_t, const std::string &)> &onTooLong)
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
            onTooLong(line, "line is " + humanBytes(row.size()) + ", longer than the " +
                                humanBytes(maxLineBytes) + " limit");
            continue;
        }
        if (!row.empty() && row.back() == '\r')
            row.remove_suffix(1);
        onLine(line, row);
    }
}

} // namespace headroom::data
