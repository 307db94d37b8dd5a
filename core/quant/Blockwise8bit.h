// Blockwise 8-bit quantization with bitsandbytes' "dynamic" code book
// (SPECS.md §3.2–3.3): the map itself and the quantize/dequantize pair that
// NF4 double quantization (§1.4) uses for its absmax values. The 8-bit
// optimizer states can reuse it. Deliberately no optimizer logic and no
// stochastic rounding.
#pragma once

#include <ATen/ATen.h>

namespace headroom::quant {

// bitsandbytes `create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)`:
// 256 float32 values sorted ascending. Signed: index 127 = 0, 255 = +1.0, no -1.
at::Tensor createDynamicMap(bool isSigned = true); // [256] fp32

struct Blockwise8bit
{
    at::Tensor codes;  // uint8, the input's shape
    at::Tensor absmax; // fp32 [ceil(n / blocksize)]
    int64_t blocksize = 256;
};

// Nearest code per element after dividing each block by its absmax: exactly
// bitsandbytes' pure-PyTorch reference (backends/default/ops.py
// quantize_blockwise): full blocks multiply by the fp32 reciprocal of the
// absmax, a trailing partial block divides; ties (a value equal to the fp32
// midpoint of two codes) go to the lower code; an all-zero block gives the
// code nearest 0. bnb's native CPU kernel (a table-driven search) differs from
// the nearest code in about 0.1 % of values; CUDA agrees with this one.
Blockwise8bit quantizeBlockwise8bit(const at::Tensor &values, const at::Tensor &code,
                                    int64_t blocksize);

// code[q] * absmax[block] in fp32, the input's shape.
at::Tensor dequantizeBlockwise8bit(const Blockwise8bit &q, const at::Tensor &code);

} // namespace headroom::quant
