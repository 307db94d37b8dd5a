#include "ExportJob.h"

#include "export/MergedExport.h"
#include "export/PeftExport.h"
#include "export/RunCheckpoint.h"
#include "model/TextGenerator.h"

#include <QThread>

#include <exception>
#include <stdexcept>

namespace headroom::ui {

namespace {

QStringList toStringList(const std::vector<std::string> &names)
{
    QStringList list;
    for (const auto &name : names)
        list << QString::fromStdString(name);
    return list;
}

// The export itself succeeded when this runs: say so, so the user knows the
// folder exists but did not load.
struct VerifyError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

template <typename Load> void verifyLoads(const QString &path, Load &&load)
{
    try {
        load();
    } catch (const std::exception &e) {
        throw VerifyError(ExportJob::tr("The export was written to %1, but loading it back "
                                        "failed: %2")
                              .arg(path, QString::fromStdString(e.what()))
                              .toStdString());
    }
}

} // namespace

ExportJob::ExportJob(QObject *parent) : QObject(parent) {}

ExportJob::~ExportJob()
{
    if (m_thread)
        m_thread->wait();
}

void ExportJob::start(const ExportRequest &request)
{
    if (m_running)
        return;
    if (m_thread) { // the previous export's thread, at most returning from run()
        m_thread->wait();
        delete m_thread;
    }
    m_running = true;
    m_thread = QThread::create([this, request] { run(request); });
    m_thread->setParent(this);
    m_thread->start();
}

void ExportJob::run(const ExportRequest &request)
{
    // Everything below runs on the worker thread; results go back queued.
    auto post = [this](auto &&emitIt) {
        QMetaObject::invokeMethod(this, std::forward<decltype(emitIt)>(emitIt),
                                  Qt::QueuedConnection);
    };
    // The last report: the job is idle again before anyone hears of it.
    auto postResult = [this](auto &&emitIt) {
        QMetaObject::invokeMethod(
            this,
            [this, emitIt = std::forward<decltype(emitIt)>(emitIt)] {
                m_running = false;
                emitIt();
            },
            Qt::QueuedConnection);
    };
    try {
        const std::optional<std::string> name =
            request.checkpoint.isEmpty() ? std::nullopt
                                         : std::optional(request.checkpoint.toStdString());
        const auto checkpoint = exporting::openRunCheckpoint(request.runDir.toStdString(), name);
        const std::string out = request.out.toStdString();
        model::TextGeneratorOptions load;
        load.device = "cpu";
        load.prompt = model::PromptMode::Raw;
        if (request.format == ExportRequest::Format::Adapter) {
            const auto summary = exporting::exportPeftAdapter(checkpoint, out);
            post([this] { emit verifying(); });
            // The engine's PEFT reader attaches every tensor to the base
            // model, refusing a name or shape that does not fit it.
            load.adapter = out;
            verifyLoads(request.out,
                        [&] { model::TextGenerator reloaded(checkpoint.config.model, load); });
            const QString check =
                tr("Loaded back onto %1: %2 LoRA tensors, names and shapes fit the model.")
                    .arg(QString::fromStdString(checkpoint.config.model))
                    .arg(summary.tensors);
            postResult([this, path = request.out, files = toStringList(summary.files), check] {
                emit succeeded(QStringLiteral("peft"), path, files, check, {});
            });
            return;
        }
        exporting::MergedExportOptions options;
        options.dtype = request.dtype;
        if (request.maxShardBytes > 0)
            options.maxShardBytes = request.maxShardBytes;
        options.onProgress = [&](std::size_t done, std::size_t total) {
            post([this, done = static_cast<int>(done), total = static_cast<int>(total)] {
                emit progress(done, total);
            });
        };
        const auto summary = exporting::exportMergedModel(checkpoint, out, options);
        post([this] { emit verifying(); });
        QString check, warning;
        if (summary.tokenizerNote.empty()) {
            // Loaded in bf16 to halve the memory the check needs.
            load.dtype = "bf16";
            verifyLoads(request.out, [&] { model::TextGenerator reloaded(out, load); });
            check = tr("Loaded back as a model: config, %1 tensors in %2 shard(s) and the "
                       "tokenizer read by the engine's loader.")
                        .arg(summary.tensors)
                        .arg(summary.shards);
        } else {
            warning = tr("No tokenizer files were written: %1")
                          .arg(QString::fromStdString(summary.tokenizerNote));
        }
        postResult([this, path = request.out, files = toStringList(summary.files), check, warning] {
            emit succeeded(QStringLiteral("merged"), path, files, check, warning);
        });
    } catch (const std::exception &e) {
        postResult([this, message = QString::fromStdString(e.what())] { emit failed(message); });
    }
}

} // namespace headroom::ui
