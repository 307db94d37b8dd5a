// Faults during `headroom-cli train` on the tiny model of
// tests/fixtures/gen_train.py: SIGKILL mid-run and mid-checkpoint-write, and
// corrupted checkpoint files. What must hold: `checkpoints/latest` always
// names a complete checkpoint (its SHA256SUMS verifies), `train --resume`
// then repeats the uninterrupted run's losses exactly, and a flipped byte
// is an Error naming the file. Power loss (fsync) is not simulated here.
#include "common/ChecksumManifest.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"

#include <QProcess>
#include <QtTest>

#include <chrono>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

using namespace headroom;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int64_t kSteps = 16;

// fp32 CPU LoRA with dropout (so the RNG state matters), a checkpoint after
// every step.
json runConfig(const fs::path &output)
{
    auto config = test::tinyRunConfig(output);
    config["max_steps"] = kSteps;
    config["warmup_steps"] = 2;
    config["save_every"] = 1;
    config["lora"]["dropout"] = 0.1;
    return config;
}

// One thread: the same numbers whatever the load, and no spinning OpenMP.
const std::vector<std::string> kEnvironment = {"OMP_WAIT_POLICY=PASSIVE", "OMP_NUM_THREADS=1"};

std::string describe(const test::ProcessResult &r)
{
    return "exit " + std::to_string(r.exitCode) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// step -> loss of the step lines of a --json stream.
std::map<int64_t, double> stepLosses(const std::string &out)
{
    std::map<int64_t, double> losses;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        const auto parsed = json::parse(line, nullptr, false);
        if (parsed.is_object() && parsed.contains("loss") && parsed.contains("step"))
            losses[parsed["step"].get<int64_t>()] = parsed["loss"].get<double>();
    }
    return losses;
}

// The losses must be the uninterrupted run's, bit for bit.
bool sameLosses(const std::map<int64_t, double> &got, const std::map<int64_t, double> &want,
                std::string &why)
{
    for (const auto &[step, loss] : got) {
        if (!want.count(step) || want.at(step) != loss) {
            why = "step " + std::to_string(step) + ": loss " + std::to_string(loss) +
                  " differs from the uninterrupted run's";
            return false;
        }
    }
    return true;
}

fs::path writeConfig(const test::TempDir &temp, const json &config)
{
    const auto file =
        temp / (fs::path(config["output_dir"].get<std::string>()).filename().string() + ".json");
    test::writeBytes(file, config.dump(2));
    return file;
}

test::ProcessResult train(const std::vector<std::string> &arguments)
{
    std::vector<std::string> all{"train"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return test::runCli(all, 300000, kEnvironment);
}

// The checkpoint `latest` names, or "" when there is none yet; fails the
// test (through the returned message) when it is not complete.
std::string checkLatest(const fs::path &run, int64_t &step)
{
    const auto latest = run / "checkpoints" / "latest";
    step = 0;
    if (!fs::exists(latest))
        return {};
    const auto text = test::readText(latest);
    if (text.size() < 2 || text.back() != '\n')
        return "latest is torn: `" + text + "`";
    const auto folder = run / "checkpoints" / text.substr(0, text.size() - 1);
    try {
        verifyChecksumManifest(folder);
    } catch (const std::exception &e) {
        return std::string("latest names an incomplete checkpoint: ") + e.what();
    }
    step = std::stoll(folder.filename().string().substr(5));
    return {};
}

class CliRun
{
public:
    explicit CliRun(const QStringList &arguments, const QString &crashStep = {})
    {
        auto environment = QProcessEnvironment::systemEnvironment();
        for (const auto &entry : kEnvironment) {
            const auto q = QString::fromStdString(entry);
            environment.insert(q.section('=', 0, 0), q.section('=', 1));
        }
        if (!crashStep.isEmpty())
            environment.insert("HEADROOM_TEST_CRASH_IN_CHECKPOINT", crashStep);
        m_process.setProcessEnvironment(environment);
        m_process.start(QString::fromStdString(test::cliExecutable().string()),
                        QStringList{"train"} + arguments + QStringList{"--json"});
        m_process.waitForStarted();
    }
    ~CliRun()
    {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(static_cast<pid_t>(m_process.processId()), SIGKILL);
            m_process.waitForFinished(60000);
        }
    }

    // The next stdout line; "" at the end of the stream.
    std::string nextLine()
    {
        while (!m_process.canReadLine()) {
            if (m_process.state() == QProcess::NotRunning || !m_process.waitForReadyRead(120000)) {
                if (!m_process.canReadLine())
                    return {};
            }
        }
        auto line = m_process.readLine().toStdString();
        m_out += line;
        return line;
    }

    void killNow()
    {
        ::kill(static_cast<pid_t>(m_process.processId()), SIGKILL);
        m_process.waitForFinished(60000);
    }

    bool finish() { return m_process.waitForFinished(300000); }

    std::string out() { return m_out + m_process.readAllStandardOutput().toStdString(); }
    std::string err() { return m_process.readAllStandardError().toStdString(); }
    bool crashed() const { return m_process.exitStatus() == QProcess::CrashExit; }
    int exitCode() const { return m_process.exitCode(); }

private:
    QProcess m_process;
    std::string m_out;
};

} // namespace

