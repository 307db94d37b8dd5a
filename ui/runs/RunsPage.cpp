// See RunsPage.h.
#include "RunsPage.h"

#include "ConfigDiffTable.h"
#include "RunCurves.h"
#include "RunStatusText.h"
#include "RunsTable.h"
#include "common/Error.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace headroom::ui {

RunsPage::RunsPage(store::RunStore &store, QWidget *parent) : QWidget(parent), m_store(store)
{
    buildUi();
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(250);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RunsPage::reload);
    reload();
}

void RunsPage::buildUi()
{
    m_import = new QPushButton(tr("Import run folder…"), this);
    m_import->setObjectName("importButton");
    m_import->setToolTip(tr("Add a run folder made elsewhere, e.g. with headroom-cli"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName("resumeButton");
    m_resume->setToolTip(tr("Continue the selected run from its last checkpoint"));
    m_export = new QPushButton(tr("Export…"), this);
    m_export->setObjectName("exportButton");
    m_delete = new QPushButton(tr("Delete from list"), this);
    m_delete->setObjectName("deleteButton");
    m_delete->setToolTip(tr("Forget the selected runs; their folders stay on disk"));
    m_delete->setShortcut(QKeySequence::Delete);
    auto *buttons = new QHBoxLayout;
    for (auto *button : {m_import, m_resume, m_export, m_delete})
        buttons->addWidget(button);
    buttons->addStretch(1);

    m_table = new RunsTable(this);

    m_curves = new RunCurves(this);
    m_diff = new ConfigDiffTable(this);
    m_details = new QLabel(this);
    m_details->setObjectName("runDetails");
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_details);
    sideLayout->addWidget(m_diff, 1);
    auto *lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(m_curves);
    lower->addWidget(side);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    lower->setSizes({600, 400});
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setSizes({250, 500});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsPage::onSelectionChanged);
    connect(m_import, &QPushButton::clicked, this, &RunsPage::chooseImportFolder);
    connect(m_delete, &QPushButton::clicked, this, &RunsPage::confirmDelete);
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (const auto runs = m_table->selectedRuns(); runs.size() == 1 && isResumable(runs[0]))
            emit resumeRequested(QString::fromStdString(runs[0].runDir));
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (const auto runs = m_table->selectedRuns(); runs.size() == 1)
            emit exportRequested(QString::fromStdString(runs[0].runDir));
    });
}

void RunsPage::refresh()
{
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void RunsPage::reload()
{
    m_refreshTimer.stop();
    std::vector<store::RunRecord> runs;
    m_storeError.clear();
    try {
        runs = m_store.listRuns();
    } catch (const Error &e) {
        // Shown in the details, not as a dialog: reloads follow every step.
        m_storeError =
            tr("The run list could not be read: %1").arg(QString::fromStdString(e.what()));
    }
    m_table->setRuns(std::move(runs));
    onSelectionChanged();
}

QList<qint64> RunsPage::selectedRunIds() const
{
    return m_table->selectedRunIds();
}

void RunsPage::selectRuns(const QList<qint64> &ids)
{
    m_table->selectRuns(ids);
}

void RunsPage::onSelectionChanged()
{
    const auto selected = m_table->selectedRuns();
    std::vector<RunCurveData> curves;
    QStringList names;
    std::vector<std::string> configs;
    try {
        for (const auto &run : selected) {
            curves.push_back(
                {QString::fromStdString(run.name), m_store.steps(run.id), m_store.evals(run.id)});
            names << QString::fromStdString(run.name);
            configs.push_back(run.configJson);
        }
    } catch (const Error &e) {
        m_storeError =
            tr("The run's curves could not be read: %1").arg(QString::fromStdString(e.what()));
    }
    m_curves->setRuns(curves);
    m_diff->setRuns(names, configs);
    showDetails(selected);
    if (!m_storeError.isEmpty())
        m_details->setText(m_storeError.toHtmlEscaped() + QStringLiteral("<br>") +
                           m_details->text());
    updateButtons(selected);
}

void RunsPage::updateButtons(const std::vector<store::RunRecord> &selected)
{
    const bool one = selected.size() == 1;
    const bool anyRunning = std::any_of(selected.begin(), selected.end(), [](const auto &run) {
        return run.status == store::RunStatus::Running;
    });
    m_resume->setEnabled(one && isResumable(selected[0]));
    m_export->setEnabled(one && !anyRunning && hasCheckpoint(selected[0]));
    m_delete->setEnabled(!selected.empty() && !anyRunning);
}

void RunsPage::showDetails(const std::vector<store::RunRecord> &selected)
{
    if (selected.size() != 1) {
        m_details->setText(selected.empty()
                               ? tr("Select a run to see its curves; select "
                                    "several to compare them.")
                               : tr("%n run(s) selected.", nullptr, int(selected.size())));
        return;
    }
    const auto &run = selected[0];
    QStringList lines;
    lines << tr("<b>%1</b> — %2")
                 .arg(QString::fromStdString(run.name).toHtmlEscaped(), statusText(run.status));
    lines << tr("Folder: %1").arg(QString::fromStdString(run.runDir).toHtmlEscaped());
    if (!run.message.empty())
        lines << QString::fromStdString(run.message).toHtmlEscaped();
    try {
        if (const auto checkpoints = m_store.checkpoints(run.id); !checkpoints.empty())
            lines << tr("Last checkpoint: step %1").arg(checkpoints.back().step);
        for (const auto &exported : m_store.exports(run.id))
            lines << tr("Exported (%1): %2")
                         .arg(QString::fromStdString(exported.format),
                              QString::fromStdString(exported.path).toHtmlEscaped());
    } catch (const Error &) {
        // The list above already says when the store cannot be read.
    }
    m_details->setText(lines.join(QStringLiteral("<br>")));
}

bool RunsPage::importRunFolder(const QString &folder)
{
    try {
        const auto id = m_store.importRunFolder(folder.toStdString());
        reload();
        selectRuns({id});
        return true;
    } catch (const Error &e) {
        showError(tr("Import run folder"), tr("The folder could not be added to the run list:\n%1")
                                               .arg(QString::fromStdString(e.what())));
        return false;
    }
}

void RunsPage::chooseImportFolder()
{
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Import run folder"));
    if (!folder.isEmpty())
        importRunFolder(folder);
}

void RunsPage::confirmDelete()
{
    const auto ids = selectedRunIds();
    if (ids.isEmpty())
        return;
    // Window-modal and asynchronous, so that nothing blocks (and tests can
    // answer it).
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete from list"),
                                tr("Remove %n run(s) from the list? The run folders and their "
                                   "checkpoints stay on disk.",
                                   nullptr, int(ids.size())),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName("deleteConfirmation");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, ids] {
        if (box->clickedButton() != box->button(QMessageBox::Yes))
            return;
        try {
            for (auto id : ids)
                m_store.deleteRun(id);
        } catch (const Error &e) {
            showError(tr("Delete from list"), QString::fromStdString(e.what()));
        }
        reload();
    });
    box->open();
}

void RunsPage::showError(const QString &title, const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName("runsError");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace headroom::ui
