// Whether the CUDA kernels of core/ (quant/Nf4Cuda.cu, optim/AdamW8bitCuda.cu)
// may run: they were compiled (LibTorch with CUDA, nvcc present, option
// HEADROOM_CUDA_KERNELS on) and the calling thread has not asked for the ATen
// paths. The switch exists so that tests and benchmarks can run a kernel and
// its ATen fallback on the same CUDA tensors and compare them. Deliberately no
// per-kernel switches and no device queries.
#pragma once

namespace headroom::quant {

// True when this build compiled the CUDA kernels.
bool cudaKernelsBuilt();

// True when dispatch may use them on this thread: built, and no
// AtenFallbackGuard alive on this thread.
bool cudaKernelsEnabled();

// While alive, the calling thread takes the ATen paths even for CUDA tensors.
// Nests; other threads are unaffected, including the threads on which autograd
// runs a CUDA backward pass.
class AtenFallbackGuard
{
public:
    AtenFallbackGuard();
    ~AtenFallbackGuard();
    AtenFallbackGuard(const AtenFallbackGuard &) = delete;
    AtenFallbackGuard &operator=(const AtenFallbackGuard &) = delete;
};

} // namespace headroom::quant
