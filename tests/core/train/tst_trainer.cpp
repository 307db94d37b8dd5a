// Tests of the train::Trainer facade on the tiny trainable chat model of
// tests/fixtures/gen_train.py, on the CPU: gradient accumulation equals the
// large batch (trap 3) for LoRA and full fine-tuning; an interrupted and
// resumed run is bit-identical to an uninterrupted one (8-bit AdamW, NF4,
// dropout, gradient checkpointing; stopped between steps, within a step, or
// crashed after a checkpoint); checkpointing does not change the
// numbers; quantized runs load less and still learn; the four memory stages
// are ordered and checkpointing lowers the forward; NaN/Inf stops the run
// with the last checkpoint kept; the LR schedules equal transformers'; the
// fp16 loss scaler follows GradScaler; bad input fails before anything is
// written. Does not test CUDA (no device here) or speed.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "model/TensorFile.h"
#include "train/LossScaler.h"
#include "train/LrSchedule.h"
#include "train/RunFolder.h"
#include "train/Trainer.h"

#include <QtTest>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>
#include <tuple>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

fs::path trainFixtures()
{
    return test::fixtureDir() / "train";
}

// A short fp32 CPU LoRA run on `dataset` (a file of the train fixtures).
train::TrainConfig baseConfig(const std::string &dataset, const fs::path &outputDir)
{
    train::TrainConfig c;
    c.model = (trainFixtures() / "tiny_llama").string();
    c.dataset = (trainFixtures() / dataset).string();
    c.precision = train::Precision::Fp32;
    c.device = {train::DeviceSpec::Kind::Cpu, 0};
    c.epochs.reset();
    c.maxSteps = 1;
    c.microBatchSize = 1;
    c.gradAccumSteps = 1;
    c.warmupSteps = 0;
    c.lora.r = 8;
    c.lora.alpha = 16;
    c.saveEvery = 0;
    c.outputDir = outputDir.string();
    return c;
}

class Recorder : public train::TrainObserver
{
public:
    std::vector<train::StepMetrics> steps;
    std::vector<train::EvalMetrics> evals;
    std::function<void(const train::StepMetrics &)> afterStep;

    void onStep(const train::StepMetrics &s) override
    {
        steps.push_back(s);
        if (afterStep)
            afterStep(s);
    }
    void onEval(const train::EvalMetrics &e) override { evals.push_back(e); }
};

struct RunResult
{
    std::vector<train::StepMetrics> steps;
    train::RunSummary summary;
    train::TrainSetup setup;
};

RunResult runTrainer(const train::TrainConfig &config)
{
    train::Trainer trainer(config);
    Recorder recorder;
    RunResult result;
    result.summary = trainer.run(recorder);
    result.steps = recorder.steps;
    result.setup = trainer.setup();
    return result;
}

fs::path latest(const fs::path &runDir)
{
    return train::latestCheckpoint(runDir);
}

// The trainable tensors of a run's latest checkpoint.
model::NamedTensors trainedTensors(const fs::path &runDir, bool lora)
{
    const auto folder = latest(runDir);
    return model::loadTensorFile(lora ? folder / "adapter" / "adapter_model.safetensors"
                                      : folder / "trainable.safetensors");
}

double relativeDifference(double a, double b)
{
    return std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-300});
}

// Empty when both runs have the same steps with loss and grad norm within
// `tolerance` (relative); otherwise the first difference.
std::string curveDifference(const RunResult &a, const RunResult &b, double tolerance)
{
    if (a.steps.size() != b.steps.size())
        return std::to_string(a.steps.size()) + " vs " + std::to_string(b.steps.size()) + " steps";
    for (size_t i = 0; i < a.steps.size(); ++i) {
        const auto &x = a.steps[i], &y = b.steps[i];
        for (const auto &[what, u, v] :
             {std::tuple{"loss", x.loss, y.loss}, std::tuple{"grad norm", x.gradNorm, y.gradNorm}})
            if (!(relativeDifference(u, v) < tolerance))
                return QString("step %1 %2 %3 vs %4")
                    .arg(x.step)
                    .arg(what)
                    .arg(u, 0, 'g', 10)
                    .arg(v, 0, 'g', 10)
                    .toStdString();
    }
    return {};
}

