// std::cerr that writes each line with one write(2). Ranks started by
// `train --nproc` share the launcher's stderr, and an unbuffered cerr writes
// every `<<` piece on its own, so two ranks' lines interleave mid-line and a
// reader (the GUI parses these lines) sees "error: rank 1error: rank 0 ...".
// One write per line of at most PIPE_BUF bytes is atomic on a pipe.
#pragma once

namespace headroom::cli {

// Installs the line-writing buffer into std::cerr for the rest of the
// process; what is left without a newline is written on flush and at exit.
void writeStderrWholeLines();

} // namespace headroom::cli
