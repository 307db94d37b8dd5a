#include "techniques/TechniqueControls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace headroom::ui {

namespace {

using train::TrainConfig;

// The adaptable projections of one decoder block, as PEFT names them.
QStringList familyModules(const std::optional<model::ModelConfig> &shape)
{
    if (shape && shape->family == model::Family::Gpt2)
        return {"c_attn", "c_proj", "c_fc"};
    return {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
}

QComboBox *comboBox(const char *name, const QList<std::pair<QString, int>> &items)
{
    auto *box = new QComboBox;
    box->setObjectName(name);
    for (const auto &[text, value] : items)
        box->addItem(text, value);
    return box;
}

void select(QComboBox *box, int value)
{
    box->setCurrentIndex(box->findData(value));
}

} // namespace

TechniqueControls::TechniqueControls(RunDraft &draft, QWidget *parent)
    : QWidget(parent), m_draft(draft)
{
    using Q = train::Quantization;
    m_quantization = comboBox("quantization", {{tr("none (compute dtype)"), int(Q::None)},
                                               {tr("int8"), int(Q::Int8)},
                                               {tr("NF4 (QLoRA)"), int(Q::Nf4)}});
    m_quantization->setToolTip(tr("Store the frozen base weights in 8 or 4 bits"));
    m_doubleQuant = new QCheckBox(tr("Double quantization (NF4 only)"));
    m_doubleQuant->setObjectName("doubleQuant");
    m_doubleQuant->setToolTip(tr("Quantize the NF4 block scales too: about 0.4 bits per weight"));
    auto *base = new QGroupBox(tr("Base weights"));
    auto *baseForm = new QFormLayout(base);
    baseForm->addRow(tr("Quantization"), m_marks.add({"quantization"}, m_quantization));
    baseForm->addRow(m_marks.add({"double_quant"}, m_doubleQuant));

    m_lora = new QCheckBox(tr("Train a LoRA adapter (off: full fine-tuning)"));
    m_lora->setObjectName("loraEnabled");
    m_rank = new QSpinBox;
    m_rank->setObjectName("loraRank");
    m_rank->setRange(1, 65536);
    m_alpha = new QDoubleSpinBox;
    m_alpha->setObjectName("loraAlpha");
    m_alpha->setRange(0.01, 1e6);
    m_alpha->setDecimals(2);
    m_dropout = new QDoubleSpinBox;
    m_dropout->setObjectName("loraDropout");
    m_dropout->setRange(0, 0.99);
    m_dropout->setDecimals(3);
    m_dropout->setSingleStep(0.05);
    m_allLinear = new QCheckBox(tr("All linear projections"));
    m_allLinear->setObjectName("loraAllLinear");
    m_moduleBox = new QWidget;
    m_moduleBox->setObjectName("loraModules");
    m_moduleGrid = new QGridLayout(m_moduleBox);
    m_moduleGrid->setContentsMargins(0, 0, 0, 0);
    m_targets = new QLineEdit;
    m_targets->setObjectName("loraTargets");
    m_targets->setPlaceholderText(tr("all-linear, or names such as q_proj, v_proj"));
    auto *targets = new QWidget;
    auto *targetsLayout = new QVBoxLayout(targets);
    targetsLayout->setContentsMargins(0, 0, 0, 0);
    targetsLayout->addWidget(m_allLinear);
    targetsLayout->addWidget(m_moduleBox);
    targetsLayout->addWidget(m_marks.add({"lora.target_modules"}, m_targets));
    auto *lora = new QGroupBox(tr("LoRA"));
    auto *loraForm = new QFormLayout(lora);
    loraForm->addRow(m_marks.add({"lora.enabled"}, m_lora));
    loraForm->addRow(tr("Rank"), m_marks.add({"lora.r"}, m_rank));
    loraForm->addRow(tr("Alpha"), m_marks.add({"lora.alpha"}, m_alpha));
    loraForm->addRow(tr("Dropout"), m_marks.add({"lora.dropout"}, m_dropout));
    loraForm->addRow(tr("Target modules"), targets);

    using O = train::Optimizer;
    using P = train::Precision;
    using A = train::Attention;
    m_optimizer = comboBox("optimizer",
                           {{tr("AdamW"), int(O::AdamW)}, {tr("8-bit AdamW"), int(O::AdamW8bit)}});
    m_precision = comboBox(
        "precision",
        {{tr("bf16"), int(P::Bf16)}, {tr("fp16"), int(P::Fp16)}, {tr("fp32"), int(P::Fp32)}});
    m_attention =
        comboBox("attention", {{tr("SDPA (fused)"), int(A::Sdpa)},
                               {tr("eager (saves the attention scores)"), int(A::Eager)}});
    m_checkpointing = new QCheckBox(tr("Gradient checkpointing (recompute in backward)"));
    m_checkpointing->setObjectName("gradientCheckpointing");
    auto *numerics = new QGroupBox(tr("Optimizer and numerics"));
    auto *numericsForm = new QFormLayout(numerics);
    numericsForm->addRow(tr("Optimizer"), m_marks.add({"optimizer"}, m_optimizer));
    numericsForm->addRow(tr("Precision"), m_marks.add({"precision"}, m_precision));
    numericsForm->addRow(tr("Attention"), m_marks.add({"attention"}, m_attention));
    numericsForm->addRow(m_marks.add({"gradient_checkpointing"}, m_checkpointing));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(base);
    layout->addWidget(lora);
    layout->addWidget(numerics);

    auto comboValue = [](QComboBox *box) { return box->currentData().toInt(); };
    connect(m_quantization, &QComboBox::currentIndexChanged, this, [=, this] {
        edit([&](TrainConfig &c) { c.quantization = Q(comboValue(m_quantization)); });
    });
    connect(m_doubleQuant, &QCheckBox::toggled, this,
            [this](bool on) { edit([&](TrainConfig &c) { c.doubleQuant = on; }); });
    connect(m_lora, &QCheckBox::toggled, this,
            [this](bool on) { edit([&](TrainConfig &c) { c.lora.enabled = on; }); });
    connect(m_rank, &QSpinBox::valueChanged, this,
            [this](int r) { edit([&](TrainConfig &c) { c.lora.r = r; }); });
    connect(m_alpha, &QDoubleSpinBox::valueChanged, this,
            [this](double a) { edit([&](TrainConfig &c) { c.lora.alpha = a; }); });
    connect(m_dropout, &QDoubleSpinBox::valueChanged, this,
            [this](double d) { edit([&](TrainConfig &c) { c.lora.dropout = d; }); });
    connect(m_allLinear, &QCheckBox::toggled, this, [this](bool on) {
        const QStringList all = familyModules(m_draft.modelShape());
        edit([&](TrainConfig &c) {
            c.lora.targetModules.clear();
            if (!on) // start from every projection listed; unchecking narrows it
                for (const auto &m : all)
                    c.lora.targetModules.push_back(m.toStdString());
        });
    });
    connect(m_targets, &QLineEdit::editingFinished, this, &TechniqueControls::targetsTyped);
    connect(m_optimizer, &QComboBox::currentIndexChanged, this,
            [=, this] { edit([&](TrainConfig &c) { c.optimizer = O(comboValue(m_optimizer)); }); });
    connect(m_precision, &QComboBox::currentIndexChanged, this,
            [=, this] { edit([&](TrainConfig &c) { c.precision = P(comboValue(m_precision)); }); });
    connect(m_attention, &QComboBox::currentIndexChanged, this,
            [=, this] { edit([&](TrainConfig &c) { c.attention = A(comboValue(m_attention)); }); });
    connect(m_checkpointing, &QCheckBox::toggled, this,
            [this](bool on) { edit([&](TrainConfig &c) { c.gradientCheckpointing = on; }); });

    connect(&m_draft, &RunDraft::configChanged, this, &TechniqueControls::refresh);
    connect(&m_draft, &RunDraft::modelChanged, this, &TechniqueControls::rebuildModuleBoxes);
    rebuildModuleBoxes();
}

void TechniqueControls::edit(const std::function<void(train::TrainConfig &)> &change)
{
    if (!m_refreshing)
        m_draft.update(change);
}

void TechniqueControls::rebuildModuleBoxes()
{
    for (auto *box : m_modules)
        delete box;
    m_modules.clear();
    const QStringList names = familyModules(m_draft.modelShape());
    for (int i = 0; i < names.size(); ++i) {
        auto *box = new QCheckBox(names[i], m_moduleBox);
        box->setObjectName("loraTarget_" + names[i]);
        connect(box, &QCheckBox::toggled, this, &TechniqueControls::moduleToggled);
        m_moduleGrid->addWidget(box, i / 4, i % 4);
        m_modules.push_back(box);
    }
    refresh();
}

void TechniqueControls::moduleToggled()
{
    if (m_refreshing)
        return;
    std::vector<std::string> targets;
    for (auto *box : m_modules)
        if (box->isChecked())
            targets.push_back(box->text().toStdString());
    // Names typed that are not one of the boxes stay in the list.
    for (const auto &name : m_draft.config().lora.targetModules)
        if (!familyModules(m_draft.modelShape()).contains(QString::fromStdString(name)))
            targets.push_back(name);
    if (targets.empty()) { // an empty list means all-linear: keep the last one
        refresh();
        return;
    }
    edit([&](train::TrainConfig &c) { c.lora.targetModules = targets; });
}

void TechniqueControls::targetsTyped()
{
    const QString text = m_targets->text().trimmed();
    std::vector<std::string> targets;
    if (text != QLatin1String("all-linear"))
        for (const auto &name : text.split(QRegularExpression("[,;\\s]+"), Qt::SkipEmptyParts))
            targets.push_back(name.toStdString());
    edit([&](train::TrainConfig &c) { c.lora.targetModules = targets; });
}

void TechniqueControls::refresh()
{
    const auto &c = m_draft.config();
    m_refreshing = true;
    select(m_quantization, int(c.quantization));
    m_doubleQuant->setChecked(c.doubleQuant);
    // Enabled for NF4, and while set without it, so that it can be cleared.
    m_doubleQuant->setEnabled(c.quantization == train::Quantization::Nf4 || c.doubleQuant);
    m_lora->setChecked(c.lora.enabled);
    m_rank->setValue(static_cast<int>(std::min<int64_t>(c.lora.r, m_rank->maximum())));
    m_alpha->setValue(c.lora.alpha);
    m_dropout->setValue(c.lora.dropout);
    const bool all = c.lora.targetsAllLinear();
    m_allLinear->setChecked(all);
    for (auto *box : m_modules) {
        const auto name = box->text().toStdString();
        box->setChecked(all || std::find(c.lora.targetModules.begin(), c.lora.targetModules.end(),
                                         name) != c.lora.targetModules.end());
        box->setEnabled(!all);
    }
    QStringList names;
    for (const auto &name : c.lora.targetModules)
        names << QString::fromStdString(name);
    if (!m_targets->hasFocus())
        m_targets->setText(all ? QStringLiteral("all-linear") : names.join(QStringLiteral(", ")));
    for (QWidget *w : {static_cast<QWidget *>(m_rank), static_cast<QWidget *>(m_alpha),
                       static_cast<QWidget *>(m_dropout), static_cast<QWidget *>(m_allLinear),
                       m_moduleBox, static_cast<QWidget *>(m_targets)})
        w->setEnabled(c.lora.enabled);
    select(m_optimizer, int(c.optimizer));
    select(m_precision, int(c.precision));
    select(m_attention, int(c.attention));
    m_checkpointing->setChecked(c.gradientCheckpointing);
    m_refreshing = false;
}

void TechniqueControls::showErrors(const std::vector<train::FieldError> &errors)
{
    m_marks.show(errors);
}

} // namespace headroom::ui
