// The regenerable dropout mask: a CPU loop and the same hash in ATen ops.
#include "lora/HashedDropout.h"

#include "common/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

namespace headroom::lora {

namespace {

constexpr uint32_t kMixMultiplier = 0x45d9f3bu;

inline uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= kMixMultiplier;
    x ^= x >> 16;
    x *= kMixMultiplier;
    x ^= x >> 16;
    return x;
}

struct Mask
{
    uint32_t lo, hi;
    uint32_t threshold; // keep iff hash >= threshold
    float scale;        // 1 / (1 - p)

    Mask(double p, uint64_t seed)
        : lo(static_cast<uint32_t>(seed)), hi(static_cast<uint32_t>(seed >> 32)),
          threshold(static_cast<uint32_t>(
              std::min<long long>(std::llround(p * 4294967296.0), 0xffffffffLL))),
          scale(static_cast<float>(1.0 / (1.0 - p)))
    {}
};

// The loops below are what the CPU spends on dropout; written so that the
// compiler vectorises them (32-bit lanes), with AVX2 / AVX-512 clones chosen at
// load time where the compiler supports it.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&                            \
    !defined(__SANITIZE_ADDRESS__)
#define HEADROOM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HEADROOM_VECTOR_CLONES
#endif

inline uint32_t hashOf(int64_t i, const Mask &m)
{
    return mix(mix(static_cast<uint32_t>(i) ^ m.lo) ^ m.hi);
}

// 1 / (1 - p) for a kept element, +0 for a dropped one, without a branch
// (the compiler vectorises only straight-line loop bodies). Multiplying, not
// selecting, keeps the ATen reference's result for an infinite input.
inline float factorOf(int64_t i, const Mask &m)
{
    uint32_t scale;
    std::memcpy(&scale, &m.scale, sizeof scale);
    const uint32_t bits = scale & (0u - static_cast<uint32_t>(hashOf(i, m) >= m.threshold));
    float factor;
    std::memcpy(&factor, &bits, sizeof factor);
    return factor;
}

// fp32 -> bf16, round to nearest even, as c10::BFloat16 (NaN stays a NaN).
inline uint16_t roundToBf16(float value)
{
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const uint32_t nan = 0u - static_cast<uint32_t>((bits & 0x7fffffffu) > 0x7f800000u);
    return static_cast<uint16_t>((rounded & ~nan) | (0x7fc0u & nan));
}

inline float fromBf16(uint16_t bits)
{
    const uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &wide, sizeof value);
    return value;
}

HEADROOM_VECTOR_CLONES
void dropFromFloat(const float *src, float *dst, int64_t begin, int64_t end, Mask m)
{
    for (int64_t i = begin; i < end; ++i)
        dst[i] = src[i] * factorOf(i, m);
}

HEADROOM_VECTOR_CLONES
void dropFromBf16(const uint16_t *src, float *dst, int64_t begin, int64_t end, Mask m)
{
    for (int64_t i = begin; i < end; ++i)
        dst[i] = fromBf16(src[i]) * factorOf(i, m);
}

HEADROOM_VECTOR_CLONES
void dropBf16ToBf16(const uint16_t *src, uint16_t *dst, int64_t begin, int64_t end, Mask m)
{
    for (int64_t i = begin; i < end; ++i)
        dst[i] = roundToBf16(fromBf16(src[i]) * factorOf(i, m));
}

void dropFromHalf(const c10::Half *src, float *dst, int64_t begin, int64_t end, Mask m)
{
    for (int64_t i = begin; i < end; ++i)
        dst[i] = static_cast<float>(src[i]) * factorOf(i, m);
}

void checkArguments(int64_t numel, double p)
{
    if (!(p >= 0.0 && p < 1.0))
        throw Error("dropout probability must be in [0, 1), got " + std::to_string(p));
    // The hash takes 32-bit indices.
    if (numel > (int64_t{1} << 32))
        throw Error("dropout input of " + std::to_string(numel) +
                    " elements exceeds the 2^32 the mask hash covers");
}

constexpr int64_t kGrain = 1 << 14;

