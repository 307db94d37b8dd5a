// What the export page offers from a run folder: its complete checkpoints
// (name and a label with step and loss), which one checkpoints/latest names,
// why none can be exported, and the model the run trains. Reads small JSON
// files only (through the exporters' RunCheckpoint reader); no weights.
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace headroom::ui {

class RunCheckpoints
{
    Q_DECLARE_TR_FUNCTIONS(RunCheckpoints)
public:
    struct Entry
    {
        QString name;  // folder name under checkpoints/
        QString label; // "step-00000004: step 4, loss 2.3100 (latest)"
    };

    explicit RunCheckpoints(const QString &runDir);

    QList<Entry> entries;
    QString latest;              // empty when there is none
    QString problem;             // why nothing can be exported; empty when fine
    bool problemIsError = false; // false: the run simply has no checkpoint yet

    // The run's model (run.json "model"); empty when unreadable.
    static QString runModel(const QString &runDir);
};

} // namespace headroom::ui
