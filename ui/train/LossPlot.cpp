#include "LossPlot.h"

#include <cmath>

namespace headroom::ui {

LossPlot::LossPlot(QWidget *parent) : LivePlot(parent)
{
    setObjectName("lossPlot");
    yAxis->setLabel(tr("loss"));
    m_raw = addSeries(tr("training loss"), QColor(120, 160, 220), Qt::SolidLine,
                      QCPScatterStyle::ssNone, 1.0);
    m_smoothed = addSeries(tr("training loss (smoothed)"), QColor(20, 80, 200), Qt::SolidLine,
                           QCPScatterStyle::ssNone, 2.5);
    m_eval =
        addSeries(tr("evaluation loss"), QColor(220, 90, 30), Qt::NoPen, QCPScatterStyle::ssDisc);
}

void LossPlot::addStep(qint64 step, double loss)
{
    if (!std::isfinite(loss))
        return;
    m_average = m_average ? (1 - kSmoothing) * *m_average + kSmoothing * loss : loss;
    append(m_raw, static_cast<double>(step), loss);
    append(m_smoothed, static_cast<double>(step), *m_average);
}

void LossPlot::addEval(qint64 step, double loss)
{
    if (std::isfinite(loss))
        append(m_eval, static_cast<double>(step), loss);
}

void LossPlot::reset()
{
    clearPoints();
    m_average.reset();
}

} // namespace headroom::ui
