// What to change so that a run fits a memory budget: every single change
// that lowers the estimate, ranked by what it costs in speed or quality, with
// its saving ("gradient checkpointing: -3.1 GB, about +30 % step time"), and
// auto-fit: the cheapest combination of changes that fits. Pure functions of
// the estimate's inputs, no tensors; the costs are rules of thumb of the
// field (recomputation ≈ one more forward, dequantization per matmul, ...),
// said as such in each line. Deliberately never shortens max_seq_len on its
// own in auto-fit: that changes what the model learns, so it is advice only.
#pragma once

#include "memory/MemoryEstimate.h"

#include <optional>
#include <string>
#include <vector>

namespace headroom::memory {

struct FitChange
{
    std::string key;           // "gradient_checkpointing", "micro_batch", ...
    std::string description;   // "gradient checkpointing: -3.1 GB, about +30 % step time"
    std::string cost;          // "about +30 % step time"
    int64_t saving = 0;        // bytes of device peak saved (> 0)
    double costRank = 0;       // relative cost; lower is cheaper
    bool fitsAlone = false;    // this change alone makes the run fit
    train::TrainConfig config; // the run with the change applied
};

struct FitAdvice
{
    int64_t budget = 0;
    bool fits = false;              // the run as configured
    std::vector<FitChange> changes; // single changes, cheapest first
    // The cheapest combination that fits (nullopt when none does).
    std::optional<train::TrainConfig> autoFit;
    std::vector<std::string> autoFitChanges; // what auto-fit changed, for people
    std::optional<MemoryEstimate> autoFitEstimate;
};

// The bytes a run may use on `device` when the user names no budget: a
// detected GPU offers its free memory plus the context this process will
// create; a GPU from the planning table its total; the CPU the RAM available
// now. The CLI's `estimate` and the GUI's fits / does-not-fit both use it.
int64_t defaultBudget(const DeviceInfo &device);

// `budget`: bytes the run may use on `device` (defaultBudget, or --budget).
// With `processes` > 1 (data parallel) every figure is per process, each of
// which must fit its own device's budget.
FitAdvice adviseFit(const model::ModelConfig &model, const train::TrainConfig &config,
                    const DeviceInfo &device, int64_t budget, int processes = 1);

// "3.1 GB" (decimal GB, one decimal; MB below 1 GB).
std::string formatBytes(int64_t bytes);

} // namespace headroom::memory
