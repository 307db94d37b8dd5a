// The Train page: Start, Pause, Resume and Stop for the run the draft
// describes; live loss and memory plots, progress with tokens/s, elapsed
// time and ETA, and the trainer's log. The trainer runs in a TrainingWorker
// on this page's QThread; everything here only follows its queued signals,
// so the window stays responsive. Each run gets its own folder under the
// runs root: <model-name>-YYYYMMDD-HHMMSS. Errors open a dialog and mark the
// run failed; an out-of-memory offers the estimator's advice with one-click
// "Apply and resume" from the last checkpoint.
// With RunDraft::dataParallel() > 1 the run is `headroom-cli train --nproc N`
// in a ProcessTrainingRun instead (the in-process trainer is one process);
// it reports through the same signals, so plots, run store and export do
// not know the difference. Pause is not offered for such runs.
#pragma once

#include "common/RunDraft.h"
#include "common/TrainMetaTypes.h"
#include "train/TrainConfig.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace headroom::ui {

class LossPlot;
class MemoryPlot;
class ProcessTrainingRun;
class TrainingWorker;

class TrainPage : public QWidget
{
    Q_OBJECT
public:
    enum class State {
        Idle,
        Loading,
        Running,
        Pausing,
        Paused,
        Stopping,
        Finished,
        Stopped,
        Failed
    };

    explicit TrainPage(RunDraft &draft, QWidget *parent = nullptr);
    ~TrainPage() override;

    bool isRunning() const { return m_running; }
    // The current (or last) run's processes: 1 in this process, N through
    // headroom-cli --nproc N.
    int runProcesses() const { return m_runProcesses; }
    State state() const { return m_state; }
    // The folder new runs are created in; default
    // QStandardPaths::AppDataLocation + "/runs".
    QString runsRoot() const { return m_runsRoot; }
    void setRunsRoot(const QString &folder) { m_runsRoot = folder; }
    // The current (or last) run's folder; empty before the first run.
    QString runDir() const { return m_runDir; }
    // Asks the run to stop (a checkpoint is saved) and blocks until the
    // worker is idle; false on timeout. For closing the window while training.
    bool stopAndWait(int timeoutMs);

    LossPlot *lossPlot() const { return m_lossPlot; }
    MemoryPlot *memoryPlot() const { return m_memoryPlot; }

public slots:
    // A new run of the draft's config in a new run folder.
    void startRun();
    // Continues `runDir` from its last checkpoint with its saved config.
    void resumeRun(const QString &runDir);
    void pauseRun();
    void continueRun();
    void stopRun();

signals:
    void runSetup(const QString &runDir, const QString &configJson, qint64 totalSteps,
                  qint64 startStep);
    void stepDone(const headroom::train::StepMetrics &step);
    void evalDone(const headroom::train::EvalMetrics &eval);
    void checkpointSaved(qint64 step, const QString &folder);
    void runFinished(const headroom::train::RunSummary &summary);
    void runFailed(const QString &runDir, const QString &message);
    void runningChanged(bool running);

private:
    void buildUi();
    void connectWorker();
    void connectProcessRun();
    void setState(State state);
    void beginRun(const QString &runDir);
    void endRun(State state);
    QString newRunFolder(const train::TrainConfig &config) const;
    void updateEstimateLine(const train::TrainConfig &config);
    void updateStats();
    void loadHistory(qint64 upToStep);
    void log(const QString &text);

    void onSetupDone(const QString &runDir, const QString &configJson, qint64 totalSteps,
                     qint64 startStep, const QStringList &info);
    void onStep(const headroom::train::StepMetrics &step);
    void onLogLine(bool warning, const QString &text);
    void onEval(const headroom::train::EvalMetrics &eval);
    void onCheckpoint(qint64 step, const QString &folder);
    void onFinished(const headroom::train::RunSummary &summary);
    void onFailed(const QString &runDir, const QString &message, bool outOfMemory,
                  bool duringSetup);
    void showOutOfMemory(const QString &message);
    void applyAndResume(const train::TrainConfig &advised);

    RunDraft &m_draft;
    QThread m_thread;
    TrainingWorker *m_worker = nullptr;
    ProcessTrainingRun *m_processRun = nullptr; // data-parallel runs (headroom-cli)
    int m_runProcesses = 1;
    State m_state = State::Idle;
    bool m_running = false;
    bool m_setupDone = false;
    QString m_runsRoot;
    QString m_runDir;
    std::optional<train::TrainConfig> m_runConfig; // as the trainer runs it
    qint64 m_totalSteps = 0, m_startStep = 0, m_lastStep = 0;
    double m_stepSeconds = 0; // summed over this session's steps
    qint64 m_sessionSteps = 0;
    double m_tokensPerSecond = 0;
    qint64 m_lastPeak = 0;
    QElapsedTimer m_elapsed;    // since the first step began
    QElapsedTimer m_pauseClock; // the current pause
    qint64 m_pausedMs = 0;      // earlier pauses, not counted as elapsed
    QTimer m_clock;             // refreshes the elapsed time once a second

    QPushButton *m_start, *m_pause, *m_resume, *m_stop;
    QLabel *m_status, *m_stats;
    QProgressBar *m_progress;
    LossPlot *m_lossPlot;
    MemoryPlot *m_memoryPlot;
    QPlainTextEdit *m_log;
};

} // namespace headroom::ui
