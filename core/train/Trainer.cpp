// The training loop: micro-batches with the chunked loss, gradients
// accumulated into fp32 masters and normalised by the step's target tokens
// (trap 3), loss scaling for fp16, NaN/Inf detection, clipping, the LR
// schedule, the optimizer step, per-stage memory, evaluation and checkpoints.
// With several processes (Distributed.h) each rank runs its share of the
// step's micro-batches; counts, loss and gradients are summed before use,
// and rank 0 alone writes and reports. One process: not a collective call.
#include "train/Trainer.h"

#include "common/AtomicFile.h"
#include "common/ChecksumManifest.h"
#include "lora/PeftAdapter.h"
#include "train/ChunkedLoss.h"
#include "train/LrSchedule.h"
#include "train/MetricsJson.h"
#include "train/RunFolder.h"
#include "train/TrainCheckpoint.h"
#include "train/TrainingSession.h"

#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>

namespace headroom::train {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

// metrics.jsonl keeps the lines of steps up to `stepsDone` (a resumed run
// drops what the interrupted process logged after its last checkpoint).
void trimMetrics(const fs::path &file, int64_t stepsDone)
{
    std::ifstream in(file);
    if (!in)
        return;
    std::string kept, line;
    while (std::getline(in, line)) {
        auto json = nlohmann::json::parse(line, nullptr, false);
        if (!json.is_discarded() && json.value("step", int64_t{0}) <= stepsDone)
            kept += line + "\n";
    }
    writeFileAtomically(file, kept);
}

// Test-only fault injection (tests/ui/tst_ui_train.cpp): with
// HEADROOM_TEST_OOM_AT_STEP set to exactly the step about to run, the step
// throws the allocator's out-of-memory error, as a run that does not fit.
// Unset, or any other value, does nothing.
void outOfMemoryHereIfTestAsks(int64_t step)
{
    const char *value = std::getenv("HEADROOM_TEST_OOM_AT_STEP");
    TORCH_CHECK_WITH(OutOfMemoryError, !value || std::to_string(step) != value,
                     "out of memory (simulated by HEADROOM_TEST_OOM_AT_STEP=", step, ")");
}

// The CPU allocator reports a failed allocation as a plain c10::Error.
bool isOutOfMemory(const c10::Error &e)
{
    const std::string text = e.what_without_backtrace();
    return text.find("out of memory") != std::string::npos ||
           text.find("not enough memory") != std::string::npos;
}

// The root run.json says what the run is; a resume with changed memory
// settings (Trainer::resume) rewrites it, output_dir aside.
bool savedConfigDiffers(const fs::path &file, const TrainConfig &config)
{
    try {
        auto saved = readTrainConfig(file);
        saved.outputDir = config.outputDir;
        return !(saved == config);
    } catch (const Error &) {
        return true;
    }
}

at::Tensor forwardHidden(model::CausalLM &model, const MicroBatch &batch)
{
    if (!batch.segments.defined())
        return model.forwardHidden(batch.ids);
    const model::PackedLayout packed{batch.positions, batch.segments};
    return model.forwardHidden(batch.ids, nullptr, &packed);
}

LmHead headOf(model::CausalLM &model)
{
    return [&model](const at::Tensor &hidden) { return model.logits(hidden); };
}

struct StepOutcome
{
    bool interrupted = false; // the stop token fired between micro-steps
    StepMetrics metrics;
};

StepOutcome trainStep(TrainingSession &s, const std::stop_token &stop)
{
    StepOutcome out;
    auto &m = out.metrics;
    const auto start = Clock::now();
    s.probe->resetPeak();

    // grad_accum_steps counts the micro-batches of the whole step; with
    // several processes rank r takes those with i % world == r, so the global
    // batch, the data order and the checkpoints do not depend on the number
    // of processes.
    std::vector<MicroBatch> batches;
    int64_t targets = 0;
    for (int64_t i = 0; i < s.config.gradAccumSteps; ++i) {
        if (i % s.worldSize() != s.rank())
            continue;
        batches.push_back(s.data->trainBatch(s.microBatchesDone() + i, s.padId, s.device));
        targets += batches.back().targetTokens;
        m.tokens += batches.back().tokens;
    }
    if (s.dist) {
        // The step's target tokens over all ranks (trap 3), and one stop
        // decision for all: a stop anywhere ends the step everywhere before
        // any work, so no rank waits for a collective another skipped.
        const auto sums =
            s.dist->sumAcrossRanks({static_cast<double>(targets), static_cast<double>(m.tokens),
                                    stop.stop_requested() ? 1.0 : 0.0});
        if (sums[2] > 0) {
            out.interrupted = true;
            return out;
        }
        targets = static_cast<int64_t>(sums[0]);
        m.tokens = static_cast<int64_t>(sums[1]);
    }
    m.targetTokens = targets;
    const auto head = headOf(*s.model);
    double lossSum = 0;
    // A stop between micro-batches undoes the step completely, RNG included:
    // the checkpoint saved on stop then resumes with the dropout masks of an
    // uninterrupted run.
    const auto rngBefore = captureRngStates(s.device);
    // Several processes: buckets are all-reduced during the last backward.
    const auto lastBackward = std::find_if(batches.rbegin(), batches.rend(),
                                           [](const auto &b) { return b.targetTokens > 0; });
    for (auto &batch : batches) {
        if (!s.dist && stop.stop_requested()) {
            s.params.zeroGradients();
            restoreRngStates(rngBefore);
            out.interrupted = true;
            return out;
        }
        if (batch.targetTokens == 0)
            continue;
        auto hidden = forwardHidden(*s.model, batch); // [B, T, H]
        auto loss = chunkedCausalLmLoss(hidden, batch.labels, head, s.headTensors);
        m.memory.forward = s.probe->allocated();
        lossSum += loss.sum.item<double>();
        if (s.buckets && &batch == &*lastBackward)
            s.buckets->armForLastBackward();
        // Σ over the step's tokens / all of its targets: the large-batch mean (trap 3).
        (loss.sum * (s.scaler.scale() / static_cast<double>(targets))).backward();
        hidden = at::Tensor();
        s.params.accumulateIntoMasters();
        m.memory.backward = s.probe->allocated();
        batch = MicroBatch(); // free the ids
    }

    if (s.dist) {
        s.buckets->finish();
        m.reduceWaitSeconds = s.buckets->lastWaitSeconds();
        m.reduceBuckets = s.buckets->bucketCount();
        m.reduceBucketsOverlapped = s.buckets->startedDuringBackward();
        lossSum = s.dist->sumAcrossRanks({lossSum})[0];
    }
    if (s.scaler.enabled())
        s.params.unscaleGradients(s.scaler.scale());
    m.loss = targets > 0 ? lossSum / static_cast<double>(targets) : 0.0;
    m.gradNorm = s.params.gradientNorm();
    m.lossScale = s.scaler.scale();
    const bool finite = std::isfinite(m.loss) && std::isfinite(m.gradNorm);
    const int64_t stepNumber = s.stepsDone + 1;
    if (!finite && s.scaler.enabled() && s.scaler.scale() > LossScaler::kMinScale) {
        // fp16 overflow: skip the update, back off the scale (GradScaler).
        m.skipped = true;
        s.scaler.update(false);
    } else if (!finite) {
        s.params.zeroGradients();
        throw TrainingError(
            "step " + std::to_string(stepNumber) + ": the " +
            (std::isfinite(m.loss) ? "gradient norm" : "loss") + " is " +
            formatNumber(std::isfinite(m.loss) ? m.gradNorm : m.loss) +
            "; training stopped (try a lower learning_rate, bf16 instead of fp16, or "
            "max_grad_norm > 0); the last checkpoint is kept");
    } else {
        if (s.config.maxGradNorm > 0 && m.gradNorm > s.config.maxGradNorm)
            s.params.scaleGradients(s.config.maxGradNorm / (m.gradNorm + 1e-6)); // clip_grad_norm_
        LrScheduleSpec spec{s.config.lrSchedule, s.config.learningRate, s.config.warmupSteps,
                            s.setup.totalSteps};
        m.learningRate = learningRateAt(spec, s.stepsDone);
        for (auto *optimizer : s.optimizers())
            optimizer->step(m.learningRate);
        s.params.copyMastersToModel();
        s.scaler.update(true);
    }
    s.params.zeroGradients();

    m.memory.load = s.loadBytes;
    m.memory.optimizer = s.probe->allocated();
    m.memory.peak = s.probe->peak();
    m.memory.reserved = s.probe->reserved();
    if (s.dist) {
        // The report is per process: the rank that needs the most decides
        // whether the run fits, whichever rank reports.
        auto &mem = m.memory;
        const auto most = s.dist->maxAcrossRanks(
            {static_cast<double>(mem.load), static_cast<double>(mem.forward),
             static_cast<double>(mem.backward), static_cast<double>(mem.optimizer),
             static_cast<double>(mem.peak), static_cast<double>(mem.reserved)});
        int64_t *fields[] = {&mem.load,      &mem.forward, &mem.backward,
                             &mem.optimizer, &mem.peak,    &mem.reserved};
        for (size_t i = 0; i < std::size(fields); ++i)
            *fields[i] = static_cast<int64_t>(most[i]);
    }
    m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    m.tokensPerSecond = m.seconds > 0 ? static_cast<double>(m.tokens) / m.seconds : 0.0;
    m.step = stepNumber;
    m.totalSteps = s.setup.totalSteps;
    return out;
}

EvalMetrics evaluate(TrainingSession &s)
{
    at::NoGradGuard noGrad;
    if (s.config.lora.enabled)
        lora::setLoraTraining(*s.model, false);
    EvalMetrics eval;
    double sum = 0;
    const auto head = headOf(*s.model);
    int64_t index = 0;
    for (const auto &batch : s.data->validationBatches(s.padId, s.device)) {
        if (index++ % s.worldSize() != s.rank() || batch.targetTokens == 0)
            continue; // several processes: every rank its share
        auto loss = chunkedCausalLmLoss(forwardHidden(*s.model, batch), batch.labels, head, {});
        sum += loss.sum.item<double>();
        eval.targetTokens += loss.targetTokens;
    }
    if (s.config.lora.enabled)
        lora::setLoraTraining(*s.model, true);
    if (s.dist) {
        const auto sums = s.dist->sumAcrossRanks({sum, static_cast<double>(eval.targetTokens)});
        sum = sums[0];
        eval.targetTokens = static_cast<int64_t>(sums[1]);
    }
    eval.step = s.stepsDone;
    eval.loss = eval.targetTokens > 0 ? sum / static_cast<double>(eval.targetTokens) : 0.0;
    return eval;
}

// A model too large for the device fails while loading: the same answer
// (OutOfMemoryError) as a step that does not fit.
std::unique_ptr<TrainingSession> makeSession(const TrainConfig &config, TrainObserver *log)
{
    try {
        return std::make_unique<TrainingSession>(config, log);
    } catch (const c10::OutOfMemoryError &e) {
        throw OutOfMemoryError(std::string("setting up the run: ") + e.what_without_backtrace());
    }
}

} // namespace

