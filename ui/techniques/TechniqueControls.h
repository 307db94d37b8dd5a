// The memory techniques of a run as controls: base-weight quantization
// (none / int8 / NF4, double quantization), LoRA (on/off, rank, alpha,
// dropout, target modules as checkboxes of the model family's projections or
// a typed list), the optimizer (AdamW / 8-bit AdamW), precision, attention
// (SDPA / eager) and gradient checkpointing. Every control edits
// RunDraft::config() through update() and follows the draft when it changes
// elsewhere (a guard keeps the two directions from echoing). Deliberately
// holds no setting of its own.
#pragma once

#include "common/RunDraft.h"
#include "techniques/FieldErrorMarks.h"

#include <QWidget>

#include <functional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLineEdit;
class QSpinBox;

namespace headroom::ui {

class TechniqueControls : public QWidget
{
    Q_OBJECT
public:
    explicit TechniqueControls(RunDraft &draft, QWidget *parent = nullptr);

    void showErrors(const std::vector<train::FieldError> &errors);

private:
    void refresh();
    void rebuildModuleBoxes();
    void edit(const std::function<void(train::TrainConfig &)> &change);
    void moduleToggled();
    void targetsTyped();

    RunDraft &m_draft;
    bool m_refreshing = false;
    FieldErrorMarks m_marks;
    QComboBox *m_quantization = nullptr;
    QCheckBox *m_doubleQuant = nullptr;
    QCheckBox *m_lora = nullptr;
    QSpinBox *m_rank = nullptr;
    QDoubleSpinBox *m_alpha = nullptr;
    QDoubleSpinBox *m_dropout = nullptr;
    QCheckBox *m_allLinear = nullptr;
    QWidget *m_moduleBox = nullptr;
    QGridLayout *m_moduleGrid = nullptr;
    std::vector<QCheckBox *> m_modules;
    QLineEdit *m_targets = nullptr;
    QComboBox *m_optimizer = nullptr;
    QComboBox *m_precision = nullptr;
    QComboBox *m_attention = nullptr;
    QCheckBox *m_checkpointing = nullptr;
};

} // namespace headroom::ui
