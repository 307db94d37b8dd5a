// What the techniques page's test suites share: a draft of a model trained
// on the CPU, and the check that the chart's stacked bars add up to the
// engine's stage totals.
#pragma once

// LibTorch first: Qt's keyword macros (emit, slots) break its headers.
// clang-format off
#include "model/ModelLoader.h"
// clang-format on

#include "common/RunDraft.h"
#include "common/TinyRun.h"
#include "io/ModelSource.h"
#include "techniques/EstimateChart.h"
#include "techniques/TechniquesPage.h"

#include <QTest>
#include <qcustomplot.h>

#include <array>

namespace headroom::test {

inline model::ModelConfig shapeOf(const std::string &argument)
{
    return model::loadModelConfig(io::resolveModelSource(argument));
}

// A draft of `model`, trained on the CPU (so the CLI's device is the page's
// CPU entry), with a dataset so that the config validates.
inline void openModelOnCpu(ui::RunDraft &draft, const std::string &model)
{
    draft.setModel(QString::fromStdString(model), shapeOf(model));
    draft.setDataset(QString::fromStdString((trainFixtures() / "small.jsonl").string()));
    draft.update([](train::TrainConfig &c) { c.device.kind = train::DeviceSpec::Kind::Cpu; });
}

// Per stage, the sum of the stacked bars' values.
inline std::array<double, 4> barSums(ui::TechniquesPage &page)
{
    std::array<double, 4> sums{};
    QCustomPlot *plot = page.chart()->plot();
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto *bars = qobject_cast<QCPBars *>(plot->plottable(i)))
            for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
                sums[static_cast<size_t>(it->key)] += it->value;
    return sums;
}

inline void checkBarsSumToStages(ui::TechniquesPage &page)
{
    const auto sums = barSums(page);
    const auto &e = *page.currentEstimate();
    QCOMPARE(sums[0], static_cast<double>(e.load));
    QCOMPARE(sums[1], static_cast<double>(e.forward));
    QCOMPARE(sums[2], static_cast<double>(e.backward));
    QCOMPARE(sums[3], static_cast<double>(e.optimizer));
}

} // namespace headroom::test
