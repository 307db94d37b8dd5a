#include "techniques/FitAdvicePanel.h"

#include "techniques/ByteText.h"

#include <QEvent>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace headroom::ui {

namespace {

QString stageText(memory::Stage stage)
{
    switch (stage) {
    case memory::Stage::Load:
        return FitAdvicePanel::tr("load");
    case memory::Stage::Forward:
        return FitAdvicePanel::tr("forward");
    case memory::Stage::Backward:
        return FitAdvicePanel::tr("backward");
    case memory::Stage::Optimizer:
        return FitAdvicePanel::tr("the optimizer step");
    }
    return {};
}

QString costText(const memory::FitChange &change)
{
    const std::string &k = change.key;
    if (k == "attention")
        return FitAdvicePanel::tr("faster, same result");
    if (k == "lora_dropout")
        return FitAdvicePanel::tr("no dropout regularisation on the adapters");
    if (k == "optimizer")
        return FitAdvicePanel::tr("about +5 % step time");
    if (k == "micro_batch")
        return FitAdvicePanel::tr("same effective batch, about +10 % step time");
    if (k == "gradient_checkpointing")
        return FitAdvicePanel::tr("about +30 % step time");
    if (k == "lora")
        return FitAdvicePanel::tr("trains far fewer weights (quality cost)");
    if (k == "quantization_int8")
        return FitAdvicePanel::tr("about +20 % step time, small quality cost");
    if (k == "quantization_nf4")
        return FitAdvicePanel::tr("about +25 % step time, small quality cost");
    if (k == "max_seq_len")
        return FitAdvicePanel::tr("truncates longer samples (changes the data)");
    return QString::fromStdString(change.cost);
}

// What auto-fit changed, in the words of the single changes.
QStringList autoFitChanges(const train::TrainConfig &before, const train::TrainConfig &after)
{
    auto label = [&](const char *key, const train::TrainConfig &changed) {
        memory::FitChange change;
        change.key = key;
        change.config = changed;
        return FitAdvicePanel::changeLabel(change, before);
    };
    QStringList done;
    if (after.attention != before.attention)
        done << label("attention", after);
    if (after.lora.dropout != before.lora.dropout)
        done << label("lora_dropout", after);
    if (after.optimizer != before.optimizer)
        done << label("optimizer", after);
    if (after.gradientCheckpointing != before.gradientCheckpointing)
        done << label("gradient_checkpointing", after);
    if (after.lora.enabled != before.lora.enabled)
        done << label("lora", after);
    if (after.quantization != before.quantization)
        done << label(after.quantization == train::Quantization::Nf4 ? "quantization_nf4"
                                                                     : "quantization_int8",
                      after);
    if (after.microBatchSize != before.microBatchSize)
        done << label("micro_batch", after);
    return done;
}

} // namespace

QString FitAdvicePanel::changeLabel(const memory::FitChange &change,
                                    const train::TrainConfig &before)
{
    const std::string &k = change.key;
    const auto &after = change.config;
    if (k == "attention")
        return tr("SDPA attention instead of eager");
    if (k == "lora_dropout")
        return tr("LoRA dropout 0");
    if (k == "optimizer")
        return tr("8-bit AdamW");
    if (k == "micro_batch")
        return tr("micro-batch %1 → %2 with accumulation ×%3")
            .arg(before.microBatchSize)
            .arg(after.microBatchSize)
            .arg(after.gradAccumSteps);
    if (k == "gradient_checkpointing")
        return tr("gradient checkpointing");
    if (k == "lora")
        return tr("LoRA instead of full fine-tuning");
    if (k == "quantization_int8")
        return tr("int8 base weights");
    if (k == "quantization_nf4")
        return tr("NF4 base weights (QLoRA)");
    if (k == "max_seq_len")
        return tr("max sequence length %1 → %2").arg(before.maxSeqLen).arg(after.maxSeqLen);
    return QString::fromStdString(change.description);
}

FitAdvicePanel::FitAdvicePanel(QWidget *parent) : QWidget(parent)
{
    m_verdict = new QLabel;
    m_verdict->setObjectName("fitVerdict");
    QFont bold = m_verdict->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.25);
    m_verdict->setFont(bold);
    m_summary = new QLabel;
    m_summary->setObjectName("estimateSummary");
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_adviceTitle = new QLabel;
    m_adviceTitle->setObjectName("adviceTitle");
    m_adviceList = new QWidget;
    m_adviceList->setObjectName("adviceList");
    m_adviceLayout = new QVBoxLayout(m_adviceList);
    m_adviceLayout->setContentsMargins(0, 0, 0, 0);
    m_adviceLayout->setSpacing(2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_verdict);
    layout->addWidget(m_summary);
    layout->addWidget(m_adviceTitle);
    layout->addWidget(m_adviceList);
    clear();
}