class TestTrainFaults : public QObject
{
    Q_OBJECT

    test::TempDir m_temp;
    std::map<int64_t, double> m_reference; // the uninterrupted run

private slots:
    void initTestCase()
    {
        const auto result = train(
            {"--config", writeConfig(m_temp, runConfig(m_temp / "reference")).string(), "--json"});
        QVERIFY2(result.exitCode == 0, describe(result).c_str());
        m_reference = stepLosses(result.out);
        QCOMPARE(m_reference.size(), static_cast<size_t>(kSteps));
    }

    // SIGKILL after a few steps: the last checkpoint is complete and the
    // resumed run repeats the uninterrupted losses exactly.
    void killMidRunResumesWithSameLosses()
    {
        const auto run = m_temp / "killed";
        std::map<int64_t, double> before;
        {
            CliRun cli(
                {"--config", QString::fromStdString(writeConfig(m_temp, runConfig(run)).string())});
            int seen = 0;
            while (seen < 4) {
                const auto line = cli.nextLine();
                QVERIFY2(!line.empty(), cli.err().c_str());
                if (line.find("\"loss\"") != std::string::npos)
                    ++seen;
            }
            cli.killNow();
            QVERIFY(cli.crashed());
            before = stepLosses(cli.out());
        }
        std::string why;
        QVERIFY2(sameLosses(before, m_reference, why), why.c_str());
        int64_t saved = 0;
        const auto problem = checkLatest(run, saved);
        QVERIFY2(problem.empty(), problem.c_str());
        QVERIFY2(saved >= 3 && saved < kSteps, std::to_string(saved).c_str());

        const auto resumed = train({"--resume", run.string(), "--json"});
        QVERIFY2(resumed.exitCode == 0, describe(resumed).c_str());
        const auto after = stepLosses(resumed.out);
        QCOMPARE(after.size(), static_cast<size_t>(kSteps - saved));
        QCOMPARE(after.begin()->first, saved + 1);
        QVERIFY2(sameLosses(after, m_reference, why), why.c_str());
    }

    // The test hook kills the process after the checkpoint's weight and
    // optimizer files are written and before state.json, the manifest and
    // the rename: `latest` still names the step before, complete, and the
    // resumed run repeats the uninterrupted one.
    void killInsideCheckpointWriteKeepsThePreviousOne()
    {
        const auto run = m_temp / "torn";
        std::string out;
        {
            CliRun cli(
                {"--config", QString::fromStdString(writeConfig(m_temp, runConfig(run)).string())},
                "5");
            QVERIFY(cli.finish());
            QVERIFY2(cli.crashed(), cli.err().c_str());
            out = cli.out();
        }
        QCOMPARE(stepLosses(out).size(), size_t{5});
        QVERIFY(fs::is_directory(run / "checkpoints" / "step-00000005.partial"));
        int64_t saved = 0;
        const auto problem = checkLatest(run, saved);
        QVERIFY2(problem.empty(), problem.c_str());
        QCOMPARE(saved, int64_t{4});

        const auto resumed = train({"--resume", run.string(), "--json"});
        QVERIFY2(resumed.exitCode == 0, describe(resumed).c_str());
        const auto after = stepLosses(resumed.out);
        QCOMPARE(after.size(), static_cast<size_t>(kSteps - 4));
        std::string why;
        QVERIFY2(sameLosses(after, m_reference, why), why.c_str());
        for (const auto &entry : fs::directory_iterator(run / "checkpoints"))
            QVERIFY2(entry.path().extension() != ".partial", entry.path().c_str());
    }

