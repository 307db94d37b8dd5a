// POSIX mmap behind MappedFile. An empty file maps to an empty span.
#include "common/MappedFile.h"

#include "common/Error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace headroom {

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throwFileError(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throwFileError(path, "not a regular file");
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    const std::byte *data = nullptr;
    if (size > 0) {
        void *mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throwFileError(path, std::string("cannot memory-map: ") + std::strerror(err));
        }
        data = static_cast<const std::byte *>(mapped);
    }
    ::close(fd);
    return std::shared_ptr<const MappedFile>(new MappedFile(path, data, size));
}

MappedFile::MappedFile(std::filesystem::path path, const std::byte *data, std::size_t size)
    : m_path(std::move(path)), m_data(data), m_size(size)
{}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<std::byte *>(m_data), m_size);
}

} // namespace headroom
