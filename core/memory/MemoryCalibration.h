// Per-device corrections of the estimate, measured by a probe step
// (CalibrationProbe) and kept in one small JSON file so that later estimates
// on that device use them and say so (MemoryEstimate::calibrated). The file
// is $HEADROOM_CALIBRATION_FILE, else $XDG_CACHE_HOME/headroom/calibration.json,
// else ~/.cache/headroom/calibration.json; one entry per device name, the
// newest probe wins. Torch-free. Deliberately a single factor per device:
// the formulas carry the shape, the probe catches what the device's kernels
// and allocator add (workspaces, rounding) that the CPU grid cannot see.
#pragma once

#include "memory/MemoryEstimate.h"

#include <filesystem>
#include <optional>
#include <string>

namespace headroom::memory {

struct Calibration
{
    std::string device;        // DeviceInfo::name
    int64_t measuredPeak = 0;  // the probe step's peak (tensor bytes)
    int64_t estimatedPeak = 0; // the uncalibrated estimate of the same step
    double correction() const; // measured / estimated (1 when unknown)
};

std::filesystem::path calibrationFile();

// The stored calibration of `deviceName`, if any. A damaged file reads as
// none (a warning is not worth failing an estimate over).
std::optional<Calibration> loadCalibration(const std::string &deviceName);

// Writes (atomically) the entry of result.device, keeping the others.
void storeCalibration(const Calibration &result);

// Sets device.correction / device.calibrated from the stored entry.
void applyStoredCalibration(DeviceInfo &device);

} // namespace headroom::memory
