// The Train page's answer to an out-of-memory: the estimator's advice for
// the planned device and, when the run can continue with it, one click that
// applies it (to the run and to the draft, so later runs fit too) and
// resumes from the last checkpoint — or starts over when none was saved yet.
#include "OutOfMemoryAdvice.h"
#include "TrainPage.h"
#include "TrainingWorker.h"
#include "memory/FitAdvice.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>

namespace headroom::ui {

void TrainPage::showOutOfMemory(const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Out of memory"),
                                tr("The run ran out of memory."), QMessageBox::NoButton, this);
    box->setObjectName("outOfMemoryBox");
    box->setAttribute(Qt::WA_DeleteOnClose);

    QString details = message;
    std::optional<train::TrainConfig> advised;
    const auto &shape = m_draft.modelShape();
    const train::TrainConfig config = m_runConfig.value_or(m_draft.config());
    if (!shape) {
        details +=
            QStringLiteral("\n\n") +
            tr("No advice: the model's shape is unknown (open the model on the Model page).");
    } else {
        try {
            const auto advice = adviseAfterOutOfMemory(*shape, config, m_draft.plannedDevice());
            if (advice.config) {
                details += QStringLiteral("\n\n") +
                           tr("The estimator suggests (estimated peak %1 -> %2):")
                               .arg(QString::fromStdString(memory::formatBytes(advice.peakBefore)),
                                    QString::fromStdString(memory::formatBytes(advice.peakAfter)));
                for (const auto &change : advice.changes)
                    details += QStringLiteral("\n  • ") + change;
                advised = advice.config;
            } else {
                details += QStringLiteral("\n\n") +
                           tr("No change the run can continue with lowers the estimate.");
            }
            if (!advice.otherSuggestions.isEmpty()) {
                details += QStringLiteral("\n\n") + tr("For a new run, also consider:");
                for (const auto &change : advice.otherSuggestions)
                    details += QStringLiteral("\n  • ") + change;
            }
        } catch (const std::exception &e) {
            details +=
                QStringLiteral("\n\n") + tr("No advice: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    box->setInformativeText(details);
    log(details);
    if (advised) {
        auto *apply = box->addButton(tr("Apply and resume"), QMessageBox::AcceptRole);
        apply->setObjectName("applyAndResumeButton");
        const train::TrainConfig changed = *advised;
        connect(apply, &QPushButton::clicked, this, [this, changed] { applyAndResume(changed); });
    }
    box->addButton(QMessageBox::Close);
    box->open();
}

void TrainPage::applyAndResume(const train::TrainConfig &advised)
{
    if (m_running)
        return;
    // The draft takes the memory settings too, so that the next run fits.
    m_draft.update([&](train::TrainConfig &c) {
        c.attention = advised.attention;
        c.gradientCheckpointing = advised.gradientCheckpointing;
        c.lora.dropout = advised.lora.dropout;
        c.quantization = advised.quantization;
        c.doubleQuant = advised.doubleQuant;
        c.microBatchSize = advised.microBatchSize;
        c.gradAccumSteps = advised.gradAccumSteps;
    });
    const QString runDir = m_runDir;
    if (QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("checkpoints/latest")))) {
        if (!m_worker->resume(runDir, advised))
            return;
        m_runProcesses = 1; // in this process (only its runs offer the advice)
        beginRun(runDir);
        log(tr("Resuming %1 from its last checkpoint with the advised settings.").arg(runDir));
        return;
    }
    // Nothing saved yet: the same run from the start, in a new folder.
    train::TrainConfig config = advised;
    config.outputDir = newRunFolder(config).toStdString();
    if (!m_worker->start(config))
        return;
    m_runProcesses = 1;
    beginRun(QString::fromStdString(config.outputDir));
    log(tr("No checkpoint was saved yet: starting again with the advised settings in %1.")
            .arg(m_runDir));
}

} // namespace headroom::ui
