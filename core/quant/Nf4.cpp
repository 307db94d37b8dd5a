// NF4 / FP4 quantization; see Nf4.h. Vectorised ATen ops only (a 4096×4096
// weight takes well under a second on one core); every step mirrors
// bitsandbytes 0.50 (backends/default/ops.py quantize_4bit, csrc/cpu_ops.cpp
// dequantizeBlockwise4bitCpu) op for op so the bytes are identical.
#include "quant/Nf4.h"

#include "common/Error.h"
#include "quant/Blockwise8bit.h"
#include "quant/Nf4Cuda.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <array>
#include <string>

namespace headroom::quant {

namespace {

// SPECS §1.1, bnb get_4bit_type("nf4").
constexpr std::array<float, 16> kNf4 = {-1.0f,
                                        -0.6961928009986877f,
                                        -0.5250730514526367f,
                                        -0.39491748809814453f,
                                        -0.28444138169288635f,
                                        -0.18477343022823334f,
                                        -0.09105003625154495f,
                                        0.0f,
                                        0.07958029955625534f,
                                        0.16093020141124725f,
                                        0.24611230194568634f,
                                        0.33791524171829224f,
                                        0.44070982933044434f,
                                        0.5626170039176941f,
                                        0.7229568362236023f,
                                        1.0f};

// SPECS §1.6, bnb get_4bit_type("fp4") before its division by 12 (bit 3 is the
// sign; "-0" is an integer zero in bnb's list, hence +0.0 at code 8).
constexpr std::array<float, 16> kFp4Raw = {0.0f,  0.0625f, 8.0f,  12.0f,    4.0f,  6.0f,
                                           2.0f,  3.0f,    0.0f,  -0.0625f, -8.0f, -12.0f,
                                           -4.0f, -6.0f,   -2.0f, -3.0f};

void checkBlocksize(int64_t blocksize)
{
    for (int64_t allowed : {32, 64, 128, 256, 512, 1024, 2048, 4096})
        if (blocksize == allowed)
            return;
    throw Error("4-bit quantization: blocksize " + std::to_string(blocksize) +
                " is not one of 32, 64, 128, …, 4096");
}

} // namespace

const char *fourBitTypeName(FourBitType type)
{
    return type == FourBitType::Nf4 ? "nf4" : "fp4";
}

at::Tensor fourBitCodeTable(FourBitType type)
{
    if (type == FourBitType::Nf4)
        return at::tensor(std::vector<float>(kNf4.begin(), kNf4.end()), at::kFloat);
    auto raw = at::tensor(std::vector<float>(kFp4Raw.begin(), kFp4Raw.end()), at::kFloat);
    return raw / raw.abs().max();
}

int64_t Nf4Weight::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

int64_t Nf4Weight::bytes() const
{
    int64_t total = packed.nbytes() + absmax.nbytes();
    if (nested())
        total += nestedAbsmax.nbytes() + nestedCode.nbytes();
    return total;
}

Nf4Weight quantizeNf4(const at::Tensor &weight, const Nf4Options &options)
{
    checkBlocksize(options.blocksize);
    if (!at::isFloatingType(weight.scalar_type()))
        throw Error("4-bit quantization: weight must be a floating-point tensor");
    if (weight.numel() == 0)
        throw Error("4-bit quantization: weight is empty");
    c10::NoGradGuard noGrad;
    const int64_t bs = options.blocksize;
    auto flat = weight.detach().reshape(-1).to(at::kFloat); // [n]
    const int64_t n = flat.numel();
    const int64_t rem = n % bs;
    const int64_t full = n - rem;

    auto body = flat.slice(0, 0, full).view({full / bs, bs});             // [blocks, bs]
    auto absmax = std::get<0>(body.abs().max(/*dim=*/1));                 // [blocks]
    auto inverse = at::reciprocal(absmax.clamp_min(1e-38)).view({-1, 1}); // [blocks, 1]
    auto scaled = at::clamp(body * inverse, -1, 1).reshape(-1);           // [full]
    if (rem) {
        // bnb divides the trailing block instead of multiplying by the
        // reciprocal, and stores its clamped absmax: reproduced verbatim.
        auto tail = flat.slice(0, full);                  // [rem]
        auto tailMax = tail.abs().max().clamp_min(1e-38); // []
        absmax = at::cat({absmax, tailMax.unsqueeze(0)});
        scaled = at::cat({scaled, at::clamp(tail / tailMax, -1, 1)});
    }
    if (scaled.numel() % 2)
        scaled = at::constant_pad_nd(scaled, {0, 1}); // [n + 1], the pad quantizes to 0.0

    // Midpoints of the sorted table in fp32; for NF4 (sorted already) they equal
    // the decision-tree thresholds of the CUDA kernel (SPECS §1.2, tested).
    auto table = fourBitCodeTable(options.type);
    auto order = at::argsort(table, /*stable=*/true); // [16]
    auto sorted = table.index_select(0, order);
    auto bounds = (sorted.slice(0, 0, -1) + sorted.slice(0, 1)) / 2; // [15]
    auto q = at::bucketize(scaled, bounds, /*out_int32=*/true);      // [n or n+1], sorted rank
    if (options.type != FourBitType::Nf4)
        q = order.index_select(0, q); // rank -> FP4 bit pattern
    auto q8 = q.to(at::kByte);
    auto packed = at::bitwise_or(at::bitwise_left_shift(q8.slice(0, 0, c10::nullopt, 2), 4),
                                 q8.slice(0, 1, c10::nullopt, 2))
                      .unsqueeze(1); // [ceil(n/2), 1]

    Nf4Weight result;
    result.packed = packed.contiguous();
    result.shape = weight.sizes().vec();
    result.dtype = weight.scalar_type();
    result.blocksize = bs;
    result.type = options.type;
    if (!options.doubleQuant) {
        result.absmax = absmax;
        return result;
    }
    // SPECS §1.4: centre on the mean, then blockwise 8-bit with the signed
    // dynamic map in groups of 256 absmax values.
    auto offset = absmax.mean(); // [] fp32
    auto code = createDynamicMap(/*isSigned=*/true);
    auto nested = quantizeBlockwise8bit(absmax - offset, code, result.nestedBlocksize);
    result.absmax = nested.codes;
    result.nestedAbsmax = nested.absmax;
    result.nestedCode = code;
    result.nestedOffset = offset.item<float>();
    return result;
}

at::Tensor blockAbsmax(const Nf4Weight &weight)
{
    if (!weight.nested())
        return weight.absmax;
    c10::NoGradGuard noGrad;
    Blockwise8bit state{weight.absmax, weight.nestedAbsmax, weight.nestedBlocksize};
    return dequantizeBlockwise8bit(state, weight.nestedCode) + weight.nestedOffset;
}

namespace {

// The CPU path: one pass over the packed bytes writing `dtype` directly, the
// same arithmetic (fp32 product, one rounding) without the fp32 temporaries
// of the generic path. It runs three times per layer and step with
// checkpointing (forward, recompute, backward), so it matters.
template <typename T>
void dequantizeNf4Cpu(const uint8_t *bytes, const float *absmax, const float *table, int64_t n,
                      int64_t blocksize, T *out)
{
    const int64_t blocks = (n + blocksize - 1) / blocksize;
    at::parallel_for(0, blocks, 64, [&](int64_t first, int64_t last) {
        for (int64_t block = first; block < last; ++block) {
            const float scale = absmax[block];
            const int64_t end = std::min(n, (block + 1) * blocksize);
            for (int64_t i = block * blocksize; i < end; ++i) {
                const uint8_t byte = bytes[i >> 1];
                const uint8_t code = (i & 1) ? (byte & 15) : (byte >> 4);
                out[i] = static_cast<T>(table[code] * scale);
            }
        }
    });
}

} // namespace

at::Tensor dequantizeNf4(const Nf4Weight &weight, at::ScalarType dtype)
{
    // CUDA dispatch: the one-pass kernel of Nf4Cuda.cu (same values) when it
    // takes this weight; everything below is the ATen path and its fallback.
    if (nf4CudaSupports(weight, dtype))
        return dequantizeNf4Cuda(weight, dtype);

    c10::NoGradGuard noGrad;
    const int64_t n = weight.numel();
    const int64_t bs = weight.blocksize;
    const int64_t blocks = (n + bs - 1) / bs;
    auto absmax = blockAbsmax(weight).to(at::kFloat); // [blocks]
    if (absmax.numel() != blocks)
        throw Error("4-bit dequantization: absmax has " + std::to_string(absmax.numel()) +
                    " values, the shape needs " + std::to_string(blocks));
    auto bytes = weight.packed.reshape(-1);
    if (bytes.scalar_type() != at::kByte)
        bytes = bytes.view(at::kByte); // other quant_storage dtypes hold the same bytes
    if (bytes.is_cpu() && (dtype == at::kFloat || dtype == at::kBFloat16 || dtype == at::kHalf)) {
        auto table = fourBitCodeTable(weight.type).contiguous();
        auto scales = absmax.to(at::kCPU).contiguous();
        auto packed = bytes.contiguous();
        auto out = at::empty({n}, at::TensorOptions().dtype(dtype));
        AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, dtype, "dequantizeNf4", [&] {
            dequantizeNf4Cpu<scalar_t>(packed.data_ptr<uint8_t>(), scales.data_ptr<float>(),
                                       table.data_ptr<float>(), n, bs, out.data_ptr<scalar_t>());
        });
        return out.reshape(weight.shape);
    }
    // One lookup per byte: pairs[b] = (code[b >> 4], code[b & 15]).
    auto table = fourBitCodeTable(weight.type).to(weight.packed.device());
    auto byteValues = at::arange(256, at::TensorOptions().dtype(at::kInt).device(table.device()));
    auto pairs = at::stack({table.index_select(0, at::bitwise_right_shift(byteValues, 4)),
                            table.index_select(0, at::bitwise_and(byteValues, 15))},
                           1);                                                 // [256, 2]
    auto values = pairs.index_select(0, bytes.to(at::kInt)).reshape(-1);       // [2*ceil(n/2)]
    values = at::constant_pad_nd(values.slice(0, 0, n), {0, blocks * bs - n}); // [blocks*bs]
    auto out = (values.view({blocks, bs}) * absmax.to(values.device()).view({-1, 1}))
                   .reshape(-1)
                   .slice(0, 0, n); // [n] fp32
    return out.to(dtype).reshape(weight.shape);
}

} // namespace headroom::quant
