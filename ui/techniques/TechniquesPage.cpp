#include "techniques/TechniquesPage.h"

#include "techniques/DeviceSelector.h"
#include "techniques/EstimateChart.h"
#include "techniques/FitAdvicePanel.h"
#include "techniques/TechniqueControls.h"
#include "techniques/TrainingControls.h"

#include <QFormLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace headroom::ui {

TechniquesPage::TechniquesPage(RunDraft &draft, QWidget *parent) : QWidget(parent), m_draft(draft)
{
    setObjectName("techniquesPage");
    m_techniques = new TechniqueControls(draft);
    m_techniques->setObjectName("techniqueControls");
    m_training = new TrainingControls(draft);
    m_training->setObjectName("trainingControls");
    auto *controls = new QWidget;
    auto *controlsLayout = new QVBoxLayout(controls);
    controlsLayout->addWidget(m_techniques);
    controlsLayout->addWidget(m_training);
    controlsLayout->addStretch(1);
    auto *scroll = new QScrollArea;
    scroll->setObjectName("techniquesScroll");
    scroll->setWidgetResizable(true);
    scroll->setWidget(controls);
    scroll->setMinimumWidth(controls->sizeHint().width() + 24);

    m_devices = new DeviceSelector(draft);
    m_processes = new QSpinBox;
    m_processes->setObjectName("dataParallelProcesses");
    m_processes->setToolTip(
        tr("Data-parallel training: this many processes, one GPU each, every one holding the "
           "whole model and running its share of each step's micro-batches (headroom-cli train "
           "--nproc). The estimate is then per GPU."));
    m_processes->setValue(1);
    m_chart = new EstimateChart;
    m_chart->setObjectName("estimateChart");
    m_advicePanel = new FitAdvicePanel;
    m_advicePanel->setObjectName("fitAdvice");
    auto *estimate = new QWidget;
    auto *estimateLayout = new QVBoxLayout(estimate);
    auto *deviceRow = new QFormLayout;
    deviceRow->addRow(tr("Plan for"), m_devices);
    deviceRow->addRow(tr("Data-parallel processes"), m_processes);
    estimateLayout->addLayout(deviceRow);
    estimateLayout->addWidget(m_chart, 1);
    estimateLayout->addWidget(m_advicePanel);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(scroll);
    splitter->addWidget(estimate);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_advicePanel, &FitAdvicePanel::applyRequested, this,
            [this](const train::TrainConfig &config) { m_draft.setConfig(config); });
    connect(&m_draft, &RunDraft::configChanged, this, &TechniquesPage::recompute);
    connect(&m_draft, &RunDraft::modelChanged, this, &TechniquesPage::recompute);
    connect(&m_draft, &RunDraft::plannedDeviceChanged, this, &TechniquesPage::recompute);
    connect(&m_draft, &RunDraft::dataParallelChanged, this, &TechniquesPage::recompute);
    connect(m_processes, &QSpinBox::valueChanged, this,
            [this](int value) { m_draft.setDataParallel(value); });
    connect(&m_draft, &RunDraft::dataParallelChanged, this, &TechniquesPage::updateProcessRange);
    connect(&m_draft, &RunDraft::plannedDeviceChanged, this, &TechniquesPage::updateProcessRange);
    connect(m_devices, &DeviceSelector::detectionDone, this, &TechniquesPage::updateProcessRange);
    updateProcessRange();
    recompute();
}

void TechniquesPage::updateProcessRange()
{
    // One process per GPU: this machine's GPUs bound it; planning for a card
    // of the table (or the CPU) allows a few, for planning.
    const auto &device = m_draft.plannedDevice();
    const int most = device.isCuda() && device.detected ? std::max(1, m_devices->detectedGpuCount())
                                                        : kMaxPlannedProcesses;
    {
        const QSignalBlocker blocker(m_processes);
        m_processes->setRange(1, most);
        m_processes->setValue(m_draft.dataParallel());
    }
    // The draft follows when the range cut its value.
    m_draft.setDataParallel(m_processes->value());
}

void TechniquesPage::recompute()
{
    const auto &config = m_draft.config();
    const auto errors = train::validateTrainConfig(config);
    m_techniques->showErrors(errors);
    m_training->showErrors(errors);

    m_estimate.reset();
    m_advice.reset();
    const auto &shape = m_draft.modelShape();
    const auto &device = m_draft.plannedDevice();
    m_budget = memory::defaultBudget(device);
    if (!shape) {
        m_chart->showMessage(tr("Open a model to see the estimate."));
        m_advicePanel->clear();
        emit estimateChanged();
        return;
    }
    try {
        const int processes = m_draft.dataParallel();
        m_estimate = memory::estimateMemory(*shape, config, device, processes);
        // Per GPU: each process must fit its own device.
        m_advice = memory::adviseFit(*shape, config, device, m_budget, processes);
    } catch (const std::exception &error) {
        m_estimate.reset();
        m_advice.reset();
        m_chart->showMessage(tr("No estimate for this model: %1").arg(error.what()));
        m_advicePanel->clear();
        emit estimateChanged();
        return;
    }
    const QString deviceName = device.isCuda() ? QString::fromStdString(device.name) : tr("CPU");
    m_chart->setEstimate(*m_estimate, config, m_budget,
                         device.isCuda() ? deviceName : tr("CPU RAM available"));
    m_advicePanel->setAdvice(*m_advice, *m_estimate, config, deviceName);
    emit estimateChanged();
}

} // namespace headroom::ui
