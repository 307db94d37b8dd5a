// Launcher of the blockwise 8-bit AdamW CUDA kernel (AdamW8bitCuda.cu) on raw
// device pointers and a stream: a plain header without ATen, so that nvcc
// compiles the kernel quickly. AdamW8bitCuda.cpp validates every tensor and
// derives the scalars; the launcher trusts its arguments.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace headroom::optim::kernels {

struct AdamW8bitArgs
{
    float *param = nullptr;      // fp32 [n], updated in place
    const float *grad = nullptr; // fp32 [n]
    uint8_t *codes1 = nullptr;   // [n] m as indices into map1, rewritten
    uint8_t *codes2 = nullptr;   // [n] v as indices into map2, rewritten
    float *absmax1 = nullptr;    // fp32 [ceil(n / blocksize)], rewritten
    float *absmax2 = nullptr;
    const float *map1 = nullptr; // fp32 [256] ascending: the signed dynamic map
    const float *map2 = nullptr; // fp32 [256] ascending: the unsigned dynamic map
    int64_t n = 0;
    int blocksize = 256; // a multiple of 32, at most 1024: one thread per element

    // fp32 scalars of SPECS §3.4, computed in double by the caller and
    // rounded once, as ATen rounds a double scalar for a fp32 tensor.
    float beta1 = 0.9f, oneMinusBeta1 = 0.1f;
    float beta2 = 0.999f, oneMinusBeta2 = 0.001f;
    float epsC2 = 0.0f;    // eps * sqrt(1 - beta2^t)
    float stepSize = 0.0f; // -lr * sqrt(1 - beta2^t) / (1 - beta1^t)
    float decay = 1.0f;    // 1 - lr * weight_decay, applied when applyDecay
    bool applyDecay = false;
};

// One update of every element, one thread block per quantization block.
cudaError_t launchAdamW8bit(const AdamW8bitArgs &args, cudaStream_t stream);

} // namespace headroom::optim::kernels
