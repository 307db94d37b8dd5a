// The Runs view: every run recorded in the run store (name, model, dataset,
// status, steps, last loss, created), refreshed when the recorder writes;
// the selected runs' loss and peak-memory curves overlaid in distinct
// colours; the settings in which they differ; Resume for an interrupted,
// stopped or failed run that has a checkpoint (also after the app was
// killed); Export…, Import run folder… and Delete from list (the record
// only: the files stay). The page reads and deletes records; the train page
// resumes and the export page exports, through the two signals.
#pragma once

#include "store/RunStore.h"

#include <QList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace headroom::ui {

class ConfigDiffTable;
class RunCurves;
class RunsTable;

class RunsPage : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPage(store::RunStore &store, QWidget *parent = nullptr);

    // The selected runs' ids, top to bottom.
    QList<qint64> selectedRunIds() const;
    // Selects exactly these runs (for the main window and tests).
    void selectRuns(const QList<qint64> &ids);

    RunCurves *curves() const { return m_curves; }
    ConfigDiffTable *configDiff() const { return m_diff; }

public slots:
    // Reloads within a quarter of a second; many calls (one per training
    // step) cost one reload. Connect RunRecorder::runsChanged here.
    void refresh();
    // Reloads the list now, keeping the selection.
    void reload();
    // Adds a run folder (run.json, metrics.jsonl, checkpoints/) to the list
    // and selects it; a failure opens a message naming the file. Returns
    // whether it was added.
    bool importRunFolder(const QString &folder);

signals:
    void resumeRequested(const QString &runDir);
    void exportRequested(const QString &runDir);

private:
    void buildUi();
    void onSelectionChanged();
    void updateButtons(const std::vector<store::RunRecord> &selected);
    void showDetails(const std::vector<store::RunRecord> &selected);
    void chooseImportFolder();
    void confirmDelete();
    void showError(const QString &title, const QString &message);

    store::RunStore &m_store;
    QTimer m_refreshTimer;
    QString m_storeError; // the last read failure, shown with the details
    RunsTable *m_table;
    RunCurves *m_curves;
    ConfigDiffTable *m_diff;
    QLabel *m_details;
    QPushButton *m_resume, *m_export, *m_import, *m_delete;
};

} // namespace headroom::ui
