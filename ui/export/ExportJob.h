// One export, run off the GUI thread: the engine's PEFT or merged exporter
// writes the folder (into a temporary sibling, renamed at the end, so a
// failure never leaves a half-written output), then the result is verified
// by loading it back the way a user will: the adapter onto its base model
// (every tensor name and shape checked by the engine's PEFT reader), the
// merged folder as a model of its own (config, safetensors index and every
// weight checked by the engine's loader). Reports through queued signals.
#pragma once

#include "io/DType.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

class QThread;

namespace headroom::ui {

struct ExportRequest
{
    enum class Format { Adapter, Merged };
    Format format = Format::Adapter;
    QString runDir;
    QString checkpoint; // folder name under checkpoints/; empty = latest
    QString out;
    std::optional<io::DType> dtype; // merged only; default the base's
    uint64_t maxShardBytes = 0;     // merged only; 0 = the exporter's default
};

class ExportJob : public QObject
{
    Q_OBJECT
public:
    explicit ExportJob(QObject *parent = nullptr);
    ~ExportJob() override; // waits for a running export to end

    bool isRunning() const { return m_running; }
    // Starts the export; ignored while one runs.
    void start(const ExportRequest &request);

signals:
    void progress(int done, int total); // merged: tensors written
    void verifying();
    // `files` as written; `check` says what the reload found.
    void succeeded(const QString &format, const QString &path, const QStringList &files,
                   const QString &check, const QString &warning);
    void failed(const QString &message);

private:
    void run(const ExportRequest &request); // on the worker thread

    QThread *m_thread = nullptr; // the last export's, kept until the next one starts
    bool m_running = false;
};

} // namespace headroom::ui
