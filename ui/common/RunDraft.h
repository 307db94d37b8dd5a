// The run being prepared in the window: the one TrainConfig that every page
// edits, the model and dataset it points to, what was learnt from them (the
// model's shape, for the estimate) and the device the run is planned for.
// Pages never keep their own copy of a setting: they edit through update()
// and follow the signals, so the estimate, the train page and the saved
// run.json cannot disagree.
#pragma once

#include "memory/MemoryEstimate.h"
#include "model/ModelConfig.h"
#include "train/TrainConfig.h"

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace headroom::ui {

class RunDraft : public QObject
{
    Q_OBJECT
public:
    explicit RunDraft(QObject *parent = nullptr);

    const train::TrainConfig &config() const { return m_config; }
    // Applies `edit` to a copy; emits configChanged when anything changed.
    void update(const std::function<void(train::TrainConfig &)> &edit);
    void setConfig(const train::TrainConfig &config);

    // The model the model page opened (config.model is set to `argument`);
    // nullopt config = none or not readable. Emits modelChanged + configChanged.
    void setModel(const QString &argument, std::optional<model::ModelConfig> shape);
    const std::optional<model::ModelConfig> &modelShape() const { return m_modelShape; }

    // Sets config.dataset; emits datasetChanged + configChanged.
    void setDataset(const QString &path);

    // The device the estimate and the fit advice plan for.
    const memory::DeviceInfo &plannedDevice() const { return m_device; }
    void setPlannedDevice(const memory::DeviceInfo &device);

    // Data-parallel processes (one GPU each) the run is planned and started
    // with: the estimate is per process, and Train runs `headroom-cli train
    // --nproc N` when N > 1. Not part of TrainConfig (the CLI takes it as
    // --nproc), so not saved in run.json. Clamped to at least 1; emits
    // dataParallelChanged when it changed.
    int dataParallel() const { return m_dataParallel; }
    void setDataParallel(int processes);

signals:
    void configChanged();
    void modelChanged();
    void datasetChanged();
    void plannedDeviceChanged();
    void dataParallelChanged();

private:
    train::TrainConfig m_config;
    std::optional<model::ModelConfig> m_modelShape;
    memory::DeviceInfo m_device;
    int m_dataParallel = 1;
};

} // namespace headroom::ui
