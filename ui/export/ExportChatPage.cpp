#include "ExportChatPage.h"

#include "ExportFolderDialog.h"
#include "RunCheckpoints.h"
#include "chat/ChatPanel.h"
#include "export/RunCheckpoint.h"
#include "export/ShardPlan.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include <exception>

namespace headroom::ui {

ExportChatPage::ExportChatPage(RunDraft &draft, QWidget *parent)
    : QWidget(parent), m_draft(draft), m_runLabel(new QLabel(this)),
      m_checkpoints(new QComboBox(this)),
      m_adapterButton(new QPushButton(tr("Export adapter…"), this)),
      m_mergedButton(new QPushButton(tr("Export merged model…"), this)),
      m_dtype(new QComboBox(this)), m_shardSize(new QComboBox(this)),
      m_progress(new QProgressBar(this)), m_message(new QLabel(this)), m_chat(new ChatPanel(this))
{
    setObjectName(QStringLiteral("exportChatPage"));
    m_runLabel->setObjectName(QStringLiteral("exportRunLabel"));
    m_runLabel->setWordWrap(true);
    m_runLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_checkpoints->setObjectName(QStringLiteral("exportCheckpoint"));
    m_adapterButton->setObjectName(QStringLiteral("exportAdapterButton"));
    m_adapterButton->setToolTip(tr("Write the LoRA adapter as a PEFT folder "
                                   "(adapter_config.json + adapter_model.safetensors)"));
    m_mergedButton->setObjectName(QStringLiteral("exportMergedButton"));
    m_mergedButton->setToolTip(tr("Write the base model with the training merged in, as a "
                                  "Hugging Face model folder"));
    m_dtype->setObjectName(QStringLiteral("exportDtype"));
    m_dtype->addItem(tr("As the base model"), QString());
    m_dtype->addItem(QStringLiteral("bf16"), QStringLiteral("BF16")); // safetensors names
    m_dtype->addItem(QStringLiteral("fp16"), QStringLiteral("F16"));
    m_dtype->addItem(QStringLiteral("fp32"), QStringLiteral("F32"));
    m_shardSize->setObjectName(QStringLiteral("exportShardSize"));
    m_shardSize->setEditable(true);
    m_shardSize->addItems({QStringLiteral("5GB"), QStringLiteral("2GB"), QStringLiteral("1GB"),
                           QStringLiteral("500MB")});
    m_shardSize->setToolTip(tr("Largest safetensors file, e.g. 5GB, 500MB or 2GiB"));
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setVisible(false);
    m_message->setObjectName(QStringLiteral("exportMessage"));
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::RichText);
    m_message->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(m_message, &QLabel::linkActivated, this,
            [](const QString &link) { QDesktopServices::openUrl(QUrl(link)); });

    auto *exportBox = new QGroupBox(tr("Export"), this);
    auto *form = new QFormLayout(exportBox);
    form->addRow(tr("Run:"), m_runLabel);
    form->addRow(tr("Checkpoint:"), m_checkpoints);
    auto *mergedOptions = new QHBoxLayout;
    mergedOptions->addWidget(new QLabel(tr("Merged weights:"), exportBox));
    mergedOptions->addWidget(m_dtype);
    mergedOptions->addWidget(new QLabel(tr("Max shard size:"), exportBox));
    mergedOptions->addWidget(m_shardSize);
    mergedOptions->addStretch();
    form->addRow(mergedOptions);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_adapterButton);
    buttons->addWidget(m_mergedButton);
    buttons->addStretch();
    form->addRow(buttons);
    form->addRow(m_progress);
    form->addRow(m_message);

    auto *chatBox = new QGroupBox(tr("Chat: fine-tuned and base side by side"), this);
    auto *chatLayout = new QVBoxLayout(chatBox);
    chatLayout->addWidget(m_chat);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(exportBox);
    layout->addWidget(chatBox, 1);

    connect(m_adapterButton, &QPushButton::clicked, this, &ExportChatPage::exportAdapter);
    connect(m_mergedButton, &QPushButton::clicked, this, &ExportChatPage::exportMerged);
    connect(m_checkpoints, &QComboBox::currentIndexChanged, this,
            &ExportChatPage::checkpointChosen);
    connect(&m_draft, &RunDraft::modelChanged, this, [this] {
        if (m_runDir.isEmpty())
            m_chat->setModelAndAdapter(QString::fromStdString(m_draft.config().model), {});
    });
    connect(&m_job, &ExportJob::progress, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_progress->setFormat(tr("Writing tensor %1 of %2").arg(done).arg(total));
    });
    connect(&m_job, &ExportJob::verifying, this, [this] {
        m_progress->setRange(0, 0);
        m_progress->setFormat(tr("Loading the result back…"));
    });
    connect(&m_job, &ExportJob::succeeded, this,
            [this](const QString &format, const QString &path, const QStringList &files,
                   const QString &check, const QString &warning) {
                m_progress->setVisible(false);
                const QString what =
                    format == QStringLiteral("peft") ? tr("the adapter") : tr("the merged model");
                QString html = tr("Exported %1 to <b>%2</b> (%3). %4")
                                   .arg(what, path.toHtmlEscaped(),
                                        files.join(QStringLiteral(", ")), check.toHtmlEscaped()) +
                               QStringLiteral(" <a href=\"%1\">%2</a>")
                                   .arg(QUrl::fromLocalFile(path).toString(), tr("Show folder"));
                if (!warning.isEmpty())
                    html += QStringLiteral("<br>") + warning.toHtmlEscaped();
                showMessage(html, false);
                updateButtons();
                emit exported(format, path);
            });
    connect(&m_job, &ExportJob::failed, this, [this](const QString &message) {
        m_progress->setVisible(false);
        showMessage(tr("Export failed: %1").arg(message.toHtmlEscaped()), true);
        updateButtons();
    });
    setRun({});
}

