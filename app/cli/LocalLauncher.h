// `headroom-cli train --nproc N`: starts N copies of this executable on this
// machine with the launcher environment torchrun would set (RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT = a free port),
// forwards Ctrl-C to them, and when one fails gives the others a grace
// period to stop on their own (they notice the lost peer) before killing
// them. It is deliberately not an elastic launcher: no restarts, one machine.
#pragma once

#include <string>
#include <vector>

namespace headroom::cli {

// `arguments` are this process's argv[1..] without --nproc. Returns the
// worst exit code of the ranks: a failure (its own code, or 128 + signal)
// over 130 (stopped by Ctrl-C) over 0.
int launchLocalProcesses(int count, const std::vector<std::string> &arguments);

} // namespace headroom::cli
