// Runs the trainer off the GUI thread. The worker lives on a QThread (moved
// there by its owner); it builds the Trainer there (loading a model takes
// seconds), runs it, and re-emits every TrainObserver call as a signal with
// value types, so that connections to the GUI are queued. The GUI controls a
// run only through thread-safe calls: a std::stop_source whose token the
// trainer checks between micro-steps, and a pause flag on which onStep waits
// (the trainer is between steps then: its memory stays allocated and a
// resume continues at once). Every exception ends as a `failed` signal.
#pragma once

#include "common/TrainMetaTypes.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>

namespace headroom::ui {

class TrainingWorker : public QObject, public train::TrainObserver
{
    Q_OBJECT
public:
    explicit TrainingWorker(QObject *parent = nullptr);

    // GUI thread: queue a new run of `config` (output_dir set) on the
    // worker's thread. False while a run is still in progress.
    bool start(const train::TrainConfig &config);
    // GUI thread: queue the continuation of `runDir` from its last
    // checkpoint, with its saved config or with `changed` (memory settings
    // only, see train::resumeConflict).
    bool resume(const QString &runDir, const std::optional<train::TrainConfig> &changed = {});

    // Thread-safe controls.
    void requestStop();
    void setPaused(bool paused);
    bool isBusy() const;
    // Blocks until no run is in progress; false on timeout.
    bool waitUntilIdle(int timeoutMs);

    // TrainObserver: called on the worker thread by the trainer.
    void onLog(train::LogLevel level, const std::string &text) override;
    void onStep(const train::StepMetrics &step) override;
    void onEval(const train::EvalMetrics &eval) override;
    void onCheckpoint(int64_t step, const std::filesystem::path &folder) override;
    void onFinished(const train::RunSummary &summary) override;

signals:
    // The trainer was built: where it writes, its full config (JSON), the
    // run length and the step it starts after; `info` = setup lines for the log.
    void setupDone(const QString &runDir, const QString &configJson, qint64 totalSteps,
                   qint64 startStep, const QStringList &info);
    void logLine(bool warning, const QString &text);
    void stepDone(const headroom::train::StepMetrics &step);
    void evalDone(const headroom::train::EvalMetrics &eval);
    void checkpointSaved(qint64 step, const QString &folder);
    // The worker is waiting in onStep after `step` because of a pause.
    void pausedAt(qint64 step);
    void finished(const headroom::train::RunSummary &summary);
    // `outOfMemory`: the run did not fit (train::OutOfMemoryError);
    // `duringSetup`: bad config, model or data: nothing was written.
    void failed(const QString &runDir, const QString &message, bool outOfMemory, bool duringSetup);

private:
    bool begin();
    void run(const QString &runDir, const std::optional<train::TrainConfig> &config,
             const std::optional<train::TrainConfig> &changed);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake; // pause released or stop requested
    std::condition_variable m_idle; // a run ended
    std::stop_source m_stop;        // replaced by the GUI thread between runs only
    bool m_paused = false;
    bool m_busy = false;
};

} // namespace headroom::ui
