// What the trainer reports, in plain C++ (no tensors, no Qt), and the
// interface through which it reports: the CLI prints JSON lines, the GUI's
// worker thread re-emits each call as a queued signal. Every call comes from
// the thread that runs Trainer::run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace headroom::train {

// Bytes of tensor memory on the training device (CUDA caching-allocator
// statistics, or the counting CPU allocator) at the four stages of a step.
// Bytes of one process (with several: the largest over them, stage by stage).
struct StageMemory
{
    int64_t load = 0;    // after the model, adapters and data were set up (same every step)
    int64_t forward = 0; // after the forward of the step's last micro-batch: saved activations live
    int64_t backward = 0;  // after its backward: gradients live, activations freed
    int64_t optimizer = 0; // after the optimizer step: optimizer states live
    int64_t peak = 0;      // the most at any moment of the step
    int64_t reserved = 0;  // held from the system after the step (CUDA cache; CPU = allocated)
};

struct StepMetrics
{
    int64_t step = 0; // 1-based optimizer step
    int64_t totalSteps = 0;
    double epoch = 0; // fractional epochs done after this step
    double loss = 0;  // mean over the step's target tokens
    double learningRate = 0;
    double gradNorm = 0; // before clipping
    double tokensPerSecond = 0;
    int64_t tokens = 0;       // real tokens of the step
    int64_t targetTokens = 0; // tokens with a loss
    double seconds = 0;
    double lossScale = 1; // fp16 dynamic loss scale (1 otherwise)
    bool skipped = false; // fp16 overflow: the update was skipped
    // Several processes: seconds the step waited for gradient all-reduces
    // after its backward (the communication backward did not hide); 0 for one.
    double reduceWaitSeconds = 0;
    // Several processes: gradient buckets, and how many of them started
    // their all-reduce before backward ended (all but late ones from step 2).
    int64_t reduceBuckets = 0;
    int64_t reduceBucketsOverlapped = 0;
    StageMemory memory;
};

struct EvalMetrics
{
    int64_t step = 0;
    double loss = 0; // mean over the validation split's target tokens
    int64_t targetTokens = 0;
};

struct RunSummary
{
    int64_t steps = 0; // optimizer steps done in total (resumed runs included)
    int64_t totalSteps = 0;
    bool stopped = false; // by the stop token, before the end
    std::filesystem::path outputDir;
    std::filesystem::path lastCheckpoint;
    double lastLoss = 0;
    std::optional<double> lastEvalLoss;
};

enum class LogLevel { Info, Warning };

class TrainObserver
{
public:
    virtual ~TrainObserver() = default;
    virtual void onLog(LogLevel, const std::string &) {}
    virtual void onStep(const StepMetrics &) {}
    virtual void onEval(const EvalMetrics &) {}
    virtual void onCheckpoint(int64_t /*step*/, const std::filesystem::path & /*folder*/) {}
    virtual void onFinished(const RunSummary &) {}
};

} // namespace headroom::train
