// The blockwise 8-bit AdamW update in one CUDA kernel; see AdamW8bitKernels.h.
// One thread per element of a 256-element quantization block, a thread block
// per quantization block at a time: decode m and v, the Adam step in fp32
// (SPECS §3.4, decay after it), the block's new absmax by a reduction, and m
// and v re-encoded to the nearest code by a binary search over the midpoints
// of the sorted map. Each fp32 operation is spelled as the ATen path's op
// computes it (plain products and quotients with _rn intrinsics, which nvcc
// never fuses; ATen's `a.add(b, alpha)` and `addcmul` as an FMA, as they are
// on CUDA), so the two agree except for rare one-code differences on exact
// midpoints. Deliberately no multi-tensor launch, no stochastic rounding, no
// paging.
#include "optim/AdamW8bitKernels.h"

#include <algorithm>

namespace headroom::optim::kernels {

namespace {

constexpr int kMapSize = 256;

// The maximum of x over the thread block (blockDim.x a multiple of 32).
// `partial` holds one value per warp; every thread gets the result.
__device__ float blockMax(float x, float *partial)
{
    for (int offset = 16; offset > 0; offset /= 2)
        x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, offset));
    if (threadIdx.x % 32 == 0)
        partial[threadIdx.x / 32] = x;
    __syncthreads();
    float result = partial[0];
    for (int w = 1; w < static_cast<int>(blockDim.x / 32); ++w)
        result = fmaxf(result, partial[w]);
    return result;
}

// The code of x: the number of midpoints strictly below x, as torch.bucketize
// (right=false) — a value exactly on a midpoint takes the lower code.
__device__ int nearestCode(float x, const float *midpoints)
{
    int lo = 0, hi = kMapSize - 1; // the answer lies in [0, 255]
    while (lo < hi) {
        const int mid = (lo + hi) / 2; // mid <= 254, a valid midpoint index
        if (midpoints[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

// The code books and their midpoints, loaded once per thread block.
struct Maps
{
    float map1[kMapSize], map2[kMapSize];
    float mid1[kMapSize - 1], mid2[kMapSize - 1];
    float partial1[32], partial2[32]; // blockMax scratch
};

// One quantization block: every thread of the thread block takes element
// `threadIdx.x` of it. All threads must call it (it synchronises).
__device__ void updateBlock(const AdamW8bitArgs &a, int64_t block, Maps &s)
{
    const int64_t i = block * a.blocksize + threadIdx.x;
    const bool valid = i < a.n; // the tail block's padding acts as m = v = 0
    float m = 0.0f, v = 0.0f;
    if (valid) {
        const float g = a.grad[i];
        // A NaN/Inf gradient element: m = v = 0, the parameter unchanged.
        if (isfinite(g)) {
            const float mOld = __fmul_rn(s.map1[a.codes1[i]], a.absmax1[block]);
            const float vOld = __fmul_rn(s.map2[a.codes2[i]], a.absmax2[block]);
            m = fmaf(a.oneMinusBeta1, g, __fmul_rn(mOld, a.beta1));
            v = fmaf(a.oneMinusBeta2, __fmul_rn(g, g), __fmul_rn(vOld, a.beta2));
            const float ratio = __fdiv_rn(m, __fadd_rn(__fsqrt_rn(v), a.epsC2));
            float p = fmaf(a.stepSize, ratio, a.param[i]);
            if (a.applyDecay)
                p = __fmul_rn(p, a.decay); // the 8-bit kernel's order: decay after the step
            a.param[i] = p;
        }
    }
    // Every thread has read absmax[block] above; the barriers inside blockMax
    // order those reads before thread 0 overwrites it below.
    const float absmax1 = blockMax(fabsf(m), s.partial1);
    const float absmax2 = blockMax(fabsf(v), s.partial2);
    if (valid) {
        // An all-zero block keeps absmax 0 and divides by 1.
        const float s1 = __fdiv_rn(m, absmax1 == 0.0f ? 1.0f : absmax1);
        const float s2 = __fdiv_rn(v, absmax2 == 0.0f ? 1.0f : absmax2);
        int q1 = nearestCode(s1, s.mid1);
        // The signed map's sign rule: a code of the wrong sign moves one step
        // toward the value's sign, so a tiny negative m never decodes to +0.
        if (s1 > 0.0f && s.map1[q1] < 0.0f)
            q1 += 1;
        else if (s1 < 0.0f && s.map1[q1] >= 0.0f)
            q1 -= 1;
        a.codes1[i] = static_cast<uint8_t>(q1);
        a.codes2[i] = static_cast<uint8_t>(nearestCode(s2, s.mid2));
    }
    if (threadIdx.x == 0) {
        a.absmax1[block] = absmax1;
        a.absmax2[block] = absmax2;
    }
}

// Grid-stride over the quantization blocks, so that a thread block loads the
// code books once for several of them.
__global__ void adamW8bitKernel(AdamW8bitArgs a, int64_t blocks)
{
    __shared__ Maps s;
    for (int i = threadIdx.x; i < kMapSize; i += blockDim.x) {
        s.map1[i] = a.map1[i];
        s.map2[i] = a.map2[i];
    }
    __syncthreads();
    // (map[i] + map[i+1]) / 2 in fp32, as the ATen path builds its boundaries.
    for (int i = threadIdx.x; i < kMapSize - 1; i += blockDim.x) {
        s.mid1[i] = __fmul_rn(__fadd_rn(s.map1[i], s.map1[i + 1]), 0.5f);
        s.mid2[i] = __fmul_rn(__fadd_rn(s.map2[i], s.map2[i + 1]), 0.5f);
    }
    __syncthreads();
    for (int64_t block = blockIdx.x; block < blocks; block += gridDim.x) {
        updateBlock(a, block, s);
        __syncthreads(); // the next block's blockMax reuses the scratch
    }
}

} // namespace

cudaError_t launchAdamW8bit(const AdamW8bitArgs &args, cudaStream_t stream)
{
    if (args.n == 0)
        return cudaSuccess;
    const int64_t blocks = (args.n + args.blocksize - 1) / args.blocksize;
    // A few waves of thread blocks fill any GPU; each then takes several
    // quantization blocks.
    const int64_t grid = std::min<int64_t>(blocks, 4096);
    adamW8bitKernel<<<static_cast<unsigned>(grid), args.blocksize, 0, stream>>>(args, blocks);
    return cudaGetLastError();
}

} // namespace headroom::optim::kernels
