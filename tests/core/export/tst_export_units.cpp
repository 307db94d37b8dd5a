// The parts of the exporters that need no model: shard planning as
// huggingface_hub does it, shard-size parsing, finding a run's checkpoint
// (and the messages when it cannot be found), and the output folder that
// refuses to overwrite and leaves nothing behind on failure.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "export/ExportFolder.h"
#include "export/RunCheckpoint.h"
#include "export/ShardPlan.h"
#include "train/TrainConfig.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

// A run folder with one checkpoint `step-00000020` holding `weights`.
fs::path makeRun(const test::TempDir &temp, const std::string &weights = "adapter")
{
    const auto run = temp / "run";
    const auto checkpoint = run / "checkpoints" / "step-00000020";
    fs::create_directories(checkpoint);
    train::TrainConfig config;
    config.model = "some-model";
    config.dataset = "data.jsonl";
    train::writeTrainConfig(config, run / "run.json");
    fs::copy_file(run / "run.json", checkpoint / "run.json");
    test::writeBytes(checkpoint / "state.json",
                     R"({"format": "headroom-checkpoint", "version": 1, "step": 20, "epoch": 0,
                         "loss": 1.25, "eval_loss": null})");
    test::writeBytes(run / "checkpoints" / "latest", "step-00000020\n");
    if (weights == "adapter")
        fs::create_directories(checkpoint / "adapter");
    else if (!weights.empty())
        test::writeBytes(checkpoint / weights, "");
    return run;
}

void expectError(const std::function<void()> &attempt, const std::vector<std::string> &needles)
{
    try {
        attempt();
        QFAIL("expected a headroom::Error");
    } catch (const Error &e) {
        for (const auto &needle : needles)
            QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
}

} // namespace

class TestExportUnits : public QObject
{
    Q_OBJECT

private slots:
    void shardsAreGreedyInOrder()
    {
        // huggingface_hub: a tensor that would tip the shard over starts a new one.
        auto plan = exporting::planShards({40, 40, 30, 50, 10}, 100);
        QCOMPARE(plan.shards.size(), size_t(2));
        QCOMPARE(plan.shards[0], (std::vector<size_t>{0, 1}));
        QCOMPARE(plan.shards[1], (std::vector<size_t>{2, 3, 4}));
        QCOMPARE(plan.totalBytes, uint64_t(170));
        QCOMPARE(plan.fileName(0), std::string("model-00001-of-00002.safetensors"));
        QCOMPARE(plan.fileName(1), std::string("model-00002-of-00002.safetensors"));
        // A tensor above the limit sits alone; the open shard goes on after it.
        plan = exporting::planShards({10, 500, 20}, 100);
        QCOMPARE(plan.shards.size(), size_t(2));
        QCOMPARE(plan.shards[0], (std::vector<size_t>{1}));
        QCOMPARE(plan.shards[1], (std::vector<size_t>{0, 2}));
        plan = exporting::planShards({10, 20}, 100);
        QCOMPARE(plan.shards.size(), size_t(1));
        QCOMPARE(plan.fileName(0), std::string("model.safetensors"));
        const auto index = nlohmann::json::parse(
            exporting::shardIndexJson(30, {{"a", "model-00001-of-00002.safetensors"}}));
        QCOMPARE(index["metadata"]["total_size"].get<uint64_t>(), uint64_t(30));
        QCOMPARE(index["weight_map"]["a"].get<std::string>(),
                 std::string("model-00001-of-00002.safetensors"));
    }

