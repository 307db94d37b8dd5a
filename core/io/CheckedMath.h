// Overflow-checked size arithmetic for the file readers, so that a size read
// from an untrusted header can never wrap around into a small, "valid" value.
// Header-only; does not throw (callers word the error with the file's context).
#pragma once

#include <cstdint>
#include <optional>

namespace headroom::io {

inline std::optional<uint64_t> checkedAdd(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    if (__builtin_add_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

inline std::optional<uint64_t> checkedMul(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

} // namespace headroom::io
