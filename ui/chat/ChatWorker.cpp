#include "ChatWorker.h"

#include <QElapsedTimer>

#include <exception>

namespace headroom::ui {

ChatWorker::ChatWorker(QObject *parent) : QObject(parent) {}
ChatWorker::~ChatWorker() = default;

void ChatWorker::unload()
{
    m_generator.reset();
    m_model.clear();
    m_adapter.clear();
    m_device.clear();
}

bool ChatWorker::ensureLoaded(const QString &modelArgument, const QString &adapterDir,
                              const QString &device)
{
    if (m_generator && m_model == modelArgument && m_adapter == adapterDir && m_device == device)
        return true;
    unload();
    emit loading(modelArgument);
    try {
        model::TextGeneratorOptions options;
        options.device = device.toStdString();
        if (!adapterDir.isEmpty())
            options.adapter = adapterDir.toStdString();
        m_generator = std::make_unique<model::TextGenerator>(modelArgument.toStdString(), options);
    } catch (const std::exception &e) {
        emit failed(tr("Could not load the model %1: %2")
                        .arg(modelArgument, QString::fromStdString(e.what())));
        return false;
    }
    m_model = modelArgument;
    m_adapter = adapterDir;
    m_device = device;
    const QString format =
        m_generator->usesChatFormat()
            ? tr("chat format %1").arg(QString::fromStdString(m_generator->chatFormatName()))
            : tr("no chat template: prompts are continued as plain text");
    emit loaded(
        tr("Loaded on %1, %2.").arg(QString::fromStdString(m_generator->deviceName()), format));
    return true;
}

void ChatWorker::answer(const QString &modelArgument, const QString &adapterDir,
                        const QString &device, const QString &prompt,
                        const model::GenerationOptions &options, std::stop_token stop)
{
    if (!ensureLoaded(modelArgument, adapterDir, device)) {
        emit finished();
        return;
    }
    const std::string message = prompt.toStdString();
    // Adapter on first: the fine-tuned answer is what the user came for.
    for (int pane : {TunedPane, BasePane}) {
        if (stop.stop_requested())
            break;
        if (pane == TunedPane && !m_generator->hasAdapter())
            continue;
        m_generator->setAdapterEnabled(pane == TunedPane);
        emit paneStarted(pane);
        QElapsedTimer clock;
        clock.start();
        try {
            const auto result = m_generator->run(
                message, options,
                [&](const std::string &text) { emit piece(pane, QString::fromStdString(text)); },
                stop);
            emit paneFinished(pane, result.stopped, static_cast<int>(result.tokenIds.size()),
                              static_cast<double>(clock.elapsed()) / 1000.0);
        } catch (const std::exception &e) {
            emit failed(tr("Generation failed: %1").arg(QString::fromStdString(e.what())));
            break;
        }
    }
    emit finished();
}

} // namespace headroom::ui
