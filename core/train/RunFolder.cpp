// See RunFolder.h.
#include "train/RunFolder.h"

#include "common/Error.h"
#include "common/ReadFile.h"

#include <string>

namespace headroom::train {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string &text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

} // namespace

fs::path latestCheckpoint(const fs::path &runDir)
{
    const auto latest = runDir / "checkpoints" / "latest";
    if (!fs::exists(latest)) {
        if (!fs::exists(runDir / "run.json"))
            throwFileError(runDir, "not a run folder (no run.json) and not a checkpoint folder "
                                   "(no state.json)");
        throwFileError(latest, "missing: the run has no complete checkpoint yet (train until a "
                               "checkpoint is saved, or name one with --checkpoint)");
    }
    const auto name = trimmed(readFile(latest));
    if (name.empty() || name == "." || name == ".." ||
        name.find_first_of("/\\") != std::string::npos)
        throwFileError(latest, "must hold the folder name of a checkpoint, found `" + name + "`");
    const auto folder = runDir / "checkpoints" / name;
    if (!fs::is_directory(folder))
        throwFileError(latest, "names `" + name + "`, but " + folder.string() + " does not exist");
    return folder;
}

} // namespace headroom::train
