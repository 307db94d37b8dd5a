// See RunCurves.h.
#include "RunCurves.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

namespace headroom::ui {

namespace {

QCustomPlot *makePlot(QWidget *parent, const QString &name, const QString &yLabel)
{
    auto *plot = new QCustomPlot(parent);
    plot->setObjectName(name);
    plot->setMinimumHeight(160);
    plot->xAxis->setLabel(RunCurves::tr("Step"));
    plot->yAxis->setLabel(yLabel);
    plot->legend->setVisible(false);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // Colours follow the window palette (light or dark).
    const auto pal = parent->palette();
    plot->setBackground(pal.brush(QPalette::Base));
    for (auto *axis : {plot->xAxis, plot->yAxis}) {
        axis->setBasePen(QPen(pal.color(QPalette::Text)));
        axis->setTickPen(QPen(pal.color(QPalette::Text)));
        axis->setSubTickPen(QPen(pal.color(QPalette::Text)));
        axis->setTickLabelColor(pal.color(QPalette::Text));
        axis->setLabelColor(pal.color(QPalette::Text));
    }
    auto legendBackground = pal.color(QPalette::Base);
    legendBackground.setAlpha(200); // curves behind the legend stay visible
    plot->legend->setBrush(legendBackground);
    plot->legend->setTextColor(pal.color(QPalette::Text));
    return plot;
}

QCPGraph *addGraph(QCustomPlot *plot, const QString &name, const QColor &colour,
                   const QVector<double> &x, const QVector<double> &y, bool dashed)
{
    auto *graph = plot->addGraph();
    graph->setName(name);
    QPen pen(colour, 2);
    if (dashed) {
        pen.setStyle(Qt::DashLine);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    }
    graph->setPen(pen);
    graph->setData(x, y, true);
    return graph;
}

} // namespace

RunCurves::RunCurves(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_loss = makePlot(this, "lossPlot", tr("Loss"));
    m_memory = makePlot(this, "memoryPlot", tr("Peak memory (MiB)"));
    layout->addWidget(m_loss, 1);
    layout->addWidget(m_memory, 1);
}

QColor RunCurves::colour(size_t index)
{
    // Tableau 10: distinguishable, also for the common colour-vision deficiencies.
    static const QColor colours[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                     "#59a14f", "#edc948", "#b07aa1", "#ff9da7"};
    return colours[index % std::size(colours)];
}

void RunCurves::setRuns(const std::vector<RunCurveData> &runs)
{
    m_loss->clearGraphs();
    m_memory->clearGraphs();
    for (size_t i = 0; i < runs.size(); ++i) {
        const auto &run = runs[i];
        QVector<double> steps, losses, peaks;
        for (const auto &s : run.steps) {
            steps.push_back(double(s.step));
            losses.push_back(s.loss);
            peaks.push_back(double(s.memory.peak) / (1024.0 * 1024.0));
        }
        addGraph(m_loss, run.name, colour(i), steps, losses, false);
        addGraph(m_memory, run.name, colour(i), steps, peaks, false);
        if (!run.evals.empty()) {
            QVector<double> evalSteps, evalLosses;
            for (const auto &e : run.evals) {
                evalSteps.push_back(double(e.step));
                evalLosses.push_back(e.loss);
            }
            addGraph(m_loss, tr("%1 (evaluation)").arg(run.name), colour(i), evalSteps, evalLosses,
                     true);
        }
    }
    for (auto *plot : {m_loss, m_memory}) {
        plot->legend->setVisible(!runs.empty());
        plot->rescaleAxes();
        // A little air above the highest point; memory starts at 0 so that
        // runs compare by height.
        const auto y = plot->yAxis->range();
        const double yPad = std::max(y.size() * 0.05, 1e-3);
        plot->yAxis->setRange(plot == m_memory ? 0.0 : y.lower - yPad, y.upper + yPad);
        // Half a step either side, so the first and last points are not cut.
        const auto x = plot->xAxis->range();
        plot->xAxis->setRange(x.lower - 0.5, x.upper + 0.5);
        plot->replot();
    }
}

} // namespace headroom::ui
