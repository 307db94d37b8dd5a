// Starts the real application window (under Xvfb when CTest found xvfb-run),
// preselects the built-in model, the demo dataset and the demo recipe as the
// README's run command does, trains a few steps, and saves a screenshot of
// every page into <build>/screenshots/. The README's pictures come from here.
#include "app/MainWindow.h"
#include "app/StartupSession.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "common/TrainMetaTypes.h"
#include "data/DataPage.h"
#include "runs/RunsPage.h"
#include "store/RunStore.h"
#include "train/TrainPage.h"

#include <QAction>
#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace headroom;

class TestUiAppScreenshots : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("HeadroomTest");
        QCoreApplication::setApplicationName("tst_ui_app_screenshots");
        ui::registerTrainMetaTypes();
        QDir().mkpath(HEADROOM_SCREENSHOT_DIR);
    }

    void everyPageFromARealRun()
    {
        QString model = qEnvironmentVariable("HEADROOM_DEFAULT_MODEL");
        if (model.isEmpty()) // without the built-in model, the tiny fixture
            model = QString::fromStdString((test::trainFixtures() / "tiny_llama").string());
        const QString demo =
            QString::fromStdString((test::sourceDir() / "resources/demo").string());
        QTemporaryDir dir;
        store::RunStore store(dir.filePath("runs.sqlite").toStdString());

        ui::MainWindow window(store);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.trainPage()->setRunsRoot(dir.filePath("runs"));
        QSignalSpy analysed(window.dataPage(), &ui::DataPage::datasetAnalysed);
        ui::applyStartup(window,
                         {model, demo + "/demo-dataset.jsonl", demo + "/demo-run.json", {}});
        QVERIFY(window.draft().modelShape().has_value());
        window.draft().update([](train::TrainConfig &config) {
            config.maxSteps = qEnvironmentVariableIntValue("HEADROOM_SCREENSHOT_STEPS") > 0
                                  ? qEnvironmentVariableIntValue("HEADROOM_SCREENSHOT_STEPS")
                                  : 6;
            config.evalEvery = 2;
            config.warmupSteps = 2;
        });
        QTRY_VERIFY_WITH_TIMEOUT(analysed.size() >= 1, 120000);

        shoot(window, ui::MainWindow::ModelStep, "1-model");
        shoot(window, ui::MainWindow::DataStep, "2-data");
        shoot(window, ui::MainWindow::TechniquesStep, "3-memory");

        QSignalSpy finished(window.trainPage(), &ui::TrainPage::runFinished);
        QSignalSpy failed(window.trainPage(), &ui::TrainPage::runFailed);
        window.findChild<QAction *>("startAction")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() >= 1, 900000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QTest::qWait(200); // the plots' last throttled redraw
        shoot(window, ui::MainWindow::TrainStep, "4-train");
        // The README's picture of the train page: controls and curves, not
        // the log (it names this machine's temporary run folder).
        auto *log = window.trainPage()->findChild<QWidget *>("trainLog");
        QVERIFY(log);
        const int logTop = log->mapTo(&window, QPoint(0, 0)).y();
        QVERIFY(window.grab(QRect(0, 0, window.width(), logTop - 4))
                    .save(QStringLiteral(HEADROOM_SCREENSHOT_DIR "/readme-train.png")));
        shoot(window, ui::MainWindow::ExportStep, "5-export");
        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), size_t(1));
        window.runsPage()->selectRuns({runs[0].id});
        shoot(window, ui::MainWindow::RunsView, "6-runs");
    }

private:
    void shoot(ui::MainWindow &window, ui::MainWindow::Page page, const char *name)
    {
        window.showPage(page);
        QTest::qWait(100);
        const QImage image = window.grab().toImage();
        const QString file = QStringLiteral(HEADROOM_SCREENSHOT_DIR "/%1.png").arg(name);
        QVERIFY2(image.save(file), qPrintable(file));
        // A real page, not an empty frame: many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, name);
        qInfo("screenshot %s", qPrintable(file));
    }
};

QTEST_MAIN(TestUiAppScreenshots)
#include "tst_ui_app_screenshots.moc"
