// The token-length histogram of a dataset: how many samples have how many
// tokens, with the max_seq_len cut-off as a vertical line. A QCustomPlot with
// one QCPBars; the counting is plain (equal-width bins over the lengths).
#pragma once

#include <QWidget>

#include <cstdint>
#include <vector>

class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCPItemText;

namespace headroom::ui {

class LengthHistogram : public QWidget
{
    Q_OBJECT
public:
    explicit LengthHistogram(QWidget *parent = nullptr);

    // Untruncated lengths of the usable samples; empty clears the plot.
    void setLengths(const std::vector<uint32_t> &lengths);
    void setMaxSeqLen(int64_t maxSeqLen);

    QCustomPlot *plot() const { return m_plot; }
    QCPBars *bars() const { return m_bars; }

private:
    void updateCutOff();

    QCustomPlot *m_plot = nullptr;
    QCPBars *m_bars = nullptr;
    QCPItemStraightLine *m_cutOff = nullptr;
    QCPItemText *m_cutOffText = nullptr;
    uint32_t m_longest = 0;
    double m_highestBar = 0;
    int64_t m_maxSeqLen = 0;
};

} // namespace headroom::ui
