// The verdict and the fit advice under the chart: "fits" / "does not fit" in
// colour, the peak and the device peak against the budget in words, and each
// change of memory::adviseFit as a button that applies itself (plus the
// cheapest combination that fits, "auto-fit"). Deliberately emits the
// changed config instead of editing the draft: the page decides.
#pragma once

#include "memory/FitAdvice.h"

#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace headroom::ui {

class FitAdvicePanel : public QWidget
{
    Q_OBJECT
public:
    explicit FitAdvicePanel(QWidget *parent = nullptr);

    void setAdvice(const memory::FitAdvice &advice, const memory::MemoryEstimate &estimate,
                   const train::TrainConfig &config, const QString &deviceName);
    void clear();

    // A FitChange's description, translated ("gradient checkpointing").
    static QString changeLabel(const memory::FitChange &change, const train::TrainConfig &before);

signals:
    void applyRequested(const train::TrainConfig &config);

protected:
    void changeEvent(QEvent *event) override;

private:
    void colourVerdict();

    QLabel *m_verdict = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_adviceTitle = nullptr;
    QWidget *m_adviceList = nullptr;
    QVBoxLayout *m_adviceLayout = nullptr;
};

} // namespace headroom::ui
