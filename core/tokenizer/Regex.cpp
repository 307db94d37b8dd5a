// PCRE2 wrapper; see Regex.h.
#include "tokenizer/Regex.h"

#include "common/Error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace headroom::tok {

namespace {

// Generous for real tokenizer patterns (a few steps per byte), small enough
// that a pathological pattern fails in milliseconds instead of hanging.
constexpr uint32_t kMatchLimit = 10'000'000;
constexpr uint32_t kDepthLimit = 100'000;

std::string escapeLiteral(const std::string &s)
{
    // \Q...\E quotes everything except a literal "\E", which we split.
    std::string out = "\\Q";
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'E') {
            out += "\\E\\\\\\QE";
            ++i;
        } else {
            out += s[i];
        }
    }
    out += "\\E";
    return out;
}

// Each thread gets its own JIT stack: the default 32 KiB overflows on long
// whitespace runs with `\s+(?!\S)`.
pcre2_jit_stack *threadJitStack()
{
    struct Holder
    {
        pcre2_jit_stack *stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
        ~Holder() { pcre2_jit_stack_free(stack); }
    };
    thread_local Holder holder;
    return holder.stack;
}

} // namespace

struct Regex::Impl
{
    pcre2_code *code = nullptr;
    bool jit = false;
    ~Impl() { pcre2_code_free(code); }
};

Regex::Regex(const std::string &pattern, const std::string &where, bool literal)
    : m_impl(std::make_unique<Impl>()), m_pattern(pattern), m_where(where)
{
    const std::string source = literal ? escapeLiteral(pattern) : pattern;
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    m_impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                 PCRE2_UTF | PCRE2_UCP, &errorCode, &errorOffset, nullptr);
    if (!m_impl->code) {
        PCRE2_UCHAR buffer[256];
        pcre2_get_error_message(errorCode, buffer, sizeof buffer);
        throw Error(where + ": invalid regex `" + pattern + "` at offset " +
                    std::to_string(errorOffset) + ": " + reinterpret_cast<const char *>(buffer));
    }
    m_impl->jit = pcre2_jit_compile(m_impl->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() = default;

std::vector<std::pair<size_t, size_t>> Regex::findAll(std::string_view text) const
{
    std::vector<std::pair<size_t, size_t>> spans;
    if (text.empty())
        return spans;
    pcre2_match_data *data = pcre2_match_data_create_from_pattern(m_impl->code, nullptr);
    pcre2_match_context *context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_depth_limit(context, kDepthLimit);
    if (m_impl->jit)
        pcre2_jit_stack_assign(context, nullptr, threadJitStack());
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t offset = 0;
    int failure = 0;
    while (offset <= text.size()) {
        // The input was validated once by the caller; re-checking UTF-8 on
        // every call would make splitting quadratic.
        const int rc = pcre2_match(m_impl->code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK,
                                   data, context);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            failure = rc;
            break;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(data);
        size_t start = ov[0], end = ov[1];
        if (end < start) // \K tricks; never in tokenizer patterns
            end = start;
        spans.emplace_back(start, end);
        if (end > start) {
            offset = end;
        } else {
            // Empty match: step over one code point.
            if (start >= text.size())
                break;
            offset = start + 1;
            while (offset < text.size() &&
                   (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80)
                ++offset;
        }
    }
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
    if (failure) {
        PCRE2_UCHAR buffer[256];
        pcre2_get_error_message(failure, buffer, sizeof buffer);
        throw Error(m_where + ": regex `" + m_pattern + "` failed on the input (" +
                    reinterpret_cast<const char *>(buffer) + ")");
    }
    return spans;
}

} // namespace headroom::tok
