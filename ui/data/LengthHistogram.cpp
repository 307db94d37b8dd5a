#include "LengthHistogram.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace headroom::ui {

namespace {

constexpr int kBins = 30;
// A cut-off far beyond the longest sample would squash every bar into the
// left edge; past this factor the line is pinned to the right edge instead.
constexpr double kMaxRangeFactor = 3.0;

} // namespace

LengthHistogram::LengthHistogram(QWidget *parent) : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName("lengthHistogram");
    m_plot->setMinimumSize(320, 220);
    m_plot->xAxis->setLabel(tr("Tokens per sample"));
    m_plot->yAxis->setLabel(tr("Samples"));
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setName(tr("Samples"));
    m_bars->setPen(QPen(QColor(0x4e, 0x79, 0xa7)));
    m_bars->setBrush(QColor(0x4e, 0x79, 0xa7, 170));

    m_cutOff = new QCPItemStraightLine(m_plot);
    m_cutOff->setPen(QPen(QColor(0xe1, 0x57, 0x59), 2, Qt::DashLine));
    m_cutOffText = new QCPItemText(m_plot);
    m_cutOffText->setColor(QColor(0xe1, 0x57, 0x59));
    m_cutOffText->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_cutOffText->position->setType(QCPItemPosition::ptPlotCoords);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setLengths({});
}

void LengthHistogram::setLengths(const std::vector<uint32_t> &lengths)
{
    m_longest = lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end());
    const double binWidth = std::max(1.0, std::ceil((m_longest + 1.0) / kBins));
    std::vector<double> counts(size_t(std::floor(m_longest / binWidth)) + 1, 0.0);
    for (uint32_t length : lengths)
        counts[size_t(length / binWidth)] += 1;
    QVector<double> keys, values;
    for (size_t i = 0; i < counts.size() && !lengths.empty(); ++i) {
        keys << (double(i) + 0.5) * binWidth;
        values << counts[i];
    }
    m_bars->setWidth(binWidth * 0.9);
    m_bars->setData(keys, values, true);
    m_highestBar = values.isEmpty() ? 1.0 : *std::max_element(values.begin(), values.end());
    m_plot->yAxis->setRange(0, m_highestBar * 1.15);
    updateCutOff();
}

void LengthHistogram::setMaxSeqLen(int64_t maxSeqLen)
{
    m_maxSeqLen = maxSeqLen;
    updateCutOff();
}

void LengthHistogram::updateCutOff()
{
    const double longest = std::max<double>(m_longest, 1.0);
    const double cut = double(m_maxSeqLen);
    const double right =
        cut <= longest * kMaxRangeFactor ? std::max(longest, cut) * 1.08 : longest * 1.25;
    m_plot->xAxis->setRange(0, right);
    const double x = std::min(cut, right);
    m_cutOff->point1->setCoords(x, 0);
    m_cutOff->point2->setCoords(x, 1);
    m_cutOffText->position->setCoords(x, m_highestBar * 1.12);
    m_cutOffText->setText(cut > right ? tr("max_seq_len %1 →").arg(m_maxSeqLen)
                                      : tr("max_seq_len %1").arg(m_maxSeqLen));
    m_cutOff->setVisible(m_maxSeqLen > 0);
    m_cutOffText->setVisible(m_maxSeqLen > 0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace headroom::ui
