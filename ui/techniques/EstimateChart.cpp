#include "techniques/EstimateChart.h"

#include "techniques/ByteText.h"
#include "techniques/StageBreakdown.h"

#include <QEvent>
#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace headroom::ui {

namespace {

// The value axis is in bytes (so the bars hold the estimate's integers
// exactly); its labels read "1.5 GB".
class BytesTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        return tick == 0 ? QStringLiteral("0") : byteText(static_cast<int64_t>(tick));
    }
};

QColor componentColour(const QString &key)
{
    // Distinct hues (Tableau 20's strong half), stable per component.
    static const QStringList keys = {"base_weights",   "quantized_weights", "lora_parameters",
                                     "master_weights", "optimizer_states",  "gradients",
                                     "activations",    "attention_scores",  "batch",
                                     "other"};
    static const QColor colours[] = {{0x4e, 0x79, 0xa7}, {0x76, 0xb7, 0xb2}, {0x59, 0xa1, 0x4f},
                                     {0x9c, 0x75, 0x5f}, {0xf2, 0x8e, 0x2b}, {0xed, 0xc9, 0x48},
                                     {0xe1, 0x57, 0x59}, {0xb0, 0x7a, 0xa1}, {0xff, 0x9d, 0xa7},
                                     {0xba, 0xb0, 0xac}};
    const auto i = keys.indexOf(key);
    return i >= 0 ? colours[i] : QColor(Qt::gray);
}

} // namespace

QString EstimateChart::componentName(const QString &key)
{
    if (key == "base_weights")
        return tr("base weights");
    if (key == "quantized_weights")
        return tr("quantized weights");
    if (key == "lora_parameters")
        return tr("LoRA parameters");
    if (key == "master_weights")
        return tr("fp32 master weights");
    if (key == "optimizer_states")
        return tr("optimizer states");
    if (key == "gradients")
        return tr("gradients");
    if (key == "activations")
        return tr("saved activations");
    if (key == "attention_scores")
        return tr("attention scores");
    if (key == "batch")
        return tr("token ids and labels");
    if (key == "other")
        return tr("other (checkpoint state, calibration)");
    return key;
}

EstimateChart::EstimateChart(QWidget *parent) : QWidget(parent)
{
    m_stack = new QStackedWidget(this);
    m_message = new QLabel(m_stack);
    m_message->setObjectName("estimateMessage");
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_plot = new QCustomPlot(m_stack);
    m_plot->setObjectName("estimatePlot");
    m_plot->setMinimumSize(360, 280);
    m_stack->addWidget(m_message);
    m_stack->addWidget(m_plot);
    m_summary = new QLabel(this);
    m_summary->setObjectName("estimateSummary");
    m_summary->setWordWrap(true);
    m_summary->hide();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_stack);

    auto stages = QSharedPointer<QCPAxisTickerText>::create();
    stages->addTick(0, tr("0 load"));
    stages->addTick(1, tr("1 forward"));
    stages->addTick(2, tr("2 backward"));
    stages->addTick(3, tr("3 optimizer"));
    m_plot->xAxis->setTicker(stages);
    m_plot->xAxis->setRange(-0.6, 3.6);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->setTicker(QSharedPointer<BytesTicker>::create());
    m_plot->yAxis->setLabel(tr("memory"));
    // The legend under the bars, in rows of three, not over them.
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(3);
    m_plot->legend->setMargins(QMargins(4, 2, 4, 2));
    applyPalette();
    showMessage(tr("Open a model to see the estimate."));
}

bool EstimateChart::showsEstimate() const
{
    return m_stack->currentWidget() == m_plot;
}

void EstimateChart::showMessage(const QString &text)
{
    m_message->setText(text);
    m_summary->clear();
    m_summary->hide();
    m_stack->setCurrentWidget(m_message);
}

QString EstimateChart::summaryText() const
{
    return m_summary->text();
}

