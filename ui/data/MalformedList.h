// The records training will skip, one "line 17: reason" entry each, as the
// engine's readers and format checks reported them, under a count.
#pragma once

#include "data/Record.h"

#include <QWidget>

#include <vector>

class QLabel;
class QListWidget;

namespace headroom::ui {

class MalformedList : public QWidget
{
    Q_OBJECT
public:
    explicit MalformedList(QWidget *parent = nullptr);

    void setLines(const std::vector<data::MalformedLine> &lines);

private:
    QLabel *m_title = nullptr;
    QListWidget *m_list = nullptr;
};

} // namespace headroom::ui
