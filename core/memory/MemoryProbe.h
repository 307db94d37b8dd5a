// Measured memory of one device, the same questions on CPU and GPU: bytes
// held by tensors now, their peak since the last reset, and what the
// allocator has reserved from the system. On CUDA the answers are the caching
// allocator's statistics; on the CPU they come from the counting allocator
// (installed by forDevice, so create the probe before loading anything you
// want counted). DESIGN.md trap 8: memory is measured, not guessed.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <memory>

namespace headroom::memory {

class MemoryProbe
{
public:
    virtual ~MemoryProbe() = default;

    // The probe of `device`; CUDA devices only in a LibTorch built with CUDA
    // (otherwise an Error).
    static std::unique_ptr<MemoryProbe> forDevice(const c10::Device &device);

    virtual int64_t allocated() const = 0; // tensor bytes live now
    virtual int64_t peak() const = 0;      // most tensor bytes live since resetPeak()
    virtual int64_t reserved() const = 0;  // held from the system (CUDA cache; CPU: allocated)
    virtual void resetPeak() = 0;          // a new peak window starts from allocated()
};

} // namespace headroom::memory
