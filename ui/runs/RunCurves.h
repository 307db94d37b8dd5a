// The curves of the selected runs: training loss (solid) and evaluation loss
// (dashed, with points) against step, and each step's peak memory against
// step; one colour per run, with a legend naming the runs, so that two or
// more runs overlay for comparison. Draws what it is given; reads nothing.
#pragma once

#include "train/TrainObserver.h"

#include <QString>
#include <QWidget>

#include <vector>

class QCustomPlot;

namespace headroom::ui {

struct RunCurveData
{
    QString name;
    std::vector<train::StepMetrics> steps;
    std::vector<train::EvalMetrics> evals;
};

class RunCurves : public QWidget
{
    Q_OBJECT
public:
    explicit RunCurves(QWidget *parent = nullptr);

    void setRuns(const std::vector<RunCurveData> &runs);
    // The colour of the i-th run's curves (distinct for the first eight).
    static QColor colour(size_t index);

    QCustomPlot *lossPlot() const { return m_loss; }
    QCustomPlot *memoryPlot() const { return m_memory; }

private:
    QCustomPlot *m_loss;
    QCustomPlot *m_memory;
};

} // namespace headroom::ui