void FitAdvicePanel::clear()
{
    m_verdict->clear();
    m_verdict->setProperty("fits", QVariant());
    m_summary->clear();
    m_adviceTitle->clear();
    // Later, not now: clear() runs while a clicked advice button is still
    // emitting. Unparented at once, so that findChild sees only the new ones.
    while (auto *item = m_adviceLayout->takeAt(0)) {
        if (QWidget *w = item->widget()) {
            w->hide();
            w->setParent(nullptr);
            w->deleteLater();
        }
        delete item;
    }
}

void FitAdvicePanel::setAdvice(const memory::FitAdvice &advice, const memory::MemoryEstimate &e,
                               const train::TrainConfig &config, const QString &deviceName)
{
    clear();
    m_verdict->setText(advice.fits ? tr("Fits") : tr("Does not fit"));
    m_verdict->setProperty("fits", advice.fits);
    colourVerdict();
    QString summary = tr("Peak %1 during %2 (shaded: working memory on top of the stage).")
                          .arg(byteText(e.peak), stageText(e.peakStage));
    if (e.devicePeak != e.peak)
        summary += ' ' + tr("On the device %1 (with the CUDA context %2 and allocator slack %3).")
                             .arg(byteText(e.devicePeak), byteText(e.cudaContext),
                                  byteText(e.allocatorSlack));
    summary += ' ' + tr("Budget on %1: %2.").arg(deviceName, byteText(advice.budget));
    if (e.calibrated)
        summary += ' ' + tr("Calibrated on this device (×%1).").arg(e.correction, 0, 'f', 3);
    m_summary->setText(summary);

    if (advice.changes.empty() && advice.fits)
        return;
    m_adviceTitle->setText(advice.fits ? tr("Changes that would save memory (click to apply):")
                                       : tr("To make it fit, cheapest first (click to apply):"));
    if (!advice.fits && advice.autoFit && advice.autoFitEstimate) {
        const QStringList done = autoFitChanges(config, *advice.autoFit);
        auto *button = new QPushButton(tr("Auto-fit: %1 → %2")
                                           .arg(done.join(QStringLiteral(" + ")),
                                                byteText(advice.autoFitEstimate->devicePeak)));
        button->setObjectName("adviceAutoFit");
        const train::TrainConfig fitted = *advice.autoFit;
        connect(button, &QPushButton::clicked, this,
                [this, fitted] { emit applyRequested(fitted); });
        m_adviceLayout->addWidget(button);
    } else if (!advice.fits) {
        auto *none = new QLabel(tr("No combination of techniques fits %1: use a smaller model "
                                   "or a shorter max sequence length.")
                                    .arg(byteText(advice.budget)));
        none->setObjectName("adviceNone");
        none->setWordWrap(true);
        m_adviceLayout->addWidget(none);
    }
    for (const auto &change : advice.changes) {
        const QString label = changeLabel(change, config);
        const QString text =
            change.fitsAlone && !advice.fits
                ? tr("%1: −%2, %3 (fits)").arg(label, byteText(change.saving), costText(change))
                : tr("%1: −%2, %3").arg(label, byteText(change.saving), costText(change));
        auto *button = new QPushButton(text);
        button->setObjectName("advice_" + QString::fromStdString(change.key));
        button->setFlat(true);
        button->setStyleSheet(QStringLiteral("text-align: left; color: palette(link);"));
        button->setCursor(Qt::PointingHandCursor);
        button->setToolTip(tr("Apply: %1").arg(label));
        const train::TrainConfig changed = change.config;
        connect(button, &QPushButton::clicked, this,
                [this, changed] { emit applyRequested(changed); });
        m_adviceLayout->addWidget(button);
    }
}

void FitAdvicePanel::colourVerdict()
{
    const QVariant fits = m_verdict->property("fits");
    if (!fits.isValid())
        return;
    QPalette p = m_verdict->palette();
    p.setColor(QPalette::WindowText, fitColor(fits.toBool(), palette()));
    m_verdict->setPalette(p);
}

void FitAdvicePanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        colourVerdict();
    QWidget::changeEvent(event);
}

} // namespace headroom::ui
