// Discovery and validation of a folder's safetensors files. Shard names come
// from an untrusted JSON file, so they are confined to the folder before any
// file is opened.
#include "io/CheckpointIndex.h"

#include "common/Error.h"
#include "common/MappedFile.h"
#include "io/JsonFile.h"
#include "io/Limits.h"

#include <algorithm>
#include <set>

namespace headroom::io {

namespace fs = std::filesystem;

namespace {
constexpr const char *kSingle = "model.safetensors";
constexpr const char *kIndex = "model.safetensors.index.json";

std::vector<fs::path> safetensorsFilesIn(const fs::path &folder)
{
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".safetensors" && it->is_regular_file(ec))
            found.push_back(it->path());
    std::sort(found.begin(), found.end());
    return found;
}

// A shard name must be a plain relative path that stays inside the folder:
// no absolute path, no `..` component, no empty name.
void checkShardName(const fs::path &index, const std::string &tensor, const std::string &shard)
{
    const fs::path p(shard);
    bool bad = shard.empty() || p.is_absolute() || p.has_root_path();
    for (const auto &part : p)
        if (part == "..")
            bad = true;
    if (bad)
        throwFileError(index, "weight_map: tensor `" + tensor + "`: shard `" + shard +
                                  "` is not a file name inside the model folder");
}
} // namespace

bool CheckpointIndex::hasSafetensors(const fs::path &folder)
{
    std::error_code ec;
    return fs::is_regular_file(folder / kIndex, ec) || fs::is_regular_file(folder / kSingle, ec);
}

CheckpointIndex CheckpointIndex::open(const fs::path &folder)
{
    CheckpointIndex index;
    index.m_folder = folder;
    std::error_code ec;
    const fs::path indexPath = folder / kIndex;

    auto addFile = [&](const fs::path &path) {
        auto file = std::make_shared<const SafetensorsFile>(SafetensorsFile::open(path));
        index.m_files.push_back(file);
        return file;
    };

    if (fs::is_regular_file(indexPath, ec)) {
        nlohmann::json json;
        {
            // Mapped, and the weight_map counted before parsing, so that an
            // index listing millions of tensors is refused before it is built.
            const auto mapped = MappedFile::open(indexPath);
            const std::string_view text(reinterpret_cast<const char *>(mapped->data()),
                                        mapped->size());
            if (countObjectMembers(text, "weight_map", kMaxTensorCount) > kMaxTensorCount)
                throwFileError(indexPath, "weight_map lists more than " +
                                              std::to_string(kMaxTensorCount) +
                                              " tensors, the limit for one model");
            json = parseJsonText(text, indexPath);
        }
        if (!json.is_object() || !json.contains("weight_map") || !json["weight_map"].is_object())
            throwFileError(indexPath, "missing object `weight_map`");
        // Shard name -> tensors the index places there, opened once each.
        std::map<std::string, std::vector<std::string>> byShard;
        for (const auto &[tensor, shard] : json["weight_map"].items()) {
            if (!shard.is_string())
                throwFileError(indexPath,
                               "weight_map: tensor `" + tensor + "`: shard is not a string");
            const auto name = shard.get<std::string>();
            checkShardName(indexPath, tensor, name);
            byShard[name].push_back(tensor);
        }
        for (const auto &[shard, names] : byShard) {
            const fs::path path = folder / shard;
            if (!fs::is_regular_file(path, ec))
                throwFileError(indexPath, "shard `" + shard + "` (for tensor `" + names.front() +
                                              "`) does not exist");
            // Only the name is confined, not a symlink's target: the Hugging
            // Face cache links every snapshot file into ../../blobs.
            auto file = addFile(path);
            for (const auto &name : names) {
                const TensorInfo *info = file->find(name);
                if (!info)
                    throwFileError(path, "tensor `" + name + "` listed in " + kIndex +
                                             " is not in this shard");
                index.m_tensors.emplace(name, CheckpointTensor{file.get(), info});
            }
        }
        // Tensors present in a shard but not in the index are ignored, as
        // transformers does. A name listed twice in weight_map is refused by
        // the JSON reader (duplicate key); the same name stored in two shard
        // files is ambiguous too, listed or not.
        std::map<std::string_view, const SafetensorsFile *> owner;
        for (const auto &file : index.m_files)
            for (const auto &t : file->tensors()) {
                auto [it, inserted] = owner.emplace(t.name, file.get());
                if (!inserted)
                    throwFileError(folder, "tensor `" + t.name + "` is stored in both `" +
                                               it->second->path().filename().string() + "` and `" +
                                               file->path().filename().string() + "`");
            }
        return index;
    }

    // Only the names transformers loads: another *.safetensors beside the
    // model (an adapter, a fixture, an export) must never be taken for it.
    const fs::path single = folder / kSingle;
    if (!fs::is_regular_file(single, ec)) {
        std::string others;
        for (const auto &f : safetensorsFilesIn(folder))
            others += (others.empty() ? "" : ", ") + f.filename().string();
        throwFileError(folder,
                       "no model.safetensors and no model.safetensors.index.json" +
                           (others.empty() ? std::string()
                                           : " (found " + others +
                                                 "; rename the file that holds the model to "
                                                 "model.safetensors)"));
    }
    auto file = addFile(single);
    for (const auto &t : file->tensors())
        index.m_tensors.emplace(t.name, CheckpointTensor{file.get(), &t});
    return index;
}

const CheckpointTensor *CheckpointIndex::find(std::string_view name) const
{
    auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

uint64_t CheckpointIndex::totalBytes() const
{
    uint64_t total = 0;
    for (const auto &[_, t] : m_tensors)
        total += t.info->bytes.size();
    return total;
}

} // namespace headroom::io
