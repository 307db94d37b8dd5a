#!/usr/bin/env bash
# One-shot GPU check of the CUDA kernels of core/ (issue 6, item 3) on a machine
# with a GPU, torch in python3, cmake, ninja and nvcc: configures core + CLI
# with the UI off (Release, the GPU's architecture only), builds the kernel
# benchmark and, when Qt 6 is installed, the two Qt Test suites, runs them and
# prints the results. When the project cannot be configured (a Debian -dev
# package missing), it compiles the benchmark alone against torch instead, so
# the kernels are still measured and compared with their ATen fallbacks.
# Usage: bench/gpu_check.sh [build-dir]      (PYTHON=... to pick the python)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build/gpu-check}"
python="$(command -v "${PYTHON:-python3}")"
jobs="$(nproc)"
say() { printf '\n== %s\n' "$*"; }

say "machine"
nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader || exit 1
"$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "GPU", torch.cuda.is_available())' || exit 1
arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '. ')" # e.g. 90
[[ "$arch" =~ ^[0-9]+$ ]] ||
    arch="$("$python" -c 'import torch; print("%d%d" % torch.cuda.get_device_capability())')"
export TORCH_CUDA_ARCH_LIST="${arch:0:${#arch}-1}.${arch: -1}"                            # e.g. 9.0
mkdir -p "$build"

configure() {
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHEADROOM_PYTHON="$python" \
        -DCMAKE_CUDA_ARCHITECTURES="$arch" -DHEADROOM_CUDA_KERNELS=ON "$@" >"$build/configure.log" 2>&1
}

# The Qt Test suites need the whole Qt configuration (HEADROOM_WITH_TESTS needs
# HEADROOM_WITH_QT: Qt6 Core/Widgets/PrintSupport/Test/LinguistTools, QCustomPlot).
say "configure"
tests=()
if configure -DHEADROOM_WITH_QT=ON -DHEADROOM_WITH_TESTS=ON; then
    tests=(tst_quant_cuda tst_optim_cuda)
elif ! configure -DHEADROOM_WITH_QT=OFF -DHEADROOM_WITH_TESTS=OFF; then
    tail -n 15 "$build/configure.log"
    say "the project does not configure here: building bench_cuda_kernels alone"
    torch="$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')"
    abi="$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
    out="$build/standalone"
    mkdir -p "$out"
    cxx=(g++ -std=c++20 -O2 -D_GLIBCXX_USE_CXX11_ABI="$abi" -DHEADROOM_WITH_CUDA_KERNELS=1 -Icore
         -I"$torch/include" -I"$torch/include/torch/csrc/api/include" -I/usr/local/cuda/include)
    nvcc=(/usr/local/cuda/bin/nvcc -O3 -std=c++17 -arch="sm_$arch" -Icore -Xcompiler=-fPIC)
    pids=()
    for cu in core/quant/Nf4Cuda.cu core/optim/AdamW8bitCuda.cu; do
        "${nvcc[@]}" -c "$cu" -o "$out/$(basename "$cu").o" & pids+=($!)
    done
    for cpp in core/common/Error.cpp core/quant/Blockwise8bit.cpp core/quant/Nf4.cpp \
        core/quant/Nf4Cuda.cpp core/quant/CudaDispatch.cpp core/optim/AdamW8bit.cpp \
        core/optim/AdamW8bitCuda.cpp bench/cuda_kernels.cpp; do
        "${cxx[@]}" -c "$cpp" -o "$out/$(basename "$cpp").o" & pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
    # libstdc++ before libtorch, as cmake/HeadroomDependencies.cmake explains.
    g++ -o "$out/bench_cuda_kernels" "$out"/*.o -L"$torch/lib" -Wl,-rpath,"$torch/lib" \
        -Wl,--no-as-needed -lstdc++ -ltorch -ltorch_cpu -ltorch_cuda -lc10 -lc10_cuda \
        -L/usr/local/cuda/lib64 -lcudart || exit 1
    say "bench_cuda_kernels (standalone)"
    "$out/bench_cuda_kernels"
    exit $?
fi
grep -E 'LibTorch|CUDA kernels' "$build/configure.log"

say "build ${tests[*]} bench_cuda_kernels"
ninja -C "$build" -j "$jobs" "${tests[@]}" bench_cuda_kernels >"$build/build.log" 2>&1 ||
    { tail -n 40 "$build/build.log"; exit 1; }

status=0
for t in "${tests[@]}"; do
    say "$t"
    exe="$(find "$build/tests" -name "$t" -type f -perm -u+x | head -1)"
    QT_QPA_PLATFORM=offscreen "$exe" | grep -vE '^(PASS|SKIP) |^   Loc:' || status=1
done
[ ${#tests[@]} -eq 0 ] && say "Qt 6 not found: tst_quant_cuda and tst_optim_cuda not built (bench checks only)"
say "bench_cuda_kernels"
"$build/bench/bench_cuda_kernels" || status=1
exit $status
