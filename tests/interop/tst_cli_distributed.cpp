// Data-parallel training on c10d process groups (Gloo on loopback, CPU):
// `headroom-cli train --nproc 2` gives the loss curve and the adapter (in
// full fine-tuning: the weights) of one process with the same global batch
// (grad_accum_steps is the whole step's micro-batches, split between the
// ranks); a rank that dies makes the other stop with a clear error within a
// bounded time; an inconsistent launcher environment is refused naming the
// variable. fp32, LoRA without dropout, so that the two runs are the same
// computation up to summation order.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"

#include <QProcess>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json runConfig(const fs::path &output)
{
    auto config = test::tinyRunConfig(output);
    config["grad_accum_steps"] = 2;  // the global batch: 4 rows, 2 per rank with 2 processes
    config["lora"]["dropout"] = 0.0; // each rank draws its own masks
    return config;
}

fs::path writeConfig(const test::TempDir &temp, const json &config, const std::string &name)
{
    const auto file = temp / name;
    test::writeBytes(file, config.dump(2));
    return file;
}

std::vector<json> stepLines(const std::string &out)
{
    std::vector<json> steps;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        auto parsed = json::parse(line, nullptr, false);
        if (!parsed.is_discarded() && parsed.contains("loss"))
            steps.push_back(std::move(parsed));
    }
    return steps;
}

// Passive OpenMP waiting (see tst_cli_train) and one thread per rank: two
// ranks share the cores, and fp32 sums do not depend on the thread count.
const std::vector<std::string> kEnvironment = {"OMP_WAIT_POLICY=PASSIVE", "OMP_NUM_THREADS=1"};

std::string describe(const test::ProcessResult &r)
{
    return "exit " + std::to_string(r.exitCode) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

// The trained tensors of the run's last checkpoint: the PEFT adapter, or
// every weight in full fine-tuning.
std::map<std::string, at::Tensor> finalWeights(const fs::path &run)
{
    const auto latest = test::readText(run / "checkpoints" / "latest");
    const auto folder = run / "checkpoints" / latest.substr(0, latest.find('\n'));
    if (fs::exists(folder / "trainable.safetensors"))
        return test::readSafetensors(folder / "trainable.safetensors");
    return test::readSafetensors(folder / "adapter" / "adapter_model.safetensors");
}

// The last checkpoints of two runs hold the same tensors within 1e-5.
void compareFinalWeights(const fs::path &run, const fs::path &reference)
{
    const auto got = finalWeights(run), expected = finalWeights(reference);
    QCOMPARE(got.size(), expected.size());
    QVERIFY(!expected.empty());
    for (const auto &[name, tensor] : expected) {
        QVERIFY2(got.count(name), name.c_str());
        const double difference = test::maxAbsDifference(got.at(name), tensor);
        QVERIFY2(difference < 1e-5, (name + ": " + std::to_string(difference)).c_str());
    }
}

double relative(double a, double b)
{
    return std::abs(a - b) / std::max(std::abs(b), 1e-12);
}

} // namespace

class TestCliDistributed : public QObject
{
    Q_OBJECT

private slots:
    void twoProcessesMatchOne_data()
    {
        QTest::addColumn<bool>("full");
        // LoRA: one micro-batch per rank and step, reduced during its backward.
        QTest::newRow("lora") << false;
        // Full fine-tuning with gradient checkpointing and 2 micro-batches per
        // rank: the buckets fill across micro-batches and through the
        // checkpoints' recomputed backward passes.
        QTest::newRow("full, checkpointing") << true;
    }

