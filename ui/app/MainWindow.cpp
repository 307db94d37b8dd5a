#include "MainWindow.h"

#include "data/DataPage.h"
#include "export/ExportChatPage.h"
#include "model/ModelPage.h"
#include "runs/RunsPage.h"
#include "techniques/TechniquesPage.h"
#include "train/TrainPage.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QStackedWidget>

namespace headroom::ui {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    m_sidebar = new QListWidget(central);
    m_sidebar->setObjectName("sidebar");
    m_sidebar->setFixedWidth(200);
    m_stack = new QStackedWidget(central);
    layout->addWidget(m_sidebar);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    addPage(new ModelPage(m_draft), tr("1  Model"));
    addPage(new DataPage(m_draft), tr("2  Data"));
    addPage(new TechniquesPage(m_draft), tr("3  Techniques && memory"));
    addPage(new TrainPage(m_draft), tr("4  Train"));
    addPage(new ExportChatPage(m_draft), tr("5  Export && chat"));
    addPage(new RunsPage(m_draft), tr("Runs"));
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_sidebar->setCurrentRow(0);
    setWindowTitle(tr("Headroom"));
}

void MainWindow::addPage(QWidget *page, const QString &title)
{
    m_stack->addWidget(page);
    m_sidebar->addItem(title);
}

void MainWindow::showPage(Page page) { m_sidebar->setCurrentRow(int(page)); }

MainWindow::Page MainWindow::currentPage() const { return Page(m_stack->currentIndex()); }

QWidget *MainWindow::page(Page page) const { return m_stack->widget(int(page)); }

} // namespace headroom::ui
