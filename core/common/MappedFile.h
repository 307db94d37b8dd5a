// A read-only memory mapping of a whole file, so multi-gigabyte weights are
// paged in on demand instead of read. Shared by the safetensors and GGUF
// readers; tensors that borrow its bytes hold a shared_ptr to keep it alive.
// Does not parse anything.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

namespace headroom {

class MappedFile
{
public:
    // Throws headroom::Error naming the file if it cannot be opened or mapped.
    static std::shared_ptr<const MappedFile> open(const std::filesystem::path &path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    std::span<const std::byte> bytes() const { return {m_data, m_size}; }
    const std::byte *data() const { return m_data; }
    std::size_t size() const { return m_size; }
    const std::filesystem::path &path() const { return m_path; }

private:
    MappedFile(std::filesystem::path path, const std::byte *data, std::size_t size);
    std::filesystem::path m_path;
    const std::byte *m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace headroom
