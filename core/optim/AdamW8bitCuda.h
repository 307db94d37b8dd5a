// The blockwise 8-bit AdamW step on the GPU: the tensor side of the kernel in
// AdamW8bitCuda.cu. AdamW8bit::step dispatches here for a CUDA parameter with
// 8-bit state when adamW8bitCudaSupports() says so, and takes its chunked
// ATen path otherwise (that path stays the reference). Deliberately only the
// 8-bit state: parameters below min8bitSize keep the fp32 ATen update.
#pragma once

#include "optim/AdamW8bit.h"

#include <ATen/ATen.h>

namespace headroom::optim {

// One parameter's 8-bit state, as AdamW8bit keeps it (all on the parameter's
// device; the code books may live elsewhere and are copied over).
struct AdamW8bitCudaState
{
    at::Tensor codes1, codes2;   // uint8, numel of the parameter
    at::Tensor absmax1, absmax2; // fp32 [ceil(numel / blocksize)]
    at::Tensor map1, map2;       // fp32 [256], ascending
};

// Whether the kernel takes this parameter: kernels compiled and enabled on
// this thread (quant/CudaDispatch.h), a contiguous fp32 CUDA tensor, and a
// blocksize that is a multiple of 32 no larger than 1024 (bnb's is 256).
bool adamW8bitCudaSupports(const at::Tensor &param, const AdamW8bitOptions &options);

// One AdamW step of `param` (fp32, updated in place) with `grad` (fp32, its
// numel) at 1-based step `step`: SPECS §3.4 with the decay after the Adam
// step, NaN/Inf gradient elements zeroing m and v and leaving the parameter.
// Rewrites the codes and absmax of `state`. Throws headroom::Error for
// mismatched shapes, dtypes or devices, or a build without kernels.
void adamW8bitStepCuda(const at::Tensor &param, const at::Tensor &grad, AdamW8bitCudaState &state,
                       int64_t step, double lr, const AdamW8bitOptions &options);

} // namespace headroom::optim
