// A resumed run's curves up to its checkpoint, read back from the run
// folder's metrics.jsonl (the trainer's own record, train/MetricsJson.h).
#include "LossPlot.h"
#include "MemoryPlot.h"
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
        const qint64 step = json.value("step", qint64{0});
        if (json.contains("eval_loss")) {
            m_lossPlot->addEval(step, json.value("eval_loss", 0.0));
            continue;
        }
        m_lossPlot->addStep(step, json.value("loss", 0.0));
        if (const auto mem = json.find("mem"); mem != json.end() && mem->is_object()) {
            train::StageMemory m;
            m.load = mem->value("load", qint64{0});
            m.forward = mem->value("forward", qint64{0});
            m.backward = mem->value("backward", qint64{0});
            m.optimizer = mem->value("optimizer", qint64{0});
            m.peak = mem->value("peak", qint64{0});
            m.reserved = mem->value("reserved", qint64{0});
            m_memoryPlot->addStep(step, m);
        }
    }
}

} // namespace headroom::ui
