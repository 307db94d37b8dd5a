// See RunStatusText.h.
#include "RunStatusText.h"

#include "common/Error.h"
#include "train/RunFolder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace headroom::ui {

QString statusText(store::RunStatus status)
{
    switch (status) {
    case store::RunStatus::Running:
        return QCoreApplication::translate("RunsPage", "Running");
    case store::RunStatus::Finished:
        return QCoreApplication::translate("RunsPage", "Finished");
    case store::RunStatus::Stopped:
        return QCoreApplication::translate("RunsPage", "Stopped");
    case store::RunStatus::Failed:
        return QCoreApplication::translate("RunsPage", "Failed");
    case store::RunStatus::Interrupted:
        return QCoreApplication::translate("RunsPage", "Interrupted");
    }
    return {};
}

QString localTimeText(const std::string &utcTimestamp)
{
    auto time = QDateTime::fromString(QString::fromStdString(utcTimestamp), Qt::ISODateWithMs);
    if (!time.isValid())
        return QString::fromStdString(utcTimestamp);
    return QLocale().toString(time.toLocalTime(), QLocale::ShortFormat);
}

bool hasCheckpoint(const store::RunRecord &run)
{
    try {
        train::latestCheckpoint(run.runDir);
        return true;
    } catch (const Error &) {
        return false;
    }
}

bool isResumable(const store::RunRecord &run)
{
    using store::RunStatus;
    const bool ended = run.status == RunStatus::Interrupted || run.status == RunStatus::Stopped ||
                       run.status == RunStatus::Failed;
    return ended && hasCheckpoint(run);
}

} // namespace headroom::ui
