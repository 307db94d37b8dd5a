// See ConfigDiffTable.h.
#include "ConfigDiffTable.h"

#include "store/ConfigDiff.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace headroom::ui {

ConfigDiffTable::ConfigDiffTable(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("<b>Configuration difference</b>"), this);
    m_hint = new QLabel(this);
    m_hint->setObjectName("configDiffHint");
    m_hint->setWordWrap(true);
    m_table = new QTableWidget(this);
    m_table->setObjectName("configDiff");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(title);
    layout->addWidget(m_hint);
    layout->addWidget(m_table, 1);
    setRuns({}, {});
}

void ConfigDiffTable::setRuns(const QStringList &names, const std::vector<std::string> &configJsons)
{
    m_table->clear();
    m_table->setRowCount(0);
    if (configJsons.size() < 2) {
        m_table->setColumnCount(0);
        m_hint->setText(tr("Select two or more runs to compare their configurations."));
        return;
    }
    const auto differences = store::configDifferences(configJsons);
    m_table->setColumnCount(int(configJsons.size()) + 1);
    QStringList headers{tr("Setting")};
    headers += names;
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(int(differences.size()));
    for (int row = 0; row < int(differences.size()); ++row) {
        const auto &difference = differences[size_t(row)];
        QStringList values;
        for (const auto &value : difference.values)
            values << (value ? QString::fromStdString(*value) : tr("(not set)"));
        auto *key = new QTableWidgetItem(QString::fromStdString(difference.key));
        // "lora.r: 8 → 16": the whole change in one line, for the tooltip.
        const auto summary = tr("%1: %2").arg(key->text(), values.join(QStringLiteral(" \u2192 ")));
        key->setToolTip(summary);
        m_table->setItem(row, 0, key);
        for (int column = 0; column < values.size(); ++column) {
            auto *item = new QTableWidgetItem(values[column]);
            item->setToolTip(summary);
            m_table->setItem(row, column + 1, item);
        }
    }
    m_table->resizeColumnsToContents();
    m_hint->setText(differences.empty() ? tr("The selected runs have the same configuration.")
                                        : tr("%n setting(s) differ between the selected runs.",
                                             nullptr, int(differences.size())));
}

QStringList ConfigDiffTable::keys() const
{
    QStringList out;
    for (int row = 0; row < m_table->rowCount(); ++row)
        out << m_table->item(row, 0)->text();
    return out;
}

} // namespace headroom::ui
