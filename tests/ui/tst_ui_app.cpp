// The main window as a whole: the flow's pages, menus and shortcuts, the
// first launch with the built-in model and the demo dataset preselected, the
// session and window state kept across launches, a run started from the
// toolbar recorded in the run store and handed to the Runs view and the
// export page, and the German translation.
#include "app/Language.h"
#include "app/MainWindow.h"
#include "app/StartupSession.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "common/TrainMetaTypes.h"
#include "data/DataPage.h"
#include "export/ExportChatPage.h"
#include "model/ModelPage.h"
#include "runs/RunsPage.h"
#include "store/RunStore.h"
#include "train/TrainConfig.h"
#include "train/TrainPage.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace headroom;

namespace {

QString fixture(const char *name)
{
    return QString::fromStdString((test::trainFixtures() / name).string());
}

QAction *findAction(ui::MainWindow &window, const char *name)
{
    return window.findChild<QAction *>(name);
}

QStringList menuTitles(ui::MainWindow &window)
{
    QStringList titles;
    for (QAction *action : window.menuBar()->actions())
        titles << action->text();
    return titles;
}

} // namespace

class TestUiApp : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("HeadroomTest");
        QCoreApplication::setApplicationName("tst_ui_app");
        ui::registerTrainMetaTypes();
    }

    void init()
    {
        QSettings().clear();
        m_store = std::make_unique<store::RunStore>((m_dir.filePath("runs.sqlite")).toStdString());
    }

    void cleanup() { m_store.reset(); }

    void pagesMenusAndShortcuts()
    {
        ui::MainWindow window(*m_store);
        window.show();
        auto *sidebar = window.findChild<QListWidget *>("sidebar");
        QVERIFY(sidebar);
        QCOMPARE(sidebar->count(), 6);
        QCOMPARE(menuTitles(window), QStringList({"&File", "&Run", "&View", "&Help"}));
        for (const char *name :
             {"openModelAction", "openDatasetAction", "exportAdapterAction", "exportMergedAction",
              "startAction", "pauseAction", "resumeAction", "stopAction", "settingsAction"})
            QVERIFY2(findAction(window, name), name);
        // Nothing to pause or stop before a run.
        QVERIFY(findAction(window, "startAction")->isEnabled());
        QVERIFY(!findAction(window, "stopAction")->isEnabled());

        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), ui::MainWindow::TechniquesStep);
        QTest::keyClick(&window, Qt::Key_6, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), ui::MainWindow::RunsView);
        sidebar->setCurrentRow(1);
        QCOMPARE(window.currentPage(), ui::MainWindow::DataStep);
    }

    void firstLaunchPreselectsTheDefaultModelAndTheDemoDataset()
    {
        const QString model = qEnvironmentVariable("HEADROOM_DEFAULT_MODEL");
        if (model.isEmpty())
            QSKIP("HEADROOM_DEFAULT_MODEL is not set (scripts/setup.sh installs it)");
        ui::MainWindow window(*m_store);
        ui::applyStartup(window, {});
        QCOMPARE(QString::fromStdString(window.draft().config().model), model);
        QVERIFY(window.draft().modelShape().has_value());
        QCOMPARE(QString::fromStdString(window.draft().config().dataset), ui::demoDatasetPath());
        QVERIFY(ui::demoDatasetPath().endsWith("resources/demo/demo-dataset.jsonl"));
        // The status bar shows the estimate for it at once.
        auto *estimate = window.findChild<QLabel *>("estimateStatus");
        QVERIFY(estimate && estimate->text().contains("Estimated peak"));
    }

    // The README's run command: the demo recipe names neither model nor
    // dataset path of this machine; the command line does.
    void theDemoRecipeLoadsWithTheCommandLinesModel()
    {
        ui::MainWindow window(*m_store);
        const QString recipe =
            QString::fromStdString((test::sourceDir() / "resources/demo/demo-run.json").string());
        ui::applyStartup(window, {fixture("tiny_llama"), fixture("small.jsonl"), recipe, 2});
        const auto &config = window.draft().config();
        QCOMPARE(QString::fromStdString(config.model), fixture("tiny_llama"));
        QCOMPARE(QString::fromStdString(config.dataset), fixture("small.jsonl"));
        QVERIFY(config.quantization == train::Quantization::Nf4);
        QVERIFY(config.optimizer == train::Optimizer::AdamW8bit);
        QCOMPARE(config.maxSteps.value_or(0), int64_t(40));
        QCOMPARE(window.currentPage(), ui::MainWindow::TechniquesStep);
        QVERIFY(!QApplication::activeModalWidget()); // no error box
    }

    void sessionAndWindowStateSurviveARestart()
    {
        {
            ui::MainWindow window(*m_store);
            window.show();
            ui::applyStartup(window, {fixture("tiny_llama"), fixture("small.jsonl"), {}, {}});
            window.draft().update([](train::TrainConfig &config) { config.lora.r = 4; });
            window.showPage(ui::MainWindow::TechniquesStep);
            window.resize(1500, 950);
            QVERIFY(window.close());
            ui::saveSession(window);
        }
        ui::MainWindow window(*m_store);
        ui::applyStartup(window, {});
        QCOMPARE(window.draft().config().lora.r, int64_t(4));
        QCOMPARE(QString::fromStdString(window.draft().config().model), fixture("tiny_llama"));
        QCOMPARE(QString::fromStdString(window.draft().config().dataset), fixture("small.jsonl"));
        QCOMPARE(window.currentPage(), ui::MainWindow::TechniquesStep);
        QCOMPARE(window.size(), QSize(1500, 950));
    }

    void aRunStartedFromTheToolbarIsRecorded()
    {
        QTemporaryDir runs;
        ui::MainWindow window(*m_store);
        window.show();
        window.trainPage()->setRunsRoot(runs.path());
        auto config =
            train::parseTrainConfig(test::tinyRunConfig(runs.path().toStdString()), "tiny");
        window.draft().setConfig(config);
        QVERIFY(window.modelPage()->openModel(fixture("tiny_llama")));
        QVERIFY(window.dataPage()->openDataset(fixture("small.jsonl")));

        QSignalSpy finished(window.trainPage(), &ui::TrainPage::runFinished);
        findAction(window, "startAction")->trigger();
        QCOMPARE(window.currentPage(), ui::MainWindow::TrainStep);
        QTRY_VERIFY(!findAction(window, "startAction")->isEnabled());
        QVERIFY(findAction(window, "stopAction")->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        QTRY_VERIFY(findAction(window, "startAction")->isEnabled());

        const auto recorded = m_store->listRuns();
        QCOMPARE(recorded.size(), size_t(1));
        QVERIFY(recorded[0].status == store::RunStatus::Finished);
        QCOMPARE(recorded[0].lastStep, int64_t(4));
        QCOMPARE(m_store->steps(recorded[0].id).size(), size_t(4));
        QVERIFY(!m_store->checkpoints(recorded[0].id).empty());
        auto *table = window.runsPage()->findChild<QTableWidget *>();
        QVERIFY(table);
        QTRY_COMPARE(table->rowCount(), 1);
        // The export page now holds this run.
        const auto summary = finished.first().first().value<train::RunSummary>();
        QCOMPARE(QString::fromStdString(summary.outputDir.string()),
                 QString::fromStdString(recorded[0].runDir));
        QCOMPARE(window.exportPage()->runDir(), QString::fromStdString(recorded[0].runDir));
    }

    void germanTranslation()
    {
        QVERIFY(ui::installTranslations("de"));
        {
            ui::MainWindow window(*m_store);
            QCOMPARE(menuTitles(window), QStringList({"&Datei", "&Lauf", "&Ansicht", "&Hilfe"}));
            auto *sidebar = window.findChild<QListWidget *>("sidebar");
            QCOMPARE(sidebar->item(0)->text(), QString("1  Modell"));
            QCOMPARE(findAction(window, "startAction")->text(), QString("&Trainieren"));
        }
        QVERIFY(ui::installTranslations("en"));
        ui::MainWindow window(*m_store);
        QCOMPARE(menuTitles(window).first(), QString("&File"));
    }

    void languageFollowsTheSettingOrTheSystem()
    {
        QCOMPARE(ui::effectiveLanguage("de"), QString("de"));
        QCOMPARE(ui::effectiveLanguage("en"), QString("en"));
        QLocale::setDefault(QLocale(QLocale::German));
        const QString system = ui::effectiveLanguage("");
        QVERIFY(system == "de" || system == "en"); // QLocale::system() is the process's locale
        ui::setLanguageSetting("de");
        QCOMPARE(ui::languageSetting(), QString("de"));
    }

    void aboutNamesTheVersions()
    {
        ui::MainWindow window(*m_store);
        QString text;
        QTimer::singleShot(0, this, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box);
            text = box->text();
            box->accept();
        });
        window.findChild<QMenuBar *>()->actions().last()->menu()->actions().first()->trigger();
        QVERIFY(text.contains("Headroom 0.1.0"));
        QVERIFY(text.contains("LibTorch 2.11"));
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::RunStore> m_store;
};

QTEST_MAIN(TestUiApp)
#include "tst_ui_app.moc"
