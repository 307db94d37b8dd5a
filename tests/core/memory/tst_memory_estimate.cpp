// The memory estimate against measurement (issue 4): the validation grid
// (EstimateGrid: two model shapes, LoRA on/off, int8/NF4, checkpointing,
// AdamW/8-bit, SDPA/eager, micro-batch and sequence sizes) runs real Trainer
// steps under the counting CPU allocator; every case's peak must be within
// 10 % and every stage within 15 % of the estimate. Also: the estimator's
// byte rules agree with the optimizers' own stateBytesFor, fit advice and
// auto-fit, the GPU table, and bad shapes are refused.
#include "EstimateGrid.h"
#include "common/Error.h"
#include "common/TestSupport.h"
#include "memory/CalibrationProbe.h"
#include "memory/FitAdvice.h"
#include "memory/GpuCatalog.h"
#include "memory/MemoryCalibration.h"
#include "memory/MemoryEstimate.h"
#include "optim/AdamW.h"
#include "optim/AdamW8bit.h"

#include <QtTest>

#include <cmath>
#include <nlohmann/json.hpp>

using namespace headroom;

namespace {

// SmolLM2-135M's shape (the built-in model), from its config.json.
model::ModelConfig smolShape()
{
    model::ModelConfig m;
    m.modelType = "llama";
    m.vocabSize = 49152;
    m.hiddenSize = 576;
    m.intermediateSize = 1536;
    m.numLayers = 30;
    m.numHeads = 9;
    m.numKvHeads = 3;
    m.headDim = 64;
    m.maxPositions = 8192;
    m.tieWordEmbeddings = true;
    return m;
}

// A Llama-3-8B-like shape, for budgets in the GPU range.
model::ModelConfig eightB()
{
    model::ModelConfig m = smolShape();
    m.vocabSize = 128256;
    m.hiddenSize = 4096;
    m.intermediateSize = 14336;
    m.numLayers = 32;
    m.numHeads = 32;
    m.numKvHeads = 8;
    m.headDim = 128;
    m.tieWordEmbeddings = false;
    return m;
}

} // namespace

class TestMemoryEstimate : public QObject
{
    Q_OBJECT

private slots:
    void gridMatchesMeasurement()
    {
        test::TempDir work;
        const auto cases = test::makeEstimateGrid(work.path());
        QVERIFY(cases.size() >= 24);
        std::string failures;
        qInfo("%s", test::gridHeader().c_str());
        for (const auto &c : cases) {
            const auto r = test::runGridCase(c, work.path());
            qInfo("%s", test::gridLine(r).c_str());
            const double peak = test::relativeError(r.estimate.peak, r.measured.peak);
            if (std::abs(peak) > 0.10)
                failures += c.name + ": peak off by " + std::to_string(100 * peak) + " %\n";
            const std::pair<const char *, std::pair<int64_t, int64_t>> stages[] = {
                {"load", {r.estimate.load, r.measured.load}},
                {"forward", {r.estimate.forward, r.measured.forward}},
                {"backward", {r.estimate.backward, r.measured.backward}},
                {"optimizer", {r.estimate.optimizer, r.measured.optimizer}}};
            for (const auto &[name, v] : stages) {
                const double err = test::relativeError(v.first, v.second);
                if (std::abs(err) > 0.15)
                    failures +=
                        c.name + ": " + name + " off by " + std::to_string(100 * err) + " %\n";
            }
            QVERIFY(r.measured.peak >= r.measured.forward);
        }
        QVERIFY2(failures.empty(), failures.c_str());
    }

    void optimizerStateRulesMatchTheOptimizers()
    {
        // Full fine-tuning of the SmolLM2 shape: every weight's state, as the
        // optimizers count it (minus the 8-bit step counter, not a tensor).
        auto m = smolShape();
        train::TrainConfig c;
        c.lora.enabled = false;
        c.maxSeqLen = 16;
        const auto e = memory::estimateMemory(m, c);
        const int64_t h = 576, inter = 1536, kv = 192;
        std::vector<int64_t> tensors = {49152 * h, h};
        for (int i = 0; i < 30; ++i)
            for (int64_t n : {h, h * h, kv * h, kv * h, h * h, h, inter * h, inter * h, h * inter})
                tensors.push_back(n);
        int64_t adamw = 0, adamw8 = 2 * optim::AdamW8bit::kCodeBookBytes;
        for (int64_t n : tensors) {
            adamw += optim::AdamW::stateBytesFor(n);
            adamw8 += optim::AdamW8bit::stateBytesFor(n) - 8;
        }
        QCOMPARE(e.parameters, int64_t{134515008});
        QCOMPARE(e.optimizerStates, adamw);
        c.optimizer = train::Optimizer::AdamW8bit;
        QCOMPARE(memory::estimateMemory(m, c).optimizerStates, adamw8);
    }

