// The batch and the length of a run as controls: micro-batch, gradient
// accumulation (with the effective batch it makes), max sequence length,
// learning rate, schedule, warm-up, and the run's length as a choice of
// epochs or optimizer steps plus its value. Edits RunDraft::config() through
// update() and follows it when it changes elsewhere, as TechniqueControls.
// Deliberately not the data settings (format, split, packing): the data page.
#pragma once

#include "common/RunDraft.h"
#include "techniques/FieldErrorMarks.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace headroom::ui {

class ScientificSpinBox;

class TrainingControls : public QWidget
{
    Q_OBJECT
public:
    explicit TrainingControls(RunDraft &draft, QWidget *parent = nullptr);

    void showErrors(const std::vector<train::FieldError> &errors);

private:
    void refresh();
    void edit(const std::function<void(train::TrainConfig &)> &change);
    void lengthKindChosen();

    RunDraft &m_draft;
    bool m_refreshing = false;
    FieldErrorMarks m_marks;
    QSpinBox *m_microBatch = nullptr;
    QSpinBox *m_gradAccum = nullptr;
    QLabel *m_effectiveBatch = nullptr;
    QSpinBox *m_maxSeqLen = nullptr;
    ScientificSpinBox *m_learningRate = nullptr;
    QComboBox *m_schedule = nullptr;
    QSpinBox *m_warmup = nullptr;
    QComboBox *m_lengthKind = nullptr;
    QDoubleSpinBox *m_epochs = nullptr;
    QSpinBox *m_maxSteps = nullptr;
};

} // namespace headroom::ui
