// `headroom-cli train` end to end on the tiny trainable chat model of
// tests/fixtures/gen_train.py: the --json stream (step, eval and finished
// lines), the run folder, exit code 2 for bad configs and data with nothing
// written, Ctrl-C (exit 130 with a checkpoint) and --resume, and exit 3 with
// the last checkpoint kept when the loss blows up. The numbers themselves
// are tst_trainer's business; this checks the command's contract.
#include "common/TestSupport.h"
#include "common/TinyRun.h"

#include <QProcess>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A short fp32 CPU LoRA run config; `output` is the run folder.
json runConfig(const fs::path &output)
{
    return test::tinyRunConfig(output);
}

fs::path writeConfig(const test::TempDir &temp, const json &config, const std::string &name)
{
    const auto file = temp / name;
    test::writeBytes(file, config.dump(2));
    return file;
}

std::vector<json> jsonLines(const std::string &out)
{
    std::vector<json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        auto parsed = json::parse(line, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object())
            throw std::runtime_error("stdout line is not a JSON object: " + line);
        lines.push_back(std::move(parsed));
    }
    return lines;
}

// headroom-cli runs as many LibTorch threads as there are cores; on a loaded
// machine libgomp's spinning barriers then make a few tiny steps take many
// seconds. Passive waiting keeps the runtime independent of the load.
const std::vector<std::string> kEnvironment = {"OMP_WAIT_POLICY=PASSIVE"};

