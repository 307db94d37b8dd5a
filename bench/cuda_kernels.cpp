// The CUDA kernels of core/ against their ATen fallbacks on the same GPU:
// NF4 dequantization (4096×4096 and 14336×4096, nf4 + double quant -> bf16),
// the one-row dequantize-GEMV against dequantize + at::linear, and one 8-bit
// AdamW step of a 4096×4096 parameter. Prints ms per call (median of 5 runs of
// `reps` calls between synchronisations) and GB/s of the bytes the operation
// must move at least, plus one agreement figure per pair: the tests
// (tst_quant_cuda, tst_optim_cuda) check in depth, this line is for machines
// without Qt Test. Exits 0 with a message when there is no GPU; exits 1 when
// a kernel disagrees with its fallback. Deliberately no JSON, no CLI parser.
#include "optim/AdamW8bit.h"
#include "quant/CudaDispatch.h"
#include "quant/Nf4.h"
#include "quant/Nf4Cuda.h"

#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAFunctions.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

using namespace headroom;

namespace {

constexpr int kReps = 20;

// Median over 5 runs of the time per call, after warm-up.
double msPerCall(const std::function<void()> &call)
{
    for (int i = 0; i < 3; ++i)
        call();
    c10::cuda::device_synchronize();
    std::vector<double> runs;
    for (int run = 0; run < 5; ++run) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kReps; ++i)
            call();
        c10::cuda::device_synchronize();
        const std::chrono::duration<double, std::milli> elapsed =
            std::chrono::steady_clock::now() - start;
        runs.push_back(elapsed.count() / kReps);
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

void report(const std::string &what, double bytes, double kernelMs, double atenMs,
            const std::string &agreement)
{
    std::printf("%-40s kernel %8.4f ms %7.0f GB/s | ATen %8.4f ms %7.0f GB/s | %5.1fx | %s\n",
                what.c_str(), kernelMs, bytes / kernelMs / 1e6, atenMs, bytes / atenMs / 1e6,
                atenMs / kernelMs, agreement.c_str());
}

bool sameBits(const at::Tensor &a, const at::Tensor &b)
{
    return a.sizes() == b.sizes() && at::equal(a.view(at::kShort), b.view(at::kShort));
}

quant::Nf4Weight quantizedOnGpu(int64_t out, int64_t in)
{
    auto w = at::randn({out, in}, at::kCUDA) * 0.02; // [out, in] fp32
    return quant::quantizeNf4(w, {quant::FourBitType::Nf4, 64, /*doubleQuant=*/true});
}

// Dequantization and the one-row GEMV of an [out, in] weight; false when
// the kernels disagree with the ATen path.
bool benchWeight(int64_t out, int64_t in)
{
    auto w = quantizedOnGpu(out, in);
    const double n = static_cast<double>(out) * in;
    const std::string shape = std::to_string(out) + "x" + std::to_string(in);

    // Packed bytes, one absmax code per 64, bf16 out.
    const double dequantBytes = n / 2 + n / 64 + 2 * n;
    auto kernelW = quant::dequantizeNf4Cuda(w, at::kBFloat16);
    at::Tensor atenW;
    {
        quant::AtenFallbackGuard fallback;
        atenW = quant::dequantizeNf4(w, at::kBFloat16);
    }
    const bool dequantSame = sameBits(kernelW, atenW);
    const double dk = msPerCall([&] { (void)quant::dequantizeNf4Cuda(w, at::kBFloat16); });
    const double da = msPerCall([&] {
        quant::AtenFallbackGuard fallback;
        (void)quant::dequantizeNf4(w, at::kBFloat16);
    });
    report("dequantize nf4+dq " + shape + " -> bf16", dequantBytes, dk, da,
           dequantSame ? "bit-identical" : "DIFFERENT BITS");

    // The GEMV must read the packed weight once; its fallback dequantizes
    // into bf16 and then runs cuBLAS over that copy.
    const double gemvBytes = n / 2 + n / 64;
    auto x = at::randn({1, in}, at::kCUDA).to(at::kBFloat16); // [1, in]
    auto yk = quant::nf4GemvCuda(x, w);
    auto yr = at::linear(x, atenW);
    const double rel =
        ((yk.to(at::kFloat) - yr.to(at::kFloat)).abs().max() / yr.to(at::kFloat).abs().max())
            .item<double>();
    const double gk = msPerCall([&] { (void)quant::nf4GemvCuda(x, w); });
    const double ga = msPerCall([&] {
        quant::AtenFallbackGuard fallback;
        (void)at::linear(x, quant::dequantizeNf4(w, at::kBFloat16));
    });
    char agreement[96];
    std::snprintf(agreement, sizeof agreement, "max |Δy| / max |y| %.2g", rel);
    report("GEMV [1," + std::to_string(in) + "] x nf4+dq " + shape, gemvBytes, gk, ga, agreement);
    return dequantSame && rel < 2e-2;
}

// One 8-bit AdamW step of a 4096×4096 parameter from the same state and
// gradient; false when the kernel disagrees with the ATen path.
bool benchAdamW()
{
    const int64_t rows = 4096, cols = 4096;
    const double n = static_cast<double>(rows) * cols;
    auto kernelParam = at::randn({rows, cols}, at::kCUDA);
    auto atenParam = kernelParam.clone();
    auto grad = at::randn({rows, cols}, at::kCUDA) * 1e-2;
    kernelParam.mutable_grad() = grad;
    atenParam.mutable_grad() = grad;
    optim::AdamW8bit kernelOpt({kernelParam}), atenOpt({atenParam});
    // Two steps each (the second from non-zero state), then compare.
    for (int i = 0; i < 2; ++i) {
        atenOpt.loadStateDict(kernelOpt.stateDict());
        atenParam.detach().copy_(kernelParam.detach());
        kernelOpt.step(1e-3);
        quant::AtenFallbackGuard fallback;
        atenOpt.step(1e-3);
    }
    const auto ks = kernelOpt.stateDict(), as = atenOpt.stateDict();
    int64_t differing = 0;
    for (const char *field : {"0.state1", "0.state2"})
        differing += ks.at(field).ne(as.at(field)).sum().item<int64_t>();
    const double dp = (kernelParam - atenParam).abs().max().item<double>();

    // Parameter read and written, gradient read, two codes read and written.
    const double bytes = 16 * n;
    const double k = msPerCall([&] { kernelOpt.step(1e-3); });
    const double a = msPerCall([&] {
        quant::AtenFallbackGuard fallback;
        atenOpt.step(1e-3);
    });
    char agreement[96];
    std::snprintf(agreement, sizeof agreement, "codes differing %lld of %.0f, max |Δp| %.2g",
                  static_cast<long long>(differing), 2 * n, dp);
    report("8-bit AdamW step 4096x4096", bytes, k, a, agreement);
    return differing <= static_cast<int64_t>(2 * n / 10000) && dp < 1e-5;
}

} // namespace

int main()
{
    if (!quant::cudaKernelsBuilt()) {
        std::printf("bench_cuda_kernels: this build has no CUDA kernels; nothing to measure\n");
        return 0;
    }
    if (!at::hasCUDA()) {
        std::printf("bench_cuda_kernels: no CUDA device on this machine; nothing to measure\n");
        return 0;
    }
    at::manual_seed(0);
    const auto *props = at::cuda::getCurrentDeviceProperties();
    std::printf("%s (sm_%d%d, %.0f GiB), LibTorch %d.%d.%d, %d calls per timing, median of 5\n",
                props->name, props->major, props->minor,
                static_cast<double>(props->totalGlobalMem) / (1 << 30), TORCH_VERSION_MAJOR,
                TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, kReps);
    bool agree = benchWeight(4096, 4096);
    agree = benchWeight(14336, 4096) && agree;
    agree = benchAdamW() && agree;
    std::printf("%s\n", agree ? "all kernels agree with their ATen fallbacks"
                              : "MISMATCH: a kernel disagrees with its ATen fallback");
    return agree ? 0 : 1;
}
