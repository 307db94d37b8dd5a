#include "model/ComputeThreads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace headroom::model {

void useAllCpuThreads()
{
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

} // namespace headroom::model
