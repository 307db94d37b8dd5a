// A list of recently opened files kept in QSettings under one key (newest
// first, at most ten): the model and data pages' lists, and the main
// window's File menu reads the same keys. Activating an entry emits chosen(path).
#pragma once

#include <QListWidget>

namespace headroom::ui {

class RecentList : public QListWidget
{
    Q_OBJECT
public:
    RecentList(const QString &settingsKey, QWidget *parent = nullptr);

    void remember(const QString &path);
    void reload();

signals:
    void chosen(const QString &path);

private:
    QString m_key;
};

} // namespace headroom::ui
