// IEEE binary16 and bfloat16 <-> float32 conversions on raw bits, used by the
// GGUF block formats and writers. Header-only, no SIMD: clarity over speed.
#pragma once

#include <bit>
#include <cstdint>

namespace headroom::io {

inline float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    uint32_t bits = 0;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while ((mantissa & 0x400) == 0);
            bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3ff) << 13);
        }
    } else if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13); // inf / nan
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    return std::bit_cast<float>(bits);
}

// Round to nearest even, as numpy's astype(float16) and ggml's FP32_TO_FP16.
inline uint16_t floatToHalf(float f)
{
    const uint32_t x = std::bit_cast<uint32_t>(f);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t absx = x & 0x7fffffff;
    if (absx > 0x7f800000)
        return static_cast<uint16_t>(sign | 0x7e00); // nan
    if (absx >= 0x477ff000)                          // rounds to >= 65520: inf
        return static_cast<uint16_t>(sign | 0x7c00);
    if (absx < 0x38800000) { // below the smallest normal half: subnormal or zero
        const float scaled = std::bit_cast<float>(absx) * 16777216.0f; // * 2^24, exact
        // nearbyint-like rounding to even of the subnormal mantissa
        uint32_t m = static_cast<uint32_t>(scaled);
        const float rest = scaled - static_cast<float>(m);
        if (rest > 0.5f || (rest == 0.5f && (m & 1)))
            ++m;
        return static_cast<uint16_t>(sign | m);
    }
    const uint32_t exponent = (absx >> 23) - 127 + 15;
    uint32_t mantissa = absx & 0x7fffff;
    uint32_t h = (exponent << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        ++h; // may carry into the exponent, which is still correct
    return static_cast<uint16_t>(sign | h);
}

inline float bf16ToFloat(uint16_t b)
{
    return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

// Round to nearest even; nan stays nan (as torch).
inline uint16_t floatToBf16(float f)
{
    const uint32_t x = std::bit_cast<uint32_t>(f);
    if ((x & 0x7fffffff) > 0x7f800000)
        return static_cast<uint16_t>((x >> 16) | 0x40);
    return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

} // namespace headroom::io