    void twoProcessesMatchOne()
    {
        QFETCH(bool, full);
        auto config = [&](const fs::path &output) {
            auto c = runConfig(output);
            if (full) {
                c["lora"]["enabled"] = false;
                c["grad_accum_steps"] = 4;
                c["micro_batch_size"] = 1;
                c["gradient_checkpointing"] = true;
                c["learning_rate"] = 1e-4;
            }
            return c;
        };
        test::TempDir temp;
        const auto one =
            test::runCli({"train", "--config",
                          writeConfig(temp, config(temp / "one"), "one.json").string(), "--json"},
                         300000, kEnvironment);
        QVERIFY2(one.exitCode == 0, describe(one).c_str());
        const auto two = test::runCli({"train", "--config",
                                       writeConfig(temp, config(temp / "two"), "two.json").string(),
                                       "--json", "--nproc", "2"},
                                      300000, kEnvironment);
        QVERIFY2(two.exitCode == 0, describe(two).c_str());
        QVERIFY2(two.err.find("all-reduce buckets, reduced during backward") != std::string::npos,
                 two.err.c_str());

        // Only rank 0 reports: one line per step, one "finished".
        const auto a = stepLines(one.out), b = stepLines(two.out);
        QCOMPARE(a.size(), size_t{4});
        QVERIFY2(b.size() == a.size(), two.out.c_str());
        QVERIFY2(two.out.find("\"finished\"") == two.out.rfind("\"finished\""), two.out.c_str());
        for (size_t i = 0; i < a.size(); ++i) {
            const auto step =
                "step " + std::to_string(i + 1) + ": " + a[i].dump() + " vs " + b[i].dump();
            QVERIFY2(relative(b[i]["loss"].get<double>(), a[i]["loss"].get<double>()) < 1e-5,
                     step.c_str());
            QVERIFY2(relative(b[i]["grad_norm"].get<double>(), a[i]["grad_norm"].get<double>()) <
                         1e-4,
                     step.c_str());
            QVERIFY2(b[i]["tokens"] == a[i]["tokens"], step.c_str());
            // The communication backward did not hide: reported with two processes only.
            QVERIFY2(b[i].contains("reduce_wait_s") && !a[i].contains("reduce_wait_s"),
                     step.c_str());
            // The first step learns; from the second on every bucket's
            // all-reduce starts from a gradient hook, before backward ends.
            const int64_t buckets = b[i]["reduce_buckets"].get<int64_t>();
            const int64_t overlapped = b[i]["reduce_buckets_overlapped"].get<int64_t>();
            QVERIFY2(buckets >= 1 && overlapped == (i == 0 ? 0 : buckets), step.c_str());
        }

        // The measured memory (the largest rank's) against `estimate --nproc 2
        // --fit-data` (rows at the dataset's longest sample): the resident
        // gradient buckets count from load on; forward and peak, which depend
        // on each step's rows, stay under the estimate's longest-row bound (up
        // to the estimator's few per cent) and within 25 % of it on the step
        // that comes closest.
        const auto estimate = test::runCli({"estimate", "--config", (temp / "two.json").string(),
                                            "--json", "--nproc", "2", "--fit-data"});
        QVERIFY2(estimate.exitCode == 0, describe(estimate).c_str());
        const auto estimated = json::parse(estimate.out);
        for (const char *stage : {"load", "optimizer", "backward"}) {
            const double measured = b.back()["mem"][stage].get<double>();
            const double expected = estimated["stages"][stage].get<double>();
            const auto text = std::string(stage) + ": measured " + std::to_string(measured) +
                              ", estimated " + std::to_string(expected);
            QVERIFY2(relative(expected, measured) < (stage[0] == 'b' ? 0.1 : 0.02), text.c_str());
        }
        for (const char *stage : {"forward", "peak"}) {
            double most = 0;
            for (const auto &line : b)
                most = std::max(most, line["mem"][stage].get<double>());
            const double bound = stage[0] == 'p' ? estimated["peak"].get<double>()
                                                 : estimated["stages"][stage].get<double>();
            const auto text = std::string(stage) + ": measured at most " + std::to_string(most) +
                              ", estimated " + std::to_string(bound);
            qInfo("%s", text.c_str());
            QVERIFY2(most <= 1.05 * bound && most >= 0.75 * bound, text.c_str());
        }

        compareFinalWeights(temp / "two", temp / "one");
    }

