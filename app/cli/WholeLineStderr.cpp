#include "WholeLineStderr.h"

#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <streambuf>
#include <string>

namespace headroom::cli {

namespace {

class WholeLineBuffer : public std::streambuf
{
public:
    ~WholeLineBuffer() override { flushPending(); }

protected:
    int_type overflow(int_type ch) override
    {
        if (traits_type::eq_int_type(ch, traits_type::eof()))
            return traits_type::not_eof(ch);
        m_line.push_back(traits_type::to_char_type(ch));
        if (ch == '\n')
            flushPending();
        return ch;
    }

    std::streamsize xsputn(const char *text, std::streamsize count) override
    {
        for (std::streamsize i = 0; i < count; ++i) {
            m_line.push_back(text[i]);
            if (text[i] == '\n')
                flushPending();
        }
        return count;
    }

    int sync() override
    {
        flushPending();
        return 0;
    }

private:
    void flushPending()
    {
        const char *data = m_line.data();
        size_t left = m_line.size();
        while (left > 0) {
            const ssize_t written = ::write(STDERR_FILENO, data, left);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
                break; // stderr is gone: nothing better to do with the text
            data += written;
            left -= static_cast<size_t>(written);
        }
        m_line.clear();
    }

    std::string m_line;
};

} // namespace

void writeStderrWholeLines()
{
    // Static: it must outlive every use of std::cerr, including at exit.
    static WholeLineBuffer buffer;
    std::cerr.rdbuf(&buffer);
}

} // namespace headroom::cli
