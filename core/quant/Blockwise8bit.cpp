// Blockwise 8-bit quantization with the dynamic map; see Blockwise8bit.h.
// Every step mirrors the bitsandbytes reference op for op, so the results are
// bit-identical to it on the same LibTorch.
#include "quant/Blockwise8bit.h"

#include "common/Error.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace headroom::quant {

at::Tensor createDynamicMap(bool isSigned)
{
    constexpr int kMaxExponentBits = 7;
    constexpr int kNonSignBits = 7; // total_bits - 1, as current bitsandbytes
    std::vector<float> data;
    for (int i = 0; i < kMaxExponentBits; ++i) {
        const int64_t items = isSigned
                                  ? (int64_t{1} << (i + kNonSignBits - kMaxExponentBits)) + 1
                                  : (int64_t{1} << (i + kNonSignBits - kMaxExponentBits + 1)) + 1;
        // fp32 linspace and midpoints, then a fp32 multiply by the decade, as
        // torch does for `python_float * float_tensor`.
        auto boundaries = at::linspace(0.1, 1.0, items, at::kFloat);              // [items]
        auto means = (boundaries.slice(0, 0, -1) + boundaries.slice(0, 1)) / 2.0; // [items-1]
        const double decade = i == 6 ? 1.0 : std::pow(10.0, i - 6);
        auto scaled = (means * decade).contiguous();
        const float *p = scaled.data_ptr<float>();
        for (int64_t j = 0; j < scaled.numel(); ++j)
            data.push_back(p[j]);
        if (isSigned) {
            auto negative = (means * (-decade)).contiguous();
            const float *q = negative.data_ptr<float>();
            for (int64_t j = 0; j < negative.numel(); ++j)
                data.push_back(q[j]);
        }
    }
    // additional_items = 2^(7-7) - 1 = 0: nothing more from the exponent loop.
    data.push_back(0.0f);
    data.push_back(1.0f);
    if (data.size() != 256)
        throw Error("createDynamicMap: expected 256 values, got " + std::to_string(data.size()));
    std::sort(data.begin(), data.end());
    return at::tensor(data, at::kFloat);
}

Blockwise8bit quantizeBlockwise8bit(const at::Tensor &values, const at::Tensor &code,
                                    int64_t blocksize)
{
    if (blocksize <= 0)
        throw Error("quantizeBlockwise8bit: blocksize must be positive");
    c10::NoGradGuard noGrad;
    auto flat = values.reshape(-1).to(at::kFloat); // [n]
    const int64_t n = flat.numel();
    const int64_t rem = n % blocksize;
    const int64_t full = n - rem;
    const int64_t blocks = full / blocksize;
    auto body = flat.slice(0, 0, full).view({blocks, blocksize}); // [blocks, bs]
    auto absmax = std::get<0>(body.abs().max(/*dim=*/1));         // [blocks]
    auto scaled = at::clamp(body * at::reciprocal(absmax.clamp_min(1e-38)).view({-1, 1}), -1, 1)
                      .reshape(-1); // [full]
    if (rem) {
        // Stored unclamped (an all-zero trailing block keeps absmax 0) as bnb's
        // native CPU and CUDA kernels store it; its PyTorch path stores 1e-38.
        auto tail = flat.slice(0, full); // [rem]
        auto tailMax = tail.abs().max(); // []
        absmax = at::cat({absmax, tailMax.unsqueeze(0)});
        scaled = at::cat({scaled, at::clamp(tail / tailMax.clamp_min(1e-38), -1, 1)});
    }
    auto map = code.to(at::kFloat);
    auto bounds = (map.slice(0, 0, -1) + map.slice(0, 1)) / 2; // [255]
    auto q = at::bucketize(scaled, bounds, /*out_int32=*/true).to(at::kByte);
    return {q.reshape(values.sizes()), absmax, blocksize};
}

at::Tensor dequantizeBlockwise8bit(const Blockwise8bit &q, const at::Tensor &code)
{
    c10::NoGradGuard noGrad;
    const int64_t n = q.codes.numel();
    const int64_t blocks = q.absmax.numel();
    auto values = code.to(at::kFloat).index_select(0, q.codes.reshape(-1).to(at::kInt)); // [n]
    values = at::constant_pad_nd(values, {0, blocks * q.blocksize - n});
    auto out = (values.view({blocks, q.blocksize}) * q.absmax.view({-1, 1})).reshape(-1);
    return out.slice(0, 0, n).reshape(q.codes.sizes());
}

} // namespace headroom::quant
