// Who is recording a running run: the process id plus, where the system says
// it, the process's start time, so that a recycled pid is not mistaken for the
// process that was killed. Internal to core/store.
#pragma once

#include <cstdint>
#include <string>

namespace headroom::store {

struct ProcessOwner
{
    int64_t pid = 0;
    std::string start; // opaque; empty when unknown
};

ProcessOwner currentProcess();

// False when no process `owner.pid` exists, or one exists that started at
// another time. Unknown start times compare equal (only the pid is checked).
bool isAlive(const ProcessOwner &owner);

} // namespace headroom::store
