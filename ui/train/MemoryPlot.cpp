#include "MemoryPlot.h"

namespace headroom::ui {

namespace {

double mebibytes(qint64 bytes)
{
    return static_cast<double>(bytes) / (1 << 20);
}

} // namespace

MemoryPlot::MemoryPlot(QWidget *parent) : LivePlot(parent)
{
    setObjectName("memoryPlot");
    yAxis->setLabel(tr("memory (MiB)"));
    // Stage colours as on the techniques page's stacked bars: load, forward,
    // backward, optimizer.
    m_series[Load] = addSeries(tr("after load"), QColor(110, 110, 110), Qt::SolidLine,
                               QCPScatterStyle::ssSquare, 1.0);
    m_series[Forward] = addSeries(tr("after forward"), QColor(30, 120, 220), Qt::SolidLine,
                                  QCPScatterStyle::ssTriangle, 1.0);
    m_series[Backward] = addSeries(tr("after backward"), QColor(220, 120, 20), Qt::SolidLine,
                                   QCPScatterStyle::ssTriangleInverted, 1.0);
    m_series[Optimizer] = addSeries(tr("after optimizer"), QColor(40, 160, 70), Qt::SolidLine,
                                    QCPScatterStyle::ssDiamond, 1.0);
    m_series[Peak] = addSeries(tr("step peak"), QColor(200, 30, 40), Qt::SolidLine,
                               QCPScatterStyle::ssNone, 2.5);
    m_series[Reserved] =
        addSeries(tr("reserved"), QColor(140, 80, 170), Qt::DotLine, QCPScatterStyle::ssNone, 1.5);

    m_estimateLine = new QCPItemStraightLine(this);
    m_estimateLine->setPen(QPen(QColor(200, 30, 40), 1.5, Qt::DashLine));
    m_estimateLine->setVisible(false);
    // A legend entry for the line: an empty graph drawn the same way.
    m_estimateLegend = addGraph();
    m_estimateLegend->setName(tr("estimated peak"));
    m_estimateLegend->setPen(m_estimateLine->pen());
}

void MemoryPlot::addStep(qint64 step, const train::StageMemory &m)
{
    const double key = static_cast<double>(step);
    append(m_series[Load], key, mebibytes(m.load));
    append(m_series[Forward], key, mebibytes(m.forward));
    append(m_series[Backward], key, mebibytes(m.backward));
    append(m_series[Optimizer], key, mebibytes(m.optimizer));
    append(m_series[Peak], key, mebibytes(m.peak));
    append(m_series[Reserved], key, mebibytes(m.reserved));
}

void MemoryPlot::setEstimate(std::optional<qint64> bytes, qint64 rowTokens)
{
    m_estimate = bytes;
    // The estimate plans for rows of max_seq_len tokens (the longest batch
    // comes first); data with shorter samples measures less, so say so.
    m_estimateLegend->setName(rowTokens > 0
                                  ? tr("estimated peak (rows of %1 tokens)").arg(rowTokens)
                                  : tr("estimated peak"));
    m_estimateLine->setVisible(bytes.has_value());
    if (bytes) {
        m_estimateLine->point1->setCoords(0, mebibytes(*bytes));
        m_estimateLine->point2->setCoords(1, mebibytes(*bytes));
    }
    markDirty();
}

void MemoryPlot::reset()
{
    clearPoints();
}

void MemoryPlot::fitAxes()
{
    LivePlot::fitAxes();
    // Keep the estimate line and zero in view.
    double top = yAxis->range().upper;
    if (m_estimate)
        top = std::max(top, mebibytes(*m_estimate));
    yAxis->setRange(0, top * 1.08 + 1e-3);
}

} // namespace headroom::ui
