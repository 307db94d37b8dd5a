// Block decoders restated from ggml-quants.c `dequantize_row_*` (see SPECS.md
// §7.2 for the layouts). Scalar loops, one block at a time: this runs once at
// load time, so it favours being obviously right over being fast.
#include "io/GgufDequant.h"

#include "common/Error.h"
#include "io/HalfFloat.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace headroom::io {

namespace {
uint16_t u16(const uint8_t *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}
float f16(const uint8_t *p)
{
    return halfToFloat(u16(p));
}

void q8_0(const uint8_t *b, float *y)
{
    const float d = f16(b);
    const auto *qs = reinterpret_cast<const int8_t *>(b + 2);
    for (int j = 0; j < 32; ++j)
        y[j] = static_cast<float>(qs[j]) * d;
}

void q4_0(const uint8_t *b, float *y)
{
    const float d = f16(b);
    const uint8_t *qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>((qs[j] & 0x0f) - 8) * d;
        y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
}

void q4_1(const uint8_t *b, float *y)
{
    const float d = f16(b), m = f16(b + 2);
    const uint8_t *qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>(qs[j] & 0x0f) * d + m;
        y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
    }
}

// 6-bit scale and min of sub-block j from the 12 packed bytes (get_scale_min_k4).
void scaleMinK4(int j, const uint8_t *q, uint8_t &sc, uint8_t &mn)
{
    if (j < 4) {
        sc = q[j] & 63;
        mn = q[j + 4] & 63;
    } else {
        sc = static_cast<uint8_t>((q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4));
        mn = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

void q4_k(const uint8_t *b, float *y)
{
    const float d = f16(b), dmin = f16(b + 2);
    const uint8_t *scales = b + 4;
    const uint8_t *q = b + 16;
    for (int c = 0; c < 4; ++c, q += 32, y += 64) {
        uint8_t sc, mn;
        scaleMinK4(2 * c, scales, sc, mn);
        const float d1 = d * sc, m1 = dmin * mn;
        scaleMinK4(2 * c + 1, scales, sc, mn);
        const float d2 = d * sc, m2 = dmin * mn;
        for (int l = 0; l < 32; ++l)
            y[l] = d1 * static_cast<float>(q[l] & 0xf) - m1;
        for (int l = 0; l < 32; ++l)
            y[32 + l] = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
}

void q6_k(const uint8_t *b, float *y)
{
    const uint8_t *ql = b;
    const uint8_t *qh = b + 128;
    const auto *sc = reinterpret_cast<const int8_t *>(b + 192);
    const float d = f16(b + 208);
    for (int h = 0; h < 2; ++h, ql += 64, qh += 32, sc += 8, y += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * sc[is] * static_cast<float>(q1);
            y[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
            y[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
            y[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
        }
    }
}

using BlockFn = void (*)(const uint8_t *, float *);

BlockFn blockFunction(uint32_t type)
{
    switch (static_cast<GgmlType>(type)) {
    case GgmlType::Q8_0:
        return q8_0;
    case GgmlType::Q4_0:
        return q4_0;
    case GgmlType::Q4_1:
        return q4_1;
    case GgmlType::Q4_K:
        return q4_k;
    case GgmlType::Q6_K:
        return q6_k;
    default:
        return nullptr;
    }
}

void requireMultipleOf32(std::size_t n, const char *what)
{
    if (n % 32 != 0)
        throw Error(std::string(what) + ": " + std::to_string(n) +
                    " values is not a multiple of the block size 32");
}
} // namespace

bool canDequantize(uint32_t type)
{
    switch (static_cast<GgmlType>(type)) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
        return true;
    default:
        return blockFunction(type) != nullptr;
    }
}

void dequantizeInto(uint32_t type, std::span<const std::byte> src, std::span<float> dst)
{
    const auto traits = ggmlTypeTraits(type);
    if (!traits || !canDequantize(type))
        throw Error("cannot dequantize ggml type " + ggmlTypeName(type) +
                    " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)");
    if (dst.size() % traits->blockSize != 0 ||
        src.size() != dst.size() / traits->blockSize * traits->typeSize)
        throw Error("dequantize " + std::string(traits->name) + ": " + std::to_string(src.size()) +
                    " bytes do not hold " + std::to_string(dst.size()) + " values");
    const auto *s = reinterpret_cast<const uint8_t *>(src.data());
    const std::size_t n = dst.size();
    switch (static_cast<GgmlType>(type)) {
    case GgmlType::F32:
        std::memcpy(dst.data(), s, n * 4);
        return;
    case GgmlType::F16:
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = f16(s + 2 * i);
        return;
    case GgmlType::BF16:
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = bf16ToFloat(u16(s + 2 * i));
        return;
    default:
        break;
    }
    const BlockFn fn = blockFunction(type);
    for (std::size_t b = 0; b < n / traits->blockSize; ++b)
        fn(s + b * traits->typeSize, dst.data() + b * traits->blockSize);
}

std::vector<float> dequantize(const GgufFile &file, const GgufTensorInfo &tensor)
{
    if (!canDequantize(tensor.type))
        throwFileError(file.path(), "tensor `" + tensor.name + "`: type " +
                                        ggmlTypeName(tensor.type) +
                                        " is not supported (supported: F32, F16, BF16, Q8_0, "
                                        "Q4_0, Q4_1, Q4_K, Q6_K)");
    // numel was checked against the bytes present in the file at open().
    std::vector<float> out(tensor.numel());
    try {
        dequantizeInto(tensor.type, tensor.bytes, out);
    } catch (const Error &e) {
        throwFileError(file.path(), "tensor `" + tensor.name + "`: " + e.what());
    }
    return out;
}

std::vector<std::byte> quantizeQ8_0(std::span<const float> x)
{
    requireMultipleOf32(x.size(), "quantize Q8_0");
    std::vector<std::byte> out(x.size() / 32 * 34);
    auto *o = reinterpret_cast<uint8_t *>(out.data());
    for (std::size_t b = 0; b < x.size() / 32; ++b, o += 34) {
        const float *v = x.data() + b * 32;
        float amax = 0;
        for (int j = 0; j < 32; ++j)
            amax = std::max(amax, std::fabs(v[j]));
        const float d = amax / 127.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        const uint16_t dh = floatToHalf(d);
        std::memcpy(o, &dh, 2);
        for (int j = 0; j < 32; ++j)
            o[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::round(v[j] * id)));
    }
    return out;
}

std::vector<std::byte> quantizeQ4_0(std::span<const float> x)
{
    requireMultipleOf32(x.size(), "quantize Q4_0");
    std::vector<std::byte> out(x.size() / 32 * 18);
    auto *o = reinterpret_cast<uint8_t *>(out.data());
    for (std::size_t b = 0; b < x.size() / 32; ++b, o += 18) {
        const float *v = x.data() + b * 32;
        float amax = 0, max = 0; // max: the signed value of largest magnitude
        for (int j = 0; j < 32; ++j) {
            if (amax < std::fabs(v[j])) {
                amax = std::fabs(v[j]);
                max = v[j];
            }
        }
        const float d = max / -8.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        const uint16_t dh = floatToHalf(d);
        std::memcpy(o, &dh, 2);
        for (int j = 0; j < 16; ++j) {
            const auto q0 = std::min<int>(15, static_cast<int8_t>(v[j] * id + 8.5f));
            const auto q1 = std::min<int>(15, static_cast<int8_t>(v[j + 16] * id + 8.5f));
            o[2 + j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
    return out;
}

std::vector<std::byte> packF16(std::span<const float> x)
{
    std::vector<std::byte> out(x.size() * 2);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const uint16_t h = floatToHalf(x[i]);
        std::memcpy(out.data() + 2 * i, &h, 2);
    }
    return out;
}

std::vector<std::byte> packBF16(std::span<const float> x)
{
    std::vector<std::byte> out(x.size() * 2);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const uint16_t h = floatToBf16(x[i]);
        std::memcpy(out.data() + 2 * i, &h, 2);
    }
    return out;
}

std::vector<std::byte> packF32(std::span<const float> x)
{
    std::vector<std::byte> out(x.size() * 4);
    std::memcpy(out.data(), x.data(), out.size());
    return out;
}

} // namespace headroom::io
