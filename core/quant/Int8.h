// Row-wise absmax int8 weight quantization, LLM.int8()'s weight side
// (SPECS.md §2.1/§2.4): one fp32 scale per output row. Bit-identical to
// bitsandbytes' int8_vectorwise_quant / int8_vectorwise_dequant. Deliberately
// no int8 matmul and no outlier decomposition (threshold 0: the frozen weight
// is dequantized for the matmul, see QuantizedLinear).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace headroom::quant {

// Serialized names for a module prefix P (bnb Linear8bitLt, transformers):
// weight -> P.weight (int8 [out, in], bnb's "CB"), scb -> P.SCB (fp32 [out]);
// newer bnb also writes P.weight_format = uint8 0 (row-major).
struct Int8Weight
{
    at::Tensor weight;                 // int8 [out, in]: round(W * 127 / SCB[row]), in [-127, 127]
    at::Tensor scb;                    // fp32 [out]: max_j |W[row, j]|
    at::ScalarType dtype = at::kFloat; // the original weight's dtype

    int64_t bytes() const { return weight.nbytes() + scb.nbytes(); }
};

// W [out, in], any float dtype (bnb's Linear8bitLt casts to fp16 first; pass
// an fp16 weight for byte-identical checkpoints). fp32 math: SCB = row absmax,
// codes = round-half-even(W * (127 * (1 / SCB))). An all-zero row gets SCB 0
// and codes 0 (bnb would produce NaN there).
Int8Weight quantizeInt8(const at::Tensor &weight);

// weight * SCB[:, None] * (1/127) in fp32 (bnb's two roundings), then `dtype`.
at::Tensor dequantizeInt8(const Int8Weight &weight, at::ScalarType dtype);

} // namespace headroom::quant
