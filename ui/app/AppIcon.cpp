#include "AppIcon.h"

#include <QPainter>
#include <QPainterPath>

namespace headroom::ui {

QImage renderAppIcon(int size)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal s = size;
    QPainterPath tile;
    tile.addRoundedRect(QRectF(0.04 * s, 0.04 * s, 0.92 * s, 0.92 * s), 0.18 * s, 0.18 * s);
    painter.fillPath(tile, QColor(0x1f, 0x3a, 0x5f));

    // Stages 0..3: load, forward, backward, optimizer (heights as in a QLoRA step).
    const qreal heights[] = {0.30, 0.52, 0.46, 0.38};
    const QColor colours[] = {QColor(0x5b, 0xa4, 0xe6), QColor(0x7f, 0xd1, 0x8b),
                              QColor(0xf2, 0xc1, 0x4e), QColor(0xe8, 0x7d, 0x6a)};
    const qreal base = 0.82 * s, barWidth = 0.15 * s, gap = 0.045 * s;
    qreal x = 0.5 * s - 2 * barWidth - 1.5 * gap;
    for (int i = 0; i < 4; ++i) {
        painter.fillRect(QRectF(x, base - heights[i] * s, barWidth, heights[i] * s), colours[i]);
        x += barWidth + gap;
    }
    // The capacity line, well above the tallest bar: headroom.
    QPen line(QColor(0xff, 0xff, 0xff), std::max(1.0, 0.035 * s), Qt::DashLine, Qt::FlatCap);
    painter.setPen(line);
    painter.drawLine(QPointF(0.14 * s, 0.2 * s), QPointF(0.86 * s, 0.2 * s));
    return image;
}

QIcon appIcon()
{
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(QPixmap::fromImage(renderAppIcon(size)));
    return icon;
}

} // namespace headroom::ui