std::string stepName(int64_t step)
{
    char name[32];
    std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
    return name;
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

    // Accumulation over micro-batches of 1 equals one padded batch of 3 (trap 3):
    // the step's loss, its gradient norm (what a wrong normalisation changes;
    // Adam's first update is nearly sign(g) and would hide it) and the
    // trained tensors.
    void compareAccumulation(bool lora)
    {
        test::TempDir temp;
        auto small = baseConfig("three.jsonl", temp / "micro");
        small.lora.enabled = lora;
        small.lora.dropout = 0;
        small.learningRate = 1e-3;
        small.lrSchedule = train::LrSchedule::Constant;
        small.maxGradNorm = 0;
        small.microBatchSize = 1;
        small.gradAccumSteps = 3;
        auto large = small;
        large.outputDir = (temp / "large").string();
        large.microBatchSize = 3;
        large.gradAccumSteps = 1;

        const auto a = runTrainer(small);
        const auto b = runTrainer(large);
        QCOMPARE(a.steps.size(), size_t{1});
        QCOMPARE(b.steps.size(), size_t{1});
        QCOMPARE(a.steps[0].targetTokens, b.steps[0].targetTokens);
        const auto difference = curveDifference(a, b, 1e-5);
        QVERIFY2(difference.empty(), difference.c_str());
        const auto ta = trainedTensors(temp / "micro", lora);
        const auto tb = trainedTensors(temp / "large", lora);
        QCOMPARE(ta.size(), tb.size());
        QVERIFY(!ta.empty());
        for (const auto &[name, tensor] : ta) {
            QVERIFY2(tb.count(name), name.c_str());
            // 1e-4, not 1e-5: Adam's first update lr·g/(|g| + 1e-8) turns the
            // fp32 rounding noise (~1e-12) of gradients near eps into ~1e-5·lr.
            const double diff = test::maxRelativeDifference(tensor, tb.at(name));
            QVERIFY2(diff < 1e-4, qPrintable(QString("%1: relative difference %2")
                                                 .arg(QString::fromStdString(name))
                                                 .arg(diff)));
        }
    }

private slots:
    // One thread: the numbers do not depend on how busy the machine is, and
    // a loaded machine does not make OpenMP spin.
    void initTestCase() { at::set_num_threads(1); }

    void accumulationEqualsLargeBatchLora() { compareAccumulation(true); }
    void accumulationEqualsLargeBatchFull() { compareAccumulation(false); }

    void resumeIsExact()
    {
        test::TempDir temp;
        auto config = baseConfig("small.jsonl", temp / "whole");
        config.lora.dropout = 0.1;
        config.optimizer = train::Optimizer::AdamW8bit;
        config.gradAccumSteps = 2;
        config.microBatchSize = 2;
        config.quantization = train::Quantization::Nf4;
        config.gradientCheckpointing = true;
        config.maxSteps = 20;
        config.learningRate = 2e-3;
        config.warmupSteps = 3;
        const auto whole = runTrainer(config);
        QCOMPARE(whole.steps.size(), size_t{20});

        auto parted = config;
        parted.outputDir = (temp / "parted").string();
        std::vector<train::StepMetrics> first, second;
        {
            train::Trainer trainer(parted);
            std::stop_source stop;
            Recorder recorder;
            recorder.afterStep = [&](const train::StepMetrics &s) {
                if (s.step == 10)
                    stop.request_stop();
            };
            const auto summary = trainer.run(recorder, stop.get_token());
            QVERIFY(summary.stopped);
            QCOMPARE(summary.steps, int64_t{10});
            first = recorder.steps;
        }
        QCOMPARE(first.size(), size_t{10});
        QCOMPARE(latest(temp / "parted").filename().string(), stepName(10));
        {
            auto trainer = train::Trainer::resume(temp / "parted");
            QCOMPARE(trainer->setup().startStep, int64_t{10});
            Recorder recorder;
            const auto summary = trainer->run(recorder);
            QVERIFY(!summary.stopped);
            QCOMPARE(summary.steps, int64_t{20});
            second = recorder.steps;
        }
        QCOMPARE(second.size(), size_t{10});
        for (size_t i = 0; i < 20; ++i) {
            const auto &got = i < 10 ? first[i] : second[i - 10];
            const auto &want = whole.steps[i];
            QCOMPARE(got.step, want.step);
            // Exactly (QCOMPARE of doubles would be fuzzy).
            QVERIFY2(got.loss == want.loss && got.gradNorm == want.gradNorm &&
                         got.learningRate == want.learningRate,
                     qPrintable(QString("step %1: loss %2 vs %3, grad norm %4 vs %5")
                                    .arg(got.step)
                                    .arg(got.loss, 0, 'g', 17)
                                    .arg(want.loss, 0, 'g', 17)
                                    .arg(got.gradNorm, 0, 'g', 17)
                                    .arg(want.gradNorm, 0, 'g', 17)));
        }
        const auto a = trainedTensors(temp / "whole", true);
        const auto b = trainedTensors(temp / "parted", true);
        QCOMPARE(a.size(), b.size());
        for (const auto &[name, tensor] : a) {
            QVERIFY2(b.count(name), name.c_str());
            QVERIFY2(at::equal(tensor, b.at(name)), name.c_str());
        }

        // metrics.jsonl: steps 1..20, each once, in order.
        std::ifstream in(temp / "parted" / "metrics.jsonl");
        std::vector<int64_t> logged;
        for (std::string line; std::getline(in, line);) {
            const auto json = nlohmann::json::parse(line);
            if (json.contains("loss"))
                logged.push_back(json.at("step").get<int64_t>());
        }
        std::vector<int64_t> expected(20);
        std::iota(expected.begin(), expected.end(), 1);
        QCOMPARE(logged, expected);
    }

    // Ctrl-C lands while a step runs: the stop token fires between two of its
    // micro-batches, the step is dropped and the checkpoint is of the step
    // before. The resumed run must still repeat the uninterrupted one exactly,
    // dropout masks included. (Where the stop lands depends on timing; a stop
    // between steps is the case above and must give the same result.)
    void resumeAfterStopWithinStepIsExact()
    {
        test::TempDir temp;
        auto config = baseConfig("small.jsonl", temp / "whole");
        config.lora.dropout = 0.1;
        config.microBatchSize = 1;
        config.gradAccumSteps = 8;
        config.maxSteps = 6;
        const auto whole = runTrainer(config);
        QCOMPARE(whole.steps.size(), size_t{6});

        auto parted = config;
        parted.outputDir = (temp / "parted").string();
        int64_t stoppedAt = 0;
        {
            train::Trainer trainer(parted);
            std::stop_source stop;
            std::thread stopper;
            Recorder recorder;
            recorder.afterStep = [&](const train::StepMetrics &s) {
                if (s.step == 2) // stop a little later, while step 3 runs
                    stopper = std::thread([&stop, wait = s.seconds / 4] {
                        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
                        stop.request_stop();
                    });
            };
            const auto summary = trainer.run(recorder, stop.get_token());
            stopper.join();
            QVERIFY(summary.stopped);
            stoppedAt = summary.steps;
        }
        QVERIFY(stoppedAt >= 2 && stoppedAt < 6);
        auto trainer = train::Trainer::resume(temp / "parted");
        Recorder recorder;
        QCOMPARE(trainer->run(recorder).steps, int64_t{6});
        QCOMPARE(recorder.steps.size(), static_cast<size_t>(6 - stoppedAt));
        for (const auto &got : recorder.steps) {
            const auto &want = whole.steps[static_cast<size_t>(got.step - 1)];
            QVERIFY2(got.loss == want.loss && got.gradNorm == want.gradNorm,
                     qPrintable(QString("step %1 (stopped after %2): loss %3 vs %4")
                                    .arg(got.step)
                                    .arg(stoppedAt)
                                    .arg(got.loss, 0, 'g', 17)
                                    .arg(want.loss, 0, 'g', 17)));
        }
    }

    // A process that dies after its last checkpoint logged steps that the
    // resumed run repeats: metrics.jsonl keeps each step once, and the repeated
    // steps give the same numbers.
    void resumeAfterCrashDropsUnsavedSteps()
    {
        test::TempDir temp;
        auto config = baseConfig("small.jsonl", temp / "run");
        config.lora.dropout = 0.1;
        config.microBatchSize = 2;
        config.maxSteps = 8;
        config.saveEvery = 3;
        std::vector<train::StepMetrics> before;
        {
            train::Trainer trainer(config);
            Recorder recorder;
            recorder.afterStep = [](const train::StepMetrics &s) {
                if (s.step == 5)
                    throw std::runtime_error("simulated crash");
            };
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, trainer.run(recorder));
            before = recorder.steps;
        }
        QCOMPARE(before.size(), size_t{5});
        QCOMPARE(latest(temp / "run").filename().string(), stepName(3));
        auto trainer = train::Trainer::resume(temp / "run");
        Recorder recorder;
        QCOMPARE(trainer->run(recorder).steps, int64_t{8});
        QCOMPARE(recorder.steps.size(), size_t{5});
        QCOMPARE(recorder.steps.front().step, int64_t{4});
        for (size_t i = 3; i < 5; ++i)
            QVERIFY2(recorder.steps[i - 3].loss == before[i].loss,
                     qPrintable(QString("step %1").arg(i + 1)));
        std::ifstream in(temp / "run" / "metrics.jsonl");
        std::vector<int64_t> logged;
        for (std::string line; std::getline(in, line);)
            logged.push_back(nlohmann::json::parse(line).at("step").get<int64_t>());
        QCOMPARE(logged, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
    }

    void checkpointingKeepsTheNumbers()
    {
        test::TempDir temp;
        auto off = baseConfig("small.jsonl", temp / "off");
        off.lora.dropout = 0.1;
        off.microBatchSize = 2;
        off.gradAccumSteps = 2;
        off.maxSteps = 3;
        off.learningRate = 2e-3;
        auto on = off;
        on.outputDir = (temp / "on").string();
        on.gradientCheckpointing = true;
        const auto a = runTrainer(off);
        const auto b = runTrainer(on);
        QCOMPARE(a.steps.size(), size_t{3});
        QCOMPARE(b.steps.size(), size_t{3});
        const auto difference = curveDifference(a, b, 1e-5);
        QVERIFY2(difference.empty(), difference.c_str());
    }

    void quantizedRunsLoadLessAndLearn_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("doubleQuant");
        QTest::newRow("nf4") << static_cast<int>(train::Quantization::Nf4) << false;
        QTest::newRow("nf4-double") << static_cast<int>(train::Quantization::Nf4) << true;
        QTest::newRow("int8") << static_cast<int>(train::Quantization::Int8) << false;
    }

    void quantizedRunsLoadLessAndLearn()
    {
        QFETCH(int, kind);
        QFETCH(bool, doubleQuant);
        test::TempDir temp;
        auto plain = baseConfig("small.jsonl", temp / "plain");
        plain.microBatchSize = 2;
        plain.learningRate = 2e-3;
        plain.lrSchedule = train::LrSchedule::Constant;
        plain.lora.dropout = 0;
        const auto unquantized = runTrainer(plain);

        auto config = plain;
        config.outputDir = (temp / "quantized").string();
        config.quantization = static_cast<train::Quantization>(kind);
        config.doubleQuant = doubleQuant;
        config.maxSteps = 30;
        const auto quantized = runTrainer(config);
        // 2 layers × q, k, v, o, gate, up, down.
        QCOMPARE(quantized.setup.quantizedModules, int64_t{14});
        QCOMPARE(unquantized.setup.quantizedModules, int64_t{0});
        QCOMPARE(quantized.steps.size(), size_t{30});
        const int64_t loadPlain = unquantized.steps.front().memory.load;
        const int64_t loadQuantized = quantized.steps.front().memory.load;
        QVERIFY2(loadQuantized < loadPlain,
                 qPrintable(QString("load %1 quantized vs %2").arg(loadQuantized).arg(loadPlain)));
        for (const auto &s : quantized.steps)
            QVERIFY(std::isfinite(s.loss));
        // Mean of the first and the last 5 steps (one epoch = 20 steps).
        auto mean = [&](size_t from) {
            double sum = 0;
            for (size_t i = from; i < from + 5; ++i)
                sum += quantized.steps[i].loss;
            return sum / 5;
        };
        QVERIFY2(mean(25) < mean(0) - 0.05,
                 qPrintable(QString("loss %1 -> %2").arg(mean(0)).arg(mean(25))));
    }

    void memoryStagesAreOrdered()
    {
        test::TempDir temp;
        auto off = baseConfig("small.jsonl", temp / "off");
        off.microBatchSize = 8;
        off.maxSteps = 2;
        off.lora.dropout = 0;
        auto on = off;
        on.outputDir = (temp / "on").string();
        on.gradientCheckpointing = true;
        const auto a = runTrainer(off);
        const auto b = runTrainer(on);
        for (const auto *run : {&a, &b}) {
            for (const auto &s : run->steps) {
                const auto &m = s.memory;
                QVERIFY(m.load > 0 && m.forward > 0 && m.backward > 0 && m.optimizer > 0);
                QVERIFY2(m.forward > m.load,
                         qPrintable(QString("forward %1, load %2").arg(m.forward).arg(m.load)));
                QVERIFY(m.backward >= m.load);
                QVERIFY(m.optimizer >= m.load);
                QVERIFY(m.peak >= m.forward);
                QVERIFY(m.peak >= m.backward);
                QVERIFY(m.peak >= m.optimizer);
            }
            // Adam's states exist after the first step.
            QVERIFY(run->steps.back().memory.optimizer > run->steps.back().memory.load);
        }
        // The first step runs the longest batch in both runs.
        QVERIFY2(b.steps.front().memory.forward < a.steps.front().memory.forward,
                 qPrintable(QString("forward with checkpointing %1, without %2")
                                .arg(b.steps.front().memory.forward)
                                .arg(a.steps.front().memory.forward)));
        QVERIFY(b.steps.front().memory.peak < a.steps.front().memory.peak);
    }

    void nonFiniteLossStopsAndKeepsCheckpoint()
    {
        test::TempDir temp;
        auto config = baseConfig("small.jsonl", temp / "run");
        config.lora.enabled = false;
        // 1e6 is not enough: RMSNorm of an overflowing residual stream gives
        // zeros (rsqrt(inf) = 0), the logits turn uniform and the gradients
        // zero, and the run goes on at loss ln(V). 1e20 makes step 2 NaN.
        config.learningRate = 1e20;
        config.lrSchedule = train::LrSchedule::Constant;
        config.maxGradNorm = 0;
        config.microBatchSize = 4;
        config.maxSteps = 10;
        config.saveEvery = 1;
        train::Trainer trainer(config);
        Recorder recorder;
        try {
            trainer.run(recorder);
            QFAIL("the run finished despite learning_rate 1e20");
        } catch (const train::TrainingError &e) {
            const auto failed = static_cast<int64_t>(recorder.steps.size()) + 1;
            QVERIFY(failed >= 2);
            const std::string message = e.what();
            QVERIFY2(message.find("step " + std::to_string(failed)) != std::string::npos,
                     message.c_str());
            QVERIFY2(latest(temp / "run").filename().string() == stepName(failed - 1),
                     latest(temp / "run").string().c_str());
            QVERIFY(fs::exists(latest(temp / "run") / "trainable.safetensors"));
        }
    }

    void lrSchedulesMatchTransformers()
    {
        struct Case
        {
            train::LrSchedule schedule;
            const char *name;
            int64_t warmup, total;
        };
        const std::vector<Case> cases = {
            {train::LrSchedule::Cosine, "cosine", 0, 10},
            {train::LrSchedule::Cosine, "cosine", 3, 20},
            {train::LrSchedule::Cosine, "cosine", 7, 7},
            {train::LrSchedule::Linear, "linear", 0, 10},
            {train::LrSchedule::Linear, "linear", 5, 23},
            {train::LrSchedule::Constant, "constant", 0, 5},
            {train::LrSchedule::Constant, "constant", 4, 9},
        };
        const std::string script = R"(
import json, sys, torch, transformers
makers = {"cosine": transformers.get_cosine_schedule_with_warmup,
          "linear": transformers.get_linear_schedule_with_warmup}
out = []
for case in json.loads(sys.argv[1]):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=case["lr"])
    if case["name"] == "constant":
        sched = transformers.get_constant_schedule_with_warmup(opt, case["warmup"])
    else:
        sched = makers[case["name"]](opt, case["warmup"], case["total"])
    lrs = [sched.get_last_lr()[0]]
    for _ in range(case["total"]):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    out.append(lrs)
