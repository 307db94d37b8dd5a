// Headroom's icon, painted rather than shipped as an image: four stacked bars
// (the four stages of a step) under a capacity line with room to spare. The
// packaging renders the PNG for the desktop entry from the same code
// (headroom --write-icon), so the window and the menu show one icon.
#pragma once

#include <QIcon>
#include <QImage>

namespace headroom::ui {

QImage renderAppIcon(int size);
QIcon appIcon();

} // namespace headroom::ui
