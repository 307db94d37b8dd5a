// The Train page's runs: starting and resuming them in the worker, following
// their reports into the plots, the progress and the log, and their end.
#include "TrainPage.h"

#include "LossPlot.h"
#include "MemoryPlot.h"
#include "ProcessTrainingRun.h"
#include "TrainingWorker.h"
#include "memory/FitAdvice.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QStandardPaths>

#include <nlohmann/json.hpp>

namespace headroom::ui {

namespace {

QString duration(qint64 seconds)
{
    return QStringLiteral("%1:%2:%3")
        .arg(seconds / 3600)
        .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QString bytesText(qint64 bytes)
{
    return QString::fromStdString(memory::formatBytes(bytes));
}

} // namespace

TrainPage::TrainPage(RunDraft &draft, QWidget *parent) : QWidget(parent), m_draft(draft)
{
    registerTrainMetaTypes();
    m_runsRoot =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/runs");
    buildUi();
    m_thread.setObjectName(QStringLiteral("TrainingThread"));
    m_worker = new TrainingWorker;
    m_worker->moveToThread(&m_thread);
    connectWorker();
    m_thread.start();
    m_processRun = new ProcessTrainingRun(this);
    connectProcessRun();
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, &TrainPage::updateStats);
    setState(State::Idle);
}

TrainPage::~TrainPage()
{
    // The trainer saves a checkpoint on stop; wait for it rather than kill it.
    m_worker->requestStop();
    m_worker->setPaused(false);
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
    delete m_processRun; // asks a data-parallel run to stop, waits for its checkpoint
}

QString TrainPage::newRunFolder(const train::TrainConfig &config) const
{
    const QString model = QString::fromStdString(config.model);
    const QFileInfo info(model);
    QString name = info.isFile() ? info.completeBaseName() : info.fileName();
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    if (name.isEmpty())
        name = QStringLiteral("run");
    const QString base = QDir(m_runsRoot)
                             .filePath(name + QDateTime::currentDateTime().toString(
                                                  QStringLiteral("-yyyyMMdd-HHmmss")));
    QString folder = base;
    for (int n = 2; QFileInfo::exists(folder); ++n)
        folder = base + QStringLiteral("-%1").arg(n);
    return folder;
}

void TrainPage::beginRun(const QString &runDir)
{
    m_runDir = runDir;
    m_runConfig.reset();
    m_setupDone = false;
    m_totalSteps = m_startStep = m_lastStep = m_sessionSteps = 0;
    m_stepSeconds = m_tokensPerSecond = 0;
    m_lastPeak = m_pausedMs = 0;
    m_lossPlot->reset();
    m_memoryPlot->reset();
    m_memoryPlot->setEstimate(std::nullopt); // set for the run's own config at setup
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_stats->clear();
    m_running = true;
    setState(State::Loading);
    emit runningChanged(true);
}

void TrainPage::endRun(State state)
{
    m_running = false;
    m_clock.stop();
    updateStats();
    setState(state);
    emit runningChanged(false);
}

void TrainPage::startRun()
{
    if (m_running)
        return;
    train::TrainConfig config = m_draft.config();
    config.outputDir = newRunFolder(config).toStdString();
    const int processes = m_draft.dataParallel();
    if (processes > 1 ? !m_processRun->start(config, processes) : !m_worker->start(config))
        return;
    m_runProcesses = processes;
    m_log->clear();
    beginRun(QString::fromStdString(config.outputDir));
    log(tr("Run folder: %1").arg(m_runDir));
}

void TrainPage::resumeRun(const QString &runDir)
{
    if (m_running)
        return;
    // Any number of processes may continue a checkpoint.
    const int processes = m_draft.dataParallel();
    if (processes > 1 ? !m_processRun->resume(runDir, processes) : !m_worker->resume(runDir))
        return;
    m_runProcesses = processes;
    m_log->clear();
    beginRun(runDir);
    log(tr("Resuming %1 from its last checkpoint.").arg(runDir));
}

void TrainPage::pauseRun()
{
    if (!m_running || m_runProcesses > 1 ||
        (m_state != State::Loading && m_state != State::Running))
        return;
    m_worker->setPaused(true);
    setState(State::Pausing);
}

void TrainPage::continueRun()
{
    if (!m_running || (m_state != State::Pausing && m_state != State::Paused))
        return;
    m_worker->setPaused(false);
    log(tr("Resumed."));
    setState(m_setupDone ? State::Running : State::Loading);
}

void TrainPage::stopRun()
{
    if (!m_running || m_state == State::Stopping)
        return;
    if (m_runProcesses > 1)
        m_processRun->requestStop(); // SIGINT: the ranks save a checkpoint
    else
        m_worker->requestStop();
    setState(State::Stopping);
}

bool TrainPage::stopAndWait(int timeoutMs)
{
    if (m_runProcesses > 1) {
        if (!m_processRun->isBusy())
            return true;
        stopRun();
        return m_processRun->waitUntilIdle(timeoutMs);
    }
    if (!m_worker->isBusy())
        return true;
    stopRun();
    return m_worker->waitUntilIdle(timeoutMs);
}

void TrainPage::updateEstimateLine(const train::TrainConfig &config)
{
    std::optional<qint64> peak;
    // The draft's shape describes the run's model only if it is the same model.
    const auto &shape = m_draft.modelShape();
    if (shape && QFileInfo(QString::fromStdString(m_draft.config().model)).fileName() ==
                     QFileInfo(QString::fromStdString(config.model)).fileName()) {
        try {
            // Per process: every rank reports its own device's memory.
            peak = memory::estimateMemory(*shape, config, m_draft.plannedDevice(), m_runProcesses)
                       .devicePeak;
        } catch (const std::exception &e) {
            log(tr("No memory estimate for this run: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    m_memoryPlot->setEstimate(peak, config.maxSeqLen);
    if (peak)
        log(tr("Estimated device peak: %1").arg(bytesText(*peak)));
}

void TrainPage::onSetupDone(const QString &runDir, const QString &configJson, qint64 totalSteps,
                            qint64 startStep, const QStringList &info)
{
    m_runDir = runDir;
    m_setupDone = true;
    m_totalSteps = totalSteps;
    m_startStep = m_lastStep = startStep;
    try {
        m_runConfig = train::parseTrainConfig(nlohmann::json::parse(configJson.toStdString()),
                                              runDir.toStdString());
        updateEstimateLine(*m_runConfig);
    } catch (const std::exception &e) {
        log(tr("The run's config could not be read back: %1").arg(QString::fromUtf8(e.what())));
    }
    for (const auto &line : info)
        log(line);
    if (startStep > 0)
        loadHistory(startStep);
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(1, totalSteps)));
    m_progress->setValue(static_cast<int>(startStep));
    m_elapsed.start();
    m_clock.start();
    if (m_state == State::Loading)
        setState(State::Running);
    updateStats();
    emit runSetup(runDir, configJson, totalSteps, startStep);
}

void TrainPage::onStep(const train::StepMetrics &step)
{
    m_lossPlot->addStep(step.step, step.loss);
    m_memoryPlot->addStep(step.step, step.memory);
    m_lastStep = step.step;
    m_totalSteps = step.totalSteps;
    m_stepSeconds += step.seconds;
    ++m_sessionSteps;
    m_tokensPerSecond = step.tokensPerSecond;
    m_lastPeak = step.memory.peak;
    m_progress->setMaximum(static_cast<int>(std::max<qint64>(1, step.totalSteps)));
    m_progress->setValue(static_cast<int>(step.step));
    if (step.skipped)
        log(tr("Step %1 skipped: fp16 overflow (loss scale now %2).")
                .arg(step.step)
                .arg(step.lossScale));
    updateStats();
    emit stepDone(step);
}

void TrainPage::updateStats()
{
    if (!m_setupDone)
        return;
    qint64 ms = m_elapsed.isValid() ? m_elapsed.elapsed() - m_pausedMs : 0;
    if (m_state == State::Paused && m_pauseClock.isValid())
        ms -= m_pauseClock.elapsed();
    QString eta = QStringLiteral("–");
    if (m_sessionSteps > 0 && m_running) {
        const double perStep = m_stepSeconds / static_cast<double>(m_sessionSteps);
        eta =
            duration(static_cast<qint64>(perStep * static_cast<double>(m_totalSteps - m_lastStep)));
    }
    m_stats->setText(tr("%1 tokens/s · peak %2 · elapsed %3 · ETA %4")
                         .arg(m_tokensPerSecond, 0, 'f', 0)
                         .arg(m_lastPeak > 0 ? bytesText(m_lastPeak) : QStringLiteral("–"),
                              duration(std::max<qint64>(0, ms) / 1000), eta));
}

void TrainPage::log(const QString &text)
{
    m_log->appendPlainText(text);
}

void TrainPage::onFailed(const QString &runDir, const QString &message, bool outOfMemory,
                         bool duringSetup)
{
    if (!runDir.isEmpty())
        m_runDir = runDir;
    log(duringSetup ? tr("The run could not start: %1").arg(message)
                    : tr("Training failed: %1").arg(message));
    endRun(State::Failed);
    emit runFailed(m_runDir, message);
    if (outOfMemory) {
        showOutOfMemory(message);
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Critical, tr("Training failed"),
                                duringSetup ? tr("The run could not start.")
                                            : tr("Training failed; the last checkpoint is kept."),
                                QMessageBox::Ok, this);
    box->setObjectName("trainErrorBox");
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace headroom::ui
