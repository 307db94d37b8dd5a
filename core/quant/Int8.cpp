// Row-wise int8 quantization; see Int8.h. The op sequence mirrors bnb 0.50's
// backends/default/ops.py so results are bit-identical on the same LibTorch.
#include "quant/Int8.h"

#include "common/Error.h"

#include <c10/core/GradMode.h>

namespace headroom::quant {

Int8Weight quantizeInt8(const at::Tensor &weight)
{
    if (weight.dim() != 2)
        throw Error("int8 quantization: weight must be 2-D [out, in], got " +
                    std::to_string(weight.dim()) + " dimensions");
    if (!at::isFloatingType(weight.scalar_type()))
        throw Error("int8 quantization: weight must be a floating-point tensor");
    c10::NoGradGuard noGrad;
    auto w = weight.detach().to(at::kFloat);        // [out, in]
    auto scb = std::get<0>(w.abs().max(/*dim=*/1)); // [out]
    // Python's `127.0 / row_stats` is reciprocal(row_stats) * 127.
    auto scale = at::where(scb > 0, at::reciprocal(scb) * 127.0, at::zeros_like(scb)); // [out]
    auto codes = at::round(w * scale.unsqueeze(1)).to(at::kChar);                      // [out, in]
    return {codes.contiguous(), scb, weight.scalar_type()};
}

at::Tensor dequantizeInt8(const Int8Weight &weight, at::ScalarType dtype)
{
    c10::NoGradGuard noGrad;
    auto out = weight.weight.to(at::kFloat) * weight.scb.view({-1, 1}) * 7.874015718698502e-3;
    return out.to(dtype); // [out, in]
}

} // namespace headroom::quant