    void techniquesMoveTheEstimateTheRightWay()
    {
        const auto m = smolShape();
        train::TrainConfig c;
        c.maxSeqLen = 512;
        const auto base = memory::estimateMemory(m, c);
        auto with = [&](auto change) {
            auto changed = c;
            change(changed);
            return memory::estimateMemory(m, changed);
        };
        const auto ckpt = with([](train::TrainConfig &x) { x.gradientCheckpointing = true; });
        const auto nf4 =
            with([](train::TrainConfig &x) { x.quantization = train::Quantization::Nf4; });
        const auto eager =
            with([](train::TrainConfig &x) { x.attention = train::Attention::Eager; });
        const auto full = with([](train::TrainConfig &x) { x.lora.enabled = false; });
        QVERIFY(ckpt.activations * 3 < base.activations);
        QVERIFY(ckpt.peak < base.peak);
        QVERIFY(nf4.load * 10 < base.load * 6);
        QVERIFY(eager.attentionScores > 0 && base.attentionScores == 0);
        QVERIFY(eager.peak > base.peak);
        QVERIFY(full.optimizerStates > 20 * base.optimizerStates); // 134.5 M vs 4.9 M trainable
        QCOMPARE(base.devicePeak, base.peak);                      // CPU: no context, no slack
        const auto gpu =
            memory::estimateMemory(m, c, memory::plannedDevice(*memory::findGpu("4090")));
        QVERIFY(gpu.cudaContext > 0 && gpu.devicePeak > gpu.peak);
    }

    // Data parallel: each process holds the model, its trainable parameters
    // and optimizer states and runs micro-batches of the same size; it runs
    // ceil(ga / processes) of a step's micro-batches, and its fp32 gradients
    // are the all-reduce buckets (train::GradientBuckets), allocated with the
    // model and never freed. One process is the estimate as it always was.
    void dataParallelIsPerProcess()
    {
        const auto m = smolShape();
        train::TrainConfig c;
        c.maxSeqLen = 512;
        c.gradAccumSteps = 2;
        const auto one = memory::estimateMemory(m, c);
        const auto alsoOne = memory::estimateMemory(m, c, {}, 1);
        QCOMPARE(alsoOne.peak, one.peak);
        QCOMPARE(alsoOne.forward, one.forward);
        QVERIFY(!one.gradientsResident);
        QCOMPARE(one.components().size(), size_t{15});
        const auto two = memory::estimateMemory(m, c, {}, 2);
        QCOMPARE(two.processes, 2);
        QCOMPARE(two.microBatchesPerProcess, 1);
        QVERIFY(two.gradientsResident);
        QCOMPARE(two.gradients, one.gradients);
        QCOMPARE(two.load, one.load + one.gradients);
        QCOMPARE(two.optimizer, one.optimizer + one.gradients);
        QCOMPARE(two.backward, one.backward);
        QCOMPARE(two.forward, one.forward); // the buckets instead of accumulated gradients
        QCOMPARE(two.components().size(), size_t{15});
        c.gradAccumSteps = 4;
        QCOMPARE(memory::estimateMemory(m, c, {}, 2).forward, memory::estimateMemory(m, c).forward);
        c.gradAccumSteps = 1; // one process holds no gradients in its forward, a rank does
        QCOMPARE(memory::estimateMemory(m, c, {}, 2).forward,
                 memory::estimateMemory(m, c).forward + one.gradients);

        // Full fine-tuning of an 8B: no moment with every bf16 gradient at
        // once, since each moves into its bucket as it appears.
        c.lora.enabled = false;
        c.precision = train::Precision::Bf16;
        const auto fullOne = memory::estimateMemory(eightB(), c);
        const auto full = memory::estimateMemory(eightB(), c, {}, 8);
        QCOMPARE(full.load, fullOne.load + fullOne.gradients);
        QVERIFY(full.peak <= fullOne.peak + fullOne.gradients);
        QVERIFY_THROWS_EXCEPTION(headroom::Error, memory::estimateMemory(m, c, {}, 0));
    }

