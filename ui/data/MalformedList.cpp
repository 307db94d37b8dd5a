#include "MalformedList.h"

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace headroom::ui {

MalformedList::MalformedList(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    m_list = new QListWidget(this);
    m_list->setObjectName("malformedLines");
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_list, 1);
    setLines({});
}

void MalformedList::setLines(const std::vector<data::MalformedLine> &lines)
{
    m_list->clear();
    for (const data::MalformedLine &line : lines) {
        auto *item = new QListWidgetItem(
            tr("line %1: %2").arg(line.line).arg(QString::fromStdString(line.reason)), m_list);
        item->setData(Qt::UserRole, qulonglong(line.line));
        item->setToolTip(item->text());
    }
    m_title->setText(
        lines.empty() ? tr("<b>Malformed lines:</b> none")
                      : tr("<b>Malformed lines: %1</b> (skipped in training)").arg(lines.size()));
}

} // namespace headroom::ui
