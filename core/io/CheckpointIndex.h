// The weights of a Hugging Face model folder: one `model.safetensors` or the
// shards listed by `model.safetensors.index.json` (SPECS.md §5.3), the names
// transformers loads; other *.safetensors files are never taken. Maps tensor names to (file,
// TensorInfo) and keeps every mapping alive. Does not read pickle checkpoints (.bin).
#pragma once

#include "io/SafetensorsFile.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::io {

struct CheckpointTensor
{
    const SafetensorsFile *file = nullptr; // owned by the CheckpointIndex
    const TensorInfo *info = nullptr;
};

class CheckpointIndex
{
public:
    // Throws headroom::Error naming the folder/index/shard at fault: no weights,
    // malformed index, shard path that is absolute or leaves the folder,
    // missing shard, tensor listed twice or absent from its shard.
    static CheckpointIndex open(const std::filesystem::path &folder);
    // True if open() would find a weight file to read (it may still fail validation).
    static bool hasSafetensors(const std::filesystem::path &folder);

    const std::filesystem::path &folder() const { return m_folder; }
    const std::vector<std::shared_ptr<const SafetensorsFile>> &files() const { return m_files; }
    // Sorted by name.
    const std::map<std::string, CheckpointTensor, std::less<>> &tensors() const
    {
        return m_tensors;
    }
    const CheckpointTensor *find(std::string_view name) const;
    // Sum of tensor data bytes over all shards.
    uint64_t totalBytes() const;

private:
    std::filesystem::path m_folder;
    std::vector<std::shared_ptr<const SafetensorsFile>> m_files;
    std::map<std::string, CheckpointTensor, std::less<>> m_tensors;
};

} // namespace headroom::io