test::ProcessResult train(const std::vector<std::string> &arguments)
{
    std::vector<std::string> all{"train"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return test::runCli(all, 300000, kEnvironment);
}

std::string describe(const test::ProcessResult &r)
{
    return "exit " + std::to_string(r.exitCode) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

bool isPositiveInteger(const json &value)
{
    return value.is_number_integer() && value.get<int64_t>() > 0;
}

void expectRejected(const test::ProcessResult &result, const std::vector<std::string> &needles)
{
    QVERIFY2(result.exitCode == 2, describe(result).c_str());
    for (const auto &needle : needles)
        QVERIFY2(result.err.find(needle) != std::string::npos,
                 ("stderr lacks `" + needle + "`: " + result.err).c_str());
    QVERIFY2(result.out.empty(), result.out.c_str());
}

} // namespace

class TestCliTrain : public QObject
{
    Q_OBJECT

private slots:
    // The fixture is a model folder like any other: inspect and tokenize take
    // it, and its ChatML specials are single tokens.
    void fixtureModelIsAccepted()
    {
        const auto folder = (test::trainFixtures() / "tiny_llama").string();
        const auto inspect = test::runCli({"inspect", folder});
        QVERIFY2(inspect.exitCode == 0, describe(inspect).c_str());
        QVERIFY2(inspect.out.find("llama") != std::string::npos, inspect.out.c_str());
        const auto tokenize =
            test::runCli({"tokenize", folder, "--text", "<|im_start|>user Hi<|im_end|>", "--json"});
        QVERIFY2(tokenize.exitCode == 0, describe(tokenize).c_str());
        const auto ids = json::parse(tokenize.out).at("ids");
        QVERIFY2(ids.size() >= 3 && ids.front() == 1 && ids.back() == 2, tokenize.out.c_str());
    }

    void trainsAndStreamsJson()
    {
        test::TempDir temp;
        auto config = runConfig(temp / "run");
        config["validation_split"] = 0.1;
        config["eval_every"] = 2;
        const auto result =
            train({"--config", writeConfig(temp, config, "run.json").string(), "--json"});
        QVERIFY2(result.exitCode == 0, describe(result).c_str());
        std::vector<json> lines;
        try {
            lines = jsonLines(result.out);
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
        std::vector<int64_t> steps, evals;
        for (const auto &line : lines) {
            if (line.contains("loss")) {
                for (const char *key : {"step", "loss", "lr", "grad_norm", "tokens_per_s", "mem"})
                    QVERIFY2(line.contains(key), (std::string(key) + ": " + line.dump()).c_str());
                QVERIFY(line["loss"].is_number() && line["loss"].get<double>() > 0);
                QVERIFY(line["lr"].is_number() && line["lr"].get<double>() > 0);
                QVERIFY(line["grad_norm"].is_number() && line["grad_norm"].get<double>() > 0);
                QVERIFY(line["tokens_per_s"].is_number() && line["tokens_per_s"].get<double>() > 0);
                for (const char *key : {"load", "forward", "backward", "optimizer", "peak"})
                    QVERIFY2(isPositiveInteger(line["mem"][key]),
                             (std::string(key) + ": " + line.dump()).c_str());
                steps.push_back(line["step"].get<int64_t>());
            } else if (line.contains("eval_loss")) {
                QVERIFY(line["eval_loss"].is_number() && line["eval_loss"].get<double>() > 0);
                QVERIFY(line["step"].is_number_integer());
                evals.push_back(line["step"].get<int64_t>());
            } else {
                QVERIFY2(&line == &lines.back(), line.dump().c_str());
            }
        }
        QCOMPARE(steps, (std::vector<int64_t>{1, 2, 3, 4}));
        QCOMPARE(evals, (std::vector<int64_t>{2, 4}));
        const auto &last = lines.back();
        QCOMPARE(last.value("event", ""), std::string("finished"));
        QCOMPARE(last.value("steps", int64_t{0}), int64_t{4});
        QCOMPARE(fs::path(last.value("output_dir", "")), temp / "run");
        for (const char *file : {"run.json", "metrics.jsonl", "checkpoints/latest"})
            QVERIFY2(fs::exists(temp / "run" / file), file);
    }

    // --max-steps and --output-dir override the file (one recipe, several runs),
    // and the saved run.json records what ran.
    void commandLineOverridesTheConfig()
    {
        test::TempDir temp;
        const auto file = writeConfig(temp, runConfig(temp / "unused"), "run.json");
        const auto result = train({"--config", file.string(), "--json", "--max-steps", "2",
                                   "--output-dir", (temp / "other").string()});
        QVERIFY2(result.exitCode == 0, describe(result).c_str());
        const auto lines = jsonLines(result.out);
        QCOMPARE(lines.back().value("steps", int64_t{0}), int64_t{2});
        QVERIFY(!fs::exists(temp / "unused"));
        const auto saved = json::parse(test::readText(temp / "other" / "run.json"));
        QCOMPARE(saved["max_steps"].get<int64_t>(), int64_t{2});
        QVERIFY(saved["epochs"].is_null());
    }

    void badConfigIsRefusedBeforeWriting()
    {
        test::TempDir temp;
        auto config = runConfig(temp / "run");
        config["micro_batch_size"] = 0;
        config["learning_rate"] = -1;
        config["lora"]["r"] = 0;
        expectRejected(train({"--config", writeConfig(temp, config, "bad.json").string()}),
                       {"micro_batch_size", "learning_rate", "lora.r"});
        QVERIFY(!fs::exists(temp / "run"));

        auto unknown = runConfig(temp / "run");
        unknown["learning_rat"] = 1e-3;
        expectRejected(train({"--config", writeConfig(temp, unknown, "unknown.json").string()}),
                       {"learning_rat"});
        QVERIFY(!fs::exists(temp / "run"));
    }

    void malformedDatasetIsRefusedBeforeWriting()
    {
        test::TempDir temp;
        test::writeBytes(temp / "broken.jsonl", "{\"instruction\": \"hi\", \n[1, 2\nnot json\n");
        auto config = runConfig(temp / "run");
        config["dataset"] = (temp / "broken.jsonl").string();
        expectRejected(
            train({"--config", writeConfig(temp, config, "run.json").string(), "--json"}),
            {"broken.jsonl:1:"});
        QVERIFY(!fs::exists(temp / "run"));
    }

    void interruptSavesAndResumeFinishes()
    {
        test::TempDir temp;
        auto config = runConfig(temp / "run");
        config["max_steps"] = 60;
        config["micro_batch_size"] = 4;
        const auto file = writeConfig(temp, config, "run.json");

        QProcess process;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("OMP_WAIT_POLICY", "PASSIVE");
        process.setProcessEnvironment(environment);
        process.start(QString::fromStdString(test::cliExecutable().string()),
                      {"train", "--config", QString::fromStdString(file.string()), "--json"});
        QVERIFY(process.waitForStarted());
        std::string firstLine;
        while (firstLine.empty()) {
            if (!process.canReadLine() && !process.waitForReadyRead(120000))
                break;
            if (process.canReadLine())
                firstLine = process.readLine().toStdString();
        }
        QVERIFY2(firstLine.find("\"step\"") != std::string::npos,
                 (firstLine + process.readAllStandardError().toStdString()).c_str());
        ::kill(static_cast<pid_t>(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(120000));
        const std::string out = firstLine + process.readAllStandardOutput().toStdString();
        const std::string err = process.readAllStandardError().toStdString();
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 130,
                 (std::to_string(process.exitCode()) + "\n" + err).c_str());
        const auto stopped = jsonLines(out).back();
        QCOMPARE(stopped.value("event", ""), std::string("finished"));
        QVERIFY(stopped.value("stopped", false));
        const auto stoppedAt = stopped.value("steps", int64_t{0});
        QVERIFY2(stoppedAt >= 1 && stoppedAt < 60, stopped.dump().c_str());
        QVERIFY(fs::exists(temp / "run" / "checkpoints" / "latest"));

        const auto resumed = train({"--resume", (temp / "run").string(), "--json"});
        QVERIFY2(resumed.exitCode == 0, describe(resumed).c_str());
        const auto lines = jsonLines(resumed.out);
        QVERIFY(lines.size() >= 2);
        QCOMPARE(lines.front().value("step", int64_t{0}), stoppedAt + 1);
        QCOMPARE(lines.back().value("event", ""), std::string("finished"));
        QCOMPARE(lines.back().value("steps", int64_t{0}), int64_t{60});
        QVERIFY(!lines.back().value("stopped", true));
    }

    void nonFiniteLossExitsThree()
    {
        test::TempDir temp;
        auto config = runConfig(temp / "run");
        config["lora"] = {{"enabled", false}};
        config["learning_rate"] = 1e20; // see tst_trainer: 1e6 saturates instead
        config["lr_schedule"] = "constant";
        config["max_grad_norm"] = 0;
        config["micro_batch_size"] = 4;
        config["max_steps"] = 10;
        config["save_every"] = 1;
        const auto result =
            train({"--config", writeConfig(temp, config, "run.json").string(), "--json"});
        QVERIFY2(result.exitCode == 3, describe(result).c_str());
        QVERIFY2(result.err.find("training failed") != std::string::npos, result.err.c_str());
        const auto steps = static_cast<int64_t>(jsonLines(result.out).size());
        QVERIFY(steps >= 1);
        QVERIFY2(result.err.find("step " + std::to_string(steps + 1)) != std::string::npos,
                 result.err.c_str());
        char name[32];
        std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(steps));
        QCOMPARE(test::readText(temp / "run" / "checkpoints" / "latest"), std::string(name) + "\n");
        QVERIFY(fs::exists(temp / "run" / "checkpoints" / name / "trainable.safetensors"));
    }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
