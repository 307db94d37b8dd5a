// Staging an export folder beside its target (see ExportFolder.h).
#include "export/ExportFolder.h"

#include "common/Error.h"

#include <fcntl.h>
#include <unistd.h>

#include <random>

namespace headroom::exporting {

namespace fs = std::filesystem;

namespace {

void refuseNonEmpty(const fs::path &target)
{
    std::error_code ec;
    const auto status = fs::status(target, ec);
    if (!fs::exists(status))
        return;
    if (!fs::is_directory(status))
        throwFileError(target, "exists and is not a folder; choose another --out");
    if (!fs::is_empty(target))
        throwFileError(target, "exists and is not empty; choose a new folder (nothing is "
                               "overwritten)");
}

// Makes the rename itself durable.
void syncFolder(const fs::path &folder)
{
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

ExportFolder::ExportFolder(fs::path target) : m_target(fs::absolute(std::move(target)))
{
    m_target = m_target.lexically_normal();
    if (m_target.filename().empty())
        m_target = m_target.parent_path();
    refuseNonEmpty(m_target);
    const auto parent = m_target.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
        throwFileError(parent, "cannot create: " + ec.message());
    std::random_device random;
    for (int attempt = 0; attempt < 16; ++attempt) {
        auto candidate = parent / ("." + m_target.filename().string() + ".partial-" +
                                   std::to_string(random() % 1000000));
        if (fs::create_directory(candidate, ec)) {
            m_staging = std::move(candidate);
            return;
        }
        if (ec)
            throwFileError(candidate, "cannot create: " + ec.message());
    }
    throwFileError(parent, "cannot create a temporary folder for the export");
}

ExportFolder::~ExportFolder()
{
    if (!m_committed && !m_staging.empty()) {
        std::error_code ignored;
        fs::remove_all(m_staging, ignored);
    }
}

void ExportFolder::commit()
{
    // Checked again: the target may have appeared while we were writing.
    refuseNonEmpty(m_target);
    std::error_code ec;
    if (fs::exists(m_target))
        fs::remove(m_target, ec); // an empty folder
    fs::rename(m_staging, m_target, ec);
    if (ec)
        throwFileError(m_target, "cannot move the finished export into place: " + ec.message());
    m_committed = true;
    syncFolder(m_target.parent_path());
}

} // namespace headroom::exporting
