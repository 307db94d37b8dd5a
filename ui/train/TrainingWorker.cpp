#include "TrainingWorker.h"

#include "common/Error.h"
#include "model/ComputeThreads.h"
#include "train/Trainer.h"

#include <QMetaObject>

#include <chrono>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>

namespace headroom::ui {

namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

QStringList setupLines(const train::TrainSetup &setup)
{
    QStringList lines;
    lines << TrainingWorker::tr("Model: %1 on %2").arg(qs(setup.modelDescription), qs(setup.device))
          << TrainingWorker::tr("Trainable parameters: %1 of %2")
                 .arg(setup.trainableParameters)
                 .arg(setup.parameters)
          << TrainingWorker::tr("Data: %1").arg(qs(setup.datasetSummary));
    if (setup.quantizedModules > 0)
        lines << TrainingWorker::tr("Quantized projections: %1 (%2 MiB -> %3 MiB)")
                     .arg(setup.quantizedModules)
                     .arg(setup.quantizedFromBytes >> 20)
                     .arg(setup.quantizedToBytes >> 20);
    if (setup.startStep > 0)
        lines << TrainingWorker::tr("Steps: %1, resuming after step %2")
                     .arg(setup.totalSteps)
                     .arg(setup.startStep);
    else
        lines << TrainingWorker::tr("Steps: %1").arg(setup.totalSteps);
    return lines;
}

} // namespace

TrainingWorker::TrainingWorker(QObject *parent) : QObject(parent)
{
    registerTrainMetaTypes();
}

bool TrainingWorker::begin()
{
    std::lock_guard lock(m_mutex);
    if (m_busy)
        return false;
    m_busy = true;
    m_paused = false;
    m_stop = std::stop_source();
    return true;
}

bool TrainingWorker::start(const train::TrainConfig &config)
{
    if (!begin())
        return false;
    QMetaObject::invokeMethod(
        this, [this, config] { run(QString::fromStdString(config.outputDir), config, {}); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingWorker::resume(const QString &runDir, const std::optional<train::TrainConfig> &changed)
{
    if (!begin())
        return false;
    QMetaObject::invokeMethod(
        this, [this, runDir, changed] { run(runDir, std::nullopt, changed); },
        Qt::QueuedConnection);
    return true;
}

void TrainingWorker::requestStop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop.request_stop();
    }
    m_wake.notify_all();
}

void TrainingWorker::setPaused(bool paused)
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = paused;
    }
    m_wake.notify_all();
}

bool TrainingWorker::isBusy() const
{
    std::lock_guard lock(m_mutex);
    return m_busy;
}

bool TrainingWorker::waitUntilIdle(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return !m_busy; });
}

// On the worker thread. `config`: a new run; otherwise resume `runDir`.
void TrainingWorker::run(const QString &runDir, const std::optional<train::TrainConfig> &config,
                         const std::optional<train::TrainConfig> &changed)
{
    std::stop_token token;
    {
        std::lock_guard lock(m_mutex);
        token = m_stop.get_token();
    }
    // LibTorch sizes its pool per thread on first use; make this one use the machine.
    model::useAllCpuThreads();
    QString dir = runDir;
    bool setupPhase = true;
    auto fail = [&](const QString &message, bool outOfMemory) {
        emit failed(dir, message, outOfMemory, setupPhase);
    };
    try {
        std::unique_ptr<train::Trainer> trainer;
        if (config)
            trainer = std::make_unique<train::Trainer>(*config, this);
        else
            trainer = train::Trainer::resume(runDir.toStdString(), this, changed);
        dir = qs(trainer->config().outputDir);
        const auto &setup = trainer->setup();
        emit setupDone(dir, qs(train::toJson(trainer->config()).dump(2)), setup.totalSteps,
                       setup.startStep, setupLines(setup));
        setupPhase = false;
        if (token.stop_requested()) {
            // Stopped while loading: nothing trained, so nothing to save.
            train::RunSummary summary;
            summary.steps = setup.startStep;
            summary.totalSteps = setup.totalSteps;
            summary.stopped = true;
            summary.outputDir = trainer->config().outputDir;
            emit finished(summary);
        } else {
            trainer->run(*this, token);
        }
    } catch (const train::OutOfMemoryError &e) {
        fail(qs(e.what()), true);
    } catch (const std::bad_alloc &) {
        fail(tr("Out of memory while setting up the run."), true);
    } catch (const std::exception &e) {
        // train::TrainingError, train::TrainConfigError, headroom::Error and
        // whatever LibTorch throws (c10::Error is a std::exception).
        fail(qs(e.what()), false);
    } catch (...) {
        fail(tr("Training failed with an unknown error."), false);
    }
    {
        std::lock_guard lock(m_mutex);
        m_busy = false;
        m_paused = false;
    }
    m_idle.notify_all();
}

void TrainingWorker::onLog(train::LogLevel level, const std::string &text)
{
    emit logLine(level == train::LogLevel::Warning, qs(text));
}

void TrainingWorker::onStep(const train::StepMetrics &step)
{
    emit stepDone(step);
    // Between steps: the trainer holds its memory while the pause lasts.
    std::unique_lock lock(m_mutex);
    if (!m_paused || m_stop.stop_requested())
        return;
    emit pausedAt(step.step);
    m_wake.wait(lock, [this] { return !m_paused || m_stop.stop_requested(); });
}

void TrainingWorker::onEval(const train::EvalMetrics &eval)
{
    emit evalDone(eval);
}

void TrainingWorker::onCheckpoint(int64_t step, const std::filesystem::path &folder)
{
    emit checkpointSaved(step, qs(folder.string()));
}

void TrainingWorker::onFinished(const train::RunSummary &summary)
{
    emit finished(summary);
}

} // namespace headroom::ui
