// See RunRecorder.h.
#include "RunRecorder.h"

#include "common/Error.h"

namespace headroom::ui {

RunRecorder::RunRecorder(store::RunStore &store, QObject *parent) : QObject(parent), m_store(store)
{}

// Runs one write; a failure is reported once as a signal rather than thrown
// through Qt's event loop, and training goes on.
template <typename Write> void RunRecorder::record(Write &&write)
{
    try {
        if (write())
            emit runsChanged();
    } catch (const Error &e) {
        emit recordingFailed(tr("The run could not be recorded in the run list: %1")
                                 .arg(QString::fromStdString(e.what())));
    }
}

void RunRecorder::runSetup(const QString &runDir, const QString &configJson, qint64 totalSteps,
                           qint64 startStep)
{
    m_runId.reset();
    record([&] {
        m_runId = m_store.recordRunStarted(runDir.toStdString(), configJson.toStdString(),
                                           totalSteps, startStep);
        m_lastRunId = m_runId;
        return true;
    });
}

void RunRecorder::stepDone(const train::StepMetrics &step)
{
    record([&] {
        if (!m_runId)
            return false;
        m_store.recordStep(*m_runId, step);
        return true;
    });
}

void RunRecorder::evalDone(const train::EvalMetrics &eval)
{
    record([&] {
        if (!m_runId)
            return false;
        m_store.recordEval(*m_runId, eval);
        return true;
    });
}

void RunRecorder::checkpointSaved(qint64 step, const QString &folder)
{
    record([&] {
        if (!m_runId)
            return false;
        m_store.recordCheckpoint(*m_runId, step, folder.toStdString());
        return true;
    });
}

void RunRecorder::runFinished(const train::RunSummary &summary)
{
    record([&] {
        auto id = m_runId;
        if (!id && !summary.outputDir.empty())
            id = m_store.findRun(summary.outputDir.string());
        if (!id)
            return false;
        m_store.recordFinished(*id, summary);
        m_runId.reset();
        return true;
    });
}

void RunRecorder::runFailed(const QString &runDir, const QString &message)
{
    record([&] {
        // The named folder's run, else the one being recorded; a run that
        // failed before it started (the model did not load) has no row.
        const auto found = runDir.isEmpty() ? std::nullopt : m_store.findRun(runDir.toStdString());
        const auto id = found ? found : m_runId;
        if (!id)
            return false;
        m_store.recordFailed(*id, message.toStdString());
        if (m_runId && *m_runId == *id)
            m_runId.reset();
        return true;
    });
}

void RunRecorder::exportDone(const QString &runDir, const QString &format, const QString &path)
{
    record([&] {
        const auto id = m_store.findRun(runDir.toStdString());
        if (!id)
            return false;
        m_store.recordExport(*id, format.toStdString(), path.toStdString());
        return true;
    });
}

void RunRecorder::setExportRun(const QString &runDir)
{
    m_exportRunDir = runDir;
}

void RunRecorder::recordExport(const QString &format, const QString &path)
{
    if (!m_exportRunDir.isEmpty()) {
        exportDone(m_exportRunDir, format, path);
        return;
    }
    record([&] {
        if (!m_lastRunId)
            return false;
        m_store.recordExport(*m_lastRunId, format.toStdString(), path.toStdString());
        return true;
    });
}

} // namespace headroom::ui
