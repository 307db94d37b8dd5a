// Training loss against step: every step's loss (thin), its exponential
// moving average (bold; the trend through the noise of small batches) and
// the evaluation loss (points).
#pragma once

#include "LivePlot.h"

#include <optional>

namespace headroom::ui {

class LossPlot : public LivePlot
{
    Q_OBJECT
public:
    // Weight of the newest step in the moving average.
    static constexpr double kSmoothing = 0.1;

    explicit LossPlot(QWidget *parent = nullptr);

    void addStep(qint64 step, double loss);
    void addEval(qint64 step, double loss);
    void reset();

    QCPGraph *rawGraph() const { return m_raw; }
    QCPGraph *smoothedGraph() const { return m_smoothed; }
    QCPGraph *evalGraph() const { return m_eval; }

private:
    QCPGraph *m_raw, *m_smoothed, *m_eval;
    std::optional<double> m_average;
};

} // namespace headroom::ui
