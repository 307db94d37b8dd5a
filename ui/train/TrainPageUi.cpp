// The Train page's widgets, its wiring to the worker's queued signals, and
// which button is enabled in which state.
#include "LossPlot.h"
#include "MemoryPlot.h"
#include "ProcessTrainingRun.h"
#include "TrainPage.h"
#include "TrainingWorker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace headroom::ui {
void TrainPage::buildUi()
{
    m_start = new QPushButton(tr("Start"), this);
    m_pause = new QPushButton(tr("Pause"), this);
    m_resume = new QPushButton(tr("Resume"), this);
    m_stop = new QPushButton(tr("Stop"), this);
    m_start->setObjectName("startButton");
    m_pause->setObjectName("pauseButton");
    m_resume->setObjectName("resumeButton");
    m_stop->setObjectName("stopButton");
    m_start->setToolTip(tr("Train the configured model on the configured dataset"));
    m_pause->setToolTip(tr("Pause between steps; memory stays allocated"));
    m_stop->setToolTip(tr("Stop after the current micro-step and save a checkpoint"));
    connect(m_start, &QPushButton::clicked, this, &TrainPage::startRun);
    connect(m_pause, &QPushButton::clicked, this, &TrainPage::pauseRun);
    connect(m_resume, &QPushButton::clicked, this, &TrainPage::continueRun);
    connect(m_stop, &QPushButton::clicked, this, &TrainPage::stopRun);
    m_status = new QLabel(this);
    m_status->setObjectName("trainStatus");

    auto *buttons = new QHBoxLayout;
    for (auto *b : {m_start, m_pause, m_resume, m_stop})
        buttons->addWidget(b);
    buttons->addSpacing(12);
    buttons->addWidget(m_status, 1);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName("trainProgress");
    m_progress->setFormat(tr("step %v of %m"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_stats = new QLabel(this);
    m_stats->setObjectName("trainStats");
    auto *progress = new QHBoxLayout;
    progress->addWidget(m_progress, 1);
    progress->addWidget(m_stats);

    m_lossPlot = new LossPlot(this);
    m_memoryPlot = new MemoryPlot(this);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName("trainLog");
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(tr("The trainer's messages appear here."));

    auto *plots = new QSplitter(Qt::Horizontal, this);
    plots->addWidget(m_lossPlot);
    plots->addWidget(m_memoryPlot);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(plots);
    split->addWidget(m_log);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addLayout(progress);
    layout->addWidget(split, 1);
}

void TrainPage::connectWorker()
{
    const auto queued = Qt::QueuedConnection;
    connect(m_worker, &TrainingWorker::setupDone, this, &TrainPage::onSetupDone, queued);
    connect(m_worker, &TrainingWorker::stepDone, this, &TrainPage::onStep, queued);
    connect(m_worker, &TrainingWorker::logLine, this, &TrainPage::onLogLine, queued);
    connect(m_worker, &TrainingWorker::evalDone, this, &TrainPage::onEval, queued);
    connect(m_worker, &TrainingWorker::checkpointSaved, this, &TrainPage::onCheckpoint, queued);
    connect(
        m_worker, &TrainingWorker::pausedAt, this,
        [this](qint64 step) {
            if (m_state != State::Pausing)
                return; // resumed or stopped meanwhile
            log(tr("Paused after step %1.").arg(step));
            setState(State::Paused);
        },
        queued);
    connect(m_worker, &TrainingWorker::finished, this, &TrainPage::onFinished, queued);
    connect(m_worker, &TrainingWorker::failed, this, &TrainPage::onFailed, queued);
}

// Queued as well: a run that fails at once reports after it began.
void TrainPage::connectProcessRun()
{
    const auto queued = Qt::QueuedConnection;
    auto *run = m_processRun;
    connect(run, &ProcessTrainingRun::setupDone, this, &TrainPage::onSetupDone, queued);
    connect(run, &ProcessTrainingRun::stepDone, this, &TrainPage::onStep, queued);
    connect(run, &ProcessTrainingRun::logLine, this, &TrainPage::onLogLine, queued);
    connect(run, &ProcessTrainingRun::evalDone, this, &TrainPage::onEval, queued);
    connect(run, &ProcessTrainingRun::checkpointSaved, this, &TrainPage::onCheckpoint, queued);
    connect(run, &ProcessTrainingRun::finished, this, &TrainPage::onFinished, queued);
    connect(run, &ProcessTrainingRun::failed, this, &TrainPage::onFailed, queued);
}

void TrainPage::onLogLine(bool warning, const QString &text)
{
    log(warning ? tr("warning: %1").arg(text) : text);
}

void TrainPage::onEval(const train::EvalMetrics &eval)
{
    m_lossPlot->addEval(eval.step, eval.loss);
    log(tr("Evaluation after step %1: loss %2").arg(eval.step).arg(eval.loss, 0, 'f', 4));
    emit evalDone(eval);
}

void TrainPage::onCheckpoint(qint64 step, const QString &folder)
{
    log(tr("Checkpoint after step %1: %2").arg(step).arg(folder));
    emit checkpointSaved(step, folder);
}

void TrainPage::onFinished(const train::RunSummary &summary)
{
    log(summary.stopped
            ? tr("Stopped after %1 of %2 steps.").arg(summary.steps).arg(summary.totalSteps)
            : tr("Finished %1 steps.").arg(summary.steps));
    endRun(summary.stopped ? State::Stopped : State::Finished);
    emit runFinished(summary);
}

void TrainPage::setState(State state)
{
    // Paused time does not count as elapsed.
    if (state == State::Paused && m_state != State::Paused)
        m_pauseClock.start();
    else if (m_state == State::Paused && state != State::Paused && m_pauseClock.isValid())
        m_pausedMs += m_pauseClock.elapsed();
    m_state = state;
    const bool active = m_running;
    m_start->setEnabled(!active);
    // Several processes wait on each other in every step: no pause there.
    const bool parallel = active && m_runProcesses > 1;
    m_pause->setEnabled(active && !parallel &&
                        (state == State::Loading || state == State::Running));
    m_pause->setToolTip(parallel ? tr("Pause is not available for a data-parallel run: its "
                                      "processes wait on each other in every step. Stop saves "
                                      "a checkpoint; resume it later.")
                                 : tr("Pause between steps; memory stays allocated"));
    m_resume->setEnabled(active && (state == State::Pausing || state == State::Paused));
    m_stop->setEnabled(active && state != State::Stopping);
    QString text;
    switch (state) {
    case State::Idle:
        text = tr("Ready to train.");
        break;
    case State::Loading:
        text = tr("Loading the model and the dataset…");
        break;
    case State::Running:
        text = tr("Training…");
        break;
    case State::Pausing:
        text = tr("Pausing after this step…");
        break;
    case State::Paused:
        text = tr("Paused.");
        break;
    case State::Stopping:
        text = tr("Stopping: saving a checkpoint…");
        break;
    case State::Finished:
        text = tr("Finished.");
        break;
    case State::Stopped:
        text = tr("Stopped; a checkpoint was saved.");
        break;
    case State::Failed:
        text = tr("Failed.");
        break;
    }
    m_status->setText(text);
}

} // namespace headroom::ui
