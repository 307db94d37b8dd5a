#include "techniques/TrainingControls.h"

#include "techniques/ScientificSpinBox.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace headroom::ui {

namespace {

using train::TrainConfig;

enum LengthKind { Epochs = 0, Steps = 1 };

QSpinBox *spinBox(const char *name, int minimum, int maximum)
{
    auto *box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(minimum, maximum);
    return box;
}

int clampToInt(int64_t v)
{
    return static_cast<int>(std::min<int64_t>(v, std::numeric_limits<int>::max()));
}

} // namespace

TrainingControls::TrainingControls(RunDraft &draft, QWidget *parent)
    : QWidget(parent), m_draft(draft)
{
    constexpr int kIntMax = std::numeric_limits<int>::max();
    m_microBatch = spinBox("microBatch", 1, 1 << 16);
    m_microBatch->setToolTip(tr("Sequences per forward and backward pass"));
    m_gradAccum = spinBox("gradAccum", 1, kIntMax);
    m_gradAccum->setToolTip(tr("Micro-batches whose gradients are summed per optimizer step"));
    m_effectiveBatch = new QLabel;
    m_effectiveBatch->setObjectName("effectiveBatch");
    m_maxSeqLen = spinBox("maxSeqLen", 2, 1 << 20);
    m_maxSeqLen->setSingleStep(256);
    m_maxSeqLen->setToolTip(tr("Longer samples are truncated"));
    auto *batch = new QGroupBox(tr("Batch"));
    auto *batchForm = new QFormLayout(batch);
    batchForm->addRow(tr("Micro-batch"), m_marks.add({"micro_batch_size"}, m_microBatch));
    batchForm->addRow(tr("Gradient accumulation"), m_marks.add({"grad_accum_steps"}, m_gradAccum));
    batchForm->addRow(tr("Effective batch"), m_effectiveBatch);
    batchForm->addRow(tr("Max sequence length"), m_marks.add({"max_seq_len"}, m_maxSeqLen));

    m_learningRate = new ScientificSpinBox;
    m_learningRate->setObjectName("learningRate");
    m_schedule = new QComboBox;
    m_schedule->setObjectName("lrSchedule");
    m_schedule->addItem(tr("cosine"), int(train::LrSchedule::Cosine));
    m_schedule->addItem(tr("linear"), int(train::LrSchedule::Linear));
    m_schedule->addItem(tr("constant"), int(train::LrSchedule::Constant));
    m_warmup = spinBox("warmupSteps", 0, kIntMax);
    m_warmup->setSuffix(tr(" steps"));
    m_lengthKind = new QComboBox;
    m_lengthKind->setObjectName("lengthKind");
    m_lengthKind->addItem(tr("Epochs"), Epochs);
    m_lengthKind->addItem(tr("Optimizer steps"), Steps);
    m_epochs = new QDoubleSpinBox;
    m_epochs->setObjectName("epochs");
    m_epochs->setRange(0.01, 1e6);
    m_epochs->setDecimals(2);
    m_epochs->setValue(1);
    m_maxSteps = spinBox("maxSteps", 1, kIntMax);
    m_maxSteps->setValue(100);
    auto *length = new QWidget;
    length->setObjectName("runLength");
    auto *lengthLayout = new QHBoxLayout(length);
    lengthLayout->setContentsMargins(0, 0, 0, 0);
    lengthLayout->addWidget(m_lengthKind);
    lengthLayout->addWidget(m_epochs, 1);
    lengthLayout->addWidget(m_maxSteps, 1);
    auto *schedule = new QGroupBox(tr("Learning rate and length"));
    auto *scheduleForm = new QFormLayout(schedule);
    scheduleForm->addRow(tr("Learning rate"), m_marks.add({"learning_rate"}, m_learningRate));
    scheduleForm->addRow(tr("Schedule"), m_marks.add({"lr_schedule"}, m_schedule));
    scheduleForm->addRow(tr("Warm-up"), m_marks.add({"warmup_steps"}, m_warmup));
    // The kind selector carries the mark: "both set" is an error of the choice.
    scheduleForm->addRow(tr("Length"), m_marks.add({"max_steps", "epochs"}, m_lengthKind));
    scheduleForm->addRow(QString(), length);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(batch);
    layout->addWidget(schedule);

    connect(m_microBatch, &QSpinBox::valueChanged, this,
            [this](int v) { edit([&](TrainConfig &c) { c.microBatchSize = v; }); });
    connect(m_gradAccum, &QSpinBox::valueChanged, this,
            [this](int v) { edit([&](TrainConfig &c) { c.gradAccumSteps = v; }); });
    connect(m_maxSeqLen, &QSpinBox::valueChanged, this,
            [this](int v) { edit([&](TrainConfig &c) { c.maxSeqLen = v; }); });
    connect(m_learningRate, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit([&](TrainConfig &c) { c.learningRate = v; }); });
    connect(m_schedule, &QComboBox::currentIndexChanged, this, [this] {
        edit([&](TrainConfig &c) {
            c.lrSchedule = train::LrSchedule(m_schedule->currentData().toInt());
        });
    });
    connect(m_warmup, &QSpinBox::valueChanged, this,
            [this](int v) { edit([&](TrainConfig &c) { c.warmupSteps = v; }); });
    connect(m_lengthKind, &QComboBox::currentIndexChanged, this,
            &TrainingControls::lengthKindChosen);
    connect(m_epochs, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        edit([&](TrainConfig &c) {
            c.epochs = v;
            c.maxSteps.reset();
        });
    });
    connect(m_maxSteps, &QSpinBox::valueChanged, this, [this](int v) {
        edit([&](TrainConfig &c) {
            c.maxSteps = v;
            c.epochs.reset();
        });
    });
    connect(&m_draft, &RunDraft::configChanged, this, &TrainingControls::refresh);
    refresh();
}