    // SIGKILL at random moments shortly after a step line, i.e. mostly while
    // that step's checkpoint is being written (files, manifest, rename,
    // `latest`, pruning). After every kill `latest` names a complete
    // checkpoint; the run then finishes with the uninterrupted losses.
    void repeatedRandomKillsNeverTearACheckpoint()
    {
        const auto run = m_temp / "random";
        const auto config = QString::fromStdString(writeConfig(m_temp, runConfig(run)).string());
        std::mt19937 random(20261126);
        std::uniform_int_distribution<int> delayUs(0, 40000);
        std::map<int64_t, double> all;
        std::string why;
        int kills = 0;
        for (int attempt = 0; attempt < 8; ++attempt) {
            int64_t saved = 0;
            auto problem = checkLatest(run, saved);
            QVERIFY2(problem.empty(), problem.c_str());
            if (saved >= kSteps - 2)
                break;
            CliRun cli(saved == 0 && !fs::exists(run)
                           ? QStringList{"--config", config}
                           : QStringList{"--resume", QString::fromStdString(run.string())});
            // The first run needs step 1's checkpoint before a kill can
            // leave something to resume from: wait for step 2's line.
            const int linesBeforeKill = saved == 0 ? 2 : 1;
            int seen = 0;
            while (seen < linesBeforeKill) {
                const auto line = cli.nextLine();
                QVERIFY2(!line.empty(), cli.err().c_str());
                if (line.find("\"loss\"") != std::string::npos)
                    ++seen;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(delayUs(random)));
            cli.killNow();
            ++kills;
            const auto losses = stepLosses(cli.out());
            QVERIFY2(sameLosses(losses, m_reference, why), why.c_str());
            all.insert(losses.begin(), losses.end());
            problem = checkLatest(run, saved);
            QVERIFY2(problem.empty(), problem.c_str());
            QVERIFY(saved >= 1);
        }
        QVERIFY(kills >= 3);
        const auto resumed = train({"--resume", run.string(), "--json"});
        QVERIFY2(resumed.exitCode == 0, describe(resumed).c_str());
        const auto after = stepLosses(resumed.out);
        QVERIFY2(sameLosses(after, m_reference, why), why.c_str());
        QCOMPARE(after.rbegin()->first, kSteps);
        int64_t saved = 0;
        QVERIFY(checkLatest(run, saved).empty());
        QCOMPARE(saved, kSteps);
    }

    // A flipped byte in any checkpoint file, a truncated file, a missing
    // manifest: `train --resume` refuses with exit 2 and names the file.
    void corruptedCheckpointIsRefusedNamingTheFile()
    {
        const auto run = m_temp / "corrupt";
        const auto result = train({"--config", writeConfig(m_temp,
                                                           [&] {
                                                               auto c = runConfig(run);
                                                               c["max_steps"] = 2;
                                                               return c;
                                                           }())
                                                   .string()});
        QVERIFY2(result.exitCode == 0, describe(result).c_str());
        const auto folder = run / "checkpoints" / "step-00000002";
        const auto pristine =
            fs::temp_directory_path() / ("headroom-pristine-" + std::to_string(::getpid()));
        fs::remove_all(pristine);
        fs::copy(folder, pristine, fs::copy_options::recursive);
        auto restore = [&] {
            fs::remove_all(folder);
            fs::copy(pristine, folder, fs::copy_options::recursive);
        };
        const auto intact = train({"--resume", run.string(), "--json"});
        QVERIFY2(intact.exitCode == 0, describe(intact).c_str());

        for (const char *name : {"adapter/adapter_model.safetensors", "optimizer.safetensors",
                                 "rng.safetensors", "state.json", "run.json"}) {
            auto bytes = test::readText(folder / name);
            bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
            test::writeBytes(folder / name, bytes);
            const auto flipped = train({"--resume", run.string(), "--json"});
            QVERIFY2(flipped.exitCode == 2, describe(flipped).c_str());
            // run.json is read to build the session before loadCheckpoint
            // verifies the files: a flip that breaks its syntax or a key is
            // reported by the config parser, still naming the file.
            QVERIFY2(flipped.err.find(name) != std::string::npos &&
                         (flipped.err.find("checksum") != std::string::npos ||
                          std::string(name) == "run.json"),
                     flipped.err.c_str());
            restore();
        }

        {
            const auto file = folder / "optimizer.safetensors";
            const auto bytes = test::readText(file);
            test::writeBytes(file, bytes.substr(0, bytes.size() - 100));
            const auto truncated = train({"--resume", run.string(), "--json"});
            QVERIFY2(truncated.exitCode == 2 &&
                         truncated.err.find("optimizer.safetensors") != std::string::npos,
                     describe(truncated).c_str());
            restore();
        }
        {
            fs::remove(folder / kChecksumManifestName);
            const auto missing = train({"--resume", run.string(), "--json"});
            QVERIFY2(missing.exitCode == 2 &&
                         missing.err.find(kChecksumManifestName) != std::string::npos,
                     describe(missing).c_str());
            restore();
        }
        fs::remove_all(pristine);
    }
};

QTEST_GUILESS_MAIN(TestTrainFaults)
#include "tst_train_faults.moc"