// x -> x ^ (x >> 16); x * C mod 2^32 ... on int64 tensors holding values < 2^32.
at::Tensor mixTensor(at::Tensor x)
{
    constexpr int64_t low32 = 0xffffffffLL;
    x = x.bitwise_xor(x.bitwise_right_shift(16));
    x = x.mul(static_cast<int64_t>(kMixMultiplier)).bitwise_and(low32);
    x = x.bitwise_xor(x.bitwise_right_shift(16));
    x = x.mul(static_cast<int64_t>(kMixMultiplier)).bitwise_and(low32);
    return x.bitwise_xor(x.bitwise_right_shift(16));
}

} // namespace

uint64_t drawDropoutSeed()
{
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
}

at::Tensor hashedDropoutScale(at::IntArrayRef sizes, double p, uint64_t seed,
                              const at::Device &device)
{
    int64_t numel = 1;
    for (auto s : sizes)
        numel *= s;
    checkArguments(numel, p);
    const Mask mask(p, seed);
    auto opts = at::TensorOptions().dtype(at::kLong).device(device);
    auto hash = mixTensor(mixTensor(at::arange(numel, opts).bitwise_xor(int64_t{mask.lo}))
                              .bitwise_xor(int64_t{mask.hi}));
    auto keep = hash.ge(int64_t{mask.threshold});
    return keep.to(at::kFloat).mul_(static_cast<double>(mask.scale)).view(sizes);
}

at::Tensor hashedDropout(const at::Tensor &x, double p, uint64_t seed, at::ScalarType out)
{
    checkArguments(x.numel(), p);
    if (p == 0.0)
        return x.to(out).contiguous();
    const auto type = x.scalar_type();
    const bool loop =
        x.device().is_cpu() &&
        (out == at::kFloat ? (type == at::kFloat || type == at::kBFloat16 || type == at::kHalf)
                           : (out == at::kBFloat16 && type == at::kBFloat16));
    if (!loop)
        return (x.to(at::kFloat) * hashedDropoutScale(x.sizes(), p, seed, x.device())).to(out);
    const auto input = x.contiguous();
    auto result = at::empty(x.sizes(), x.options().dtype(out));
    const Mask mask(p, seed);
    at::parallel_for(0, input.numel(), kGrain, [&](int64_t begin, int64_t end) {
        if (out == at::kBFloat16)
            dropBf16ToBf16(reinterpret_cast<const uint16_t *>(input.const_data_ptr<at::BFloat16>()),
                           reinterpret_cast<uint16_t *>(result.data_ptr<at::BFloat16>()), begin,
                           end, mask);
        else if (type == at::kFloat)
            dropFromFloat(input.const_data_ptr<float>(), result.data_ptr<float>(), begin, end,
                          mask);
        else if (type == at::kBFloat16)
            dropFromBf16(reinterpret_cast<const uint16_t *>(input.const_data_ptr<at::BFloat16>()),
                         result.data_ptr<float>(), begin, end, mask);
        else
            dropFromHalf(input.const_data_ptr<at::Half>(), result.data_ptr<float>(), begin, end,
                         mask);
    });
    return result;
}

void hashedDropoutInPlace(at::Tensor &values, double p, uint64_t seed)
{
    checkArguments(values.numel(), p);
    if (p == 0.0)
        return;
    const auto type = values.scalar_type();
    if (!values.is_contiguous() || (type != at::kFloat && type != at::kBFloat16))
        throw Error("hashedDropoutInPlace wants a contiguous fp32 or bf16 tensor");
    if (!values.device().is_cpu()) {
        values.copy_(values.to(at::kFloat) *
                     hashedDropoutScale(values.sizes(), p, seed, values.device()));
        return;
    }
    const Mask mask(p, seed);
    at::parallel_for(0, values.numel(), kGrain, [&](int64_t begin, int64_t end) {
        if (type == at::kFloat) {
            float *data = values.data_ptr<float>();
            dropFromFloat(data, data, begin, end, mask);
        } else {
            auto *data = reinterpret_cast<uint16_t *>(values.data_ptr<at::BFloat16>());
            dropBf16ToBf16(data, data, begin, end, mask);
        }
    });
}

} // namespace headroom::lora
