// The calibration probe: runs two real optimizer steps of a run on this
// machine (the second one has the optimizer states, as the estimate
// assumes) on rows that fill max_seq_len exactly — the longest batch any
// dataset can give — and returns the measured peak beside the estimate's.
// Links the trainer (library headroom_calibration), so it is not part of the
// torch-free estimator. Writes only under a temporary folder, removed after.
#pragma once

#include "memory/MemoryCalibration.h"
#include "model/ModelConfig.h"
#include "train/TrainConfig.h"

namespace headroom::memory {

// Throws what the Trainer throws (bad config, out of memory as TrainingError).
Calibration runCalibrationProbe(const train::TrainConfig &config, const model::ModelConfig &model);

} // namespace headroom::memory
