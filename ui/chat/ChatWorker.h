// The chat's engine side, living on its own thread: keeps one TextGenerator
// (the base model with the run's adapter) loaded and answers a prompt twice,
// adapter on and adapter off, streaming each answer's text back through
// queued signals. Loading and generating never run on the GUI thread.
#pragma once

#include "model/TextGenerator.h"

#include <QObject>
#include <QString>

#include <memory>
#include <stop_token>

namespace headroom::ui {

class ChatWorker : public QObject
{
    Q_OBJECT
public:
    enum Pane { TunedPane = 0, BasePane = 1 };

    explicit ChatWorker(QObject *parent = nullptr);
    ~ChatWorker() override;

    // Call on the worker's thread. (Re)loads when model, adapter or device
    // differ from what is loaded, then answers with the adapter on (when
    // there is one) and off, one after the other.
    void answer(const QString &modelArgument, const QString &adapterDir, const QString &device,
                const QString &prompt, const model::GenerationOptions &options,
                std::stop_token stop);

    // Frees the loaded model (worker thread).
    void unload();

signals:
    void loading(const QString &modelArgument);
    void loaded(const QString &description);
    void paneStarted(int pane);
    void piece(int pane, const QString &text);
    void paneFinished(int pane, bool stopped, int tokens, double seconds);
    void failed(const QString &message);
    void finished();

private:
    bool ensureLoaded(const QString &modelArgument, const QString &adapterDir,
                      const QString &device);

    std::unique_ptr<model::TextGenerator> m_generator;
    QString m_model, m_adapter, m_device;
};

} // namespace headroom::ui
