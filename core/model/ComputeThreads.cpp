// CPU thread count for LibTorch's intra-op pool.
#include "model/ComputeThreads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

namespace headroom::model {

void useAllCpuThreads()
{
    // OMP_NUM_THREADS, when a person set it, wins: it is how one shares the
    // machine with other work (and how benchmarks pin both stacks alike).
    if (const char *text = std::getenv("OMP_NUM_THREADS")) {
        char *end = nullptr;
        const long n = std::strtol(text, &end, 10);
        if (end != text && *end == '\0' && n > 0 && n <= 4096) {
            at::set_num_threads(static_cast<int>(n));
            return;
        }
    }
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

} // namespace headroom::model
