// Byte counts and verdict colours as the techniques page shows them: decimal
// GB / MB in the user's locale (the CLI's memory::formatBytes, translated),
// and a green / red that stays readable on a light and on a dark palette.
// Deliberately no binary units: the GPU table and the estimate speak GB.
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

#include <cstdint>

namespace headroom::ui {

// "3.1 GB" (one decimal) or "412 MB" below 1 GB.
QString byteText(int64_t bytes);

bool isDarkPalette(const QPalette &palette);
// Green for "fits", red for "does not fit" (and for invalid fields).
QColor fitColor(bool fits, const QPalette &palette);
QColor errorColor(const QPalette &palette);

} // namespace headroom::ui
