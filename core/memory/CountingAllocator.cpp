// Counting wrapper around the CPU allocator.
#include "memory/CountingAllocator.h"

#include <c10/core/CPUAllocator.h>

#include <cstring>

namespace headroom::memory {

namespace {
struct Allocation
{
    c10::DataPtr inner;
    int64_t bytes;
    CountingAllocator *owner;
};
} // namespace

CountingAllocator &CountingAllocator::installForCpu()
{
    static CountingAllocator *instance = [] {
        auto *allocator = new CountingAllocator(c10::GetCPUAllocator());
        c10::SetCPUAllocator(allocator, /*priority=*/100);
        return allocator;
    }();
    return *instance;
}

c10::DataPtr CountingAllocator::allocate(size_t bytes)
{
    auto inner = m_base->allocate(bytes);
    void *data = inner.get();
    const auto device = inner.device();
    auto *allocation = new Allocation{std::move(inner), static_cast<int64_t>(bytes), this};
    const int64_t now = m_live += static_cast<int64_t>(bytes);
    int64_t peak = m_peak.load();
    while (now > peak && !m_peak.compare_exchange_weak(peak, now)) {
    }
    return {data, allocation, &release, device};
}

void CountingAllocator::copy_data(void *dest, const void *src, std::size_t count) const
{
    std::memcpy(dest, src, count);
}

void CountingAllocator::release(void *context)
{
    auto *allocation = static_cast<Allocation *>(context);
    allocation->owner->m_live -= allocation->bytes;
    delete allocation; // frees the inner DataPtr through the base allocator
}

} // namespace headroom::memory
