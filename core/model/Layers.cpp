// Normalisations shared by the architectures.
#include "model/Layers.h"

namespace headroom::model {

at::Tensor rmsNorm(const at::Tensor &x, const at::Tensor &weight, double eps)
{
    const auto inputType = x.scalar_type();
    auto x32 = x.to(at::kFloat);
    auto variance = x32.pow(2).mean(-1, /*keepdim=*/true); // [..., 1]
    x32 = x32 * at::rsqrt(variance + eps);
    return weight * x32.to(inputType);
}

at::Tensor layerNorm(const at::Tensor &x, const at::Tensor &weight, const at::Tensor &bias,
                     double eps)
{
    return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
}

} // namespace headroom::model
