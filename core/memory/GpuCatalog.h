// Common GPUs by name, to plan a run for a card one does not have
// (`headroom-cli estimate --gpu "RTX 4090"`, the GUI's device list): one row
// per product with its memory, covering the 8/12/16/24/40/48/80 GB classes.
// Deliberately only names and sizes: no speeds, no detection (DeviceDetect).
#pragma once

#include "memory/MemoryEstimate.h"

#include <optional>
#include <string>
#include <vector>

namespace headroom::memory {

struct GpuModel
{
    std::string name; // "NVIDIA GeForce RTX 4090"
    int64_t memoryGiB = 0;
};

const std::vector<GpuModel> &gpuCatalog();

// Case-insensitive match of `query` ("4090", "rtx 3060 12gb", "a100-80gb",
// "h100") against the catalog; the best match (whole words first, then the
// shortest name), or nullopt.
std::optional<GpuModel> findGpu(const std::string &query);

// A planned (not detected) CUDA device of the catalog entry.
DeviceInfo plannedDevice(const GpuModel &gpu);

} // namespace headroom::memory
