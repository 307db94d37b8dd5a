// Implementation of the shared test helpers on top of QProcess/QTemporaryDir.
#include "common/TestSupport.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace headroom::test {

std::filesystem::path fixtureDir()
{
    if (const char *env = std::getenv("HEADROOM_FIXTURE_DIR"))
        return env;
    return HEADROOM_FIXTURE_DIR;
}

std::filesystem::path sourceDir()
{
    return HEADROOM_SOURCE_DIR;
}

std::filesystem::path pythonExecutable()
{
    return HEADROOM_PYTHON_PATH;
}

namespace {

// Runs `program` with `arguments` and the inherited environment plus `extra`
// ("NAME=value" entries); no shell involved.
ProcessResult runProcess(const QString &program, const std::vector<std::string> &arguments,
                         const std::vector<std::string> &extra, int timeoutMs)
{
    QStringList args;
    for (const auto &a : arguments)
        args << QString::fromStdString(a);
    QProcess process;
    auto env = QProcessEnvironment::systemEnvironment();
    for (const auto &entry : extra) {
        const auto eq = entry.find('=');
        env.insert(QString::fromStdString(entry.substr(0, eq)),
                   QString::fromStdString(entry.substr(eq + 1)));
    }
    process.setProcessEnvironment(env);
    process.start(program, args);
    ProcessResult result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput().toStdString();
    result.err = process.readAllStandardError().toStdString();
    return result;
}

} // namespace

ProcessResult runPython(const std::string &script, const std::vector<std::string> &arguments,
                        int timeoutMs)
{
    std::vector<std::string> args{"-c", script};
    args.insert(args.end(), arguments.begin(), arguments.end());
    return runProcess(QString::fromStdString(pythonExecutable().string()), args,
                      {"HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1"}, timeoutMs);
}

TempDir::TempDir()
{
    std::random_device rd;
    m_path = std::filesystem::temp_directory_path() /
             ("headroom-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(m_path);
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

std::filesystem::path cliExecutable()
{
    return HEADROOM_CLI_PATH;
}

ProcessResult runCli(const std::vector<std::string> &arguments, int timeoutMs,
                     const std::vector<std::string> &environment)
{
    return runProcess(QString::fromUtf8(HEADROOM_CLI_PATH), arguments, environment, timeoutMs);
}

std::string readText(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void forEachCorruption(const std::string &good,
                       const std::function<void(const std::string &)> &attempt, int rounds)
{
    for (std::size_t n = 0; n < good.size(); ++n)
        attempt(good.substr(0, n));
    std::mt19937 rng(42);
    for (int round = 0; round < rounds; ++round) {
        auto bytes = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k)
            bytes[rng() % bytes.size()] = static_cast<char>(rng());
        attempt(bytes);
    }
}

void writeBytes(const std::filesystem::path &file, const std::string &bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace headroom::test
