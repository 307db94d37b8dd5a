#include "RunDraft.h"

#include <algorithm>

namespace headroom::ui {

RunDraft::RunDraft(QObject *parent) : QObject(parent) {}

void RunDraft::update(const std::function<void(train::TrainConfig &)> &edit)
{
    train::TrainConfig edited = m_config;
    edit(edited);
    setConfig(edited);
}

void RunDraft::setConfig(const train::TrainConfig &config)
{
    if (config == m_config)
        return;
    m_config = config;
    emit configChanged();
}

void RunDraft::setModel(const QString &argument, std::optional<model::ModelConfig> shape)
{
    m_modelShape = std::move(shape);
    m_config.model = argument.toStdString();
    emit modelChanged();
    emit configChanged();
}

void RunDraft::setDataset(const QString &path)
{
    m_config.dataset = path.toStdString();
    emit datasetChanged();
    emit configChanged();
}

void RunDraft::setPlannedDevice(const memory::DeviceInfo &device)
{
    m_device = device;
    emit plannedDeviceChanged();
}

void RunDraft::setDataParallel(int processes)
{
    processes = std::max(1, processes);
    if (processes == m_dataParallel)
        return;
    m_dataParallel = processes;
    emit dataParallelChanged();
}

} // namespace headroom::ui
