// The devices of this machine, for the estimate: every CUDA GPU LibTorch
// sees (name, total and free memory, memory held by other processes) and
// the CPU's RAM. Links LibTorch (the CUDA runtime when LibTorch has CUDA);
// deliberately no NVML and no process list: free/total comes from
// cudaMemGetInfo, which creates this process's context on the device first.
#pragma once

#include "memory/MemoryEstimate.h"

#include <vector>

namespace headroom::memory {

// CUDA devices in index order (empty without CUDA or without a GPU).
std::vector<DeviceInfo> detectGpus();

// The host: total and available RAM (from /proc/meminfo where present).
DeviceInfo detectCpu();

// "cpu", "cuda", "cuda:N" or "auto" (the first GPU, else the CPU), as the
// run config's `device`. Throws headroom::Error for a GPU that is not there.
DeviceInfo detectDevice(const train::DeviceSpec &spec);

} // namespace headroom::memory
