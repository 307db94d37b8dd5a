// The memory estimate against measurement on the validation grid (the same
// cases as tests/core/memory/tst_memory_estimate): per case and stage the
// estimate, the counting allocator's measurement and the error, then the
// largest errors and the estimator's speed. Never part of the test pass/fail.
#include "EstimateGrid.h"

#include <ATen/Parallel.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

using namespace headroom;
namespace fs = std::filesystem;

int main(int argc, char **argv)
{
    std::string only = argc > 1 ? argv[1] : "";
    const fs::path work =
        fs::temp_directory_path() / ("headroom-estimate-grid-" + std::to_string(::getpid()));
    fs::create_directories(work);
    auto cases = test::makeEstimateGrid(work);
    std::printf("%s\n", test::gridHeader().c_str());
    double worstPeak = 0, worstStage = 0;
    std::string worstPeakCase, worstStageCase;
    for (const auto &c : cases) {
        if (!only.empty() && c.name.find(only) == std::string::npos)
            continue;
        auto r = test::runGridCase(c, work);
        std::printf("%s  (%.1f s)\n", test::gridLine(r).c_str(), r.seconds);
        std::fflush(stdout);
        const double p = std::abs(test::relativeError(r.estimate.peak, r.measured.peak));
        if (p > worstPeak) {
            worstPeak = p;
            worstPeakCase = c.name;
        }
        for (auto [e, m] : {std::pair{r.estimate.load, r.measured.load},
                            {r.estimate.forward, r.measured.forward},
                            {r.estimate.backward, r.measured.backward},
                            {r.estimate.optimizer, r.measured.optimizer}}) {
            const double s = std::abs(test::relativeError(e, m));
            if (s > worstStage) {
                worstStage = s;
                worstStageCase = c.name;
            }
        }
    }
    fs::remove_all(work);
    std::printf("\nlargest peak error %.1f %% (%s); largest stage error %.1f %% (%s)\n",
                100 * worstPeak, worstPeakCase.c_str(), 100 * worstStage, worstStageCase.c_str());

    const auto start = std::chrono::steady_clock::now();
    int64_t sink = 0;
    for (int i = 0; i < 10000; ++i)
        sink += memory::estimateMemory(cases[static_cast<size_t>(i) % cases.size()].model,
                                       cases[static_cast<size_t>(i) % cases.size()].config)
                    .peak;
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count() /
        10000;
    std::printf("estimateMemory: %.2f us per call (%lld)\n", us, static_cast<long long>(sink % 7));
    return 0;
}
