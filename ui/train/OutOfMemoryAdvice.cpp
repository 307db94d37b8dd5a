#include "OutOfMemoryAdvice.h"

#include "memory/FitAdvice.h"
#include "train/Trainer.h"

namespace headroom::ui {

OutOfMemoryAdvice adviseAfterOutOfMemory(const model::ModelConfig &shape,
                                         const train::TrainConfig &config,
                                         const memory::DeviceInfo &device)
{
    OutOfMemoryAdvice out;
    const auto before = memory::estimateMemory(shape, config, device);
    out.peakBefore = before.devicePeak;
    const qint64 capacity = device.totalBytes > 0 ? device.totalBytes - device.usedByOthers : 0;
    // The run did not fit, whatever the estimate says: aim below both.
    out.budget = before.devicePeak * 3 / 4;
    if (capacity > 0)
        out.budget = std::min<qint64>(out.budget, capacity);

    // Greedy: the cheapest change the run can resume with, again and again,
    // until the estimate is within the budget or nothing is left.
    train::TrainConfig current = config;
    qint64 peak = before.devicePeak;
    for (int round = 0; round < 8 && peak > out.budget; ++round) {
        const auto advice = memory::adviseFit(shape, current, device, out.budget);
        const memory::FitChange *chosen = nullptr;
        for (const auto &change : advice.changes) {
            if (!train::resumeConflict(config, change.config)) {
                chosen = &change;
                break;
            }
            if (round == 0)
                out.otherSuggestions << QString::fromStdString(change.description);
        }
        if (!chosen)
            break;
        out.changes << QString::fromStdString(chosen->description);
        current = chosen->config;
        peak -= chosen->saving;
    }
    if (!out.changes.isEmpty()) {
        out.config = current;
        out.peakAfter = memory::estimateMemory(shape, current, device).devicePeak;
    }
    return out;
}

} // namespace headroom::ui