void EstimateChart::setEstimate(const memory::MemoryEstimate &e, const train::TrainConfig &config,
                                int64_t capacity, const QString &capacityName)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->legend->clearItems();
    const QColor text = palette().color(QPalette::Text);

    const int n = std::max(1, e.processes);
    if (n > 1) {
        // Each process holds the model, its trainable parameters and optimizer
        // states and runs micro-batches of the same size: the bars are one GPU's.
        m_summary->setText(tr("Per GPU: %1 on the device × %2 GPUs = %3 across the GPUs "
                              "(each process holds the whole model; the verdict is per GPU)")
                               .arg(byteText(e.devicePeak))
                               .arg(n)
                               .arg(byteText(e.devicePeak * n)));
        m_plot->yAxis->setLabel(tr("memory per GPU"));
    } else {
        m_summary->setText(tr("Peak on the device: %1").arg(byteText(e.devicePeak)));
        m_plot->yAxis->setLabel(tr("memory"));
    }
    m_summary->show();

    QCPBars *below = nullptr;
    for (const auto &segment : stageBreakdown(e, config)) {
        const QString key = QString::fromStdString(segment.key);
        auto *bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setObjectName("bars_" + key);
        bars->setName(componentName(key));
        bars->setWidth(0.6);
        bars->setStackingGap(0);
        const QColor colour = componentColour(key);
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(130)));
        for (size_t i = 0; i < kStages.size(); ++i)
            bars->addData(static_cast<double>(i), static_cast<double>(segment.bytes[i]));
        if (below)
            bars->moveAbove(below);
        below = bars;
    }

    // The peak over the stage it happens in, with what it adds on top of the
    // stage (logits, backward scratch: transients) as a shaded box; the device
    // peak (context and allocator slack on a GPU) dashed above it.
    const double x = static_cast<double>(static_cast<int>(e.peakStage));
    if (e.peak > e.stage(e.peakStage)) {
        auto *transient = new QCPItemRect(m_plot);
        transient->setObjectName("peakTransient");
        QColor fill = text;
        fill.setAlpha(40);
        transient->setBrush(fill);
        transient->setPen(QPen(text, 1, Qt::DotLine));
        transient->topLeft->setCoords(x - 0.3, static_cast<double>(e.peak));
        transient->bottomRight->setCoords(x + 0.3, static_cast<double>(e.stage(e.peakStage)));
    }
    auto marker = [&](int64_t bytes, Qt::PenStyle style, const QString &label, bool above) {
        auto *line = new QCPItemLine(m_plot);
        line->setPen(QPen(text, 2.5, style));
        line->start->setCoords(x - 0.42, static_cast<double>(bytes));
        line->end->setCoords(x + 0.42, static_cast<double>(bytes));
        auto *caption = new QCPItemText(m_plot);
        caption->setColor(text);
        caption->setText(label);
        caption->position->setCoords(x, static_cast<double>(bytes));
        caption->setPositionAlignment(Qt::AlignHCenter | (above ? Qt::AlignBottom : Qt::AlignTop));
    };
    marker(e.peak, Qt::SolidLine, tr("peak %1").arg(byteText(e.peak)), e.devicePeak == e.peak);
    if (e.devicePeak != e.peak)
        marker(e.devicePeak, Qt::DashLine, tr("on the device %1").arg(byteText(e.devicePeak)),
               true);

    double top = static_cast<double>(std::max(e.peak, e.devicePeak)) * 1.18;
    if (capacity > 0) {
        // A capacity far above the run would flatten the bars: then it is
        // named, not drawn to scale.
        const bool onScale = capacity <= 4 * e.devicePeak;
        const QColor colour = fitColor(e.devicePeak <= capacity, palette());
        auto *caption = new QCPItemText(m_plot);
        caption->setColor(colour);
        caption->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        caption->position->setType(QCPItemPosition::ptAxisRectRatio);
        if (onScale) {
            top = std::max(top, static_cast<double>(capacity) * 1.08);
            auto *line = new QCPItemStraightLine(m_plot);
            line->setObjectName("capacityLine");
            line->setPen(QPen(colour, 2));
            line->point1->setCoords(0, static_cast<double>(capacity));
            line->point2->setCoords(1, static_cast<double>(capacity));
            caption->position->setType(QCPItemPosition::ptPlotCoords);
            caption->position->setCoords(3.55, static_cast<double>(capacity));
            caption->setText(tr("%1: %2").arg(capacityName, byteText(capacity)));
        } else {
            caption->position->setCoords(0.99, 0.06);
            caption->setText(tr("%1: %2 (above the scale)").arg(capacityName, byteText(capacity)));
        }
    }
    m_plot->yAxis->setRange(0, std::max(top, 1.0));
    m_stack->setCurrentWidget(m_plot);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void EstimateChart::applyPalette()
{
    const QPalette p = palette();
    const QColor text = p.color(QPalette::Text);
    m_plot->setBackground(p.color(QPalette::Base));
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
    }
    m_plot->yAxis->grid()->setPen(QPen(p.color(QPalette::Mid), 0, Qt::DotLine));
    m_plot->legend->setBrush(p.color(QPalette::Base));
    m_plot->legend->setTextColor(text);
    m_plot->legend->setBorderPen(QPen(p.color(QPalette::Mid)));
}

void EstimateChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPalette();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QWidget::changeEvent(event);
}

} // namespace headroom::ui