void ExportChatPage::showMessage(const QString &html, bool error)
{
    m_message->setText(html);
    m_message->setProperty("error", error);
    m_message->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

QString ExportChatPage::checkpointName() const
{
    return m_checkpoints->currentData().toString();
}

void ExportChatPage::setRun(const QString &runDir)
{
    m_runDir = runDir;
    showMessage({}, false);
    reloadCheckpoints();
}

void ExportChatPage::reloadCheckpoints()
{
    const QSignalBlocker blocker(m_checkpoints);
    m_checkpoints->clear();
    if (m_runDir.isEmpty()) {
        m_runLabel->setText(tr("No run yet: train one on the Train page, or choose one in the "
                               "Runs view."));
        checkpointChosen();
        return;
    }
    const RunCheckpoints run(m_runDir);
    m_runLabel->setText(QDir::toNativeSeparators(m_runDir));
    if (!run.problem.isEmpty())
        showMessage(run.problem.toHtmlEscaped(), run.problemIsError);
    for (const auto &entry : run.entries)
        m_checkpoints->addItem(entry.label, entry.name);
    m_checkpoints->setCurrentIndex(m_checkpoints->findData(run.latest));
    checkpointChosen();
}

void ExportChatPage::checkpointChosen()
{
    m_runHasAdapter = false;
    if (m_runDir.isEmpty() || m_checkpoints->currentIndex() < 0) {
        // Nothing trained yet: the base model alone, the run's (run.json) or the draft's.
        m_chat->setModelAndAdapter(m_runDir.isEmpty()
                                       ? QString::fromStdString(m_draft.config().model)
                                       : RunCheckpoints::runModel(m_runDir),
                                   {});
        updateButtons();
        return;
    }
    try {
        const auto checkpoint =
            exporting::openRunCheckpoint(m_runDir.toStdString(), checkpointName().toStdString());
        const QString model = QString::fromStdString(checkpoint.config.model);
        m_runHasAdapter = checkpoint.kind == exporting::RunCheckpoint::Kind::Lora;
        m_runLabel->setText(tr("%1 (model %2, %3)")
                                .arg(QDir::toNativeSeparators(m_runDir), model,
                                     m_runHasAdapter ? tr("LoRA") : tr("full fine-tuning")));
        m_chat->setModelAndAdapter(model, m_runHasAdapter
                                              ? QString::fromStdString(checkpoint.weights.string())
                                              : QString());
        if (!m_runHasAdapter)
            showMessage(tr("A full fine-tuning run has no adapter: export the merged model."),
                        false);
    } catch (const std::exception &e) {
        showMessage(QString::fromStdString(e.what()).toHtmlEscaped(), true);
        m_chat->setModelAndAdapter({}, {});
    }
    updateButtons();
}

void ExportChatPage::updateButtons()
{
    const bool idle = !m_job.isRunning();
    const bool checkpoint = !m_runDir.isEmpty() && m_checkpoints->currentIndex() >= 0;
    m_adapterButton->setEnabled(idle && checkpoint && m_runHasAdapter);
    m_mergedButton->setEnabled(idle && checkpoint);
    m_checkpoints->setEnabled(idle);
}

void ExportChatPage::exportAdapter()
{
    askFolder(ExportRequest::Format::Adapter);
}
void ExportChatPage::exportMerged()
{
    askFolder(ExportRequest::Format::Merged);
}

void ExportChatPage::askFolder(ExportRequest::Format format)
{
    if (m_job.isRunning())
        return;
    if (m_runDir.isEmpty() || m_checkpoints->currentIndex() < 0) {
        showMessage(tr("Nothing to export yet: train a run first, or choose one in the Runs view."),
                    true);
        return;
    }
    const bool adapter = format == ExportRequest::Format::Adapter;
    if (adapter && !m_runHasAdapter) {
        showMessage(tr("A full fine-tuning run has no adapter: export the merged model."), true);
        return;
    }
    // Beside the run folder, named after it, never an existing name.
    const QFileInfo run(m_runDir);
    const QString stem =
        run.fileName() + (adapter ? QStringLiteral("-adapter") : QStringLiteral("-merged"));
    QString suggested = QDir(run.absolutePath()).filePath(stem);
    for (int n = 2; QFileInfo::exists(suggested); ++n)
        suggested = QDir(run.absolutePath()).filePath(QStringLiteral("%1-%2").arg(stem).arg(n));
    auto *dialog = new ExportFolderDialog(this,
                                          adapter ? tr("Export the adapter to a new folder")
                                                  : tr("Export the merged model to a new folder"),
                                          suggested);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, format] {
        ExportRequest request;
        request.format = format;
        request.runDir = m_runDir;
        request.checkpoint = checkpointName();
        request.out = dialog->chosenFolder();
        startExport(request);
    });
    dialog->open();
}

void ExportChatPage::startExport(ExportRequest request)
{
    if (request.format == ExportRequest::Format::Merged) {
        try {
            const QString dtype = m_dtype->currentData().toString();
            if (!dtype.isEmpty())
                request.dtype = io::parseDType(dtype.toStdString());
            request.maxShardBytes =
                exporting::parseShardSize(m_shardSize->currentText().trimmed().toStdString());
        } catch (const std::exception &e) {
            showMessage(
                tr("Max shard size: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()),
                true);
            return;
        }
    }
    m_progress->setVisible(true);
    m_progress->setRange(0, 0); // busy until the exporter reports tensors
    m_progress->setFormat(tr("Exporting…"));
    showMessage(tr("Exporting to %1…").arg(request.out.toHtmlEscaped()), false);
    m_job.start(request);
    updateButtons();
}

} // namespace headroom::ui
