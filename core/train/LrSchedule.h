// Learning rate per optimizer step, as transformers' schedulers
// (get_{cosine,linear,constant}_schedule_with_warmup): linear warm-up from 0,
// then cosine to 0, linear to 0, or constant. `stepsDone` counts the steps
// already taken, so the first step runs at lr(0) — 0 with warm-up, exactly as
// the Trainer of transformers does.
#pragma once

#include "train/TrainConfig.h"

#include <cstdint>

namespace headroom::train {

struct LrScheduleSpec
{
    LrSchedule schedule = LrSchedule::Cosine;
    double baseLr = 2e-4;
    int64_t warmupSteps = 0; // capped at totalSteps
    int64_t totalSteps = 1;
};

double learningRateAt(const LrScheduleSpec &spec, int64_t stepsDone);

} // namespace headroom::train
