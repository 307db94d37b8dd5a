// The three schedules of LrSchedule.h, line for line with transformers'
// optimization.py lambdas (num_cycles = 0.5 for cosine).
#include "train/LrSchedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace headroom::train {

double learningRateAt(const LrScheduleSpec &spec, int64_t stepsDone)
{
    const int64_t total = std::max<int64_t>(1, spec.totalSteps);
    const int64_t warmup = std::clamp<int64_t>(spec.warmupSteps, 0, total);
    const auto step = static_cast<double>(stepsDone);
    if (stepsDone < warmup)
        return spec.baseLr * step / static_cast<double>(std::max<int64_t>(1, warmup));
    const double progress = (step - static_cast<double>(warmup)) /
                            static_cast<double>(std::max<int64_t>(1, total - warmup));
    switch (spec.schedule) {
    case LrSchedule::Constant:
        return spec.baseLr;
    case LrSchedule::Linear:
        return spec.baseLr * std::max(0.0, 1.0 - progress);
    case LrSchedule::Cosine:
        return spec.baseLr * std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
    }
    return spec.baseLr;
}

} // namespace headroom::train
