#include "MainWindow.h"

#include "AppIcon.h"
#include "Language.h"
#include "SettingsDialog.h"
#include "data/DataPage.h"
#include "export/ExportChatPage.h"
#include "memory/FitAdvice.h"
#include "model/ModelPage.h"
#include "runs/RunRecorder.h"
#include "runs/RunsPage.h"
#include "techniques/ByteText.h"
#include "techniques/TechniquesPage.h"
#include "train/TrainPage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>

namespace headroom::ui {

MainWindow::MainWindow(store::RunStore &store, QWidget *parent)
    : QMainWindow(parent), m_store(store)
{
    setObjectName("mainWindow");
    setWindowTitle(tr("Headroom"));
    setWindowIcon(appIcon());
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    m_sidebar = new QListWidget(central);
    m_sidebar->setObjectName("sidebar");
    m_sidebar->setFixedWidth(220);
    m_sidebar->setIconSize(QSize(20, 20));
    m_stack = new QStackedWidget(central);
    layout->addWidget(m_sidebar);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    const auto icon = [this](QStyle::StandardPixmap pixmap) {
        return style()->standardIcon(pixmap);
    };
    m_modelPage = new ModelPage(m_draft);
    m_dataPage = new DataPage(m_draft);
    m_techniquesPage = new TechniquesPage(m_draft);
    m_trainPage = new TrainPage(m_draft);
    m_exportPage = new ExportChatPage(m_draft);
    m_runsPage = new RunsPage(m_store);
    addPage(m_modelPage, tr("1  Model"), icon(QStyle::SP_DriveHDIcon));
    addPage(m_dataPage, tr("2  Data"), icon(QStyle::SP_FileDialogDetailedView));
    addPage(m_techniquesPage, tr("3  Techniques && memory"), icon(QStyle::SP_ComputerIcon));
    addPage(m_trainPage, tr("4  Train"), icon(QStyle::SP_MediaPlay));
    addPage(m_exportPage, tr("5  Export && chat"), icon(QStyle::SP_DialogSaveButton));
    addPage(m_runsPage, tr("Runs"), icon(QStyle::SP_FileDialogContentsView));
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    m_recorder = new RunRecorder(m_store, this);
    createActions();
    createMenus();
    createToolBar();
    createStatusBar();
    wirePages();
    restoreWindowState();
    updateRunActions(false);
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(QWidget *page, const QString &title, const QIcon &icon)
{
    // Titles are written for menus ("&&" is a literal ampersand there); the
    // sidebar shows them as plain text.
    m_stack->addWidget(page);
    m_pageTitles << title;
    m_sidebar->addItem(new QListWidgetItem(icon, QString(title).replace("&&", "&")));
}

void MainWindow::showPage(Page page)
{
    m_sidebar->setCurrentRow(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_stack->currentIndex());
}

QWidget *MainWindow::page(Page page) const
{
    return m_stack->widget(int(page));
}

void MainWindow::wirePages()
{
    // Every training report is recorded in the run store.
    connect(m_trainPage, &TrainPage::runSetup, m_recorder, &RunRecorder::runSetup);
    connect(m_trainPage, &TrainPage::stepDone, m_recorder, &RunRecorder::stepDone);
    connect(m_trainPage, &TrainPage::evalDone, m_recorder, &RunRecorder::evalDone);
    connect(m_trainPage, &TrainPage::checkpointSaved, m_recorder, &RunRecorder::checkpointSaved);
    connect(m_trainPage, &TrainPage::runFinished, m_recorder, &RunRecorder::runFinished);
    connect(m_trainPage, &TrainPage::runFailed, m_recorder, &RunRecorder::runFailed);
    connect(m_recorder, &RunRecorder::runsChanged, m_runsPage, &RunsPage::refresh);

    // The run being trained (or the last one) is the one to export and chat with.
    connect(m_trainPage, &TrainPage::runSetup, this,
            [this](const QString &runDir) { setExportRun(runDir); });
    connect(m_trainPage, &TrainPage::runFinished, this, [this](const train::RunSummary &summary) {
        setExportRun(QString::fromStdString(summary.outputDir.string()));
    });
    connect(m_exportPage, &ExportChatPage::exported, m_recorder, &RunRecorder::recordExport);
    connect(m_trainPage, &TrainPage::runningChanged, this, &MainWindow::updateRunActions);
    connect(m_trainPage, &TrainPage::stepDone, this, [this](const train::StepMetrics &step) {
        m_runStatus->setText(tr("Training: step %1 of %2, loss %3")
                                 .arg(step.step)
                                 .arg(step.totalSteps)
                                 .arg(step.loss, 0, 'f', 4));
    });

    // The Runs view resumes on the train page and exports on the export page.
    connect(m_runsPage, &RunsPage::resumeRequested, this, [this](const QString &runDir) {
        showPage(TrainStep);
        m_trainPage->resumeRun(runDir);
    });
    connect(m_runsPage, &RunsPage::exportRequested, this, [this](const QString &runDir) {
        setExportRun(runDir);
        showPage(ExportStep);
    });

    // The techniques page recomputes on every change of the draft, then says so.
    connect(m_techniquesPage, &TechniquesPage::estimateChanged, this, &MainWindow::updateStatus);
}

// The export page and the record of its exports follow the same run.
void MainWindow::setExportRun(const QString &runDir)
{
    m_exportPage->setRun(runDir);
    m_recorder->setExportRun(runDir);
}

void MainWindow::createActions()
{
    const auto action = [this](const QString &text, const QKeySequence &keys,
                               QStyle::StandardPixmap pixmap, const char *name) {
        auto *a = new QAction(style()->standardIcon(pixmap), text, this);
        a->setShortcut(keys);
        a->setObjectName(name);
        return a;
    };
    m_openModel =
        action(tr("Open &model…"), QKeySequence::Open, QStyle::SP_DirOpenIcon, "openModelAction");
    connect(m_openModel, &QAction::triggered, this, [this] {
        showPage(ModelStep);
        m_modelPage->openModelDialog();
    });
    m_openDataset = action(tr("Open &dataset…"), QKeySequence(tr("Ctrl+D")), QStyle::SP_FileIcon,
                           "openDatasetAction");
    connect(m_openDataset, &QAction::triggered, this, [this] {
        showPage(DataStep);
        m_dataPage->openDatasetDialog();
    });
    m_exportAdapter = action(tr("Export &adapter…"), QKeySequence(tr("Ctrl+E")),
                             QStyle::SP_DialogSaveButton, "exportAdapterAction");
    connect(m_exportAdapter, &QAction::triggered, this, [this] {
        showPage(ExportStep);
        m_exportPage->exportAdapter();
    });
    m_exportMerged = action(tr("Export &merged model…"), QKeySequence(tr("Ctrl+Shift+E")),
                            QStyle::SP_DialogSaveButton, "exportMergedAction");
    connect(m_exportMerged, &QAction::triggered, this, [this] {
        showPage(ExportStep);
        m_exportPage->exportMerged();
    });
    m_start = action(tr("&Train"), QKeySequence(tr("F5")), QStyle::SP_MediaPlay, "startAction");
    m_start->setToolTip(tr("Start training with the current settings (F5)"));
    connect(m_start, &QAction::triggered, this, [this] {
        showPage(TrainStep);
        m_trainPage->startRun();
    });
    m_pause = action(tr("&Pause"), QKeySequence(tr("F6")), QStyle::SP_MediaPause, "pauseAction");
    connect(m_pause, &QAction::triggered, this, [this] { m_trainPage->pauseRun(); });
    m_resume =
        action(tr("&Resume"), QKeySequence(tr("F7")), QStyle::SP_MediaSeekForward, "resumeAction");
    connect(m_resume, &QAction::triggered, this, [this] { m_trainPage->continueRun(); });
    m_stop = action(tr("&Stop"), QKeySequence(tr("Shift+F5")), QStyle::SP_MediaStop, "stopAction");
    connect(m_stop, &QAction::triggered, this, [this] { m_trainPage->stopRun(); });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openModel);
    m_recentModels = file->addMenu(tr("Recent models"));
    file->addAction(m_openDataset);
    m_recentDatasets = file->addMenu(tr("Recent datasets"));
    file->addSeparator();
    file->addAction(m_exportAdapter);
    file->addAction(m_exportMerged);
    file->addSeparator();
    QAction *settings = file->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setShortcut(QKeySequence::Preferences);
    settings->setObjectName("settingsAction");
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    // The pages add to the recent lists; the menus read them when opened.
    connect(file, &QMenu::aboutToShow, this, [this] {
        rebuildRecentMenu(m_recentModels, "recent/models", true);
        rebuildRecentMenu(m_recentDatasets, "recent/datasets", false);
    });

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    for (QAction *a : {m_start, m_pause, m_resume, m_stop})
        run->addAction(a);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_sidebar->count(); ++i) {
        QAction *go =
            view->addAction(m_pageTitles[i].simplified(), this, [this, i] { showPage(Page(i)); });
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Headroom"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolBar");
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (QAction *a : {m_openModel, m_openDataset})
        bar->addAction(a);
    bar->addSeparator();
    for (QAction *a : {m_start, m_pause, m_resume, m_stop})
        bar->addAction(a);
    bar->addSeparator();
    bar->addAction(m_exportAdapter);
}

