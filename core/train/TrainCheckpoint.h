// Saving and restoring a run's state (internal to core/train): trainable
// weights (a PEFT adapter folder for LoRA, fp32 masters otherwise), the
// optimizer states, the RNG states, the data position and the config, in
// checkpoints/step-NNNNNNNN/ of the run folder. A checkpoint is written under
// a temporary name and renamed when complete, then checkpoints/latest points
// to it, so a crash while saving leaves the previous checkpoint intact.
// Every file is fsynced, and so is every folder whose entries change; the
// folder's SHA256SUMS (common/ChecksumManifest.h) is written last and
// verified on load, so a torn or corrupted file is an Error naming it.
#pragma once

#include "model/TensorFile.h"
#include "train/TrainingSession.h"

#include <filesystem>

namespace headroom::train {

// Writes the checkpoint of `session.stepsDone`, points `latest` at it and
// keeps the newest kKeptCheckpoints. Returns its folder.
std::filesystem::path saveCheckpoint(TrainingSession &session, const std::filesystem::path &runDir);

// Restores weights, optimizer, RNG, scaler and counters into a session built
// from the checkpoint's run.json. Errors name the file and the tensor.
void loadCheckpoint(TrainingSession &session, const std::filesystem::path &folder);

inline constexpr int kKeptCheckpoints = 2;

// The states of the generators that decide dropout (the CPU's and the
// training device's), by device name; what rng.safetensors holds.
model::NamedTensors captureRngStates(const at::Device &device);
void restoreRngStates(const model::NamedTensors &states);

} // namespace headroom::train
