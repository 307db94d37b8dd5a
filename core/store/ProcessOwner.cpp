// See ProcessOwner.h. The start time is field 22 of /proc/<pid>/stat (clock
// ticks since boot) on Linux; elsewhere only the pid is compared.
#include "store/ProcessOwner.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <unistd.h>
#endif

namespace headroom::store {

namespace {

std::string startTimeOf(int64_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!in || !std::getline(in, stat))
        return {};
    // The command name (field 2) may hold spaces and parentheses: skip to
    // the last ')'; the fields after it start with field 3.
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    for (int index = 3; index <= 22 && fields >> field; ++index)
        if (index == 22)
            return field;
    return {};
}

} // namespace

ProcessOwner currentProcess()
{
#if defined(__unix__) || defined(__APPLE__)
    const int64_t pid = static_cast<int64_t>(getpid());
    return {pid, startTimeOf(pid)};
#else
    return {};
#endif
}

bool isAlive(const ProcessOwner &owner)
{
    if (owner.pid <= 0)
        return false;
#if defined(__unix__) || defined(__APPLE__)
    if (kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno != EPERM)
        return false;
    if (owner.start.empty())
        return true;
    const auto start = startTimeOf(owner.pid);
    return start.empty() || start == owner.start;
#else
    return true;
#endif
}

} // namespace headroom::store
