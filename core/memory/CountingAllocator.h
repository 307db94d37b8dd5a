// Exact tensor bytes on the CPU: a c10 allocator installed as LibTorch's CPU
// allocator (64-byte aligned blocks from c10::alloc_cpu, as the default one)
// that counts live bytes and their peak. What the memory probe and the tests
// measure with (DESIGN.md trap 8); CUDA has its own caching-
// allocator statistics. Counts tensor storage only, not the process's RSS.
#pragma once

#include <c10/core/Allocator.h>

#include <atomic>
#include <cstdint>

namespace headroom::memory {

class CountingAllocator final : public c10::Allocator
{
public:
    // Installs the process-wide instance in front of the current CPU allocator
    // (once) and returns it. Never uninstalled: tensors allocated through it
    // may outlive any scope, and their release must find it.
    static CountingAllocator &installForCpu();

    int64_t live() const { return m_live.load(); }
    int64_t peak() const { return m_peak.load(); }
    // Starts a new peak measurement from the bytes live now.
    void resetPeak() { m_peak = m_live.load(); }

    c10::DataPtr allocate(size_t bytes) override;
    void copy_data(void *dest, const void *src, std::size_t count) const override;
    c10::DeleterFnPtr raw_deleter() const override;

private:
    CountingAllocator() = default;
    static void release(void *data);

    std::atomic<int64_t> m_live{0};
    std::atomic<int64_t> m_peak{0};
};

} // namespace headroom::memory
