// The small building blocks shared by the architectures: a linear layer and
// the two normalisations, written to round exactly as transformers does.
// No module system: a layer is its tensors plus a forward function.
#pragma once

#include <ATen/ATen.h>

namespace headroom::model {

// y = x Wᵀ + b. weight [out, in] (nn.Linear layout); bias [out] or undefined.
struct Linear
{
    at::Tensor weight;
    at::Tensor bias;

    at::Tensor forward(const at::Tensor &x) const { return at::linear(x, weight, bias); }
};

// RMSNorm as transformers' LlamaRMSNorm: statistics in fp32, eps inside the
// square root, cast back to the input dtype *before* the weight multiply.
// x [..., H], weight [H].
at::Tensor rmsNorm(const at::Tensor &x, const at::Tensor &weight, double eps);

// LayerNorm with bias over the last dimension. x [..., H], weight/bias [H].
at::Tensor layerNorm(const at::Tensor &x, const at::Tensor &weight, const at::Tensor &bias,
                     double eps);

} // namespace headroom::model
