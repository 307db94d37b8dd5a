// Memory-mapped, strictly validated reader of one .safetensors file
// (SPECS.md §5). Gives names, dtypes, shapes and zero-copy byte spans; does
// not convert dtypes or build tensors (callers wrap the bytes themselves).
#pragma once

#include "common/MappedFile.h"
#include "io/DType.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace headroom::io {

struct TensorInfo
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;       // PyTorch order; [] is a scalar
    uint64_t offset = 0;              // absolute byte offset in the file
    std::span<const std::byte> bytes; // borrowed from the file's mapping
    int64_t numel() const;
};

class SafetensorsFile
{
public:
    // Maps and validates; throws headroom::Error "<path>: <problem>" on any
    // malformed input. Nothing is allocated from an unchecked size.
    static SafetensorsFile open(const std::filesystem::path &path);

    const std::filesystem::path &path() const { return m_path; }
    // Sorted by offset (the order of the bytes in the file).
    const std::vector<TensorInfo> &tensors() const { return m_tensors; }
    const TensorInfo *find(std::string_view name) const;
    // __metadata__; empty if absent.
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }
    // Keep this alive as long as any TensorInfo::bytes is used.
    std::shared_ptr<const MappedFile> mapping() const { return m_mapping; }

private:
    std::filesystem::path m_path;
    std::shared_ptr<const MappedFile> m_mapping;
    std::vector<TensorInfo> m_tensors;
    std::unordered_map<std::string, std::size_t> m_byName;
    std::map<std::string, std::string> m_metadata;
};

// Largest header the reference reader accepts (100 MB).
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

} // namespace headroom::io
