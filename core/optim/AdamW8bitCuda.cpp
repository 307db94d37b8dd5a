// The tensor side of the 8-bit AdamW CUDA kernel; see AdamW8bitCuda.h.
// Without HEADROOM_WITH_CUDA_KERNELS (cmake/HeadroomCuda.cmake) the step
// checks its inputs and then reports the missing kernel, so that callers
// need no #if.
#include "optim/AdamW8bitCuda.h"

#include "common/Error.h"
#include "quant/CudaDispatch.h"

#ifdef HEADROOM_WITH_CUDA_KERNELS
#include "optim/AdamW8bitKernels.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include <cmath>
#include <string>

namespace headroom::optim {

namespace {

bool blocksizeFits(int64_t blocksize)
{
    return blocksize >= 32 && blocksize <= 1024 && blocksize % 32 == 0;
}

// `t` must be a contiguous tensor of `dtype` with `numel` elements on `device`
// (written in place, so never silently copied).
void requireTensor(const at::Tensor &t, const char *name, at::ScalarType dtype, int64_t numel,
                   const at::Device &device)
{
    const std::string what = std::string("8-bit AdamW (CUDA): ") + name;
    if (!t.defined())
        throw Error(what + " is missing");
    if (t.scalar_type() != dtype || t.numel() != numel)
        throw Error(what + " has dtype " + std::string(c10::toString(t.scalar_type())) + " and " +
                    std::to_string(t.numel()) + " elements, expected " +
                    std::string(c10::toString(dtype)) + " and " + std::to_string(numel));
    if (t.device() != device)
        throw Error(what + " is on " + t.device().str() + ", the parameter on " + device.str());
    if (!t.is_contiguous())
        throw Error(what + " must be contiguous");
}

} // namespace

bool adamW8bitCudaSupports(const at::Tensor &param, const AdamW8bitOptions &options)
{
    return quant::cudaKernelsEnabled() && param.defined() && param.is_cuda() &&
           param.scalar_type() == at::kFloat && param.is_contiguous() &&
           blocksizeFits(options.blocksize);
}

void adamW8bitStepCuda(const at::Tensor &param, const at::Tensor &grad, AdamW8bitCudaState &state,
                       int64_t step, double lr, const AdamW8bitOptions &options)
{
    if (!blocksizeFits(options.blocksize))
        throw Error("8-bit AdamW (CUDA): blocksize " + std::to_string(options.blocksize) +
                    " is not a multiple of 32 between 32 and 1024");
    if (step < 1)
        throw Error("8-bit AdamW (CUDA): step " + std::to_string(step) + " must be 1 or more");
    if (!param.defined() || !param.is_cuda())
        throw Error("8-bit AdamW (CUDA): the parameter must be a CUDA tensor");
    const auto device = param.device();
    const int64_t n = param.numel();
    const int64_t blocks = (n + options.blocksize - 1) / options.blocksize;
    requireTensor(param, "the parameter", at::kFloat, n, device);
    requireTensor(grad, "the gradient", at::kFloat, n, device);
    requireTensor(state.codes1, "state1", at::kByte, n, device);
    requireTensor(state.codes2, "state2", at::kByte, n, device);
    requireTensor(state.absmax1, "absmax1", at::kFloat, blocks, device);
    requireTensor(state.absmax2, "absmax2", at::kFloat, blocks, device);
    for (const auto *map : {&state.map1, &state.map2})
        if (!map->defined() || map->scalar_type() != at::kFloat || map->numel() != 256)
            throw Error("8-bit AdamW (CUDA): the code books must be fp32 [256]");
    if (!quant::cudaKernelsBuilt())
        throw Error("8-bit AdamW (CUDA): this build has no CUDA kernels (LibTorch without CUDA, "
                    "no nvcc, or HEADROOM_CUDA_KERNELS=OFF)");
#ifdef HEADROOM_WITH_CUDA_KERNELS
    const c10::cuda::CUDAGuard guard(device);
    auto map1 = state.map1.to(device).contiguous();
    auto map2 = state.map2.to(device).contiguous();

    // SPECS §3.4 in double, each scalar then rounded once to fp32.
    const double c1 = 1.0 - std::pow(options.beta1, static_cast<double>(step));
    const double c2 = std::sqrt(1.0 - std::pow(options.beta2, static_cast<double>(step)));
    kernels::AdamW8bitArgs args;
    args.param = param.data_ptr<float>();
    args.grad = grad.data_ptr<float>();
    args.codes1 = state.codes1.data_ptr<uint8_t>();
    args.codes2 = state.codes2.data_ptr<uint8_t>();
    args.absmax1 = state.absmax1.data_ptr<float>();
    args.absmax2 = state.absmax2.data_ptr<float>();
    args.map1 = map1.data_ptr<float>();
    args.map2 = map2.data_ptr<float>();
    args.n = n;
    args.blocksize = static_cast<int>(options.blocksize);
    args.beta1 = static_cast<float>(options.beta1);
    args.oneMinusBeta1 = static_cast<float>(1.0 - options.beta1);
    args.beta2 = static_cast<float>(options.beta2);
    args.oneMinusBeta2 = static_cast<float>(1.0 - options.beta2);
    args.epsC2 = static_cast<float>(options.eps * c2);
    args.stepSize = static_cast<float>(-lr * c2 / c1);
    args.decay = static_cast<float>(1.0 - lr * options.weightDecay);
    args.applyDecay = options.weightDecay > 0.0;
    const auto status = kernels::launchAdamW8bit(args, c10::cuda::getCurrentCUDAStream().stream());
    if (status != cudaSuccess)
        throw Error(std::string("8-bit AdamW (CUDA): kernel failed to launch: ") +
                    cudaGetErrorString(status));
#endif
}

} // namespace headroom::optim
