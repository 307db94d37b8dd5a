// Step 1 of the flow: choose the model to fine-tune. Opens a Hugging Face
// folder, a .gguf file or a model of the local Hugging Face cache (file
// dialog, drag and drop, the cache list, recent models), shows what it is and
// hands its shape to the RunDraft. Reads config and headers only
// (model::inspectModel); the weights are loaded by the trainer. A model that
// cannot be used is explained inline and leaves the draft without a model.
#pragma once

#include "common/RunDraft.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;

namespace headroom::model {
struct ModelSummary;
}

namespace headroom::ui {

class RecentList;

class ModelSummaryPanel;

class ModelPage : public QWidget
{
    Q_OBJECT
public:
    explicit ModelPage(RunDraft &draft, QWidget *parent = nullptr);

    // The argument of the model shown (empty when none).
    QString currentModel() const { return m_argument; }

public slots:
    // A folder, a .gguf file, a config.json (its folder is opened) or a repo
    // id of the Hugging Face cache. Returns whether the model can be used.
    bool openModel(const QString &argument);
    void openModelDialog();  // a .gguf file or a folder's config.json
    void openFolderDialog(); // a model folder
    void refreshCachedModels();

signals:
    void modelOpened(const QString &argument);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void showError(const QString &message);
    void followDraft();

    RunDraft &m_draft;
    QString m_argument;
    QLabel *m_error = nullptr;
    ModelSummaryPanel *m_summary = nullptr;
    RecentList *m_recent = nullptr;
    QListWidget *m_cached = nullptr;
    QLabel *m_cacheFolder = nullptr;
};

} // namespace headroom::ui
