// Which components of a MemoryEstimate are live at each of the four stages
// (load, forward, backward, optimizer), in bytes, so that a stacked bar per
// stage sums to exactly estimate.stage(s). Mirrors how estimateMemory()
// composes the stages (core/memory/MemoryEstimate.cpp):
//   load      = base + quantized weights + LoRA parameters + master weights
//   optimizer = load + optimizer states
//   forward   = optimizer + activations + attention scores + batch
//               (+ gradients while accumulating over micro-batches)
//   backward  = optimizer + gradients + batch (+ checkpoint bookkeeping)
// What no component names (checkpoint RNG states, a calibration's rounding)
// is the "other" segment. Transients (logits, scratch) are not in any stage:
// they are what the peak adds on top. Qt-free and pure.
#pragma once

#include "memory/MemoryEstimate.h"
#include "train/TrainConfig.h"

#include <array>
#include <string>
#include <vector>

namespace headroom::ui {

inline constexpr std::array<memory::Stage, 4> kStages = {
    memory::Stage::Load, memory::Stage::Forward, memory::Stage::Backward, memory::Stage::Optimizer};

struct StageSegment
{
    std::string key;                // a MemoryComponent key, or "other"
    std::array<int64_t, 4> bytes{}; // per stage, in kStages order
};

// Only segments with bytes in some stage; bottom of the stack first.
std::vector<StageSegment> stageBreakdown(const memory::MemoryEstimate &estimate,
                                         const train::TrainConfig &config);

} // namespace headroom::ui
