#include "techniques/ByteText.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace headroom::ui {

QString byteText(int64_t bytes)
{
    const double b = static_cast<double>(bytes);
    const QLocale locale;
    if (std::abs(b) >= 1e9)
        return QCoreApplication::translate("headroom::ui::ByteText", "%1 GB")
            .arg(locale.toString(b / 1e9, 'f', 1));
    return QCoreApplication::translate("headroom::ui::ByteText", "%1 MB")
        .arg(locale.toString(b / 1e6, 'f', 0));
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor fitColor(bool fits, const QPalette &palette)
{
    // Material green 800 / red 800 on light backgrounds, their 300 / 400
    // tints on dark ones: both keep a contrast ratio above 4.5.
    if (isDarkPalette(palette))
        return fits ? QColor(0x81, 0xc7, 0x84) : QColor(0xef, 0x53, 0x50);
    return fits ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28);
}

QColor errorColor(const QPalette &palette)
{
    return fitColor(false, palette);
}

} // namespace headroom::ui
