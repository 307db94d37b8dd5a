// The main window: a sidebar with the flow Model → Data → Techniques & memory
// → Train → Export & chat, and the Runs view; one page per step in a stack.
// Owns the run draft that the pages share.
#pragma once

#include "common/RunDraft.h"

#include <QMainWindow>

class QListWidget;
class QStackedWidget;

namespace headroom::ui {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Page { ModelStep, DataStep, TechniquesStep, TrainStep, ExportStep, RunsView };

    explicit MainWindow(QWidget *parent = nullptr);

    RunDraft &draft() { return m_draft; }
    void showPage(Page page);
    Page currentPage() const;
    QWidget *page(Page page) const;

private:
    void addPage(QWidget *page, const QString &title);

    RunDraft m_draft;
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_stack = nullptr;
};

} // namespace headroom::ui
