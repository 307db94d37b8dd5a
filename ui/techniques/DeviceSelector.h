// The device the estimate plans for: the GPUs of this machine (detected off
// the GUI thread: the first CUDA call creates a context, which takes a
// moment), the CPU, and every card of the planning table
// (memory::gpuCatalog). Picking one sets RunDraft::setPlannedDevice with the
// device's stored calibration applied, as `headroom-cli estimate` does; a
// device planned elsewhere is shown selected. Deliberately leaves the run's
// `device` setting alone: planning for a card is not training on it.
#pragma once

#include "common/RunDraft.h"

#include <QComboBox>

#include <vector>

class QThread;

namespace headroom::ui {

class DeviceSelector : public QComboBox
{
    Q_OBJECT
public:
    explicit DeviceSelector(RunDraft &draft, QWidget *parent = nullptr);
    ~DeviceSelector() override;

    bool detectionFinished() const { return m_detectionFinished; }
    // The GPUs of this machine (0 until detection finished, or without CUDA).
    int detectedGpuCount() const { return m_detectedGpus; }
    // The item of a device, by its name; -1 when not listed.
    int indexOfDevice(const QString &name) const;

signals:
    void detectionDone();

private:
    void rebuild();
    void showPlannedDevice();
    void pick(int index);
    void detected(std::vector<memory::DeviceInfo> gpus);

    RunDraft &m_draft;
    std::vector<memory::DeviceInfo> m_devices; // the item's data is the index here
    QThread *m_detection = nullptr;
    bool m_detectionFinished = false;
    bool m_userPicked = false;
    int m_detectedGpus = 0;
};

} // namespace headroom::ui
