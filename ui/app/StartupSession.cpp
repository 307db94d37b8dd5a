#include "StartupSession.h"

#include "MainWindow.h"
#include "data/DataPage.h"
#include "io/JsonFile.h"
#include "model/ModelPage.h"
#include "train/TrainConfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>

#include <nlohmann/json.hpp>

namespace headroom::ui {

namespace {

const char *kSessionKey = "session/config";

QString firstExisting(const QStringList &candidates)
{
    for (const QString &candidate : candidates)
        if (!candidate.isEmpty() && QFileInfo::exists(candidate))
            return QFileInfo(candidate).absoluteFilePath();
    return {};
}

// A recipe may leave the model and the dataset out (the demo recipe does:
// the command line names them); they are filled in from the options, and
// opened through the pages afterwards.
std::optional<train::TrainConfig> readConfig(MainWindow &window, const StartupOptions &options)
{
    try {
        auto json = io::readJsonFile(options.config.toStdString());
        if (json.is_object()) {
            if (!json.contains("model") && !options.model.isEmpty())
                json["model"] = options.model.toStdString();
            if (!json.contains("dataset") && !options.dataset.isEmpty())
                json["dataset"] = options.dataset.toStdString();
        }
        return train::parseTrainConfig(json, options.config.toStdString());
    } catch (const std::exception &error) {
        QMessageBox::warning(&window, QObject::tr("Run configuration"),
                             QString::fromUtf8(error.what()));
        return std::nullopt;
    }
}

std::optional<train::TrainConfig> savedSession()
{
    const QByteArray saved = QSettings().value(kSessionKey).toByteArray();
    if (saved.isEmpty())
        return std::nullopt;
    try {
        return train::parseTrainConfig(nlohmann::json::parse(saved.toStdString()), "settings");
    } catch (const std::exception &) {
        return std::nullopt; // an older or damaged session: start fresh
    }
}

} // namespace

StartupOptions parseStartupOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("headroom", "Fine-tune language models on this workstation."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(
        "model", QCoreApplication::translate("headroom", "Model to open."), "folder|gguf|repo-id");
    const QCommandLineOption dataset(
        "dataset", QCoreApplication::translate("headroom", "Dataset to open."), "file");
    const QCommandLineOption config(
        "config", QCoreApplication::translate("headroom", "Run configuration to load."),
        "run.json");
    const QCommandLineOption page(
        "page", QCoreApplication::translate("headroom", "Page to show (0 = Model … 5 = Runs)."),
        "n");
    parser.addOptions({model, dataset, config, page});
    parser.process(arguments);
    StartupOptions options;
    options.model = parser.value(model);
    options.dataset = parser.value(dataset);
    options.config = parser.value(config);
    if (parser.isSet(page))
        options.page = parser.value(page).toInt();
    return options;
}

QString demoDatasetPath()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    return firstExisting(
        {appDir + "/../share/headroom/demo/demo-dataset.jsonl",
         QStringLiteral(HEADROOM_SOURCE_DIR "/resources/demo/demo-dataset.jsonl")});
}

void applyStartup(MainWindow &window, const StartupOptions &options)
{
    std::optional<train::TrainConfig> config;
    if (!options.config.isEmpty())
        config = readConfig(window, options);
    const auto session = savedSession();
    if (!config)
        config = session;
    if (config)
        window.draft().setConfig(*config);

    QString model = options.model;
    QString dataset = options.dataset;
    if (model.isEmpty() && config)
        model = QString::fromStdString(config->model);
    if (dataset.isEmpty() && config)
        dataset = QString::fromStdString(config->dataset);
    if (!session && options.model.isEmpty() && options.dataset.isEmpty()) {
        // First launch: the built-in model and the demo dataset.
        if (model.isEmpty())
            model = qEnvironmentVariable("HEADROOM_DEFAULT_MODEL");
        if (dataset.isEmpty())
            dataset = demoDatasetPath();
    }
    if (!model.isEmpty())
        window.modelPage()->openModel(model);
    if (!dataset.isEmpty())
        window.dataPage()->openDataset(dataset);
    if (options.page)
        window.showPage(MainWindow::Page(std::clamp(*options.page, 0, int(MainWindow::RunsView))));
}

void saveSession(MainWindow &window)
{
    const auto json = train::toJson(window.draft().config());
    QSettings().setValue(kSessionKey, QByteArray::fromStdString(json.dump()));
}

} // namespace headroom::ui
