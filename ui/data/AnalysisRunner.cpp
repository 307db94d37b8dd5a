#include "AnalysisRunner.h"

#include <algorithm>

namespace headroom::ui {

AnalysisRunner::AnalysisRunner(QObject *parent) : QObject(parent) {}

AnalysisRunner::~AnalysisRunner()
{
    for (const QPointer<QThread> &thread : m_threads)
        if (thread)
            thread->wait();
}

void AnalysisRunner::start(AnalysisRequest request)
{
    request.generation = ++m_generation;
    if (!request.model.empty() && request.model == m_tokenizerModel)
        request.tokenizer = m_tokenizer;
    auto result = std::make_shared<DatasetAnalysis>();
    QThread *thread = QThread::create([request, result] { *result = analyseDataset(request); });
    // `finished` comes from the worker; the lambda runs queued on the GUI
    // thread, and not at all once the runner is gone.
    connect(thread, &QThread::finished, this, [this, result] { deliver(*result); });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_threads.removeIf([](const QPointer<QThread> &t) { return t.isNull(); });
    m_threads.append(thread);
    thread->start();
}

bool AnalysisRunner::isRunning() const
{
    return std::any_of(m_threads.begin(), m_threads.end(),
                       [](const QPointer<QThread> &t) { return t && t->isRunning(); });
}

void AnalysisRunner::deliver(const DatasetAnalysis &analysis)
{
    if (analysis.generation != m_generation)
        return;
    if (analysis.tokenizer) {
        m_tokenizer = analysis.tokenizer;
        m_tokenizerModel = analysis.model;
    }
    emit finished(analysis);
}

} // namespace headroom::ui
