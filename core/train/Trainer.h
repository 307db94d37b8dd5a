// The training engine's facade: one run of a TrainConfig, from loading the
// model and the dataset to the last checkpoint. Plain C++ (pimpl), so the GUI
// includes it without LibTorch. Knows nothing of threads: run() reports
// through a TrainObserver and checks the stop token between micro-steps.
//
// Construction loads and checks everything (config, model, tokenizer,
// dataset, LoRA targets, device) and writes nothing, so bad input fails
// before any file exists. run() creates the output folder:
//   run.json, metrics.jsonl (one JSON object per step / evaluation),
//   checkpoints/step-NNNNNNNN/ {run.json, state.json, adapter/ (LoRA) or
//   trainable.safetensors (full), optimizer.safetensors, rng.safetensors},
//   checkpoints/latest (name of the newest complete checkpoint).
#pragma once

#include "common/Error.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace headroom::train {

struct TrainingSession; // the run's tensors and counters (internal)

// A failure while training (NaN/Inf loss, out of memory, a write error), as
// opposed to bad input: the CLI exits 3 and the last checkpoint is kept.
class TrainingError : public Error
{
public:
    using Error::Error;
};

// A TrainingError because the device (or the host) ran out of memory: the
// run did not fit, so the GUI answers it with the estimator's fit advice.
class OutOfMemoryError : public TrainingError
{
public:
    using TrainingError::TrainingError;
};

// Why a run saved with `saved` cannot continue with `changed` (the first
// field that differs in what the run learns, e.g. "`learning_rate` differs
// from the saved run's"); nullopt when it can. Only memory trade-offs may
// change on resume: attention, gradient_checkpointing, lora.dropout,
// quantization, double_quant, and micro_batch_size with grad_accum_steps at
// the same effective batch (output_dir is the run folder anyway).
std::optional<std::string> resumeConflict(const TrainConfig &saved, const TrainConfig &changed);

// What the setup found, for the CLI's first lines and the GUI's run panel.
struct TrainSetup
{
    std::string device;           // "cpu", "cuda:0"
    std::string modelDescription; // "llama, 30 layers, hidden 576, 134.5 M parameters"
    int64_t parameters = 0;
    int64_t trainableParameters = 0;
    int64_t quantizedModules = 0;
    int64_t quantizedFromBytes = 0; // those projections' weights in the compute dtype
    int64_t quantizedToBytes = 0;   // packed weights + quantization constants
    std::string datasetSummary;     // data::DatasetSummary::text()
    int64_t microBatchesPerEpoch = 0;
    int64_t totalSteps = 0;
    int64_t startStep = 0; // > 0 when resumed
    // Data parallelism (launcher environment, see README): this process's
    // rank and the number of processes; only rank 0 writes and reports steps.
    int rank = 0;
    int worldSize = 1;
};

class Trainer
{
public:
    // Throws TrainConfigError / Error for bad config, model or data.
    explicit Trainer(const TrainConfig &config, TrainObserver *setupLog = nullptr);
    // Continues the run in `runDir` from checkpoints/latest with its saved
    // config, or with `changed` where resumeConflict allows it (the answer to
    // an out-of-memory: same run, less memory); throws Error otherwise.
    static std::unique_ptr<Trainer> resume(const std::filesystem::path &runDir,
                                           TrainObserver *setupLog = nullptr,
                                           const std::optional<TrainConfig> &changed = {});
    ~Trainer();
    Trainer(const Trainer &) = delete;
    Trainer &operator=(const Trainer &) = delete;

    const TrainConfig &config() const;
    const TrainSetup &setup() const;

    // Trains to the end (or until `stop`), saving checkpoints. Throws
    // TrainingError when training fails; checkpoints already written stay.
    RunSummary run(TrainObserver &observer, std::stop_token stop = {});

private:
    explicit Trainer(std::unique_ptr<TrainingSession> session);
    std::unique_ptr<TrainingSession> m;
};

} // namespace headroom::train