std::optional<std::string> resumeConflict(const TrainConfig &saved, const TrainConfig &changed)
{
    TrainConfig c = changed;
    c.outputDir = saved.outputDir;
    c.attention = saved.attention;
    c.gradientCheckpointing = saved.gradientCheckpointing;
    c.lora.dropout = saved.lora.dropout;
    c.quantization = saved.quantization;
    c.doubleQuant = saved.doubleQuant;
    if (c.microBatchSize * c.gradAccumSteps == saved.microBatchSize * saved.gradAccumSteps) {
        c.microBatchSize = saved.microBatchSize;
        c.gradAccumSteps = saved.gradAccumSteps;
    }
    if (c == saved)
        return std::nullopt;
    const auto a = toJson(saved), b = toJson(c);
    for (const auto &[key, value] : a.items()) {
        if (b.contains(key) && b.at(key) == value)
            continue;
        if (key == "micro_batch_size" || key == "grad_accum_steps")
            return std::string("micro_batch_size × grad_accum_steps (the effective batch) differs "
                               "from the saved run's");
        return "`" + key + "` differs from the saved run's";
    }
    return std::string("the config differs from the saved run's");
}

Trainer::Trainer(const TrainConfig &config, TrainObserver *setupLog)
{
    const fs::path out = config.outputDir;
    if (fs::exists(out / "checkpoints"))
        throw Error("output_dir `" + config.outputDir +
                    "` already holds a run; continue it with --resume or choose another folder");
    if (fs::exists(out) && !fs::is_directory(out))
        throw Error("output_dir `" + config.outputDir + "` is a file, not a folder");
    m = makeSession(config, setupLog);
}

