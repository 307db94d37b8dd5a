#include "DroppedPath.h"

#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

namespace headroom::ui {

QString droppedLocalPath(const QMimeData *mime, bool filesOnly)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile() && (!filesOnly || QFileInfo(url.toLocalFile()).isFile()))
            return url.toLocalFile();
    return {};
}

} // namespace headroom::ui
