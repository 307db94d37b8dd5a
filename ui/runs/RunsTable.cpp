// See RunsTable.h.
#include "RunsTable.h"

#include "RunStatusText.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLocale>

#include <set>

namespace headroom::ui {

namespace {

enum Column { Name, Model, Dataset, Status, Steps, LastLoss, Created, ColumnCount };

QString fileName(const std::string &path)
{
    const auto name = QFileInfo(QString::fromStdString(path)).fileName();
    return name.isEmpty() ? QString::fromStdString(path) : name;
}

QTableWidgetItem *cell(const QString &text, const QString &toolTip = {})
{
    auto *item = new QTableWidgetItem(text);
    item->setToolTip(toolTip.isEmpty() ? text : toolTip);
    return item;
}

// Ended badly: red; interrupted (resumable): orange; running: blue; else the palette's.
QColor statusColour(store::RunStatus status)
{
    switch (status) {
    case store::RunStatus::Failed:
        return QColor("#d62728");
    case store::RunStatus::Interrupted:
        return QColor("#e67e22");
    case store::RunStatus::Running:
        return QColor("#1f77b4");
    default:
        return {};
    }
}

} // namespace

RunsTable::RunsTable(QWidget *parent) : QTableWidget(0, ColumnCount, parent)
{
    setObjectName("runsTable");
    setHorizontalHeaderLabels({tr("Name"), tr("Model"), tr("Dataset"), tr("Status"), tr("Steps"),
                               tr("Last loss"), tr("Created")});
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    verticalHeader()->setVisible(false);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(true);
}

void RunsTable::setRuns(std::vector<store::RunRecord> runs)
{
    const auto keep = selectedRunIds();
    m_runs = std::move(runs);
    {
        const QSignalBlocker block(selectionModel());
        clearSelection();
        setRowCount(int(m_runs.size()));
        for (int row = 0; row < int(m_runs.size()); ++row) {
            const auto &run = m_runs[size_t(row)];
            setItem(row, Name,
                    cell(QString::fromStdString(run.name), QString::fromStdString(run.runDir)));
            setItem(row, Model, cell(fileName(run.model), QString::fromStdString(run.model)));
            setItem(row, Dataset, cell(fileName(run.dataset), QString::fromStdString(run.dataset)));
            auto *status = cell(statusText(run.status), QString::fromStdString(run.message));
            if (const auto colour = statusColour(run.status); colour.isValid())
                status->setForeground(colour);
            setItem(row, Status, status);
            setItem(row, Steps, cell(tr("%1 / %2").arg(run.lastStep).arg(run.totalSteps)));
            setItem(row, LastLoss,
                    cell(run.lastLoss ? QLocale().toString(*run.lastLoss, 'f', 4) : tr("–")));
            setItem(row, Created, cell(localTimeText(run.createdAt)));
        }
    }
    if (!m_sized && !m_runs.empty()) { // once: later listings keep the user's widths
        resizeColumnsToContents();
        // Sizing every column to its contents undoes the stretch: re-apply it.
        horizontalHeader()->setStretchLastSection(false);
        horizontalHeader()->setStretchLastSection(true);
        m_sized = true;
    }
    selectRuns(keep);
}

std::vector<store::RunRecord> RunsTable::selectedRuns() const
{
    std::set<int> rows;
    for (const auto &index : selectionModel()->selectedRows())
        rows.insert(index.row());
    std::vector<store::RunRecord> out;
    for (int row : rows)
        if (row < int(m_runs.size()))
            out.push_back(m_runs[size_t(row)]);
    return out;
}

QList<qint64> RunsTable::selectedRunIds() const
{
    QList<qint64> ids;
    for (const auto &run : selectedRuns())
        ids << run.id;
    return ids;
}

void RunsTable::selectRuns(const QList<qint64> &ids)
{
    QItemSelection selection;
    for (int row = 0; row < int(m_runs.size()); ++row)
        if (ids.contains(m_runs[size_t(row)].id))
            selection.select(model()->index(row, 0), model()->index(row, ColumnCount - 1));
    selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

} // namespace headroom::ui
