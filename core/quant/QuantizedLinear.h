// A linear layer over a frozen quantized weight (NF4/FP4 or int8):
// y = x Wᵀ + b with W dequantized to x's dtype, as bnb's Linear4bit. Trap 1 of
// DESIGN.md: the autograd node keeps only the packed weight and its
// quantization constants (shared, not copied) and dequantizes again in
// backward; neither the dequantized weight nor the input is saved. The base
// weight gets no gradient. Deliberately no LoRA (lora/ wraps this layer) and
// no int8 matmul kernels.
#pragma once

#include "quant/Int8.h"
#include "quant/Nf4.h"

#include <ATen/ATen.h>

#include <variant>

namespace headroom::quant {

using QuantizedWeight = std::variant<Nf4Weight, Int8Weight>;

// The dequantized weight [out, in] in `dtype`.
at::Tensor dequantize(const QuantizedWeight &weight, at::ScalarType dtype);

// Bytes of the packed weight and its constants.
int64_t quantizedBytes(const QuantizedWeight &weight);

// x [..., in] -> [..., out] = x Wᵀ + b over a quantized W; differentiable
// with respect to x and bias only. bias [out] or undefined.
at::Tensor quantizedLinear(const at::Tensor &x, const QuantizedWeight &weight,
                           const at::Tensor &bias = {});

struct QuantizedLinear
{
    QuantizedWeight weight; // frozen, [out, in] once dequantized
    at::Tensor bias;        // [out] or undefined; trainable if it requires grad

    // x [..., in] -> [..., out]. Differentiable with respect to x (and bias).
    at::Tensor forward(const at::Tensor &x) const;

    int64_t bytes() const;
};

} // namespace headroom::quant
