#include "RunCheckpoints.h"

#include "export/RunCheckpoint.h"
#include "train/TrainConfig.h"

#include <QDir>
#include <QFileInfo>

#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>

namespace headroom::ui {

RunCheckpoints::RunCheckpoints(const QString &runDir)
{
    // The newest complete checkpoint, as the exporters and the trainer's resume read it.
    try {
        latest = QString::fromStdString(
            exporting::openRunCheckpoint(runDir.toStdString()).folder.filename().string());
    } catch (const std::exception &e) {
        // A run that is starting has no checkpoint yet: not an error.
        problemIsError =
            QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("checkpoints/latest")));
        problem = problemIsError
                      ? tr("This run has no checkpoint to export: %1")
                            .arg(QString::fromStdString(e.what()))
                      : tr("No checkpoint in this run yet: training saves one at the end.");
        return;
    }
    const QDir folder(QDir(runDir).filePath(QStringLiteral("checkpoints")));
    for (const QString &name : folder.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        try {
            const auto checkpoint =
                exporting::openRunCheckpoint(runDir.toStdString(), name.toStdString());
            QString label = checkpoint.loss ? tr("%1: step %2, loss %3")
                                                  .arg(name)
                                                  .arg(checkpoint.step)
                                                  .arg(*checkpoint.loss, 0, 'f', 4)
                                            : tr("%1: step %2").arg(name).arg(checkpoint.step);
            if (name == latest)
                label = tr("%1 (latest)").arg(label);
            entries.append({name, label});
        } catch (const std::exception &) {
            // An incomplete checkpoint (written while the run was killed) is not offered.
        }
    }
}

QString RunCheckpoints::runModel(const QString &runDir)
{
    try {
        const auto path = std::filesystem::path(runDir.toStdString()) / "run.json";
        std::ifstream in(path);
        if (!in)
            return {};
        const auto config = train::parseTrainConfig(nlohmann::json::parse(in), path.string());
        return QString::fromStdString(config.model);
    } catch (const std::exception &) {
        return {};
    }
}

} // namespace headroom::ui
