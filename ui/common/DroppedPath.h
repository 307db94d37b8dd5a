// The local file (or folder) dragged onto a page, for the pages that open
// what is dropped on them.
#pragma once

#include <QString>

class QMimeData;

namespace headroom::ui {

// The first local path among the dragged URLs; with `filesOnly`, the first
// that is a file. Empty when there is none (the drop is then refused).
QString droppedLocalPath(const QMimeData *mime, bool filesOnly);

} // namespace headroom::ui
