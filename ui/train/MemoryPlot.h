// Memory against step, in MiB: what was allocated at the four stages of
// each step (after load, forward, backward, optimizer: one colour and marker
// each), the step's peak, what the allocator reserved, and the estimator's
// predicted device peak as a dashed horizontal line, so a run shows at once
// whether the estimate held.
#pragma once

#include "LivePlot.h"
#include "train/TrainObserver.h"

#include <optional>

namespace headroom::ui {

class MemoryPlot : public LivePlot
{
    Q_OBJECT
public:
    explicit MemoryPlot(QWidget *parent = nullptr);

    void addStep(qint64 step, const train::StageMemory &memory);
    // The estimate's device peak in bytes; nullopt hides the line.
    // `rowTokens`: the row length the estimate assumes (max_seq_len), for the legend.
    void setEstimate(std::optional<qint64> bytes, qint64 rowTokens = 0);
    std::optional<qint64> estimate() const { return m_estimate; }
    void reset();

    enum Series { Load, Forward, Backward, Optimizer, Peak, Reserved, SeriesCount };
    QCPGraph *series(Series s) const { return m_series[s]; }

protected:
    void fitAxes() override;

private:
    QCPGraph *m_series[SeriesCount];
    QCPItemStraightLine *m_estimateLine;
    QCPGraph *m_estimateLegend = nullptr; // the dashed line's legend entry
    std::optional<qint64> m_estimate;
};

} // namespace headroom::ui
