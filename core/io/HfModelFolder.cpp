// File lookup for HfModelFolder. Never executes or unpickles anything.
#include "io/HfModelFolder.h"

#include "common/Error.h"

namespace headroom::io {

namespace fs = std::filesystem;

HfModelFolder HfModelFolder::open(const fs::path &folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throwFileError(folder, "not a folder");
    HfModelFolder result;
    result.m_root = folder;
    return result;
}

std::optional<fs::path> HfModelFolder::existing(const char *name) const
{
    std::error_code ec;
    auto path = m_root / name;
    if (fs::is_regular_file(path, ec))
        return path;
    return std::nullopt;
}

nlohmann::json HfModelFolder::readConfig() const
{
    auto path = configJson();
    if (!path)
        throwFileError(m_root, "no config.json (is this a model folder?)");
    auto json = readJsonFile(*path);
    if (!json.is_object())
        throwFileError(*path, "not a JSON object");
    return json;
}

CheckpointIndex HfModelFolder::openWeights() const
{
    if (!hasSafetensors() &&
        (existing("pytorch_model.bin") || existing("pytorch_model.bin.index.json"))) {
        throwFileError(
            m_root,
            "has only pytorch_model.bin (a pickle checkpoint) and no .safetensors weights; pickle "
            "files are not loaded because unpickling can execute code. Convert once with Python: "
            "AutoModelForCausalLM.from_pretrained(folder).save_pretrained(folder, "
            "safe_serialization=True)");
    }
    return CheckpointIndex::open(m_root);
}

} // namespace headroom::io