    void shardSizesParseAsTransformers()
    {
        QCOMPARE(exporting::parseShardSize("5GB"), uint64_t(5'000'000'000));
        QCOMPARE(exporting::parseShardSize("500MB"), uint64_t(500'000'000));
        QCOMPARE(exporting::parseShardSize("2GiB"), uint64_t(2) << 30);
        QCOMPARE(exporting::parseShardSize("100kb"), uint64_t(100'000));
        QCOMPARE(exporting::parseShardSize("12345"), uint64_t(12345));
        for (const char *bad : {"", "GB", "-1GB", "five", "1TB", "0"})
            expectError([&] { exporting::parseShardSize(bad); }, {"--max-shard-size"});
    }

    void latestCheckpointIsRead()
    {
        test::TempDir temp;
        const auto run = makeRun(temp);
        const auto checkpoint = exporting::openRunCheckpoint(run);
        QCOMPARE(checkpoint.name, std::string("step-00000020"));
        QCOMPARE(checkpoint.step, int64_t(20));
        QVERIFY(checkpoint.loss && *checkpoint.loss == 1.25);
        QVERIFY(!checkpoint.evalLoss);
        QVERIFY(checkpoint.kind == exporting::RunCheckpoint::Kind::Lora);
        QCOMPARE(checkpoint.config.model, std::string("some-model"));
        // Named, and as a checkpoint folder given directly.
        QCOMPARE(exporting::openRunCheckpoint(run, "step-00000020").step, int64_t(20));
        const auto direct = exporting::openRunCheckpoint(run / "checkpoints" / "step-00000020");
        QCOMPARE(direct.runDir, fs::absolute(run).lexically_normal());
    }

    void fullFineTuningCheckpoint()
    {
        test::TempDir temp;
        const auto checkpoint =
            exporting::openRunCheckpoint(makeRun(temp, "trainable.safetensors"));
        QVERIFY(checkpoint.kind == exporting::RunCheckpoint::Kind::Full);
        QCOMPARE(checkpoint.weights.filename().string(), std::string("trainable.safetensors"));
    }

    void brokenRunsNameTheFile()
    {
        test::TempDir temp;
        const auto run = makeRun(temp);
        fs::remove(run / "checkpoints" / "latest");
        expectError([&] { exporting::openRunCheckpoint(run); }, {"checkpoints/latest", "missing"});
        test::writeBytes(run / "checkpoints" / "latest", "step-00000099");
        expectError([&] { exporting::openRunCheckpoint(run); },
                    {"checkpoints/latest", "step-00000099", "does not exist"});
        test::writeBytes(run / "checkpoints" / "latest", "../../etc");
        expectError([&] { exporting::openRunCheckpoint(run); }, {"checkpoints/latest"});
        test::writeBytes(run / "checkpoints" / "latest", "step-00000020");
        const auto state = run / "checkpoints" / "step-00000020" / "state.json";
        test::writeBytes(state, "{\"format\": \"headroom-checkpoint\", ");
        expectError([&] { exporting::openRunCheckpoint(run); }, {"state.json"});
        test::writeBytes(state, R"({"format": "headroom-checkpoint", "version": 2, "step": 1})");
        expectError([&] { exporting::openRunCheckpoint(run); }, {"state.json", "version"});
        test::writeBytes(state, R"({"format": "headroom-checkpoint", "version": 1, "step": 1,
                                    "loss": "low"})");
        expectError([&] { exporting::openRunCheckpoint(run); }, {"state.json", "loss"});
        expectError([&] { exporting::openRunCheckpoint(run, "step-00000007"); },
                    {"step-00000007", "no such checkpoint"});

        test::TempDir other;
        const auto empty = makeRun(other, "");
        expectError([&] { exporting::openRunCheckpoint(empty); },
                    {"step-00000020", "neither adapter/", "trainable.safetensors"});
        expectError([&] { exporting::openRunCheckpoint(other.path()); }, {"not a run folder"});
    }

    void exportFolderIsAllOrNothing()
    {
        test::TempDir temp;
        const auto target = temp / "out";
        {
            exporting::ExportFolder folder(target);
            test::writeBytes(folder.staging() / "a.txt", "half");
            // Destroyed without commit: as if the export failed.
        }
        QVERIFY(!fs::exists(target));
        QVERIFY(fs::is_empty(temp.path()));
        {
            exporting::ExportFolder folder(target);
            test::writeBytes(folder.staging() / "a.txt", "whole");
            folder.commit();
        }
        QCOMPARE(test::readText(target / "a.txt"), std::string("whole"));
        QCOMPARE(std::distance(fs::directory_iterator(temp.path()), fs::directory_iterator()), 1L);
        expectError([&] { exporting::ExportFolder again(target); }, {"out", "not empty"});
        QCOMPARE(test::readText(target / "a.txt"), std::string("whole"));
        // An existing empty folder is fine (e.g. made by a file dialog).
        fs::create_directory(temp / "empty");
        exporting::ExportFolder intoEmpty(temp / "empty");
        intoEmpty.commit();
        QVERIFY(fs::is_directory(temp / "empty"));
    }
};

QTEST_APPLESS_MAIN(TestExportUnits)
#include "tst_export_units.moc"