    // A checkpoint written by N processes resumes with M: the data order and
    // the global batch do not depend on the process count. A run stopped
    // after step 2 (the test hook fails step 3 as out of memory; every step
    // is saved) finishes with the other count like the uninterrupted run.
    void resumeWithAnotherProcessCount_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("then");
        QTest::newRow("1 then 2") << 1 << 2;
        QTest::newRow("2 then 1") << 2 << 1;
    }

    void resumeWithAnotherProcessCount()
    {
        QFETCH(int, first);
        QFETCH(int, then);
        test::TempDir temp;
        auto config = runConfig(temp / "whole");
        config["save_every"] = 1;
        const auto whole = test::runCli(
            {"train", "--config", writeConfig(temp, config, "whole.json").string(), "--json"},
            300000, kEnvironment);
        QVERIFY2(whole.exitCode == 0, describe(whole).c_str());

        config["output_dir"] = (temp / "split").string();
        auto environment = kEnvironment;
        environment.push_back("HEADROOM_TEST_OOM_AT_STEP=3");
        const auto stopped =
            test::runCli({"train", "--config", writeConfig(temp, config, "split.json").string(),
                          "--json", "--nproc", std::to_string(first)},
                         300000, environment);
        QVERIFY2(stopped.exitCode == 3, describe(stopped).c_str());
        QCOMPARE(stepLines(stopped.out).size(), size_t{2});
        const auto resumed = test::runCli({"train", "--resume", (temp / "split").string(), "--json",
                                           "--nproc", std::to_string(then)},
                                          300000, kEnvironment);
        QVERIFY2(resumed.exitCode == 0, describe(resumed).c_str());

        const auto a = stepLines(whole.out), b = stepLines(resumed.out);
        QCOMPARE(b.size(), size_t{2});
        for (size_t i = 0; i < b.size(); ++i) {
            const auto &reference = a[i + 2];
            QCOMPARE(b[i]["step"].get<int>(), reference["step"].get<int>());
            QVERIFY2(relative(b[i]["loss"].get<double>(), reference["loss"].get<double>()) < 1e-5,
                     (b[i].dump() + " vs " + reference.dump()).c_str());
        }
        compareFinalWeights(temp / "split", temp / "whole");
    }

    // torchrun-style: two processes started with the launcher's environment;
    // rank 1 is killed after rank 0's first step, and rank 0 must stop with a
    // clear error (exit 3) well before the test's 60 s bound.
    void deadPeerStopsTheOthers()
    {
        test::TempDir temp;
        auto config = runConfig(temp / "run");
        config["max_steps"] = 100000;
        const auto file = writeConfig(temp, config, "run.json");
        const QString port = QString::number(freePort());
        std::vector<std::unique_ptr<QProcess>> ranks;
        for (int rank = 0; rank < 2; ++rank) {
            auto process = std::make_unique<QProcess>();
            auto environment = QProcessEnvironment::systemEnvironment();
            for (const auto &entry : kEnvironment) {
                const auto text = QString::fromStdString(entry);
                environment.insert(text.section('=', 0, 0), text.section('=', 1));
            }
            environment.insert("RANK", QString::number(rank));
            environment.insert("WORLD_SIZE", "2");
            environment.insert("MASTER_ADDR", "127.0.0.1");
            environment.insert("MASTER_PORT", port);
            environment.insert("HEADROOM_DIST_TIMEOUT", "40");
            process->setProcessEnvironment(environment);
            process->start(QString::fromStdString(test::cliExecutable().string()),
                           {"train", "--config", QString::fromStdString(file.string()), "--json"});
            QVERIFY(process->waitForStarted());
            ranks.push_back(std::move(process));
        }
        std::string firstLine;
        while (firstLine.empty()) {
            if (!ranks[0]->canReadLine() && !ranks[0]->waitForReadyRead(120000))
                break;
            if (ranks[0]->canReadLine())
                firstLine = ranks[0]->readLine().toStdString();
        }
        QVERIFY2(firstLine.find("\"step\"") != std::string::npos,
                 (firstLine + ranks[0]->readAllStandardError().toStdString()).c_str());

        const auto killed = std::chrono::steady_clock::now();
        ::kill(static_cast<pid_t>(ranks[1]->processId()), SIGKILL);
        QVERIFY(ranks[1]->waitForFinished(10000));
        const bool finished = ranks[0]->waitForFinished(60000);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
        const std::string err = ranks[0]->readAllStandardError().toStdString();
        if (!finished)
            ranks[0]->kill();
        QVERIFY2(finished, ("rank 0 still runs 60 s after its peer died\n" + err).c_str());
        QVERIFY2(ranks[0]->exitStatus() == QProcess::NormalExit && ranks[0]->exitCode() == 3,
                 (std::to_string(ranks[0]->exitCode()) + "\n" + err).c_str());
        QVERIFY2(err.find("lost contact with the other training processes") != std::string::npos,
                 err.c_str());
        qInfo("rank 0 stopped %.1f s after its peer was killed", seconds);
    }

    void inconsistentEnvironmentIsRefused()
    {
        test::TempDir temp;
        const auto file = writeConfig(temp, runConfig(temp / "run"), "run.json").string();
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
            {{"RANK=0"}, "WORLD_SIZE"},
            {{"RANK=2", "WORLD_SIZE=2"}, "RANK"},
            {{"RANK=0", "WORLD_SIZE=2"}, "MASTER_ADDR"},
            {{"RANK=0", "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=http"},
             "MASTER_PORT"},
        };
        for (const auto &[environment, needle] : cases) {
            const auto result = test::runCli({"train", "--config", file}, 120000, environment);
            QVERIFY2(result.exitCode == 2, describe(result).c_str());
            QVERIFY2(result.err.find(needle) != std::string::npos, describe(result).c_str());
            QVERIFY(!fs::exists(temp / "run"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliDistributed)
#include "tst_cli_distributed.moc"