void TrainingControls::edit(const std::function<void(train::TrainConfig &)> &change)
{
    if (!m_refreshing)
        m_draft.update(change);
}

void TrainingControls::lengthKindChosen()
{
    if (m_refreshing)
        return;
    // Exactly one of the two sets the length: the chosen one takes its box's value.
    const bool steps = m_lengthKind->currentData().toInt() == Steps;
    edit([&](TrainConfig &c) {
        if (steps) {
            c.maxSteps = m_maxSteps->value();
            c.epochs.reset();
        } else {
            c.epochs = m_epochs->value();
            c.maxSteps.reset();
        }
    });
    refresh(); // shows the box of the kind even when the config did not change
}

void TrainingControls::refresh()
{
    const auto &c = m_draft.config();
    m_refreshing = true;
    m_microBatch->setValue(clampToInt(c.microBatchSize));
    m_gradAccum->setValue(clampToInt(c.gradAccumSteps));
    m_effectiveBatch->setText(
        tr("%1 sequences, up to %2 tokens per optimizer step")
            .arg(QLocale().toString(static_cast<qlonglong>(c.microBatchSize * c.gradAccumSteps)),
                 QLocale().toString(
                     static_cast<qlonglong>(c.microBatchSize * c.gradAccumSteps * c.maxSeqLen))));
    m_maxSeqLen->setValue(clampToInt(c.maxSeqLen));
    m_learningRate->setValue(c.learningRate);
    m_schedule->setCurrentIndex(m_schedule->findData(int(c.lrSchedule)));
    m_warmup->setValue(clampToInt(c.warmupSteps));
    const bool steps = c.maxSteps.has_value();
    m_lengthKind->setCurrentIndex(m_lengthKind->findData(steps ? Steps : Epochs));
    if (c.maxSteps)
        m_maxSteps->setValue(clampToInt(*c.maxSteps));
    if (c.epochs)
        m_epochs->setValue(*c.epochs);
    m_maxSteps->setVisible(steps);
    m_epochs->setVisible(!steps);
    m_refreshing = false;
}

void TrainingControls::showErrors(const std::vector<train::FieldError> &errors)
{
    m_marks.show(errors);
}

} // namespace headroom::ui
