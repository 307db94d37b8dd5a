// The run store: the schema and its version are created, reopening applies
// no migration twice, WAL is on, a run is recorded and read back field by
// field, a resumed run loses the steps after its checkpoint, a run left
// 'running' by a killed process becomes 'interrupted', a database from a
// newer version and a file that is no database are refused with the file's
// name, and a run folder written by a real `headroom-cli train` is imported.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "store/ConfigDiff.h"
#include "store/OpenRunStore.h"
#include "store/RunStore.h"

#include <QtTest>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
namespace test = headroom::test;
namespace train = headroom::train;
using headroom::store::RunStatus;
using headroom::store::RunStore;

namespace {

// Straight SQL on the file, bypassing RunStore: what is really stored.
std::vector<std::string> column(const fs::path &file, const std::string &sql)
{
    sqlite3 *db = nullptr;
    sqlite3_open(file.string().c_str(), &db);
    sqlite3_stmt *stmt = nullptr;
    std::vector<std::string> out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK)
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const auto *text = sqlite3_column_text(stmt, 0);
            out.emplace_back(text ? reinterpret_cast<const char *>(text) : "NULL");
        }
    else
        out.emplace_back(std::string("ERROR ") + sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

// RunStatus as text, for QCOMPARE messages.
std::string name(RunStatus status)
{
    return std::string(headroom::store::toString(status));
}

train::StepMetrics stepOf(int64_t step, double loss)
{
    train::StepMetrics s;
    s.step = step;
    s.totalSteps = 10;
    s.loss = loss;
    s.learningRate = 1e-4 * static_cast<double>(step);
    s.gradNorm = 0.5 + static_cast<double>(step);
    s.tokensPerSecond = 1000.0 + static_cast<double>(step);
    s.seconds = 0.25;
    s.epoch = 0.1 * static_cast<double>(step);
    s.tokens = 512;
    s.memory = {100, 200 + step, 300, 400, 1000 + step, 2048};
    return s;
}

std::string configJson(int64_t r)
{
    return nlohmann::json{{"model", "tiny"}, {"dataset", "data.jsonl"}, {"lora", {{"r", r}}}}
        .dump();
}

// The message of the headroom::Error `open` throws; empty when none.
template <typename F> std::string errorOf(F &&open)
{
    try {
        open();
    } catch (const headroom::Error &e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestRunStore : public QObject
{
    Q_OBJECT

private slots:
    void schemaIsCreatedWithWal()
    {
        test::TempDir temp;
        const auto file = temp / "sub" / "runs.sqlite"; // the folder is created too
        RunStore store(file);
        QCOMPARE(store.schemaVersion(), 2);
        QCOMPARE(store.journalMode(), std::string("wal"));
        QCOMPARE(column(file, "SELECT version FROM schema_version ORDER BY version"),
                 (std::vector<std::string>{"1", "2"}));
        QCOMPARE(column(file, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
        QCOMPARE(column(file, "SELECT name FROM sqlite_master WHERE type = 'table'"
                              " AND name IN ('runs', 'steps', 'evals', 'checkpoints', 'exports')"
                              " ORDER BY name"),
                 (std::vector<std::string>{"checkpoints", "evals", "exports", "runs", "steps"}));
    }

    void reopeningMigratesNothingTwice()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        int64_t id = 0;
        {
            RunStore store(file);
            id = store.recordRunStarted((temp / "run").string(), configJson(8), 10, 0);
            store.recordStep(id, stepOf(1, 2.5));
        }
        const auto applied = column(file, "SELECT applied_at FROM schema_version ORDER BY version");
        RunStore again(file);
        QCOMPARE(again.schemaVersion(), 2);
        QCOMPARE(column(file, "SELECT applied_at FROM schema_version ORDER BY version"), applied);
        QCOMPARE(again.steps(id).size(), size_t(1));
        QCOMPARE(name(again.run(id)->status), name(RunStatus::Running));
    }

    void fullRunRoundTrip()
    {
        test::TempDir temp;
        RunStore store(temp / "runs.sqlite");
        const auto runDir = (temp / "runs" / "alpha").string();
        const auto id = store.recordRunStarted(runDir + "/", configJson(8), 10, 0);
        QCOMPARE(store.findRun(runDir), std::optional<int64_t>(id));
        for (int64_t step = 1; step <= 10; ++step)
            store.recordStep(id, stepOf(step, 3.0 - 0.1 * static_cast<double>(step)));
        store.recordEval(id, {5, 2.75, 100});
        store.recordEval(id, {10, 2.25, 100});
        store.recordCheckpoint(id, 10, runDir + "/checkpoints/step-00000010");
        train::RunSummary summary;
        summary.steps = 10;
        summary.totalSteps = 10;
        summary.lastLoss = 2.0;
        store.recordFinished(id, summary);
        store.recordExport(id, "peft", (temp / "adapter").string());

        const auto run = store.run(id);
        QVERIFY(run);
        QCOMPARE(run->runDir, RunStore::normalizeRunDir(runDir));
        QCOMPARE(run->name, std::string("alpha"));
        QCOMPARE(run->model, std::string("tiny"));
        QCOMPARE(run->dataset, std::string("data.jsonl"));
        QCOMPARE(run->configJson, configJson(8));
        QCOMPARE(name(run->status), name(RunStatus::Finished));
        QCOMPARE(run->totalSteps, int64_t{10});
        QCOMPARE(run->lastStep, int64_t{10});
        QVERIFY(run->lastLoss);
        QCOMPARE(*run->lastLoss, 2.0);
        QVERIFY(!run->createdAt.empty() && run->createdAt <= run->updatedAt);

        const auto steps = store.steps(id);
        QCOMPARE(steps.size(), size_t(10));
        const auto expected = stepOf(7, 3.0 - 0.7);
        const auto &got = steps[6];
        QCOMPARE(got.step, expected.step);
        QCOMPARE(got.loss, expected.loss);
        QCOMPARE(got.learningRate, expected.learningRate);
        QCOMPARE(got.gradNorm, expected.gradNorm);
        QCOMPARE(got.tokensPerSecond, expected.tokensPerSecond);
        QCOMPARE(got.seconds, expected.seconds);
        QCOMPARE(got.epoch, expected.epoch);
        QCOMPARE(got.tokens, expected.tokens);
        QCOMPARE(got.memory.forward, expected.memory.forward);
        QCOMPARE(got.memory.peak, expected.memory.peak);
        QCOMPARE(got.memory.reserved, expected.memory.reserved);
        QCOMPARE(got.memory.optimizer, expected.memory.optimizer);

        const auto evals = store.evals(id);
        QCOMPARE(evals.size(), size_t(2));
        QCOMPARE(evals[1].step, int64_t{10});
        QCOMPARE(evals[1].loss, 2.25);
        QCOMPARE(store.checkpoints(id).size(), size_t(1));
        QCOMPARE(store.checkpoints(id)[0].step, int64_t{10});
        QCOMPARE(store.exports(id).size(), size_t(1));
        QCOMPARE(store.exports(id)[0].format, std::string("peft"));

        // Stopped and failed runs; the list is newest first.
        const auto other = store.recordRunStarted((temp / "runs" / "beta").string(), "{}", 4, 0);
        train::RunSummary stopped;
        stopped.steps = 2;
        stopped.totalSteps = 4;
        stopped.stopped = true;
        store.recordFinished(other, stopped);
        QCOMPARE(name(store.run(other)->status), name(RunStatus::Stopped));
        store.recordFailed(other, "out of memory at step 3");
        QCOMPARE(name(store.run(other)->status), name(RunStatus::Failed));
        QCOMPARE(store.run(other)->message, std::string("out of memory at step 3"));
        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), size_t(2));
        QCOMPARE(runs[0].id, other);

        // Recording for a run that is not there is an error, not a silent row.
        QVERIFY(!errorOf([&] { store.recordStep(999, stepOf(1, 1)); }).empty());
        store.deleteRun(other);
        QCOMPARE(store.listRuns().size(), size_t(1));
        QCOMPARE(column(store.file(),
                        "SELECT count(*) FROM steps WHERE run_id = " + std::to_string(other)),
                 std::vector<std::string>{"0"});
    }

    void resumeTruncatesLaterSteps()
    {
        test::TempDir temp;
        RunStore store(temp / "runs.sqlite");
        const auto runDir = (temp / "run").string();
        const auto id = store.recordRunStarted(runDir, configJson(8), 10, 0);
        for (int64_t step = 1; step <= 6; ++step)
            store.recordStep(id, stepOf(step, 1.0));
        store.recordEval(id, {3, 1.5, 1});
        store.recordEval(id, {6, 1.5, 1});
        store.recordCheckpoint(id, 4, runDir + "/checkpoints/step-00000004");
        store.recordFailed(id, "killed");

        // Resumed from the checkpoint at step 4: steps 5 and 6 are redone.
        const auto resumed = store.recordRunStarted(runDir, configJson(8), 10, 4);
        QCOMPARE(resumed, id);
        QCOMPARE(store.listRuns().size(), size_t(1));
        QCOMPARE(name(store.run(id)->status), name(RunStatus::Running));
        QCOMPARE(store.run(id)->lastStep, int64_t{4});
        QCOMPARE(store.run(id)->message, std::string());
        const auto steps = store.steps(id);
        QCOMPARE(steps.size(), size_t(4));
        QCOMPARE(steps.back().step, int64_t{4});
        QCOMPARE(store.evals(id).size(), size_t(1));
        QCOMPARE(store.checkpoints(id).size(), size_t(1));
        store.recordStep(id, stepOf(5, 0.5));
        QCOMPARE(store.steps(id).back().loss, 0.5);
    }

    void killedProcessLeavesAnInterruptedRun()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        RunStore store(file);
        const auto ours = store.recordRunStarted((temp / "ours").string(), "{}", 10, 0);
        // Another process starts a run and dies without finishing it.
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            try {
                RunStore theirs(file);
                const auto id = theirs.recordRunStarted((temp / "theirs").string(), "{}", 10, 0);
                theirs.recordStep(id, stepOf(1, 2.0));
            } catch (...) {
                _exit(3);
            }
            _exit(0); // no recordFinished: as if killed
        }
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        const auto theirs = store.findRun((temp / "theirs").string());
        QVERIFY(theirs);
        QCOMPARE(name(store.run(*theirs)->status), name(RunStatus::Running));

        QCOMPARE(store.markInterrupted(), 1);
        QCOMPARE(name(store.run(*theirs)->status), name(RunStatus::Interrupted));
        QVERIFY(!store.run(*theirs)->message.empty());
        QCOMPARE(store.run(*theirs)->lastStep, int64_t{1});
        QCOMPARE(name(store.run(ours)->status), name(RunStatus::Running)); // this process is alive
        QCOMPARE(store.markInterrupted(), 0);
    }

    void newerSchemaIsRefused()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        {
            RunStore store(file);
        }
        column(file, "INSERT INTO schema_version (version, applied_at) VALUES (7, 'later')");
        const auto message = errorOf([&] { RunStore store(file); });
        QVERIFY2(message.find(file.string()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("newer version") != std::string::npos, message.c_str());
        QVERIFY2(message.find("schema version 7") != std::string::npos, message.c_str());
        qInfo("%s", message.c_str());
    }

    void garbageFileIsReportedWithItsName()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        std::string garbage;
        for (int i = 0; i < 8192; ++i)
            garbage += static_cast<char>('a' + (i * 7) % 26);
        test::writeBytes(file, garbage);
        const auto message = errorOf([&] { RunStore store(file); });
        QVERIFY2(message.find(file.string()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("not a Headroom run database") != std::string::npos, message.c_str());
        qInfo("%s", message.c_str());
        QCOMPARE(test::readText(file), garbage); // left as it was
    }

    // The GUI opens the store through openRunStore: a damaged file is set
    // aside, never deleted, and a new database takes its place.
    void damagedFileIsSetAsideAndReplaced()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        test::writeBytes(file, std::string(8192, 'x'));
        test::writeBytes(fs::path(file.string() + "-wal"), "stale wal");
        const auto opened = headroom::store::openRunStore(file);
        QVERIFY(opened.setAside.has_value());
        QCOMPARE(test::readText(*opened.setAside), std::string(8192, 'x'));
        // The stale WAL never reaches the new database (SQLite may drop it on close).
        const fs::path wal = file.string() + "-wal";
        QVERIFY(!fs::exists(wal) || test::readText(wal) != "stale wal");
        QVERIFY2(opened.notice.find(file.string()) != std::string::npos, opened.notice.c_str());
        QVERIFY2(opened.notice.find(opened.setAside->string()) != std::string::npos,
                 opened.notice.c_str());
        QCOMPARE(opened.store->schemaVersion(), 2);
        QVERIFY(opened.store->listRuns().empty());
        qInfo("%s", opened.notice.c_str());
    }

    // A real database with a torn page (a crash of the disk, not of SQLite)
    // is detected on open by SQLite's quick_check, not mid-run.
    void tornPageIsDetectedOnOpen()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        {
            RunStore store(file);
            const auto id =
                store.recordRunStarted((temp / "run").string(), R"({"model":"m"})", 500, 0);
            for (int64_t step = 1; step <= 500; ++step) {
                train::StepMetrics metrics;
                metrics.step = step;
                metrics.loss = 1.0 / double(step);
                store.recordStep(id, metrics);
            }
        }
        std::string bytes = test::readText(file);
        QVERIFY(bytes.size() > 6 * 4096);
        for (size_t i = 4096; i < bytes.size() / 2; ++i) // pages 2.. overwritten
            bytes[i] = static_cast<char>(0xA5 ^ (i * 31));
        test::writeBytes(file, bytes);
        bool damaged = false;
        try {
            RunStore store(file);
        } catch (const headroom::store::DamagedRunStoreError &error) {
            damaged = true;
            qInfo("%s", error.what());
        }
        QVERIFY(damaged);
        const auto opened = headroom::store::openRunStore(file);
        QVERIFY(opened.setAside.has_value());
        QVERIFY(opened.store->listRuns().empty());
    }

    // What setting aside cannot mend is not set aside: the newer file stays.
    void newerSchemaIsNotSetAside()
    {
        test::TempDir temp;
        const auto file = temp / "runs.sqlite";
        {
            RunStore store(file);
        }
        column(file, "INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')");
        const auto message = errorOf([&] { headroom::store::openRunStore(file); });
        QVERIFY2(message.find("newer version") != std::string::npos, message.c_str());
        QVERIFY(fs::exists(file));
    }

    // The GUI's fallback when the file cannot be opened: runs are kept for
    // the session only.
    void inMemoryStoreWorks()
    {
        RunStore store(":memory:");
        QCOMPARE(store.schemaVersion(), 2);
        const auto id = store.recordRunStarted("/tmp/run", configJson(8), 3, 0);
        store.recordStep(id, stepOf(1, 1.5));
        QCOMPARE(store.steps(id).size(), size_t(1));
    }

    void configDifferencesListDifferingKeys()
    {
        auto a = nlohmann::json::parse(configJson(8));
        auto b = a;
        b["lora"]["r"] = 16;
        b["lora"]["target_modules"] = {"q_proj", "v_proj"};
        a["lora"]["target_modules"] = nlohmann::json::array();
        b["seed"] = 1;
        const auto diff = headroom::store::configDifferences({a.dump(), b.dump(), a.dump()});
        QCOMPARE(diff.size(), size_t(3));
        QCOMPARE(diff[0].key, std::string("lora.r"));
        QCOMPARE(diff[0].values[0], std::optional<std::string>("8"));
        QCOMPARE(diff[0].values[1], std::optional<std::string>("16"));
        QCOMPARE(diff[1].key, std::string("lora.target_modules"));
        QCOMPARE(diff[1].values[1], std::optional<std::string>(R"(["q_proj","v_proj"])"));
        QCOMPARE(diff[2].key, std::string("seed"));
        QCOMPARE(diff[2].values[0], std::optional<std::string>());
        QVERIFY(headroom::store::configDifferences({a.dump(), a.dump()}).empty());
        QCOMPARE(headroom::store::flattenConfig(a.dump()).at("model"), std::string("tiny"));
    }

    void importsAFolderFromTheCli()
    {
        test::TempDir temp;
        const auto runDir = temp / "cli-run";
        const auto config = temp / "config.json";
        test::writeBytes(config, test::tinyRunConfig(runDir).dump(2));
        const auto result = test::runCli({"train", "--config", config.string()}, 300000,
                                         {"OMP_WAIT_POLICY=PASSIVE"});
        QVERIFY2(result.exitCode == 0, (result.out + result.err).c_str());

        RunStore store(temp / "runs.sqlite");
        const auto id = store.importRunFolder(runDir);
        const auto run = store.run(id);
        QVERIFY(run);
        QCOMPARE(run->name, std::string("cli-run"));
        QCOMPARE(name(run->status), name(RunStatus::Finished));
        QCOMPARE(run->totalSteps, int64_t{4});
        QCOMPARE(run->lastStep, int64_t{4});
        QCOMPARE(run->model, (test::trainFixtures() / "tiny_llama").string());
        QCOMPARE(nlohmann::json::parse(run->configJson)["lora"]["r"], nlohmann::json(8));

        // Every step of metrics.jsonl, with its loss and memory.
        std::ifstream metrics(runDir / "metrics.jsonl");
        std::vector<nlohmann::json> lines;
        for (std::string line; std::getline(metrics, line);)
            if (const auto json = nlohmann::json::parse(line); !json.contains("eval_loss"))
                lines.push_back(json);
        const auto steps = store.steps(id);
        QCOMPARE(steps.size(), lines.size());
        QCOMPARE(steps.size(), size_t(4));
        for (size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].step, lines[i]["step"].get<int64_t>());
            QCOMPARE(steps[i].loss, lines[i]["loss"].get<double>());
            QCOMPARE(steps[i].memory.peak, lines[i]["mem"]["peak"].get<int64_t>());
            QVERIFY(steps[i].memory.peak > 0);
        }
        const auto checkpoints = store.checkpoints(id);
        QVERIFY(!checkpoints.empty());
        QCOMPARE(checkpoints.back().step, int64_t{4});
        QVERIFY(fs::exists(fs::path(checkpoints.back().folder) / "state.json"));

        // Importing again refreshes the same row.
        QCOMPARE(store.importRunFolder(runDir.string() + "/"), id);
        QCOMPARE(store.listRuns().size(), size_t(1));
        QCOMPARE(store.steps(id).size(), size_t(4));

        // A folder that is not a run: an error naming it.
        fs::create_directories(temp / "empty");
        const auto message = errorOf([&] { store.importRunFolder(temp / "empty"); });
        QVERIFY2(message.find((temp / "empty").string()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("run.json") != std::string::npos, message.c_str());
        // A broken metrics line: the file and the line.
        std::ofstream(runDir / "metrics.jsonl", std::ios::app) << "{not json\n";
        const auto broken = errorOf([&] { store.importRunFolder(runDir); });
        QVERIFY2(broken.find("metrics.jsonl") != std::string::npos, broken.c_str());
        QVERIFY2(broken.find("line 5") != std::string::npos, broken.c_str());
        QCOMPARE(store.steps(id).size(), size_t(4)); // the failed import changed nothing
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_run_store.moc"
