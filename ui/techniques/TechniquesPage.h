// Page 3, "Techniques & memory": every memory technique of the run as a
// control (TechniqueControls, TrainingControls) beside the live estimate
// (EstimateChart) for the planned device (DeviceSelector), with the verdict
// and the fit advice (FitAdvicePanel) whose suggestions apply themselves.
// Recomputes memory::estimateMemory and memory::adviseFit on every change of
// the draft — the same functions, inputs and budget rule as
// `headroom-cli estimate`, so both show the same numbers. Invalid settings
// are marked inline from train::validateTrainConfig.
// Beside the device, the data-parallel processes of the run (RunDraft::
// dataParallel, one GPU each): up to the detected GPUs when planning for a
// GPU of this machine, else up to kMaxPlannedProcesses; with more than one
// the estimate, the chart and the verdict are per GPU.
#pragma once

#include "common/RunDraft.h"
#include "memory/FitAdvice.h"

#include <QWidget>

#include <optional>

class QSpinBox;

namespace headroom::ui {

class DeviceSelector;
class EstimateChart;
class FitAdvicePanel;
class TechniqueControls;
class TrainingControls;

class TechniquesPage : public QWidget
{
    Q_OBJECT
public:
    explicit TechniquesPage(RunDraft &draft, QWidget *parent = nullptr);

    // The most processes offered when not planning for this machine's GPUs.
    static constexpr int kMaxPlannedProcesses = 8;

    // The estimate shown (nullopt without a model or for a shape the
    // estimator cannot reason about), and the advice beside it.
    const std::optional<memory::MemoryEstimate> &currentEstimate() const { return m_estimate; }
    const std::optional<memory::FitAdvice> &currentAdvice() const { return m_advice; }
    int64_t currentBudget() const { return m_budget; }

    EstimateChart *chart() const { return m_chart; }
    DeviceSelector *deviceSelector() const { return m_devices; }
    QSpinBox *processesBox() const { return m_processes; }

public slots:
    // Estimate, advice and inline errors from the draft as it is now.
    void recompute();

signals:
    // After every recompute (the main window's status bar shows the peak).
    void estimateChanged();

private:
    void updateProcessRange();

    RunDraft &m_draft;
    TechniqueControls *m_techniques = nullptr;
    TrainingControls *m_training = nullptr;
    DeviceSelector *m_devices = nullptr;
    QSpinBox *m_processes = nullptr;
    EstimateChart *m_chart = nullptr;
    FitAdvicePanel *m_advicePanel = nullptr;
    std::optional<memory::MemoryEstimate> m_estimate;
    std::optional<memory::FitAdvice> m_advice;
    int64_t m_budget = 0;
};

} // namespace headroom::ui
