// CPU and CUDA implementations of MemoryProbe.
#include "memory/MemoryProbe.h"

#include "common/Error.h"
#include "memory/CountingAllocator.h"

#ifdef HEADROOM_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace headroom::memory {

namespace {

class CpuProbe final : public MemoryProbe
{
public:
    CpuProbe() : m_allocator(CountingAllocator::installForCpu()) {}
    int64_t allocated() const override { return m_allocator.live(); }
    int64_t peak() const override { return m_allocator.peak(); }
    int64_t reserved() const override { return m_allocator.live(); }
    void resetPeak() override { m_allocator.resetPeak(); }

private:
    CountingAllocator &m_allocator;
};

#ifdef HEADROOM_WITH_CUDA
class CudaProbe final : public MemoryProbe
{
public:
    explicit CudaProbe(c10::DeviceIndex index) : m_index(index) {}

    int64_t allocated() const override { return bytes().allocated_bytes[kAggregate].current; }
    int64_t peak() const override { return bytes().allocated_bytes[kAggregate].peak; }
    int64_t reserved() const override { return bytes().reserved_bytes[kAggregate].current; }
    void resetPeak() override { c10::cuda::CUDACachingAllocator::resetPeakStats(m_index); }

private:
    static constexpr size_t kAggregate =
        static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    c10::CachingDeviceAllocator::DeviceStats bytes() const
    {
        return c10::cuda::CUDACachingAllocator::getDeviceStats(m_index);
    }
    c10::DeviceIndex m_index;
};
#endif

} // namespace

std::unique_ptr<MemoryProbe> MemoryProbe::forDevice(const c10::Device &device)
{
    if (device.is_cpu())
        return std::make_unique<CpuProbe>();
#ifdef HEADROOM_WITH_CUDA
    if (device.is_cuda())
        return std::make_unique<CudaProbe>(device.has_index() ? device.index() : 0);
#endif
    throw Error("no memory probe for device " + device.str() + " in this build");
}

} // namespace headroom::memory
