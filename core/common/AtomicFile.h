// Writes a file so that readers see either the old file or the complete new
// one, never a half-written file: write to a temporary name in the same
// folder, fsync, rename over the target, fsync the folder. An exception or a
// crash before commit() leaves the target untouched and removes the temporary.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string_view>

namespace headroom {

class AtomicFile
{
public:
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile(); // removes the temporary unless committed
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    void write(std::span<const std::byte> bytes);
    void write(std::string_view text);
    void commit();

    const std::filesystem::path &target() const { return m_target; }

private:
    std::filesystem::path m_target;
    std::filesystem::path m_temporary;
    std::FILE *m_file = nullptr;
    bool m_committed = false;
};

// Convenience: the whole content at once.
void writeFileAtomically(const std::filesystem::path &target, std::string_view content);

// fsync of a folder, so that the names created, renamed or removed in it
// survive a power loss (after renaming a folder into place, for instance).
// Error naming the folder when it cannot be synced.
void fsyncDirectory(const std::filesystem::path &folder);

} // namespace headroom