void MainWindow::createStatusBar()
{
    m_modelStatus = new QLabel(this);
    m_modelStatus->setObjectName("modelStatus");
    m_estimateStatus = new QLabel(this);
    m_estimateStatus->setObjectName("estimateStatus");
    m_runStatus = new QLabel(tr("Idle"), this);
    m_runStatus->setObjectName("runStatus");
    statusBar()->addWidget(m_modelStatus, 1);
    statusBar()->addPermanentWidget(m_estimateStatus);
    statusBar()->addPermanentWidget(m_runStatus);
}

void MainWindow::rebuildRecentMenu(QMenu *menu, const QString &key, bool models)
{
    menu->clear();
    const QStringList entries = QSettings().value(key).toStringList();
    for (const QString &entry : entries) {
        menu->addAction(entry, this, [this, entry, models] {
            if (models) {
                showPage(ModelStep);
                m_modelPage->openModel(entry);
            } else {
                showPage(DataStep);
                m_dataPage->openDataset(entry);
            }
        });
    }
    menu->setEnabled(!entries.isEmpty());
}

void MainWindow::updateStatus()
{
    const auto &config = m_draft.config();
    const QString model = config.model.empty()
                              ? tr("No model")
                              : QFileInfo(QString::fromStdString(config.model)).fileName();
    const QString dataset = config.dataset.empty()
                                ? tr("no dataset")
                                : QFileInfo(QString::fromStdString(config.dataset)).fileName();
    m_modelStatus->setText(tr("%1 · %2").arg(model, dataset));
    // The techniques page computes the estimate on every change; show its verdict.
    const auto &estimate = m_techniquesPage->currentEstimate();
    if (!estimate) {
        m_estimateStatus->clear();
        return;
    }
    const QString peak = QString::fromStdString(memory::formatBytes(estimate->devicePeak));
    const int64_t budget = m_techniquesPage->currentBudget();
    if (budget <= 0) {
        m_estimateStatus->setText(tr("Estimated peak %1").arg(peak));
        m_estimateStatus->setStyleSheet({});
        return;
    }
    const bool fits = estimate->devicePeak <= budget;
    const QString available = QString::fromStdString(memory::formatBytes(budget));
    m_estimateStatus->setText(
        fits ? tr("Estimated peak %1 of %2: fits").arg(peak, available)
             : tr("Estimated peak %1 of %2: does not fit").arg(peak, available));
    m_estimateStatus->setStyleSheet(QString("color: %1;").arg(fitColor(fits, palette()).name()));
}

