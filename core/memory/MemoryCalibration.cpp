// Storage of calibrations; see MemoryCalibration.h.
#include "memory/MemoryCalibration.h"

#include "common/AtomicFile.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

namespace headroom::memory {

namespace fs = std::filesystem;

double Calibration::correction() const
{
    if (measuredPeak <= 0 || estimatedPeak <= 0)
        return 1.0;
    return static_cast<double>(measuredPeak) / static_cast<double>(estimatedPeak);
}

fs::path calibrationFile()
{
    if (const char *file = std::getenv("HEADROOM_CALIBRATION_FILE"); file && *file)
        return file;
    if (const char *cache = std::getenv("XDG_CACHE_HOME"); cache && *cache)
        return fs::path(cache) / "headroom" / "calibration.json";
    if (const char *home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".cache" / "headroom" / "calibration.json";
    return fs::temp_directory_path() / "headroom-calibration.json";
}

namespace {

nlohmann::json readAll()
{
    std::ifstream in(calibrationFile());
    if (!in)
        return nlohmann::json::object();
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return nlohmann::json::object();
    return json;
}

} // namespace

std::optional<Calibration> loadCalibration(const std::string &deviceName)
{
    const auto all = readAll();
    const auto it = all.find(deviceName);
    if (it == all.end() || !it->is_object())
        return std::nullopt;
    Calibration c;
    c.device = deviceName;
    c.measuredPeak = it->value("measured_peak", int64_t{0});
    c.estimatedPeak = it->value("estimated_peak", int64_t{0});
    if (c.measuredPeak <= 0 || c.estimatedPeak <= 0)
        return std::nullopt;
    return c;
}

void storeCalibration(const Calibration &result)
{
    auto all = readAll();
    all[result.device] = {{"measured_peak", result.measuredPeak},
                          {"estimated_peak", result.estimatedPeak},
                          {"correction", result.correction()}};
    const auto file = calibrationFile();
    if (file.has_parent_path())
        fs::create_directories(file.parent_path());
    writeFileAtomically(file, all.dump(2) + "\n");
}

void applyStoredCalibration(DeviceInfo &device)
{
    if (auto c = loadCalibration(device.name)) {
        device.correction = c->correction();
        device.calibrated = true;
    }
}

} // namespace headroom::memory
