// Forks and execs the ranks of a local data-parallel run; see LocalLauncher.h.
#include "LocalLauncher.h"

#include "common/Error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

namespace headroom::cli {

namespace {

volatile std::sig_atomic_t g_launcherInterrupted = 0;

extern "C" void onLauncherInterrupt(int)
{
    g_launcherInterrupted = 1;
}

// A port the kernel considers free now (bind to port 0, read it back). Rank
// 0's TCPStore binds it a moment later; the race is the same as torchrun's.
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw Error("--nproc: cannot open a socket to find a free port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    if (port <= 0)
        throw Error("--nproc: cannot find a free TCP port on 127.0.0.1");
    return port;
}

int severity(int code)
{
    return code == 0 ? 0 : code == 130 ? 1 : 2;
}

// How long the others may take to stop on their own once one rank failed:
// enough to notice the lost peer and report it, short of hanging forever.
constexpr auto kGracePeriod = std::chrono::seconds(30);

} // namespace

int launchLocalProcesses(int count, const std::vector<std::string> &arguments)
{
    const int port = freePort();
    std::vector<pid_t> children;
    auto previous = std::signal(SIGINT, onLauncherInterrupt);
    for (int rank = 0; rank < count; ++rank) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            for (pid_t child : children)
                ::kill(child, SIGKILL);
            throw Error("--nproc: cannot start process " + std::to_string(rank));
        }
        if (pid == 0) {
            std::signal(SIGINT, SIG_DFL);
            ::setenv("RANK", std::to_string(rank).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
            ::setenv("WORLD_SIZE", std::to_string(count).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            std::vector<char *> argv;
            static const char kSelf[] = "/proc/self/exe";
            argv.push_back(const_cast<char *>(kSelf));
            for (const auto &argument : arguments)
                argv.push_back(const_cast<char *>(argument.c_str()));
            argv.push_back(nullptr);
            ::execv(kSelf, argv.data());
            std::perror("headroom-cli --nproc: exec");
            ::_exit(127);
        }
        children.push_back(pid);
        std::cerr << "started rank " << rank << " of " << count << " (pid " << pid << ")\n";
    }

    int worst = 0;
    size_t running = children.size();
    std::optional<std::chrono::steady_clock::time_point> killAt;
    bool forwarded = false;
    while (running > 0) {
        if (g_launcherInterrupted && !forwarded) {
            for (pid_t child : children)
                if (child > 0)
                    ::kill(child, SIGINT);
            forwarded = true;
        }
        if (killAt && std::chrono::steady_clock::now() >= *killAt) {
            for (pid_t child : children)
                if (child > 0) {
                    std::cerr << "killing pid " << child << ": its peer failed "
                              << kGracePeriod.count() << " s ago\n";
                    ::kill(child, SIGKILL);
                }
            killAt.reset();
        }
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        int code = WIFEXITED(status)     ? WEXITSTATUS(status)
                   : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                         : 1;
        for (size_t i = 0; i < children.size(); ++i)
            if (children[i] == pid) {
                children[i] = -1;
                --running;
                if (code != 0 && code != 130)
                    std::cerr << "rank " << i << " (pid " << pid << ") failed with exit code "
                              << code << "\n";
            }
        if (severity(code) > severity(worst) || (severity(code) == 2 && code > worst))
            worst = code;
        if (code != 0 && code != 130 && !killAt)
            killAt = std::chrono::steady_clock::now() + kGracePeriod;
    }
    std::signal(SIGINT, previous);
    return worst;
}

} // namespace headroom::cli
