// The one reader of a run folder's `checkpoints/latest` pointer, shared by
// the trainer (resume) and the exporters. Torch-free.
#pragma once

#include <filesystem>

namespace headroom::train {

// The checkpoint folder `runDir`/checkpoints/latest names. The trainer writes
// a bare folder name; anything that could leave checkpoints/ is refused
// rather than followed. Errors name the file and what is wrong.
std::filesystem::path latestCheckpoint(const std::filesystem::path &runDir);

} // namespace headroom::train
