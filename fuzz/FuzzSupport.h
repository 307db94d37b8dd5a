// Helpers shared by the libFuzzer targets: a per-process scratch folder in
// which the file-based parsers get their input (the readers map files; there
// is no in-memory entry point), and the rule every target enforces: a parser
// may throw headroom::Error for bad input, anything else escaping is a bug.
#pragma once

#include "common/Error.h"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

// Each target's body is a function: LLVMFuzzerTestOneInput in the fuzz
// build, a plain function named after the target when the unit test
// tests/core/io/tst_fuzz_regressions.cpp replays fuzz/regressions/ with it.
#ifdef HEADROOM_FUZZ_REPLAY
#define HEADROOM_FUZZ_TARGET(name) int name(const uint8_t *data, size_t size)
#else
#define HEADROOM_FUZZ_TARGET(name)                                                                 \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#endif

namespace headroom::fuzz {

// libFuzzer leaves through _Exit at -max_total_time, so atexit handlers do
// not run: each process removes the folders of processes that are gone.
inline const std::filesystem::path &scratchDir()
{
    static const std::filesystem::path dir = [] {
        namespace fs = std::filesystem;
        const auto base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        const std::string prefix = "headroom-fuzz-";
        std::error_code ignored;
        for (const auto &entry : fs::directory_iterator(base, ignored)) {
            const auto name = entry.path().filename().string();
            if (!name.starts_with(prefix))
                continue;
            const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
            if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
                fs::remove_all(entry.path(), ignored);
        }
        auto d = base / (prefix + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::filesystem::path writeScratch(const std::string &name, std::string_view bytes)
{
    const auto path = scratchDir() / name;
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        std::abort();
    if (!bytes.empty())
        std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
}

// Runs `body`; headroom::Error is the expected outcome of bad input, any
// other exception is reported and aborts (a finding).
template <typename Body> int guarded(Body &&body)
{
    try {
        body();
    } catch (const headroom::Error &) {
    } catch (const std::exception &e) {
        std::fprintf(stderr, "non-Error exception escaped: %s\n", e.what());
#ifdef HEADROOM_FUZZ_REPLAY
        throw;
#else
        std::abort();
#endif
    }
    return 0;
}

} // namespace headroom::fuzz
