// Launchers of the NF4/FP4 CUDA kernels (Nf4Cuda.cu) on raw device pointers
// and a stream: a plain header without ATen, so that nvcc compiles the kernels
// quickly. Nf4Cuda.cpp validates every tensor before it calls these; the
// launchers trust their arguments. Deliberately no allocation and no checks.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace headroom::quant::kernels {

enum class ValueType { Float, BFloat16, Half };

// Where a 4-bit block's fp32 absmax comes from (Nf4Weight, SPECS §1.4).
struct Nf4Scales
{
    const float *absmax = nullptr;        // fp32 [blocks]; null when double-quantized
    const uint8_t *absmaxCodes = nullptr; // uint8 [blocks], double quant only
    const float *nestedAbsmax = nullptr;  // fp32 [ceil(blocks / nested blocksize)]
    const float *nestedCode = nullptr;    // fp32 [256], the signed dynamic map
    float nestedOffset = 0.0f;
    int nestedShift = 8; // log2(nested blocksize)
};

// A packed weight of n elements, row-major, element 2i in the high nibble of
// byte i, blocks of 2^blockShift elements (at least 8: a byte, and the GEMV's
// group of 4 bytes, never spans two blocks).
struct Nf4Layout
{
    const uint8_t *packed = nullptr; // [ceil(n / 2)]
    int64_t n = 0;
    int blockShift = 6;
    float table[16] = {}; // the code values by 4-bit code (fourBitCodeTable)
    Nf4Scales scales;
};

// out[e] = table[nibble(e)] * absmax(block(e)) in fp32, rounded once to `type`;
// out holds n values of `type`.
cudaError_t launchDequantizeNf4(const Nf4Layout &weight, ValueType type, void *out,
                                cudaStream_t stream);

// y[r] = sum_k x[k] * W[r, k] (+ bias[r]) for the weight seen as [rows, cols]
// (rows * cols == n): each W element dequantized and rounded to `type` as
// above, products summed in fp32, y rounded once. x [cols], bias [rows] or
// null, y [rows], all of `type`.
cudaError_t launchNf4Gemv(const Nf4Layout &weight, int64_t rows, int64_t cols, ValueType type,
                          const void *x, const void *bias, void *y, cudaStream_t stream);

} // namespace headroom::quant::kernels
