// Turns the user's MODEL argument into something to load: a Hugging Face
// folder, a .gguf file, or a repo id found in the local Hugging Face cache.
// Does not open or validate the model itself.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace headroom::io {

struct ModelSource
{
    enum class Kind { HfFolder, Gguf };
    Kind kind = Kind::HfFolder;
    std::filesystem::path path; // folder or .gguf file
    std::string repoId;         // set when resolved through the cache
};

// Throws headroom::Error "MODEL `x`: not a folder, not a .gguf file, and not a
// model in the Hugging Face cache (<cache dir>)", or the cache's own error
// when `x` names a cached repo that cannot be resolved.
ModelSource resolveModelSource(std::string_view argument);

} // namespace headroom::io