    void calibrationProbeStoresACorrection()
    {
        // On the CPU the estimate is exact to a few per cent, so the probe's
        // correction is about 1; stored, it marks later estimates calibrated.
        test::TempDir work;
        qputenv("HEADROOM_CALIBRATION_FILE", (work / "calibration.json").string().c_str());
        auto cases = test::makeEstimateGrid(work.path());
        const auto &c = cases.front();
        auto config = c.config;
        config.outputDir = (work / "unused").string();
        const auto result = memory::runCalibrationProbe(config, c.model);
        QCOMPARE(result.device, std::string("cpu"));
        QVERIFY2(std::abs(result.correction() - 1.0) < 0.05,
                 std::to_string(result.correction()).c_str());
        QVERIFY(
            !std::filesystem::exists(work / "unused")); // the probe writes only to its temp folder

        memory::DeviceInfo cpu;
        memory::applyStoredCalibration(cpu);
        QVERIFY(!cpu.calibrated);
        memory::storeCalibration(result);
        memory::storeCalibration({"NVIDIA Test GPU", 110, 100});
        memory::applyStoredCalibration(cpu);
        QVERIFY(cpu.calibrated);
        QCOMPARE(cpu.correction, result.correction());
        const auto e = memory::estimateMemory(c.model, c.config, cpu);
        QVERIFY(e.calibrated);
        auto gpu = memory::plannedDevice({"NVIDIA Test GPU", 24});
        memory::applyStoredCalibration(gpu);
        const auto plain = memory::estimateMemory(c.model, c.config,
                                                  memory::plannedDevice({"NVIDIA Test GPU", 24}));
        const auto corrected = memory::estimateMemory(c.model, c.config, gpu);
        QVERIFY(corrected.calibrated && !plain.calibrated);
        QVERIFY(std::abs(static_cast<double>(corrected.peak) / static_cast<double>(plain.peak) -
                         1.1) < 1e-6);
        // A damaged file reads as "not calibrated", never as an error.
        test::writeBytes(work / "calibration.json", "{ not json");
        memory::DeviceInfo again;
        memory::applyStoredCalibration(again);
        QVERIFY(!again.calibrated);
        qunsetenv("HEADROOM_CALIBRATION_FILE");
    }

    void badShapeIsRefused()
    {
        auto m = smolShape();
        m.hiddenSize = 0;
        QVERIFY_THROWS_EXCEPTION(headroom::Error, memory::estimateMemory(m, train::TrainConfig{}));
    }

    void petabyteRunsAreReportedHonestly()
    {
        // A Llama-70B-like shape with 2^20-token rows (both within the
        // limits): tens of petabytes, computed without overflow. Doubling
        // the micro-batch doubles the activations (a wrapped int64 would not).
        model::ModelConfig m = eightB();
        m.hiddenSize = 8192;
        m.intermediateSize = 28672;
        m.numLayers = 80;
        m.numHeads = 64;
        train::TrainConfig c;
        c.maxSeqLen = 1 << 20;
        c.microBatchSize = 1 << 8;
        const auto e = memory::estimateMemory(m, c);
        c.microBatchSize = 1 << 9;
        const auto twice = memory::estimateMemory(m, c);
        QVERIFY2(e.peak > 1e15 && e.devicePeak >= e.peak, std::to_string(e.peak).c_str());
        QVERIFY(e.activations > 0 && e.peak > e.activations && twice.peak > e.peak);
        const double ratio = double(twice.activations) / double(e.activations);
        QVERIFY2(ratio > 1.9 && ratio < 2.1, std::to_string(ratio).c_str());
        const auto advice = memory::adviseFit(m, c, memory::DeviceInfo{}, int64_t(80) << 30);
        QVERIFY(!advice.fits);
    }

