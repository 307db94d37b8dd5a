// Order of resolution: an existing path wins over a repo id, so a local folder
// named like "org/name" is never shadowed by the cache.
#include "io/ModelSource.h"

#include "common/Error.h"
#include "io/HfCache.h"

#include <cctype>

namespace headroom::io {

namespace fs = std::filesystem;

ModelSource resolveModelSource(std::string_view argument)
{
    const std::string text(argument);
    std::error_code ec;
    const fs::path path(text);
    if (!text.empty() && fs::is_directory(path, ec))
        return {ModelSource::Kind::HfFolder, path, {}};
    if (!text.empty() && fs::is_regular_file(path, ec)) {
        auto ext = path.extension().string();
        for (auto &c : ext)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (ext == ".gguf")
            return {ModelSource::Kind::Gguf, path, {}};
    }
    const std::string failure = "MODEL `" + text +
                                "`: not a folder, not a .gguf file, and not a model in the "
                                "Hugging Face cache (" +
                                hfHubCacheDir().string() + ")";
    // "org/name" or a legacy un-namespaced id such as "gpt2"; only a repo
    // that is actually in the cache counts, otherwise the generic message.
    if (!looksLikeRepoId(text))
        throw Error(failure);
    const std::string repoId = text.substr(0, text.find('@'));
    std::string folderName = "models--";
    for (char c : repoId)
        folderName += c == '/' ? std::string("--") : std::string(1, c);
    if (!fs::is_directory(hfHubCacheDir() / folderName, ec))
        throw Error(failure);
    return {ModelSource::Kind::HfFolder, resolveCachedModel(text), repoId};
}

} // namespace headroom::io
