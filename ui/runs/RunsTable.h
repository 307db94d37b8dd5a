// The list of recorded runs in the Runs view: one row per run (name, model,
// dataset, status in colour, steps done of total, last loss, created), rows
// selected as a whole, several at once. Listing again keeps the selection
// (by run id), so the list can follow a training run step by step.
#pragma once

#include "store/RunStore.h"

#include <QList>
#include <QTableWidget>

#include <vector>

namespace headroom::ui {

class RunsTable : public QTableWidget
{
    Q_OBJECT
public:
    explicit RunsTable(QWidget *parent = nullptr);

    // Lists `runs` in order; the runs selected before stay selected. Emits
    // selectionChanged signals only through selectRuns at the end.
    void setRuns(std::vector<store::RunRecord> runs);
    const std::vector<store::RunRecord> &runs() const { return m_runs; }

    // The selected runs, top to bottom.
    std::vector<store::RunRecord> selectedRuns() const;
    QList<qint64> selectedRunIds() const;
    void selectRuns(const QList<qint64> &ids);

private:
    std::vector<store::RunRecord> m_runs; // row by row
    bool m_sized = false;                 // columns fitted to the first runs listed
};

} // namespace headroom::ui
