// A QCustomPlot for curves that grow while a run trains: points are appended
// to the graphs as they arrive, but the plot redraws at most ~30 times a
// second (a timer replots only when something new arrived), and each graph
// keeps at most kMaxPoints points (every other point is dropped when a graph
// grows past it), so a long run neither floods the event loop nor grows
// without bound. Idle, the timer stops: no wake-ups while nothing trains.
#pragma once

#include <QTimer>
#include <qcustomplot.h>

namespace headroom::ui {

class LivePlot : public QCustomPlot
{
    Q_OBJECT
public:
    static constexpr int kMaxPoints = 20000;
    static constexpr int kFrameMs = 33;

    explicit LivePlot(QWidget *parent = nullptr);

    // Appends one point; the next frame redraws.
    void append(QCPGraph *graph, double key, double value);
    // Empties every graph (a new run).
    void clearPoints();
    // Asks for a redraw at the next frame (after a change other than append).
    void markDirty();
    int frames() const { return m_frames; } // redraws done, for tests

protected:
    void showEvent(QShowEvent *event) override;
    // Fits the axes to the data before a redraw; subclasses add items.
    virtual void fitAxes();
    QCPGraph *addSeries(const QString &name, const QColor &color, Qt::PenStyle line,
                        QCPScatterStyle::ScatterShape shape, double width = 1.5);

private:
    void frame();

    QTimer m_timer;
    bool m_dirty = false;
    int m_frames = 0;
};

} // namespace headroom::ui
