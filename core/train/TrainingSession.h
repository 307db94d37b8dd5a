// The state of one run behind the Trainer facade (internal to core/train):
// the model with its adapters or master weights, the data stream, the
// optimizers, the loss scaler and the counters a checkpoint saves. Built by
// TrainingSession.cpp, stepped by Trainer.cpp, saved and restored by
// TrainCheckpoint.cpp.
#pragma once

#include "memory/MemoryProbe.h"
#include "model/CausalLM.h"
#include "optim/Optimizer.h"
#include "train/Distributed.h"
#include "train/GradientBuckets.h"
#include "train/LossScaler.h"
#include "train/TrainableParameters.h"
#include "train/Trainer.h"
#include "train/TrainingData.h"

#include <ATen/ATen.h>

#include <memory>
#include <optional>

namespace headroom::train {

struct TrainingSession
{
    // Loads and checks everything; writes nothing.
    TrainingSession(const TrainConfig &config, TrainObserver *log);

    TrainConfig config;
    TrainSetup setup;
    std::unique_ptr<memory::MemoryProbe> probe; // created before anything is loaded
    at::Device device{at::kCPU};
    at::ScalarType computeDtype = at::kBFloat16;
    std::unique_ptr<model::CausalLM> model;
    std::optional<TrainingData> data;
    int64_t padId = 0;
    TrainableParameters params;
    std::vector<at::Tensor> headTensors; // trainable tensors the LM head reads
    // Two weight-decay groups (transformers' Trainer: none for biases and norms).
    std::unique_ptr<optim::Optimizer> decayOptimizer, plainOptimizer;
    LossScaler scaler{false};
    int64_t loadBytes = 0;
    // Several processes (launcher environment); null for one process. The
    // step's grad_accum_steps micro-batches are split between the ranks.
    std::unique_ptr<Distributed> dist;
    // With `dist`: the master gradients live in all-reduce buckets, reduced
    // while the last micro-batch's backward runs (declared after `dist` and
    // `params`, so it goes first).
    std::unique_ptr<GradientBuckets> buckets;

    // Progress (what a checkpoint saves besides tensors).
    int64_t stepsDone = 0;
    double lastLoss = 0;
    std::optional<double> lastEvalLoss;
    std::filesystem::path lastCheckpoint;

    int64_t microBatchesDone() const { return stepsDone * config.gradAccumSteps; }
    int rank() const { return dist ? dist->rank() : 0; }
    int worldSize() const { return dist ? dist->worldSize() : 1; }
    bool writes() const { return rank() == 0; } // files and step reports
    std::vector<optim::Optimizer *> optimizers() const;
};

} // namespace headroom::train
