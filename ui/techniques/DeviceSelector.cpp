#include "techniques/DeviceSelector.h"

#include "memory/DeviceDetect.h"
#include "memory/GpuCatalog.h"
#include "memory/MemoryCalibration.h"
#include "techniques/ByteText.h"

#include <QSignalBlocker>
#include <QThread>

#include <memory>

namespace headroom::ui {

DeviceSelector::DeviceSelector(RunDraft &draft, QWidget *parent) : QComboBox(parent), m_draft(draft)
{
    setObjectName("deviceSelector");
    setToolTip(tr("The device the estimate plans for: a GPU of this machine, the CPU, or a "
                  "card from the table"));
    m_devices.push_back(memory::detectCpu());
    for (const auto &gpu : memory::gpuCatalog())
        m_devices.push_back(memory::plannedDevice(gpu));
    rebuild();

    // Nothing planned yet (a fresh draft): the CPU until the GPUs are known.
    const auto &planned = m_draft.plannedDevice();
    if (!planned.detected && planned.totalBytes == 0 && !planned.isCuda())
        pick(0);
    else
        showPlannedDevice();

    // Every change of the current item that is not ours (ours block the
    // signals) is the user's choice, which detection must not override.
    connect(this, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_userPicked = true;
        pick(index);
    });
    connect(&m_draft, &RunDraft::plannedDeviceChanged, this, &DeviceSelector::showPlannedDevice);

    auto gpus = std::make_shared<std::vector<memory::DeviceInfo>>();
    m_detection = QThread::create([gpus] {
        try {
            *gpus = memory::detectGpus();
        } catch (const std::exception &) {
            gpus->clear(); // no usable CUDA: plan with the table and the CPU
        }
    });
    connect(m_detection, &QThread::finished, this, [this, gpus] { detected(std::move(*gpus)); });
    m_detection->start();
}

DeviceSelector::~DeviceSelector()
{
    if (m_detection) {
        m_detection->wait();
        delete m_detection;
    }
}

void DeviceSelector::rebuild()
{
    const QSignalBlocker blocker(this);
    clear();
    for (size_t i = 0; i < m_devices.size(); ++i) {
        const auto &d = m_devices[i];
        const QString name = QString::fromStdString(d.name);
        QString text;
        if (!d.isCuda())
            text =
                tr("CPU (%1 RAM, %2 available)").arg(byteText(d.totalBytes), byteText(d.freeBytes));
        else if (d.detected)
            text = tr("%1 (%2, %3 free, this machine)")
                       .arg(name, byteText(d.totalBytes), byteText(d.freeBytes));
        else
            text = tr("%1 (%2 GiB, planned)").arg(name).arg(d.totalBytes >> 30); // as sold
        addItem(text, static_cast<int>(i));
        if (i + 1 < m_devices.size() && d.isCuda() != m_devices[i + 1].isCuda())
            insertSeparator(count());
    }
}

int DeviceSelector::indexOfDevice(const QString &name) const
{
    for (int i = 0; i < count(); ++i) {
        const QVariant data = itemData(i);
        if (data.isValid() && QString::fromStdString(m_devices[data.toInt()].name) == name)
            return i;
    }
    return -1;
}

void DeviceSelector::pick(int index)
{
    const QVariant data = itemData(index);
    if (index < 0 || !data.isValid())
        return;
    memory::DeviceInfo device = m_devices[static_cast<size_t>(data.toInt())];
    memory::applyStoredCalibration(device);
    m_draft.setPlannedDevice(device);
}

void DeviceSelector::showPlannedDevice()
{
    const auto &planned = m_draft.plannedDevice();
    for (int i = 0; i < count(); ++i) {
        const QVariant data = itemData(i);
        if (!data.isValid())
            continue;
        const auto &d = m_devices[static_cast<size_t>(data.toInt())];
        if (d.name == planned.name && d.kind == planned.kind && d.detected == planned.detected) {
            const QSignalBlocker blocker(this);
            setCurrentIndex(i);
            return;
        }
    }
}

void DeviceSelector::detected(std::vector<memory::DeviceInfo> gpus)
{
    m_detectionFinished = true;
    m_detectedGpus = static_cast<int>(gpus.size());
    if (!gpus.empty()) {
        m_devices.insert(m_devices.begin(), gpus.begin(), gpus.end());
        rebuild();
        // Plan for the GPU the run will use ("auto" and "cuda:N"), unless the
        // user chose already.
        const auto &spec = m_draft.config().device;
        const size_t gpu =
            spec.kind == train::DeviceSpec::Kind::Cuda ? static_cast<size_t>(spec.index) : 0;
        if (!m_userPicked && spec.kind != train::DeviceSpec::Kind::Cpu && gpu < gpus.size())
            pick(indexOfDevice(QString::fromStdString(gpus[gpu].name)));
        showPlannedDevice();
    }
    emit detectionDone();
}

} // namespace headroom::ui
