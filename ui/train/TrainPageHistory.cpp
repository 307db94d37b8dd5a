// A resumed run's curves up to its checkpoint, read back from the run
// folder's metrics.jsonl (the trainer's own record, train/MetricsJson.h).
#include "LossPlot.h"
#include "MemoryPlot.h"
#include "MetricsLines.h"
#include "TrainPage.h"

#include <QDir>
#include <QFile>

#include <nlohmann/json.hpp>

namespace headroom::ui {

void TrainPage::loadHistory(qint64 upToStep)
{
    m_lossPlot->reset();
    m_memoryPlot->reset();
    QFile file(QDir(m_runDir).filePath(QStringLiteral("metrics.jsonl")));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return;
    while (!file.atEnd()) {
        const auto json = nlohmann::json::parse(file.readLine().toStdString(), nullptr, false);
        if (!json.is_object() || json.value("step", qint64{0}) > upToStep)
            continue;
        if (isEvalLine(json)) {
            const auto eval = evalFromJson(json);
            m_lossPlot->addEval(eval.step, eval.loss);
        } else if (isStepLine(json)) {
            const auto step = stepFromJson(json);
            m_lossPlot->addStep(step.step, step.loss);
            if (json.contains("mem") && json["mem"].is_object())
                m_memoryPlot->addStep(step.step, step.memory);
        }
    }
}

} // namespace headroom::ui
