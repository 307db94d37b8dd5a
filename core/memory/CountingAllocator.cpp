// Counting wrapper around the CPU allocator.
#include "memory/CountingAllocator.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/alignment.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstddef>
#include <cstring>
#include <new>

namespace headroom::memory {

namespace {
// Each block carries a header of one alignment unit in front of the data
// holding its size and owner, so the DataPtr's context is the data pointer
// itself: LibTorch's raw_allocate() (used inside some kernels) requires that.
struct Header
{
    int64_t bytes;
    CountingAllocator *owner;
};
constexpr size_t kHeaderBytes = c10::gAlignment; // keeps the data aligned
static_assert(sizeof(Header) <= kHeaderBytes);
} // namespace

CountingAllocator &CountingAllocator::installForCpu()
{
    static CountingAllocator *instance = [] {
        auto *allocator = new CountingAllocator();
        c10::SetCPUAllocator(allocator, /*priority=*/100);
        return allocator;
    }();
    return *instance;
}

c10::DataPtr CountingAllocator::allocate(size_t bytes)
{
    auto *block = static_cast<std::byte *>(c10::alloc_cpu(bytes + kHeaderBytes));
    new (block) Header{static_cast<int64_t>(bytes), this};
    void *data = block + kHeaderBytes;
    const int64_t now = m_live += static_cast<int64_t>(bytes);
    int64_t peak = m_peak.load();
    while (now > peak && !m_peak.compare_exchange_weak(peak, now)) {
    }
    return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
}

void CountingAllocator::copy_data(void *dest, const void *src, std::size_t count) const
{
    std::memcpy(dest, src, count);
}

c10::DeleterFnPtr CountingAllocator::raw_deleter() const
{
    return &release;
}

void CountingAllocator::release(void *data)
{
    if (!data)
        return;
    auto *block = static_cast<std::byte *>(data) - kHeaderBytes;
    const auto *header = reinterpret_cast<const Header *>(block);
    header->owner->m_live -= header->bytes;
    c10::free_cpu(block);
}

} // namespace headroom::memory
