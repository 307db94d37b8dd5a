// Writes one .safetensors file atomically, laid out like the reference writer
// (SPECS.md §5.1): metadata {"format": "pt", ...}, tensors ordered by dtype
// size descending then name, header padded with spaces to a multiple of 8.
// Does not shard (callers split large state dicts themselves).
#pragma once

#include "io/DType.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace headroom::io {

class SafetensorsWriter
{
public:
    // The bytes are borrowed: they must stay valid until write() returns.
    // Throws headroom::Error if the byte count does not match shape × dtype,
    // the name is empty, "__metadata__", or already added.
    void add(std::string name, DType dtype, std::vector<int64_t> shape,
             std::span<const std::byte> bytes);
    // Extra __metadata__ entries; "format" is always "pt" unless set here.
    void setMetadata(const std::string &key, const std::string &value);

    // Builds the file under a temporary name and renames it over `path`.
    void write(const std::filesystem::path &path) const;

private:
    struct Entry
    {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        std::span<const std::byte> bytes;
    };
    std::vector<Entry> m_entries;
    std::map<std::string, std::string> m_metadata{{"format", "pt"}};
};

} // namespace headroom::io