Trainer::Trainer(std::unique_ptr<TrainingSession> session) : m(std::move(session)) {}

Trainer::~Trainer() = default;

std::unique_ptr<Trainer> Trainer::resume(const fs::path &runDir, TrainObserver *setupLog,
                                         const std::optional<TrainConfig> &changed)
{
    const auto folder = latestCheckpoint(runDir);
    // Before anything is read from it, run.json included (loadCheckpoint checks again).
    if (hasChecksumManifest(folder))
        verifyChecksumManifest(folder);
    auto config = readTrainConfig(folder / "run.json");
    if (changed) {
        if (auto conflict = resumeConflict(config, *changed))
            throw Error(runDir.string() + ": cannot resume with a changed config: " + *conflict);
        config = *changed;
    }
    config.outputDir = runDir.string(); // the run folder may have moved
    auto impl = makeSession(config, setupLog);
    loadCheckpoint(*impl, folder);
    return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

const TrainConfig &Trainer::config() const
{
    return m->config;
}

const TrainSetup &Trainer::setup() const
{
    return m->setup;
}

RunSummary Trainer::run(TrainObserver &observer, std::stop_token stop)
{
    auto &s = *m;
    const fs::path runDir = s.config.outputDir;
    RunSummary summary;
    summary.outputDir = runDir;
    summary.totalSteps = s.setup.totalSteps;
    std::ofstream metrics;
    // Several processes: rank 0 alone writes files and reports steps.
    const bool writes = s.writes();
    try {
        if (writes) {
            fs::create_directories(runDir);
            if (s.stepsDone == 0 || savedConfigDiffers(runDir / "run.json", s.config))
                writeTrainConfig(s.config, runDir / "run.json");
            trimMetrics(runDir / "metrics.jsonl", s.stepsDone);
            metrics.open(runDir / "metrics.jsonl", std::ios::app);
            if (!metrics)
                throw Error((runDir / "metrics.jsonl").string() + ": cannot write");
        }
    } catch (const fs::filesystem_error &e) {
        throw TrainingError(std::string("cannot create the run folder: ") + e.what());
    }

    auto checkpoint = [&] {
        if (!writes)
            return;
        s.lastCheckpoint = saveCheckpoint(s, runDir);
        observer.onCheckpoint(s.stepsDone, s.lastCheckpoint);
    };
    int64_t savedAt = s.stepsDone > 0 ? s.stepsDone : -1, evaluatedAt = -1;
    auto runEval = [&] {
        auto eval = evaluate(s);
        s.lastEvalLoss = eval.loss;
        evaluatedAt = s.stepsDone;
        if (!writes)
            return;
        metrics << toJson(eval).dump() << "\n" << std::flush;
        observer.onEval(eval);
    };

    try {
        while (s.stepsDone < s.setup.totalSteps) {
            if (!s.dist && stop.stop_requested()) { // several processes: decided in trainStep
                summary.stopped = true;
                break;
            }
            outOfMemoryHereIfTestAsks(s.stepsDone + 1);
            auto outcome = trainStep(s, stop);
            if (outcome.interrupted) {
                summary.stopped = true;
                break;
            }
            ++s.stepsDone;
            outcome.metrics.epoch = static_cast<double>(s.microBatchesDone()) /
                                    static_cast<double>(s.setup.microBatchesPerEpoch);
            s.lastLoss = outcome.metrics.loss;
            if (writes) {
                metrics << toJson(outcome.metrics).dump() << "\n" << std::flush;
                observer.onStep(outcome.metrics);
            }
            if (s.config.evalEvery > 0 && s.stepsDone % s.config.evalEvery == 0 &&
                s.data->hasValidation())
                runEval();
            if (s.config.saveEvery > 0 && s.stepsDone % s.config.saveEvery == 0) {
                checkpoint();
                savedAt = s.stepsDone;
            }
        }
        if (!summary.stopped && s.data->hasValidation() && evaluatedAt != s.stepsDone)
            runEval();
        if (savedAt != s.stepsDone)
            checkpoint();
    } catch (const TrainingError &) {
        throw;
    } catch (const std::bad_alloc &) {
        throw OutOfMemoryError("step " + std::to_string(s.stepsDone + 1) +
                               ": out of host memory; the last checkpoint is kept");
    } catch (const c10::Error &e) {
        const std::string what = "step " + std::to_string(s.stepsDone + 1) + ": " +
                                 e.what_without_backtrace() + "; the last checkpoint is kept";
        if (dynamic_cast<const c10::OutOfMemoryError *>(&e) || isOutOfMemory(e))
            throw OutOfMemoryError(what);
        throw TrainingError(what);
    } catch (const fs::filesystem_error &e) {
        throw TrainingError(std::string("writing a checkpoint failed: ") + e.what());
    }

    summary.steps = s.stepsDone;
    summary.lastCheckpoint = s.lastCheckpoint;
    summary.lastLoss = s.lastLoss;
    summary.lastEvalLoss = s.lastEvalLoss;
    if (writes)
        observer.onFinished(summary);
    return summary;
}

} // namespace headroom::train
