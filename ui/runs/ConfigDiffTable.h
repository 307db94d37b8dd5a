// The "config difference" panel of the Runs view: for the selected runs, the
// settings whose values differ (flattened keys such as `lora.r`), one row
// each, one column per run; a hint above says how many differ or why the
// table is empty. The comparison itself is store::configDifferences.
#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace headroom::ui {

class ConfigDiffTable : public QWidget
{
    Q_OBJECT
public:
    explicit ConfigDiffTable(QWidget *parent = nullptr);

    // `names` and `configJsons` in the same order (one per selected run).
    void setRuns(const QStringList &names, const std::vector<std::string> &configJsons);

    // The keys listed, top to bottom (for tests and the screenshot).
    QStringList keys() const;
    QTableWidget *table() const { return m_table; }

private:
    QLabel *m_hint;
    QTableWidget *m_table;
};

} // namespace headroom::ui
