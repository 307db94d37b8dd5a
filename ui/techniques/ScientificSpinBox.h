// A spin box for small positive reals such as learning rates, shown and typed
// as "2e-4" or "0.0002", stepping by a factor instead of a fixed increment
// (up doubles, down halves), which is how learning rates are tuned.
// Deliberately positive only.
#pragma once

#include <QDoubleSpinBox>

namespace headroom::ui {

class ScientificSpinBox : public QDoubleSpinBox
{
    Q_OBJECT
public:
    explicit ScientificSpinBox(QWidget *parent = nullptr);

    void stepBy(int steps) override;
    QString textFromValue(double value) const override;
    double valueFromText(const QString &text) const override;
    QValidator::State validate(QString &text, int &pos) const override;
};

} // namespace headroom::ui
