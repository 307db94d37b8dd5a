// A data-parallel run from the GUI: the in-process Trainer is one process,
// so for N > 1 processes the Train page runs `headroom-cli train --config
// <run.json> --nproc N --json` (or `--resume <run folder> --nproc N`) as a
// QProcess and turns what it prints into the same reports the
// TrainingWorker emits: stdout's JSON lines (train/MetricsJson.h: one per
// step, one per evaluation, a last "finished" line) and stderr's setup,
// checkpoint and error lines. Stop sends SIGINT to the launcher, which
// forwards it to the ranks: they finish the micro-step, rank 0 saves a
// checkpoint, and the exit code is 130. Exit codes: 0 finished, 2 bad config
// or data (failed during setup, stderr's message), 3 or any other failed,
// 130 stopped. There is no pause: the ranks wait on each other in every
// step's collectives.
// The ranks share the launcher's stderr; headroom-cli writes each line whole,
// so lines never mix. Stdout and stderr are separate pipes, though, so the
// first step may be read before rank 0's "steps: N": the run then starts
// with the config's max_steps as its length.
#pragma once

#include "common/TrainMetaTypes.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace headroom::ui {

class ProcessTrainingRun : public QObject
{
    Q_OBJECT
public:
    explicit ProcessTrainingRun(QObject *parent = nullptr);
    ~ProcessTrainingRun() override;

    // headroom-cli: $HEADROOM_CLI, else next to this executable (an
    // installation), else ../cli/headroom-cli (the build tree, from app/gui).
    // Empty when none is an executable file.
    static QString findCli();

    // A new run of `config` (output_dir set) with `processes` processes.
    // False only while a run is active; every other problem (no CLI, a
    // config that cannot be written) ends as `failed`, as with the worker.
    bool start(const train::TrainConfig &config, int processes);
    // Continues `runDir` from its last checkpoint with `processes` processes.
    bool resume(const QString &runDir, int processes);

    bool isBusy() const;
    // SIGINT to the launcher: a checkpointed stop.
    void requestStop();
    // Blocks until the process ended; false on timeout.
    bool waitUntilIdle(int timeoutMs);

signals:
    // The same reports as TrainingWorker's signals.
    void setupDone(const QString &runDir, const QString &configJson, qint64 totalSteps,
                   qint64 startStep, const QStringList &info);
    void logLine(bool warning, const QString &text);
    void stepDone(const headroom::train::StepMetrics &step);
    void evalDone(const headroom::train::EvalMetrics &eval);
    void checkpointSaved(qint64 step, const QString &folder);
    void finished(const headroom::train::RunSummary &summary);
    void failed(const QString &runDir, const QString &message, bool outOfMemory, bool duringSetup);

private:
    bool launch(const QStringList &arguments, const QString &runDir,
                const train::TrainConfig &config);
    void readStdout();
    void readStderr();
    void stdoutLine(const QByteArray &line);
    void stderrLine(const QString &line);
    void setup(qint64 totalSteps, qint64 startStep);
    void ended(int exitCode, QProcess::ExitStatus status);

    QProcess *m_process = nullptr;
    std::unique_ptr<QTemporaryDir> m_configDir; // the new run's config file
    QString m_runDir, m_configJson;
    QByteArray m_stdout, m_stderr; // partial lines
    QStringList m_errors;          // "error: ..." lines, each once
    QStringList m_lastLines;       // stderr's last lines, for an unexplained exit
    bool m_setupDone = false;
    qint64 m_totalSteps = 0, m_startStep = 0;
    qint64 m_plannedSteps = 0; // the config's max_steps (0 = by epochs)
    train::RunSummary m_summary;
    std::optional<train::RunSummary> m_reported; // the "finished" line
};

} // namespace headroom::ui
