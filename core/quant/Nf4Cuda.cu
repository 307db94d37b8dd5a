// CUDA kernels for NF4/FP4 weights; see Nf4Kernels.h. Two kernels that share
// one decode: the dequantization into a dense weight (bit-identical to the
// ATen path of dequantizeNf4) and a dequantize-GEMV for a single input row
// that never writes the dense weight. Every fp32 product and sum that must
// match the ATen path is written with a _rn intrinsic, which nvcc never fuses
// into an FMA (a fused multiply-add rounds once where ATen rounds twice).
// Deliberately plain: byte loads (no alignment assumptions), no shared-memory
// tiling of x; the benchmark (bench/cuda_kernels.cpp) says whether more is
// worth it.
#include "quant/Nf4Kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>

namespace headroom::quant::kernels {

namespace {

constexpr int kThreads = 256;

// fp32 -> T with round-to-nearest-even, as ATen's casts.
template <typename T> __device__ T fromFloat(float v);
template <> __device__ float fromFloat<float>(float v)
{
    return v;
}
template <> __device__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float v)
{
    return __float2bfloat16_rn(v);
}
template <> __device__ __half fromFloat<__half>(float v)
{
    return __float2half_rn(v);
}

__device__ float toFloat(float v)
{
    return v;
}
__device__ float toFloat(__nv_bfloat16 v)
{
    return __bfloat162float(v);
}
__device__ float toFloat(__half v)
{
    return __half2float(v);
}

// The fp32 absmax of 4-bit block `block`, as blockAbsmax():
// nestedCode[q] * nestedAbsmax[block / nested blocksize] + offset, rounded
// after the product and after the sum.
__device__ float blockScale(const Nf4Scales &s, int64_t block)
{
    if (s.absmax)
        return s.absmax[block];
    const float decoded =
        __fmul_rn(s.nestedCode[s.absmaxCodes[block]], s.nestedAbsmax[block >> s.nestedShift]);
    return __fadd_rn(decoded, s.nestedOffset);
}

// The 16 code values in shared memory (a dynamic index into the kernel
// parameters would go through local memory). Every thread of the block must
// call it: it synchronises.
__device__ void loadTable(const Nf4Layout &w, float *table)
{
    if (threadIdx.x < 16)
        table[threadIdx.x] = w.table[threadIdx.x];
    __syncthreads();
}

// One thread per packed byte b, grid-stride: elements 2b (high nibble) and
// 2b + 1 (low nibble, absent past n), both in block 2b >> blockShift.
template <typename T> __global__ void dequantizeKernel(Nf4Layout w, T *out)
{
    __shared__ float table[16];
    loadTable(w, table);
    const int64_t bytes = (w.n + 1) / 2;
    const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
    for (int64_t b = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; b < bytes;
         b += stride) {
        const unsigned byte = w.packed[b];
        const int64_t e = 2 * b;
        const float scale = blockScale(w.scales, e >> w.blockShift);
        out[e] = fromFloat<T>(__fmul_rn(table[byte >> 4], scale));
        if (e + 1 < w.n)
            out[e + 1] = fromFloat<T>(__fmul_rn(table[byte & 15], scale));
    }
}

// One warp per output row r, whose weights are elements [r*cols, (r+1)*cols)
// of the flat weight. Each lane takes groups of 8 elements (4 bytes, 4
// independent loads in flight, one absmax decode: a group never straddles a
// 4-bit block, blocksize >= 8); groups are aligned to the flat weight, so with
// cols % 8 != 0 a row starts or ends inside one and the range checks skip the
// other rows' elements. Products and the sum in fp32, then a warp reduction.
template <typename T>
__global__ void gemvKernel(Nf4Layout w, int64_t rows, int64_t cols, const T *x, const T *bias, T *y)
{
    __shared__ float table[16];
    loadTable(w, table);
    const int lane = threadIdx.x % 32;
    const int64_t row = static_cast<int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= rows)
        return;                       // the whole warp: row is the same for its 32 lanes
    const int64_t first = row * cols; // first element of the row
    const int64_t end = first + cols; // one past its last
    float acc = 0.0f;
    for (int64_t g = first / 8 + lane; g <= (end - 1) / 8; g += 32) {
        const float scale = blockScale(w.scales, (8 * g) >> w.blockShift);
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const int64_t e = 8 * g + 2 * j; // the byte's high nibble; e + 1 its low one
            if (e + 1 < first || e >= end)
                continue; // both elements belong to another row (e < n: the byte exists)
            const unsigned byte = w.packed[e / 2];
            // The weight rounded to T first, as the dense path's dequantized W.
            if (e >= first) {
                const float wv = toFloat(fromFloat<T>(__fmul_rn(table[byte >> 4], scale)));
                acc += wv * toFloat(x[e - first]);
            }
            if (e + 1 < end) {
                const float wv = toFloat(fromFloat<T>(__fmul_rn(table[byte & 15], scale)));
                acc += wv * toFloat(x[e + 1 - first]);
            }
        }
    }
    for (int offset = 16; offset > 0; offset /= 2)
        acc += __shfl_down_sync(0xffffffffu, acc, offset);
    if (lane == 0) {
        if (bias)
            acc += toFloat(bias[row]);
        y[row] = fromFloat<T>(acc);
    }
}

template <typename T> cudaError_t dequantize(const Nf4Layout &w, void *out, cudaStream_t stream)
{
    const int64_t bytes = (w.n + 1) / 2;
    if (bytes == 0)
        return cudaSuccess;
    // Enough blocks to fill any GPU; the grid-stride loop covers the rest.
    const int64_t blocks = std::min<int64_t>((bytes + kThreads - 1) / kThreads, 1 << 20);
    dequantizeKernel<T>
        <<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(w, static_cast<T *>(out));
    return cudaGetLastError();
}

template <typename T>
cudaError_t gemv(const Nf4Layout &w, int64_t rows, int64_t cols, const void *x, const void *bias,
                 void *y, cudaStream_t stream)
{
    if (rows == 0 || cols == 0)
        return cudaSuccess;
    constexpr int64_t kRowsPerBlock = kThreads / 32;
    const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
    gemvKernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
        w, rows, cols, static_cast<const T *>(x), static_cast<const T *>(bias),
        static_cast<T *>(y));
    return cudaGetLastError();
}

} // namespace

cudaError_t launchDequantizeNf4(const Nf4Layout &weight, ValueType type, void *out,
                                cudaStream_t stream)
{
    switch (type) {
    case ValueType::Float:
        return dequantize<float>(weight, out, stream);
    case ValueType::BFloat16:
        return dequantize<__nv_bfloat16>(weight, out, stream);
    case ValueType::Half:
        return dequantize<__half>(weight, out, stream);
    }
    return cudaErrorInvalidValue;
}

cudaError_t launchNf4Gemv(const Nf4Layout &weight, int64_t rows, int64_t cols, ValueType type,
                          const void *x, const void *bias, void *y, cudaStream_t stream)
{
    switch (type) {
    case ValueType::Float:
        return gemv<float>(weight, rows, cols, x, bias, y, stream);
    case ValueType::BFloat16:
        return gemv<__nv_bfloat16>(weight, rows, cols, x, bias, y, stream);
    case ValueType::Half:
        return gemv<__half>(weight, rows, cols, x, bias, y, stream);
    }
    return cudaErrorInvalidValue;
}

} // namespace headroom::quant::kernels
