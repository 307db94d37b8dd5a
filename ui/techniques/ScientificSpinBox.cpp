#include "techniques/ScientificSpinBox.h"

#include <QLocale>

#include <cmath>

namespace headroom::ui {

ScientificSpinBox::ScientificSpinBox(QWidget *parent) : QDoubleSpinBox(parent)
{
    setDecimals(15); // QDoubleSpinBox rounds the value to its decimals
    setRange(1e-12, 1e3);
}

void ScientificSpinBox::stepBy(int steps)
{
    setValue(value() * std::pow(2.0, steps));
}

QString ScientificSpinBox::textFromValue(double value) const
{
    return locale().toString(value, 'g', 6);
}

double ScientificSpinBox::valueFromText(const QString &text) const
{
    bool ok = false;
    const double v = locale().toDouble(text.trimmed(), &ok);
    return ok ? v : value();
}

QValidator::State ScientificSpinBox::validate(QString &text, int &) const
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return QValidator::Intermediate;
    for (const QChar c : t)
        if (!c.isDigit() && !QStringLiteral("eE+-.,").contains(c))
            return QValidator::Invalid;
    bool ok = false;
    const double v = locale().toDouble(t, &ok);
    if (!ok) // "2e", "1.": on the way to a number
        return QValidator::Intermediate;
    return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

} // namespace headroom::ui
