// The answer to a run that ran out of memory: the estimator's fit advice
// (memory::adviseFit) for the planned device, narrowed to the changes with
// which the same run can continue from its last checkpoint
// (train::resumeConflict: attention, gradient checkpointing, LoRA dropout,
// base quantization, micro-batch at the same effective batch). When the
// device's capacity is unknown (the CPU) it aims at a peak a quarter lower
// than the estimate, so the advice still points towards less memory.
#pragma once

#include "memory/MemoryEstimate.h"
#include "model/ModelConfig.h"
#include "train/TrainConfig.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace headroom::ui {

struct OutOfMemoryAdvice
{
    QStringList changes;                      // what `config` changes, for people
    QStringList otherSuggestions;             // advice that needs a new run
    std::optional<train::TrainConfig> config; // the run with `changes` applied
    qint64 budget = 0;                        // bytes aimed at
    qint64 peakBefore = 0, peakAfter = 0;     // estimated device peaks
};

OutOfMemoryAdvice adviseAfterOutOfMemory(const model::ModelConfig &shape,
                                         const train::TrainConfig &config,
                                         const memory::DeviceInfo &device);

} // namespace headroom::ui
