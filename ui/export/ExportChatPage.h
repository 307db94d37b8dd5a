// The flow's last step, "Export & chat": the current run (the one that just
// finished, or the one chosen in the Runs view) and its checkpoints; export
// the chosen checkpoint as a PEFT adapter or as a merged model through a
// folder dialog, written and verified off the GUI thread with a progress
// bar; and below, the chat that compares the run's fine-tuned model with
// its base. Without a run the chat offers the draft's model alone.
#pragma once

#include "common/RunDraft.h"
#include "export/ExportJob.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace headroom::ui {

class ChatPanel;

class ExportChatPage : public QWidget
{
    Q_OBJECT
public:
    explicit ExportChatPage(RunDraft &draft, QWidget *parent = nullptr);

    QString runDir() const { return m_runDir; }
    ChatPanel *chatPanel() const { return m_chat; }

public slots:
    // A run folder (holds run.json and checkpoints/); empty = none.
    void setRun(const QString &runDir);
    void exportAdapter();
    void exportMerged();

signals:
    // `format` "peft" or "merged"; emitted once the folder was verified.
    void exported(const QString &format, const QString &path);

private:
    void reloadCheckpoints();
    void checkpointChosen();
    void askFolder(ExportRequest::Format format);
    void startExport(ExportRequest request);
    void showMessage(const QString &html, bool error);
    void updateButtons();
    QString checkpointName() const;

    RunDraft &m_draft;
    QString m_runDir;
    bool m_runHasAdapter = false;
    QLabel *m_runLabel;
    QComboBox *m_checkpoints;
    QPushButton *m_adapterButton;
    QPushButton *m_mergedButton;
    QComboBox *m_dtype;
    QComboBox *m_shardSize;
    QProgressBar *m_progress;
    QLabel *m_message;
    ChatPanel *m_chat;
    ExportJob m_job;
};

} // namespace headroom::ui
