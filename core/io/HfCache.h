// Offline lookup of models in the Hugging Face hub cache
// (`models--org--name/snapshots/<commit>`, `refs/<branch>`). Does not download
// and does not write to the cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::io {

// $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
std::filesystem::path hfHubCacheDir();

// "org/name" or "name", optionally "@revision"; no spaces, no "..".
bool looksLikeRepoId(std::string_view text);

// Snapshot folder of `repoId[@revision]`. The revision is a branch or tag
// (refs/<rev>) or a commit hash (snapshots/<rev>); without one, refs/main, or
// the only snapshot. Throws headroom::Error naming the repo id and the cache
// folder (and listing snapshots when the choice is ambiguous).
std::filesystem::path resolveCachedModel(std::string_view repoIdWithRevision);

struct CachedModel
{
    std::string repoId;             // "Qwen/Qwen2.5-0.5B"
    std::string revision;           // commit hash of the snapshot
    std::filesystem::path snapshot; // folder to load
    uint64_t sizeOnDisk = 0;        // bytes of the files the snapshot points to
};

// One entry per cached model repository that has a usable snapshot, sorted by
// repo id. Unreadable entries are skipped, never thrown.
std::vector<CachedModel> listCachedModels();

} // namespace headroom::io
