// Hugging Face cache layout (huggingface_hub `file_download.py`):
// <cache>/models--<org>--<name>/{refs/<branch>, snapshots/<commit>/, blobs/}.
// Read-only; a revision or repo id never becomes a path component unchecked.
#include "io/HfCache.h"

#include "common/Error.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace headroom::io {

namespace fs = std::filesystem;

namespace {
std::string env(const char *name)
{
    const char *v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

bool safeComponent(std::string_view s)
{
    if (s.empty() || s == "." || s == "..")
        return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return s.find("..") == std::string_view::npos;
}

std::vector<std::string> snapshotsOf(const fs::path &repoDir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(repoDir / "snapshots", ec), end; !ec && it != end;
         it.increment(ec))
        if (it->is_directory(ec))
            names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string readRef(const fs::path &file)
{
    std::ifstream in(file);
    std::string commit;
    std::getline(in, commit);
    while (!commit.empty() && (commit.back() == '\r' || commit.back() == ' '))
        commit.pop_back();
    return commit;
}

std::string repoIdFromFolderName(const std::string &folder)
{
    // models--org--name -> org/name (repo ids cannot contain "--" at the edges).
    std::string rest = folder.substr(std::string("models--").size());
    std::string id;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest.compare(i, 2, "--") == 0) {
            id += '/';
            ++i;
        } else {
            id += rest[i];
        }
    }
    return id;
}

// Resolves without throwing; `problem` says why when it returns empty.
fs::path resolveIn(const fs::path &repoDir, const std::string &revision, std::string &problem)
{
    std::error_code ec;
    const auto snapshots = snapshotsOf(repoDir);
    auto snapshotPath = [&](const std::string &commit) { return repoDir / "snapshots" / commit; };
    if (!revision.empty()) {
        if (fs::is_regular_file(repoDir / "refs" / revision, ec)) {
            const auto commit = readRef(repoDir / "refs" / revision);
            if (safeComponent(commit) && fs::is_directory(snapshotPath(commit), ec))
                return snapshotPath(commit);
            problem = "refs/" + revision + " points to " + commit + ", which has no snapshot";
            return {};
        }
        if (fs::is_directory(snapshotPath(revision), ec))
            return snapshotPath(revision);
        problem = "no revision `" + revision + "`";
        return {};
    }
    if (fs::is_regular_file(repoDir / "refs" / "main", ec)) {
        const auto commit = readRef(repoDir / "refs" / "main");
        if (safeComponent(commit) && fs::is_directory(snapshotPath(commit), ec))
            return snapshotPath(commit);
    }
    if (snapshots.size() == 1)
        return snapshotPath(snapshots.front());
    if (snapshots.empty()) {
        problem = "no snapshot";
        return {};
    }
    problem = "no refs/main and several snapshots (";
    for (std::size_t i = 0; i < snapshots.size(); ++i)
        problem += (i ? ", " : "") + snapshots[i];
    problem += "); add @<revision>";
    return {};
}

uint64_t folderSize(const fs::path &folder)
{
    uint64_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (it->is_regular_file(e2)) // follows the snapshot's symlinks into blobs/
            total += it->file_size(e2);
    }
    return total;
}
} // namespace

fs::path hfHubCacheDir()
{
    if (auto hub = env("HF_HUB_CACHE"); !hub.empty())
        return hub;
    if (auto home = env("HF_HOME"); !home.empty())
        return fs::path(home) / "hub";
    if (auto xdg = env("XDG_CACHE_HOME"); !xdg.empty())
        return fs::path(xdg) / "huggingface" / "hub";
    return fs::path(env("HOME")) / ".cache" / "huggingface" / "hub";
}

bool looksLikeRepoId(std::string_view text)
{
    auto at = text.find('@');
    auto id = text.substr(0, at);
    if (at != std::string_view::npos && !safeComponent(text.substr(at + 1)))
        return false;
    auto slash = id.find('/');
    if (slash == std::string_view::npos)
        return safeComponent(id);
    return safeComponent(id.substr(0, slash)) && safeComponent(id.substr(slash + 1));
}

fs::path resolveCachedModel(std::string_view repoIdWithRevision)
{
    const fs::path cache = hfHubCacheDir();
    const std::string text(repoIdWithRevision);
    const auto at = text.find('@');
    const std::string repoId = text.substr(0, at);
    const std::string revision = at == std::string::npos ? "" : text.substr(at + 1);
    auto fail = [&](const std::string &problem) -> fs::path {
        throw Error("model `" + repoId + "`: " + problem + " in the Hugging Face cache (" +
                    cache.string() + ")");
    };
    if (!looksLikeRepoId(text))
        fail("not a valid repo id");
    std::string folderName = "models--";
    for (char c : repoId)
        folderName += c == '/' ? std::string("--") : std::string(1, c);
    const fs::path repoDir = cache / folderName;
    std::error_code ec;
    if (!fs::is_directory(repoDir, ec))
        fail("not found");
    std::string problem;
    auto snapshot = resolveIn(repoDir, revision, problem);
    if (snapshot.empty())
        fail(problem);
    return snapshot;
}

std::vector<CachedModel> listCachedModels()
{
    std::vector<CachedModel> models;
    std::error_code ec;
    for (fs::directory_iterator it(hfHubCacheDir(), ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.rfind("models--", 0) != 0 || !it->is_directory(ec))
            continue;
        std::string problem;
        auto snapshot = resolveIn(it->path(), "", problem);
        if (snapshot.empty()) {
            // Ambiguous: list the newest-named snapshot rather than hide the model.
            const auto snapshots = snapshotsOf(it->path());
            if (snapshots.empty())
                continue;
            snapshot = it->path() / "snapshots" / snapshots.back();
        }
        models.push_back({repoIdFromFolderName(name), snapshot.filename().string(), snapshot,
                          folderSize(snapshot)});
    }
    std::sort(models.begin(), models.end(),
              [](const CachedModel &a, const CachedModel &b) { return a.repoId < b.repoId; });
    return models;
}

} // namespace headroom::io
