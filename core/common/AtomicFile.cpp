// Temporary-then-rename file writing with fsync of file and folder.
#include "common/AtomicFile.h"

#include "common/Error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace headroom {

void fsyncDirectory(const std::filesystem::path &folder)
{
    const auto path = folder.empty() ? std::filesystem::path(".") : folder;
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throwFileError(path, std::string("cannot open folder to sync it: ") + std::strerror(errno));
    // EINVAL: the file system cannot sync folders (some FUSE mounts); nothing to do.
    const bool synced = ::fsync(fd) == 0 || errno == EINVAL;
    const int error = errno;
    ::close(fd);
    if (!synced)
        throwFileError(path, std::string("cannot sync folder: ") + std::strerror(error));
}

AtomicFile::AtomicFile(std::filesystem::path target) : m_target(std::move(target))
{
    auto name = m_target.filename().string();
    m_temporary = m_target.parent_path() / ("." + name + ".partial-" + std::to_string(::getpid()));
    m_file = std::fopen(m_temporary.c_str(), "wb");
    if (!m_file)
        throwFileError(m_target,
                       std::string("cannot create temporary file: ") + std::strerror(errno));
}

AtomicFile::~AtomicFile()
{
    if (m_file)
        std::fclose(m_file);
    if (!m_committed) {
        std::error_code ignored;
        std::filesystem::remove(m_temporary, ignored);
    }
}

void AtomicFile::write(std::span<const std::byte> bytes)
{
    if (!m_file || m_committed)
        throwFileError(m_target, "write after commit");
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size())
        throwFileError(m_target, std::string("write failed: ") + std::strerror(errno));
}

void AtomicFile::write(std::string_view text)
{
    write(std::as_bytes(std::span(text.data(), text.size())));
}

void AtomicFile::commit()
{
    if (std::fflush(m_file) != 0 || ::fsync(::fileno(m_file)) != 0) {
        throwFileError(m_target, std::string("write failed: ") + std::strerror(errno));
    }
    const bool closed = std::fclose(m_file) == 0;
    m_file = nullptr;
    if (!closed)
        throwFileError(m_target, std::string("close failed: ") + std::strerror(errno));
    if (std::rename(m_temporary.c_str(), m_target.c_str()) != 0)
        throwFileError(m_target,
                       std::string("cannot rename temporary file: ") + std::strerror(errno));
    m_committed = true;
    // The rename is durable only once the folder is synced; without this a
    // power loss can leave the old name, or (on some file systems) the new
    // name with no data.
    fsyncDirectory(m_target.parent_path());
}

void writeFileAtomically(const std::filesystem::path &target, std::string_view content)
{
    AtomicFile file(target);
    file.write(content);
    file.commit();
}

} // namespace headroom
