#include "ProcessTrainingRun.h"

#include "train/MetricsJson.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <signal.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace headroom::ui {

namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

bool isExecutable(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

std::string absoluteIfLocal(const std::string &path)
{
    std::error_code error;
    if (path.empty() || std::filesystem::path(path).is_absolute() ||
        !std::filesystem::exists(path, error))
        return path;
    const auto absolute = std::filesystem::absolute(path, error).lexically_normal();
    return error ? path : absolute.string();
}

// The finished lines of `buffer`, taken out of it.
QList<QByteArray> completeLines(QByteArray &buffer)
{
    const qsizetype end = buffer.lastIndexOf('\n');
    if (end < 0)
        return {};
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    buffer.remove(0, end + 1);
    return lines;
}

} // namespace

ProcessTrainingRun::ProcessTrainingRun(QObject *parent) : QObject(parent)
{
    registerTrainMetaTypes();
}

ProcessTrainingRun::~ProcessTrainingRun()
{
    if (isBusy()) {
        // As with the in-process trainer: let it save its checkpoint.
        requestStop();
        if (!m_process->waitForFinished(120000))
            m_process->kill();
        m_process->waitForFinished(5000);
    }
}

QString ProcessTrainingRun::findCli()
{
    const QString fromEnvironment = qEnvironmentVariable("HEADROOM_CLI");
    if (!fromEnvironment.isEmpty())
        return isExecutable(fromEnvironment) ? fromEnvironment : QString();
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath(QStringLiteral("headroom-cli")),
                                     here.filePath(QStringLiteral("../cli/headroom-cli"))})
        if (isExecutable(candidate))
            return QDir::cleanPath(candidate);
    return {};
}

bool ProcessTrainingRun::isBusy() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool ProcessTrainingRun::start(const train::TrainConfig &config, int processes)
{
    if (isBusy())
        return false;
    train::TrainConfig run = config;
    run.model = absoluteIfLocal(run.model);
    run.dataset = absoluteIfLocal(run.dataset);
    const QString runDir = qs(run.outputDir);
    m_configDir = std::make_unique<QTemporaryDir>();
    const QString file = m_configDir->filePath(QStringLiteral("run.json"));
    try { // throws when the temporary folder could not be made
        train::writeTrainConfig(run, file.toStdString());
    } catch (const std::exception &e) {
        emit failed(runDir, tr("Cannot write the run's config: %1").arg(qs(e.what())), false, true);
        return true;
    }
    return launch({QStringLiteral("train"), QStringLiteral("--config"), file,
                   QStringLiteral("--nproc"), QString::number(processes), QStringLiteral("--json")},
                  runDir, run);
}

bool ProcessTrainingRun::resume(const QString &runDir, int processes)
{
    if (isBusy())
        return false;
    train::TrainConfig config;
    try {
        config = train::readTrainConfig((runDir + QStringLiteral("/run.json")).toStdString());
    } catch (const std::exception &e) {
        emit failed(runDir, qs(e.what()), false, true);
        return true;
    }
    return launch({QStringLiteral("train"), QStringLiteral("--resume"), runDir,
                   QStringLiteral("--nproc"), QString::number(processes), QStringLiteral("--json")},
                  runDir, config);
}

bool ProcessTrainingRun::launch(const QStringList &arguments, const QString &runDir,
                                const train::TrainConfig &config)
{
    const QString cli = findCli();
    if (cli.isEmpty()) {
        emit failed(runDir,
                    tr("headroom-cli was not found next to this program (or in $HEADROOM_CLI); "
                       "it runs data-parallel training."),
                    false, true);
        return true;
    }
    m_runDir = runDir;
    m_configJson = qs(train::toJson(config).dump(2));
    m_plannedSteps = config.maxSteps.value_or(0);
    m_stdout.clear();
    m_stderr.clear();
    m_errors.clear();
    m_lastLines.clear();
    m_setupDone = false;
    m_totalSteps = m_startStep = 0;
    m_summary = train::RunSummary();
    m_summary.outputDir = runDir.toStdString();
    m_reported.reset();

    delete m_process;
    m_process = new QProcess(this);
    auto environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"RANK", "WORLD_SIZE", "LOCAL_RANK"}) // --nproc sets its own
        environment.remove(QString::fromLatin1(name));
    m_process->setProcessEnvironment(environment);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &ProcessTrainingRun::readStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &ProcessTrainingRun::readStderr);
    connect(m_process, &QProcess::finished, this, &ProcessTrainingRun::ended);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            emit failed(m_runDir,
                        tr("headroom-cli could not start: %1").arg(m_process->errorString()), false,
                        true);
    });
    emit logLine(false, tr("Data parallel: %1 %2").arg(cli, arguments.join(QLatin1Char(' '))));
    m_process->start(cli, arguments);
    return true;
}

