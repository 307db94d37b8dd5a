// RFC 4180 reader; see CsvReader.h.
#include "data/CsvReader.h"

#include "common/Error.h"

#include <set>

namespace headroom::data {

namespace {

struct Row
{
    size_t line = 0;
    std::vector<std::string> fields;
    bool blank = false;  // an empty line (one empty unquoted field)
    std::string problem; // non-empty: malformed
};

class Scanner
{
public:
    Scanner(std::string_view text, char delimiter, const RecordSet &set, size_t maxBytes)
        : m_text(text), m_delim(delimiter), m_set(set), m_max(maxBytes)
    {}

    bool atEnd() const { return m_pos >= m_text.size(); }

    Row next()
    {
        Row row;
        row.line = m_line;
        const size_t start = m_pos;
        bool quotedAny = false;
        std::string field;
        while (true) {
            if (m_pos - start > m_max)
                throwFileError(m_set.file, "line " + std::to_string(row.line) +
                                               ": record longer than the " + humanBytes(m_max) +
                                               " limit (an unbalanced quote?)");
            if (m_pos < m_text.size() && m_text[m_pos] == '"') {
                quotedAny = true;
                ++m_pos;
                bool closed = false;
                while (m_pos < m_text.size()) {
                    if (m_pos - start > m_max)
                        throwFileError(m_set.file, "line " + std::to_string(row.line) +
                                                       ": record longer than the " +
                                                       humanBytes(m_max) +
                                                       " limit (an unbalanced quote?)");
                    const char c = m_text[m_pos++];
                    if (c == '"') {
                        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
                            field += '"';
                            ++m_pos;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        if (c == '\n')
                            ++m_line;
                        field += c;
                    }
                }
                if (!closed) {
                    row.problem = "quoted field is never closed (missing `\"`)";
                    return row;
                }
                if (m_pos < m_text.size() && m_text[m_pos] != m_delim && m_text[m_pos] != '\n' &&
                    m_text[m_pos] != '\r') {
                    row.problem = "unexpected text after the closing quote of field " +
                                  std::to_string(row.fields.size() + 1);
                    skipLine();
                    return row;
                }
            } else {
                while (m_pos < m_text.size() && m_text[m_pos] != m_delim && m_text[m_pos] != '\n' &&
                       m_text[m_pos] != '\r') {
                    if (m_pos - start > m_max)
                        throwFileError(m_set.file, "line " + std::to_string(row.line) +
                                                       ": record longer than the " +
                                                       humanBytes(m_max) + " limit");
                    field += m_text[m_pos++];
                }
            }
            row.fields.push_back(std::move(field));
            field.clear();
            if (m_pos >= m_text.size())
                break;
            const char c = m_text[m_pos++];
            if (c == m_delim)
                continue;
            if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n')
                ++m_pos;
            ++m_line;
            break;
        }
        row.blank = !quotedAny && row.fields.size() == 1 && row.fields[0].empty();
        return row;
    }

private:
    void skipLine()
    {
        while (m_pos < m_text.size() && m_text[m_pos] != '\n')
            ++m_pos;
        if (m_pos < m_text.size()) {
            ++m_pos;
            ++m_line;
        }
    }

    std::string_view m_text;
    char m_delim;
    const RecordSet &m_set;
    size_t m_max;
    size_t m_pos = 0;
    size_t m_line = 1;
};

std::string trimmed(const std::string &s)
{
    const size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

} // namespace

void readDelimited(std::string_view text, char delimiter, RecordSet &out, size_t maxRecordBytes)
{
    Scanner scanner(withoutBom(text), delimiter, out, maxRecordBytes);
    std::vector<std::string> header;
    while (!scanner.atEnd() && header.empty()) {
        Row row = scanner.next();
        if (row.blank)
            continue;
        if (!row.problem.empty())
            throwFileError(out.file, "line " + std::to_string(row.line) +
                                         ": cannot read the header row: " + row.problem);
        std::set<std::string> seen;
        for (std::string &name : row.fields) {
            name = trimmed(name);
            // An unnamed column (pandas' index) is skipped.
            if (!name.empty() && !seen.insert(name).second)
                throwFileError(out.file, "line " + std::to_string(row.line) +
                                             ": the header row names column `" + name + "` twice");
        }
        header = std::move(row.fields);
    }
    if (header.empty())
        throwFileError(out.file, "no header row (the file is empty)");
    while (!scanner.atEnd()) {
        Row row = scanner.next();
        if (row.blank)
            continue;
        if (!row.problem.empty()) {
            out.addMalformed(row.line, row.problem);
            continue;
        }
        if (row.fields.size() != header.size()) {
            out.addMalformed(row.line, "has " + std::to_string(row.fields.size()) +
                                           " fields, the header has " +
                                           std::to_string(header.size()));
            continue;
        }
        nlohmann::json object = nlohmann::json::object();
        for (size_t i = 0; i < header.size(); ++i)
            if (!header[i].empty())
                object[header[i]] = std::move(row.fields[i]);
        out.records.push_back({row.line, std::move(object)});
    }
}

} // namespace headroom::data
