#include "RecentList.h"

#include <QFileInfo>
#include <QSettings>

namespace headroom::ui {

namespace {
constexpr int kMaxRecent = 10;
}

RecentList::RecentList(const QString &settingsKey, QWidget *parent)
    : QListWidget(parent), m_key(settingsKey)
{
    connect(this, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { emit chosen(item->data(Qt::UserRole).toString()); });
    reload();
}

void RecentList::remember(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(m_key).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(m_key, recent);
    reload();
}

void RecentList::reload()
{
    clear();
    for (const QString &path : QSettings().value(m_key).toStringList()) {
        const QFileInfo info(path); // a repo id is not a file: shown as it is
        auto *item = new QListWidgetItem(info.exists() ? info.fileName() : path, this);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
    }
}

} // namespace headroom::ui