    void absurdShapesAreRefusedBeforeAnyArithmetic()
    {
        const auto expectRefused = [](const model::ModelConfig &m, const train::TrainConfig &c,
                                      const char *needle) {
            try {
                (void)memory::estimateMemory(m, c);
                QFAIL("an absurd run was estimated");
            } catch (const headroom::Error &e) {
                const std::string what = e.what();
                QVERIFY2(what.find("more than 256 PiB") != std::string::npos &&
                             what.find(needle) != std::string::npos,
                         what.c_str());
            }
        };
        // Struct values bypass config.json's limits (the GUI, tests): the
        // estimator's own bound refuses them.
        model::ModelConfig huge = eightB();
        huge.hiddenSize = 10'000'000;
        huge.numLayers = 100'000;
        huge.headDim = 0;
        expectRefused(huge, train::TrainConfig{}, "100000 layers of hidden size 10000000");
        train::TrainConfig tokens;
        tokens.maxSeqLen = 1'000'000'000'000;
        tokens.microBatchSize = 1'000'000'000;
        expectRefused(smolShape(), tokens, "max_seq_len 1000000000000 × micro_batch_size");
        train::TrainConfig rank;
        rank.lora.r = int64_t(1) << 60;
        expectRefused(smolShape(), rank, "lora.r 1152921504606846976");

        // config.json: the same sizes are refused by parseModelConfig, naming
        // the fields and their limits.
        nlohmann::json config = {{"model_type", "llama"},        {"vocab_size", 32000},
                                 {"hidden_size", 10'000'000},    {"intermediate_size", 11008},
                                 {"num_hidden_layers", 100'000}, {"num_attention_heads", 32}};
        try {
            (void)model::parseModelConfig(config, "big/config.json");
            QFAIL("absurd config.json accepted");
        } catch (const headroom::Error &e) {
            const std::string what = e.what();
            QVERIFY2(what.starts_with("big/config.json: ") &&
                         what.find("field `hidden_size` is 10000000, over the limit of 131072") !=
                             std::string::npos &&
                         what.find("field `num_hidden_layers` is 100000, over the limit of 4096") !=
                             std::string::npos,
                     what.c_str());
        }
        // GPT-2's default n_inner is 4 × n_embd: no overflow on the way to the error.
        nlohmann::json gpt2 = {{"model_type", "gpt2"},
                               {"vocab_size", 50257},
                               {"n_embd", int64_t(1) << 62},
                               {"n_layer", 2},
                               {"n_head", 2}};
        QVERIFY_THROWS_EXCEPTION(headroom::Error, model::parseModelConfig(gpt2, "gpt2.json"));
        // At the limits themselves a config parses and its parameter count fits int64.
        config["hidden_size"] = model::kMaxModelSizes.hiddenSize;
        config["intermediate_size"] = model::kMaxModelSizes.intermediateSize;
        config["num_hidden_layers"] = model::kMaxModelSizes.numLayers;
        config["vocab_size"] = model::kMaxModelSizes.vocabSize;
        config["num_attention_heads"] = 128;
        const auto limits = model::parseModelConfig(config, "limits/config.json");
        QVERIFY(limits.parameterCount() > 0);
        QVERIFY_THROWS_EXCEPTION(headroom::Error,
                                 memory::estimateMemory(limits, train::TrainConfig{}));
    }

    void gpuCatalogFindsCardsByName()
    {
        QCOMPARE(memory::findGpu("RTX 4090")->memoryGiB, int64_t{24});
        QCOMPARE(memory::findGpu("a100-80gb")->memoryGiB, int64_t{80});
        QCOMPARE(memory::findGpu("A100 40GB")->memoryGiB, int64_t{40});
        QCOMPARE(memory::findGpu("h100")->memoryGiB, int64_t{80});
        QVERIFY(!memory::findGpu("voodoo 5").has_value());
        for (int64_t gib : {8, 12, 16, 24, 40, 48, 80}) {
            bool found = false;
            for (const auto &g : memory::gpuCatalog())
                found = found || g.memoryGiB == gib;
            QVERIFY2(found, std::to_string(gib).c_str());
        }
    }

    void fitAdviceRanksChangesAndAutoFitFits()
    {
        // Full fine-tuning of an 8B model on a 24 GB card cannot fit as is.
        const auto m = eightB();
        train::TrainConfig c;
        c.lora.enabled = false;
        c.maxSeqLen = 2048;
        c.microBatchSize = 4;
        c.gradAccumSteps = 2;
        const auto device = memory::plannedDevice(*memory::findGpu("RTX 4090"));
        const auto advice = memory::adviseFit(m, c, device, device.totalBytes);
        QVERIFY(!advice.fits);
        QVERIFY(!advice.changes.empty());
        for (size_t i = 1; i < advice.changes.size(); ++i)
            QVERIFY(advice.changes[i - 1].costRank <= advice.changes[i].costRank);
        for (const auto &change : advice.changes) {
            QVERIFY(change.saving > 0);
            QVERIFY2(change.description.find(" GB") != std::string::npos ||
                         change.description.find(" MB") != std::string::npos,
                     change.description.c_str());
        }
        QVERIFY(advice.autoFit.has_value());
        QVERIFY(advice.autoFitEstimate->devicePeak <= device.totalBytes);
        QVERIFY(advice.autoFit->lora.enabled); // full fine-tuning of 8B never fits 24 GB
        QCOMPARE(advice.autoFit->microBatchSize * advice.autoFit->gradAccumSteps,
                 c.microBatchSize * c.gradAccumSteps); // same effective batch

        // A run that fits needs no change.
        train::TrainConfig small;
        small.maxSeqLen = 256;
        const auto ok = memory::adviseFit(smolShape(), small, device, device.totalBytes);
        QVERIFY(ok.fits);
        QVERIFY(ok.autoFit.has_value() && *ok.autoFit == small);
        // A budget nothing reaches: no auto-fit.
        const auto none = memory::adviseFit(m, c, device, int64_t{1} << 20);
        QVERIFY(!none.autoFit.has_value());
    }
};

QTEST_APPLESS_MAIN(TestMemoryEstimate)
#include "tst_memory_estimate.moc"
