// Runs analyseDataset on a worker thread per request and hands back only the
// result of the latest request (an older one, for a dataset, model or format
// no longer chosen, is dropped). Keeps the last tokenizer it loaded, so a new
// format or dataset with the same model does not load it again.
#pragma once

#include "DatasetAnalysis.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QThread>

namespace headroom::ui {

class AnalysisRunner : public QObject
{
    Q_OBJECT
public:
    explicit AnalysisRunner(QObject *parent = nullptr);
    // Waits for running workers: they use the engine's statics, which must
    // outlive them.
    ~AnalysisRunner() override;

    // Sets the request's generation and cached tokenizer, then starts it.
    void start(AnalysisRequest request);
    bool isRunning() const;

signals:
    // On the GUI thread, for the latest request only.
    void finished(const headroom::ui::DatasetAnalysis &analysis);

private:
    void deliver(const DatasetAnalysis &analysis);

    uint64_t m_generation = 0;
    QList<QPointer<QThread>> m_threads;
    std::shared_ptr<const tok::Tokenizer> m_tokenizer;
    std::string m_tokenizerModel;
};

} // namespace headroom::ui
