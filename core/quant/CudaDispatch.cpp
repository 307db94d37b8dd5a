// The kernel switch; see CudaDispatch.h. HEADROOM_WITH_CUDA_KERNELS comes from
// cmake/HeadroomCuda.cmake when the kernels are compiled.
#include "quant/CudaDispatch.h"

namespace headroom::quant {

namespace {
thread_local int t_fallbackDepth = 0; // AtenFallbackGuards alive on this thread
} // namespace

bool cudaKernelsBuilt()
{
#ifdef HEADROOM_WITH_CUDA_KERNELS
    return true;
#else
    return false;
#endif
}

bool cudaKernelsEnabled()
{
    return cudaKernelsBuilt() && t_fallbackDepth == 0;
}

AtenFallbackGuard::AtenFallbackGuard()
{
    ++t_fallbackDepth;
}

AtenFallbackGuard::~AtenFallbackGuard()
{
    --t_fallbackDepth;
}

} // namespace headroom::quant
