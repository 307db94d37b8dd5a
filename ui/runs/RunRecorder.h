// Writes what the train page reports into the run store, one short
// transaction per event, so that the Runs view (and a later start of the app,
// after a crash) sees every step. Its slots match the train page's signals
// one to one; it runs on the GUI thread (one row per step is cheap).
// Deliberately no logic about runs: RunStore decides what a resume or a
// failure means.
#pragma once

#include "common/TrainMetaTypes.h"
#include "store/RunStore.h"

#include <QObject>
#include <QString>

#include <optional>

namespace headroom::ui {

class RunRecorder : public QObject
{
    Q_OBJECT
public:
    explicit RunRecorder(store::RunStore &store, QObject *parent = nullptr);

    // The run being recorded, from runSetup until runFinished / runFailed.
    std::optional<int64_t> currentRunId() const { return m_runId; }

public slots:
    void runSetup(const QString &runDir, const QString &configJson, qint64 totalSteps,
                  qint64 startStep);
    void stepDone(const headroom::train::StepMetrics &step);
    void evalDone(const headroom::train::EvalMetrics &eval);
    void checkpointSaved(qint64 step, const QString &folder);
    void runFinished(const headroom::train::RunSummary &summary);
    // `runDir` may be empty: the run being recorded failed.
    void runFailed(const QString &runDir, const QString &message);
    // An export of the run in `runDir` was written (format e.g. "peft", "merged").
    void exportDone(const QString &runDir, const QString &format, const QString &path);
    // The run the export page works on (call wherever its run is set), for
    // recordExport.
    void setExportRun(const QString &runDir);
    // An export was written of the run setExportRun named, else of the run
    // recorded last (the usual flow: train, then export).
    void recordExport(const QString &format, const QString &path);

signals:
    void runsChanged();
    // The store could not be written (disk full, file locked ...): a
    // translated sentence with the store's message, for the status bar.
    void recordingFailed(const QString &message);

private:
    template <typename Write> void record(Write &&write);

    store::RunStore &m_store;
    std::optional<int64_t> m_runId;     // being recorded now
    std::optional<int64_t> m_lastRunId; // recorded last, also after it ended
    QString m_exportRunDir;
};

} // namespace headroom::ui
