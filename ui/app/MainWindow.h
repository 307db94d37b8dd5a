// The main window: a sidebar with the flow Model → Data → Techniques & memory
// → Train → Export & chat, and the Runs view; one page per step in a stack.
// Owns the run draft that the pages share and wires the pages to each other
// and to the run store: training signals are recorded, a finished run goes to
// the export page, a run chosen in the Runs view resumes on the train page.
#pragma once

#include "common/RunDraft.h"

#include <QMainWindow>
#include <QStringList>

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace headroom::store {
class RunStore;
}

namespace headroom::ui {

class DataPage;
class ExportChatPage;
class ModelPage;
class RunRecorder;
class RunsPage;
class TechniquesPage;
class TrainPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Page { ModelStep, DataStep, TechniquesStep, TrainStep, ExportStep, RunsView };

    // `store` records the runs; it must outlive the window.
    explicit MainWindow(store::RunStore &store, QWidget *parent = nullptr);
    ~MainWindow() override;

    RunDraft &draft() { return m_draft; }
    void showPage(Page page);
    Page currentPage() const;
    QWidget *page(Page page) const;

    ModelPage *modelPage() const { return m_modelPage; }
    DataPage *dataPage() const { return m_dataPage; }
    TechniquesPage *techniquesPage() const { return m_techniquesPage; }
    TrainPage *trainPage() const { return m_trainPage; }
    ExportChatPage *exportPage() const { return m_exportPage; }
    RunsPage *runsPage() const { return m_runsPage; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void addPage(QWidget *page, const QString &title, const QIcon &icon);
    void wirePages();
    void setExportRun(const QString &runDir);
    void createActions();
    void createMenus();
    void createToolBar();
    void createStatusBar();
    void rebuildRecentMenu(QMenu *menu, const QString &key, bool models);
    void updateStatus();
    void updateRunActions(bool running);
    void showSettings();
    void showAbout();
    void restoreWindowState();

    RunDraft m_draft;
    store::RunStore &m_store;
    RunRecorder *m_recorder = nullptr;
    QStringList m_pageTitles; // as translated, with menu escapes
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_stack = nullptr;
    ModelPage *m_modelPage = nullptr;
    DataPage *m_dataPage = nullptr;
    TechniquesPage *m_techniquesPage = nullptr;
    TrainPage *m_trainPage = nullptr;
    ExportChatPage *m_exportPage = nullptr;
    RunsPage *m_runsPage = nullptr;

    QAction *m_openModel = nullptr;
    QAction *m_openDataset = nullptr;
    QAction *m_exportAdapter = nullptr;
    QAction *m_exportMerged = nullptr;
    QAction *m_start = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_resume = nullptr;
    QAction *m_stop = nullptr;
    QMenu *m_recentModels = nullptr;
    QMenu *m_recentDatasets = nullptr;
    QLabel *m_modelStatus = nullptr;
    QLabel *m_estimateStatus = nullptr;
    QLabel *m_runStatus = nullptr;
};

} // namespace headroom::ui
