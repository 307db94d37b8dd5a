#include "LivePlot.h"

namespace headroom::ui {

LivePlot::LivePlot(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumHeight(180);
    legend->setVisible(true);
    legend->setFont(font());
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setNoAntialiasingOnDrag(true);
    xAxis->setLabel(tr("step"));
    // The palette follows the system's light or dark theme.
    const QPalette pal = palette();
    setBackground(pal.base());
    for (auto *axis : {xAxis, yAxis}) {
        axis->setBasePen(QPen(pal.text().color()));
        axis->setTickPen(QPen(pal.text().color()));
        axis->setSubTickPen(QPen(pal.text().color()));
        axis->setTickLabelColor(pal.text().color());
        axis->setLabelColor(pal.text().color());
    }
    QColor legendBackground = pal.base().color();
    legendBackground.setAlpha(200); // the curves stay visible behind it
    legend->setBrush(legendBackground);
    legend->setTextColor(pal.text().color());
    m_timer.setInterval(kFrameMs);
    connect(&m_timer, &QTimer::timeout, this, &LivePlot::frame);
}

QCPGraph *LivePlot::addSeries(const QString &name, const QColor &color, Qt::PenStyle line,
                              QCPScatterStyle::ScatterShape shape, double width)
{
    auto *graph = addGraph();
    graph->setName(name);
    graph->setPen(QPen(color, width, line == Qt::NoPen ? Qt::SolidLine : line));
    if (line == Qt::NoPen)
        graph->setLineStyle(QCPGraph::lsNone);
    if (shape != QCPScatterStyle::ssNone)
        graph->setScatterStyle(QCPScatterStyle(shape, color, 6));
    graph->setAdaptiveSampling(true);
    return graph;
}

void LivePlot::append(QCPGraph *graph, double key, double value)
{
    graph->addData(key, value);
    auto data = graph->data();
    if (data->size() > kMaxPoints) {
        // Halve the resolution of the whole curve: the shape stays, the
        // newest point stays.
        QVector<QCPGraphData> kept;
        kept.reserve(data->size() / 2 + 1);
        const int last = data->size() - 1;
        for (int i = 0; i <= last; ++i)
            if (i % 2 == 0 || i == last)
                kept.push_back(*(data->constBegin() + i));
        data->set(kept, true);
    }
    markDirty();
}

void LivePlot::markDirty()
{
    m_dirty = true;
    if (!m_timer.isActive() && isVisible())
        m_timer.start();
}

void LivePlot::showEvent(QShowEvent *event)
{
    QCustomPlot::showEvent(event);
    if (m_dirty)
        m_timer.start();
}

void LivePlot::clearPoints()
{
    for (int i = 0; i < graphCount(); ++i)
        graph(i)->data()->clear();
    markDirty();
}

void LivePlot::fitAxes()
{
    rescaleAxes(true);
    if (xAxis->range().size() < 1)
        xAxis->setRange(xAxis->range().lower, xAxis->range().lower + 1);
}

void LivePlot::frame()
{
    if (!m_dirty || !isVisible()) {
        m_timer.stop(); // nothing new, or hidden: showEvent starts it again
        return;
    }
    m_dirty = false;
    fitAxes();
    replot(QCustomPlot::rpQueuedReplot);
    ++m_frames;
}

} // namespace headroom::ui
