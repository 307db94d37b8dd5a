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

signals:
    void configChanged();
    void modelChanged();
    void datasetChanged();
    void plannedDeviceChanged();

private:
    train::TrainConfig m_config;
    std::optional<model::ModelConfig> m_modelShape;
    memory::DeviceInfo m_device;
};

} // namespace headroom::ui
