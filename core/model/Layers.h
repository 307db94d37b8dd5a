// The small building blocks shared by the architectures: a linear layer and
// the two normalisations, written to round exactly as transformers does.
// No module system: a layer is its tensors plus a forward function.
#pragma once

#include "lora/LoraAdapter.h"
#include "quant/QuantizedLinear.h"

#include <ATen/ATen.h>

#include <memory>
#include <optional>

namespace headroom::model {

// y = x Wᵀ + b (+ the LoRA update when an adapter is attached).
// weight [out, in] (nn.Linear layout); bias [out] or undefined. A frozen base
// quantized for training (QLoRA) lives in `quantized` ([out, in] once
// dequantized) and `weight` is then undefined: only the packed bytes stay.
struct Linear
{
    at::Tensor weight;
    at::Tensor bias;
    std::optional<quant::QuantizedWeight> quantized;
    std::shared_ptr<lora::LoraAdapter> lora;

    at::Tensor forward(const at::Tensor &x) const
    {
        auto y =
            quantized ? quant::quantizedLinear(x, *quantized, bias) : at::linear(x, weight, bias);
        return lora ? lora->addTo(y, x) : y;
    }
};

// RMSNorm as transformers' LlamaRMSNorm: statistics in fp32, eps inside the
// square root, cast back to the input dtype *before* the weight multiply.
// x [..., H], weight [H].
at::Tensor rmsNorm(const at::Tensor &x, const at::Tensor &weight, double eps);

// LayerNorm with bias over the last dimension. x [..., H], weight/bias [H].
at::Tensor layerNorm(const at::Tensor &x, const at::Tensor &weight, const at::Tensor &bias,
                     double eps);

} // namespace headroom::model