void ProcessTrainingRun::requestStop()
{
    if (isBusy() && m_process->processId() > 0)
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

bool ProcessTrainingRun::waitUntilIdle(int timeoutMs)
{
    return !isBusy() || m_process->waitForFinished(timeoutMs);
}

void ProcessTrainingRun::readStdout()
{
    m_stdout += m_process->readAllStandardOutput();
    for (const auto &line : completeLines(m_stdout))
        stdoutLine(line);
}

void ProcessTrainingRun::readStderr()
{
    m_stderr += m_process->readAllStandardError();
    for (const auto &line : completeLines(m_stderr))
        if (const QString text = QString::fromUtf8(line).trimmed(); !text.isEmpty())
            stderrLine(text);
}

void ProcessTrainingRun::stdoutLine(const QByteArray &line)
{
    const auto json = nlohmann::json::parse(line.toStdString(), nullptr, false);
    if (!json.is_object())
        return;
    if (json.value("event", std::string()) == "finished") {
        train::RunSummary r = m_summary;
        r.steps = json.value("steps", int64_t{0});
        r.stopped = json.value("stopped", false);
        r.outputDir = json.value("output_dir", m_runDir.toStdString());
        r.lastCheckpoint = json.value("checkpoint", std::string());
        m_reported = r;
    } else if (train::isEvalLine(json)) {
        const auto eval = train::evalFromJson(json);
        m_summary.lastEvalLoss = eval.loss;
        emit evalDone(eval);
    } else if (train::isStepLine(json)) {
        auto step = train::stepFromJson(json);
        if (!m_setupDone) // stdout was read before stderr's "steps:" line
            setup(m_plannedSteps, step.step - 1);
        step.totalSteps = m_totalSteps;
        m_summary.steps = step.step;
        m_summary.lastLoss = step.loss;
        emit stepDone(step);
    }
}

void ProcessTrainingRun::stderrLine(const QString &line)
{
    static const QRegularExpression steps(
        QStringLiteral(R"(^steps: (\d+)(?: \(resuming after step (\d+)\))?)"));
    static const QRegularExpression checkpoint(
        QStringLiteral(R"(^checkpoint at step (\d+): (.+)$)"));
    m_lastLines.append(line);
    if (m_lastLines.size() > 5)
        m_lastLines.removeFirst();
    // headroom-cli writes each stderr line whole (app/cli/WholeLineStderr),
    // so the ranks' lines never mix; every rank reports a shared failure
    // (a bad dataset) itself, so each message is kept once.
    const QString errorTag = QStringLiteral("error: ");
    if (line.startsWith(errorTag)) {
        const QString message = line.mid(errorTag.size()).trimmed();
        if (!message.isEmpty() && !m_errors.contains(message))
            m_errors.append(message);
    }
    if (const auto match = checkpoint.match(line); match.hasMatch()) {
        m_summary.lastCheckpoint = match.captured(2).toStdString();
        emit checkpointSaved(match.captured(1).toLongLong(), match.captured(2));
        return; // the page logs it
    }
    const QString warning = QStringLiteral("warning: ");
    if (line.startsWith(warning))
        emit logLine(true, line.mid(warning.size())); // the page adds its own prefix
    else
        emit logLine(false, line);
    if (const auto match = steps.match(line); match.hasMatch() && !m_setupDone)
        setup(match.captured(1).toLongLong(),
              match.captured(2).isEmpty() ? 0 : match.captured(2).toLongLong());
}

// Rank 0's last setup line ("steps: N"): the ranks are joined, the data is read.
void ProcessTrainingRun::setup(qint64 totalSteps, qint64 startStep)
{
    m_setupDone = true;
    m_totalSteps = totalSteps;
    m_startStep = startStep;
    m_summary.totalSteps = m_totalSteps;
    m_summary.steps = m_startStep;
    emit setupDone(m_runDir, m_configJson, m_totalSteps, m_startStep, {});
}

void ProcessTrainingRun::ended(int exitCode, QProcess::ExitStatus status)
{
    readStdout();
    readStderr();
    m_configDir.reset();
    const int code = status == QProcess::CrashExit ? -1 : exitCode;
    if (code == 0 || code == 130) {
        train::RunSummary summary = m_reported.value_or(m_summary);
        summary.totalSteps = m_totalSteps;
        summary.lastLoss = m_summary.lastLoss;
        summary.lastEvalLoss = m_summary.lastEvalLoss;
        if (summary.lastCheckpoint.empty())
            summary.lastCheckpoint = m_summary.lastCheckpoint;
        summary.stopped = code == 130 || summary.stopped;
        emit finished(summary);
        return;
    }
    QString message = m_errors.join(QLatin1Char('\n'));
    if (message.isEmpty())
        message = code < 0 ? tr("headroom-cli crashed.")
                           : tr("headroom-cli exited with code %1: %2")
                                 .arg(code)
                                 .arg(m_lastLines.join(QLatin1Char('\n')));
    // No "Apply and resume" offer for out-of-memory here: that resumes in
    // this process; the message names the failure and the checkpoint is kept.
    emit failed(m_runDir, message, false, code == 2 || !m_setupDone);
}

} // namespace headroom::ui
