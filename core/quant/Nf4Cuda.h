// NF4/FP4 on the GPU: the tensor side of the kernels in Nf4Cuda.cu. Checks
// every tensor, picks the stream and launches; dequantizeNf4 and
// quantizedLinear dispatch here for CUDA weights when nf4CudaSupports() says
// so, and take their ATen path otherwise. Deliberately no quantization on the
// GPU (it runs once per weight, on ATen) and no batched matmul (more than one
// input row: dequantize, then cuBLAS through at::linear, as bitsandbytes).
#pragma once

#include "quant/Nf4.h"

#include <ATen/ATen.h>

namespace headroom::quant {

// Whether the kernels take this weight and value dtype: kernels compiled and
// enabled on this thread (CudaDispatch.h), packed on a CUDA device, dtype fp32,
// bf16 or fp16, power-of-two block sizes (4-bit blocks of at least 8).
bool nf4CudaSupports(const Nf4Weight &weight, at::ScalarType dtype);

// dequantizeNf4 in one pass on the weight's GPU, double-quant decode fused:
// the same values bit for bit as the ATen path. The quantization constants
// may live on the CPU (they are copied over). Throws headroom::Error for a
// weight the kernels do not take, inconsistent constants, or a build
// without kernels.
at::Tensor dequantizeNf4Cuda(const Nf4Weight &weight, at::ScalarType dtype);

// x [..., in] holding one row (numel == in), W [out, in] quantized, bias [out]
// or undefined -> x Wᵀ + b, [..., out] in x's dtype. Reads the packed weight
// directly; W is never materialised. Each W element is rounded to x's dtype as
// the dense path's, the sums are fp32: equal to dequantize + at::linear within
// the rounding of the dtype. No autograd (quantizedLinear provides it).
at::Tensor nf4GemvCuda(const at::Tensor &x, const Nf4Weight &weight, const at::Tensor &bias = {});

} // namespace headroom::quant
