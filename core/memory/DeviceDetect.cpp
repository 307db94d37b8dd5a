// Device detection; see DeviceDetect.h.
#include "memory/DeviceDetect.h"

#include "common/Error.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#ifdef HEADROOM_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>

#include <cuda_runtime_api.h>
#endif

namespace headroom::memory {

std::vector<DeviceInfo> detectGpus()
{
    std::vector<DeviceInfo> gpus;
#ifdef HEADROOM_WITH_CUDA
    // device_count() is 0 (not an error) without a driver or a GPU.
    const int count = static_cast<int>(c10::cuda::device_count());
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp props{};
        if (cudaGetDeviceProperties(&props, i) != cudaSuccess)
            continue;
        DeviceInfo d;
        d.kind = DeviceInfo::Kind::Cuda;
        d.name = props.name;
        d.totalBytes = static_cast<int64_t>(props.totalGlobalMem);
        d.detected = true;
        int previous = 0;
        size_t freeBytes = 0, totalBytes = 0;
        if (cudaGetDevice(&previous) == cudaSuccess && cudaSetDevice(i) == cudaSuccess &&
            cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess) {
            d.freeBytes = static_cast<int64_t>(freeBytes);
            d.totalBytes = static_cast<int64_t>(totalBytes);
            // Everything not free and not ours; our own context is counted by
            // the estimate itself, so it is taken out here (roughly).
            const int64_t ours = int64_t{500} << 20;
            d.usedByOthers = std::max<int64_t>(0, d.totalBytes - d.freeBytes - ours);
        }
        cudaSetDevice(previous);
        cudaGetLastError(); // clear a sticky error of the queries above
        gpus.push_back(d);
    }
#endif
    return gpus;
}

DeviceInfo detectCpu()
{
    DeviceInfo d;
    d.kind = DeviceInfo::Kind::Cpu;
    d.name = "cpu";
    d.detected = true;
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0)
        d.totalBytes = static_cast<int64_t>(pages) * pageSize;
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        std::istringstream in(line);
        std::string key;
        int64_t kib = 0;
        in >> key >> kib;
        if (key == "MemAvailable:")
            d.freeBytes = kib * 1024;
    }
    if (d.freeBytes > 0 && d.totalBytes > 0)
        d.usedByOthers = d.totalBytes - d.freeBytes;
    return d;
}

DeviceInfo detectDevice(const train::DeviceSpec &spec)
{
    if (spec.kind == train::DeviceSpec::Kind::Cpu)
        return detectCpu();
    const auto gpus = detectGpus();
    if (spec.kind == train::DeviceSpec::Kind::Auto)
        return gpus.empty() ? detectCpu() : gpus.front();
    if (spec.index < 0 || static_cast<size_t>(spec.index) >= gpus.size())
        throw Error("device `" + spec.toString() + "`: this machine has " +
                    std::to_string(gpus.size()) + " CUDA device(s)");
    return gpus[static_cast<size_t>(spec.index)];
}

} // namespace headroom::memory