void MainWindow::updateRunActions(bool running)
{
    m_start->setEnabled(!running);
    m_pause->setEnabled(running);
    m_resume->setEnabled(running);
    m_stop->setEnabled(running);
    if (!running)
        m_runStatus->setText(tr("Idle"));
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(!m_trainPage->isRunning(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    setLanguageSetting(dialog.language());
    if (dialog.restartRequested() && !m_trainPage->isRunning()) {
        QProcess::startDetached(QApplication::applicationFilePath(), {});
        close();
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Headroom"),
        tr("<h3>Headroom %1</h3><p>Fine-tune language models on your own workstation, with "
           "honest numbers about memory.</p><p>Built with Qt %2 and LibTorch %3.</p>")
            .arg(QStringLiteral(HEADROOM_VERSION), QString::fromLatin1(qVersion()),
                 QStringLiteral(HEADROOM_TORCH_VERSION)));
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
        resize(1280, 820);
    restoreState(settings.value("window/state").toByteArray());
    showPage(Page(std::clamp(settings.value("window/page", 0).toInt(), 0, int(RunsView))));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_trainPage->isRunning()) {
        const auto answer = QMessageBox::question(
            this, tr("Training in progress"),
            tr("A run is training. Stop it (a checkpoint is saved) and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_trainPage->stopAndWait(120000);
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/page", int(currentPage()));
    event->accept();
}

} // namespace headroom::ui
