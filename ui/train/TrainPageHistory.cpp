// A resumed run's curves up to its checkpoint, read back from the run
// folder's metrics.jsonl (the trainer's own record, train/MetricsJson.h).
#include "LossPlot.h"
#include "MemoryPlot.h"
#include "TrainPage.h"
#include "train/MetricsJson.h"

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
        if (train::isEvalLine(json)) {
            const auto eval = train::evalFromJson(json);
            m_lossPlot->addEval(eval.step, eval.loss);
        } else if (train::isStepLine(json)) {
            const auto step = train::stepFromJson(json);
            m_lossPlot->addStep(step.step, step.loss);
            if (json.contains("mem") && json["mem"].is_object())
                m_memoryPlot->addStep(step.step, step.memory);
        }
    }
}

} // namespace headroom::ui
