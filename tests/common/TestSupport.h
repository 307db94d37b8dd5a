// Helpers shared by the Qt Test suites: where fixtures live, temporary
// folders, running headroom-cli and capturing its output.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace headroom::test {

// Folder the Python reference stack wrote its fixtures into
// (tests/fixtures/generate_all.py). Overridable with $HEADROOM_FIXTURE_DIR.
std::filesystem::path fixtureDir();
std::filesystem::path sourceDir();

// The Python of the reference environment (the venv scripts/setup.sh made),
// for interop tests that ask the reference stack to read what we wrote.
std::filesystem::path pythonExecutable();
// headroom-cli of this build (for tests that drive the process themselves).
std::filesystem::path cliExecutable();

// A fresh empty folder under the system temp dir, removed at destruction.
class TempDir
{
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path &path() const { return m_path; }
    std::filesystem::path operator/(const std::string &name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

struct ProcessResult
{
    int exitCode = -1;
    std::string out;
    std::string err;
};

// Runs the built headroom-cli with the arguments; no shell involved.
// `environment` entries ("NAME=value") are added to the inherited environment.
ProcessResult runCli(const std::vector<std::string> &arguments, int timeoutMs = 300000,
                     const std::vector<std::string> &environment = {});

// Runs `python -c script args...` in the reference environment, offline.
ProcessResult runPython(const std::string &script, const std::vector<std::string> &arguments,
                        int timeoutMs = 300000);

std::string readText(const std::filesystem::path &file);

// Calls `attempt` with every proper prefix of `good`, then with `rounds`
// seeded random corruptions (1–4 bytes overwritten each): the inputs a parser
// must refuse cleanly.
void forEachCorruption(const std::string &good,
                       const std::function<void(const std::string &)> &attempt, int rounds = 1000);
void writeBytes(const std::filesystem::path &file, const std::string &bytes);

} // namespace headroom::test
