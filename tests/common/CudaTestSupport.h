// Why a test that compares a CUDA kernel with its ATen fallback cannot run
// here (no kernels compiled, no device), for QSKIP; nullptr when it can.
#pragma once

#include "quant/CudaDispatch.h"

#include <ATen/Context.h>

namespace headroom::test {

inline const char *cudaComparisonUnavailable()
{
    if (!quant::cudaKernelsBuilt())
        return "built without CUDA kernels (LibTorch without CUDA, no nvcc, or "
               "HEADROOM_CUDA_KERNELS=OFF): nothing to compare";
    if (!at::hasCUDA())
        return "no CUDA device: kernels are compared with their ATen fallbacks on a GPU only";
    return nullptr;
}

} // namespace headroom::test

// In a Qt Test slot: skip it, saying why, where the comparison cannot run.
#define REQUIRE_GPU()                                                                              \
    do {                                                                                           \
        if (const char *why = headroom::test::cudaComparisonUnavailable())                         \
            QSKIP(why);                                                                            \
    } while (0)
