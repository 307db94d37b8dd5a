// The output folder of an export, built under a temporary sibling name and
// renamed into place only when complete, so a failure (bad input, full disk,
// an exception halfway) never leaves a half-written model where the user
// asked for one. Refuses an output folder that exists and is not empty, so
// nothing the user had there is overwritten. Does not write any file itself.
#pragma once

#include <filesystem>

namespace headroom::exporting {

class ExportFolder
{
public:
    // Throws headroom::Error when `target` exists and is not an empty folder,
    // or when the temporary sibling cannot be created.
    explicit ExportFolder(std::filesystem::path target);
    ~ExportFolder(); // removes the temporary folder unless committed
    ExportFolder(const ExportFolder &) = delete;
    ExportFolder &operator=(const ExportFolder &) = delete;

    // Where to write while exporting.
    const std::filesystem::path &staging() const { return m_staging; }
    const std::filesystem::path &target() const { return m_target; }

    // Renames the temporary folder to the target (replacing an empty one).
    void commit();

private:
    std::filesystem::path m_target;
    std::filesystem::path m_staging;
    bool m_committed = false;
};

} // namespace headroom::exporting
