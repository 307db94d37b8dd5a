// The live memory estimate as a chart: one stacked bar per training stage
// (0 load, 1 forward, 2 backward, 3 optimizer), one colour per component
// (StageBreakdown, so each bar sums to exactly the stage's bytes), the peak
// marked over the stage it happens in (and the device peak, with the CUDA
// context and allocator slack, on a GPU), and the device's capacity as a
// horizontal line. Shows a message instead when there is no estimate.
// Above the bars a one-line summary: the device peak, or with several
// data-parallel processes "per GPU × N GPUs" and the total across them (the
// bars, the capacity line and the verdict are then per GPU).
// Deliberately draws only: the page computes the estimate.
#pragma once

#include "memory/MemoryEstimate.h"
#include "train/TrainConfig.h"

#include <QWidget>

class QCustomPlot;
class QLabel;
class QStackedWidget;

namespace headroom::ui {

class EstimateChart : public QWidget
{
    Q_OBJECT
public:
    explicit EstimateChart(QWidget *parent = nullptr);

    // `capacity` 0 = unknown (no line); `capacityName` labels the line.
    // The estimate is per process (estimate.processes of them, one per GPU).
    void setEstimate(const memory::MemoryEstimate &estimate, const train::TrainConfig &config,
                     int64_t capacity, const QString &capacityName);
    // The summary line above the bars ("estimateSummary").
    QString summaryText() const;
    // No estimate: "open a model to see the estimate", or why there is none.
    void showMessage(const QString &text);

    QCustomPlot *plot() const { return m_plot; }
    bool showsEstimate() const;

    // The translated name of a MemoryComponent key (or "other").
    static QString componentName(const QString &key);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QStackedWidget *m_stack = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_summary = nullptr;
    QCustomPlot *m_plot = nullptr;
};

} // namespace headroom::ui