print(json.dumps(out))
)";
        const double baseLr = 3e-4;
        nlohmann::json input = nlohmann::json::array();
        for (const auto &c : cases)
            input.push_back(
                {{"name", c.name}, {"warmup", c.warmup}, {"total", c.total}, {"lr", baseLr}});
        const auto result = test::runPython(script, {input.dump()});
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        const auto expected = nlohmann::json::parse(result.out);
        QCOMPARE(expected.size(), cases.size());
        for (size_t i = 0; i < cases.size(); ++i) {
            const auto &c = cases[i];
            train::LrScheduleSpec spec{c.schedule, baseLr, c.warmup, c.total};
            QCOMPARE(expected[i].size(), static_cast<size_t>(c.total + 1));
            for (int64_t step = 0; step <= c.total; ++step) {
                const double want = expected[i][static_cast<size_t>(step)].get<double>();
                const double got = train::learningRateAt(spec, step);
                QVERIFY2(got == want || relativeDifference(got, want) < 1e-12,
                         qPrintable(QString("%1 warmup %2 total %3 step %4: %5 vs %6")
                                        .arg(c.name)
                                        .arg(c.warmup)
                                        .arg(c.total)
                                        .arg(step)
                                        .arg(got, 0, 'g', 17)
                                        .arg(want, 0, 'g', 17)));
            }
        }
    }

    void lossScalerFollowsGradScaler()
    {
        train::LossScaler off(false);
        off.update(false);
        QCOMPARE(off.scale(), 1.0);

        train::LossScaler s(true);
        QCOMPARE(s.scale(), 65536.0);
        for (int i = 0; i < 1000; ++i)
            s.update(true);
        QCOMPARE(s.cleanSteps(), int64_t{1000});
        s.update(false); // overflow: halve and start counting again
        QCOMPARE(s.scale(), 32768.0);
        QCOMPARE(s.cleanSteps(), int64_t{0});
        for (int64_t i = 0; i < train::LossScaler::kGrowthInterval - 1; ++i)
            s.update(true);
        QCOMPARE(s.scale(), 32768.0);
        s.update(true); // the 2000th clean step in a row doubles
        QCOMPARE(s.scale(), 65536.0);
        QCOMPARE(s.cleanSteps(), int64_t{0});
    }

    void fp16FullFineTuningStaysFinite()
    {
        test::TempDir temp;
        auto config = baseConfig("small.jsonl", temp / "run");
        config.lora.enabled = false;
        config.precision = train::Precision::Fp16;
        config.learningRate = 1e-4;
        config.microBatchSize = 2;
        config.maxSteps = 3;
        const auto run = runTrainer(config);
        QCOMPARE(run.steps.size(), size_t{3});
        QCOMPARE(run.summary.steps, int64_t{3});
        for (const auto &s : run.steps) {
            QVERIFY(std::isfinite(s.loss));
            QVERIFY(s.lossScale >= 1.0 && s.lossScale <= 65536.0);
        }
        QVERIFY(std::isfinite(run.summary.lastLoss));
    }

    void badConfigListsEveryField()
    {
        test::TempDir temp;
        auto config = baseConfig("small.jsonl", temp / "run");
        config.microBatchSize = 0;
        config.learningRate = -1;
        config.lora.r = 0;
        try {
            train::Trainer trainer(config);
            QFAIL("a config with three bad fields was accepted");
        } catch (const train::TrainConfigError &e) {
            std::vector<std::string> paths;
            for (const auto &error : e.errors())
                paths.push_back(error.path);
            for (const char *field : {"micro_batch_size", "learning_rate", "lora.r"}) {
                QVERIFY2(std::find(paths.begin(), paths.end(), field) != paths.end(), field);
                QVERIFY2(std::string(e.what()).find(field) != std::string::npos, e.what());
            }
        }
        QVERIFY(!fs::exists(temp / "run"));
    }

    void badModelDataOrOutputFailBeforeWriting()
    {
        test::TempDir temp;
        auto missingModel = baseConfig("small.jsonl", temp / "run");
        missingModel.model = (temp / "no-such-model").string();
        QVERIFY_THROWS_EXCEPTION(Error, train::Trainer{missingModel});
        QVERIFY(!fs::exists(temp / "run"));

        test::writeBytes(temp / "broken.jsonl", "{\"instruction\": \n not json\n[1, 2\n");
        auto badData = baseConfig("small.jsonl", temp / "run");
        badData.dataset = (temp / "broken.jsonl").string();
        try {
            train::Trainer trainer(badData);
            QFAIL("a dataset of malformed lines was accepted");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("broken.jsonl") != std::string::npos, e.what());
        }
        QVERIFY(!fs::exists(temp / "run"));

        // A folder that already holds a run is refused and left as it was.
        auto first = baseConfig("three.jsonl", temp / "run");
        runTrainer(first);
        const auto runJson = test::readText(temp / "run" / "run.json");
        const auto metrics = test::readText(temp / "run" / "metrics.jsonl");
        try {
            train::Trainer trainer(first);
            QFAIL("a folder holding a run was accepted as output_dir");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("already holds a run") != std::string::npos,
                     e.what());
        }
        QCOMPARE(test::readText(temp / "run" / "run.json"), runJson);
        QCOMPARE(test::readText(temp / "run" / "metrics.jsonl"), metrics);
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
