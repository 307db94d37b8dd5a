// LibTorch's intra-op thread pool sized to the machine, for the executables'
// main() (CLI and GUI alike), in a torch-free header so the GUI can call it.
// LibTorch defaults to the physical cores it detects, which in containers and
// under cgroup limits is often fewer than the threads we may use.
#pragma once

namespace headroom::model {

// at::set_num_threads(hardware threads), or OMP_NUM_THREADS where it is set to
// a positive number; call once, before any tensor work.
void useAllCpuThreads();

} // namespace headroom::model
