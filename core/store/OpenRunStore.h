// Opening the user's run database so that a damaged file never stops
// Headroom and is never silently lost: it is renamed aside (with its WAL and
// shared-memory files) to "<file>.damaged-<UTC time>", a new empty database
// takes its place, and the caller is told both names to show the user.
#pragma once

#include "store/RunStore.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace headroom::store {

struct OpenedRunStore
{
    std::unique_ptr<RunStore> store;
    std::optional<std::filesystem::path> setAside; // where a damaged file went
    std::string notice;                            // for the user; empty when all was well
};

// Throws Error for what setting aside cannot mend (a newer schema version,
// a folder without write permission): the caller decides (the GUI falls back
// to an in-memory store and says so).
OpenedRunStore openRunStore(const std::filesystem::path &file);

} // namespace headroom::store
