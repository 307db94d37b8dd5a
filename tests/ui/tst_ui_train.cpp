// The Train page driven through its buttons on the offscreen platform: a
// real LoRA run of the tiny fixture Llama on small.jsonl (CPU, fp32) with
// points arriving in both plots, pause / resume / stop, a responsive GUI
// thread while it trains, the error dialog for bad input and NaN, and the
// out-of-memory answer (HEADROOM_TEST_OOM_AT_STEP) with "Apply and resume".
#include "TrainPageTestSupport.h"
#include "common/RunDraft.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "common/TrainMetaTypes.h"
#include "io/JsonFile.h"
#include "train/LossPlot.h"
#include "train/MemoryPlot.h"
#include "train/TrainPage.h"
#include "train/Trainer.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace headroom;
using namespace headroom::ui;

namespace {

QMessageBox *visibleBox(const QString &name)
{
    for (auto *widget : QApplication::topLevelWidgets())
        if (auto *box = qobject_cast<QMessageBox *>(widget);
            box && box->objectName() == name && box->isVisible())
            return box;
    return nullptr;
}

int lineCount(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().count('\n');
}

} // namespace

class TestUiTrain : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_runs;

private slots:
    void initTestCase()
    {
        registerTrainMetaTypes();
        QVERIFY(m_runs.isValid());
        qunsetenv("HEADROOM_TEST_OOM_AT_STEP");
    }

    // Points beyond kMaxPoints halve a curve's resolution (newest point
    // kept); a continuous stream of points redraws at most ~30 times a second.
    void plotsAreBoundedAndThrottled()
    {
        LossPlot plot;
        plot.resize(400, 300);
        plot.show();
        for (int i = 1; i <= 50000; ++i)
            plot.addStep(i, 1.0 / i);
        QVERIFY(plot.rawGraph()->dataCount() <= LivePlot::kMaxPoints);
        QVERIFY(plot.rawGraph()->dataCount() >= LivePlot::kMaxPoints / 2);
        QCOMPARE(plot.rawGraph()->data()->at(plot.rawGraph()->dataCount() - 1)->key, 50000.0);
        QCOMPARE(plot.rawGraph()->data()->at(0)->key, 1.0);
        const int before = plot.frames();
        QElapsedTimer clock;
        clock.start();
        for (int i = 50001; clock.elapsed() < 1000; ++i) {
            plot.addStep(i, 0.5);
            QCoreApplication::processEvents();
        }
        const int frames = plot.frames() - before;
        QVERIFY2(frames >= 3 && frames <= 35, qPrintable(QString::number(frames)));
        QVERIFY(plot.rawGraph()->dataCount() <= LivePlot::kMaxPoints);
    }

    // What "Apply and resume" may change: memory trade-offs, not the run.
    void resumeAllowsOnlyMemorySettings()
    {
        const auto saved = train::parseTrainConfig(test::tinyRunConfig("run"), "test");
        auto changed = saved;
        changed.gradientCheckpointing = true;
        changed.lora.dropout = 0;
        changed.microBatchSize = 1;
        changed.gradAccumSteps = 2; // same effective batch (2 x 1)
        changed.outputDir = "elsewhere";
        QVERIFY(!train::resumeConflict(saved, changed));
        changed.gradAccumSteps = 3;
        QVERIFY(train::resumeConflict(saved, changed).value_or("").find("effective batch") !=
                std::string::npos);
        changed = saved;
        changed.learningRate *= 2;
        QVERIFY(train::resumeConflict(saved, changed).value_or("").find("learning_rate") !=
                std::string::npos);
    }

    void trainsPausesResumesAndStops()
    {
        test::TrainPageUnderTest p;
        test::prepareTinyDraft(p.draft, 2000);
        p.show(m_runs.path());
        auto *start = p.page.findChild<QPushButton *>("startButton");
        auto *pause = p.page.findChild<QPushButton *>("pauseButton");
        auto *resume = p.page.findChild<QPushButton *>("resumeButton");
        auto *stop = p.page.findChild<QPushButton *>("stopButton");
        QVERIFY(start && pause && resume && stop);
        QVERIFY(start->isEnabled() && !pause->isEnabled() && !stop->isEnabled());
        QSignalSpy steps(&p.page, &TrainPage::stepDone);
        QSignalSpy setup(&p.page, &TrainPage::runSetup);
        QSignalSpy finished(&p.page, &TrainPage::runFinished);
        QSignalSpy running(&p.page, &TrainPage::runningChanged);

        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(p.page.isRunning());
        QVERIFY(!start->isEnabled() && pause->isEnabled() && stop->isEnabled());
        const QString runDir = p.page.runDir();
        QVERIFY2(runDir.startsWith(m_runs.path() + "/tiny_llama-"), qPrintable(runDir));
        // Pause at once: the worker stops after its first step.
        QTest::mouseClick(pause, Qt::LeftButton);
        QVERIFY(resume->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(p.page.state() == TrainPage::State::Paused, 60000);
        QCOMPARE(setup.count(), 1);
        QCOMPARE(setup.at(0).at(0).toString(), runDir);
        QCOMPARE(setup.at(0).at(2).toLongLong(), 2000);
        QCOMPARE(steps.count(), 1);
        // Both plots got their points (replotted at the next frame).
        QTRY_VERIFY_WITH_TIMEOUT(p.page.lossPlot()->frames() > 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(p.page.memoryPlot()->frames() > 0, 5000);
        QCOMPARE(p.page.lossPlot()->rawGraph()->dataCount(), 1);
        QCOMPARE(p.page.lossPlot()->smoothedGraph()->dataCount(), 1);
        for (int s = MemoryPlot::Load; s < MemoryPlot::SeriesCount; ++s)
            QCOMPARE(p.page.memoryPlot()->series(MemoryPlot::Series(s))->dataCount(), 1);
        const double peakMiB = p.page.memoryPlot()->series(MemoryPlot::Peak)->data()->at(0)->value;
        QVERIFY(peakMiB > 0);
        QVERIFY(p.page.memoryPlot()->estimate().value_or(0) > 0);

        // Paused: no step for a while.
        QTest::qWait(1500);
        QCOMPARE(steps.count(), 1);
        QVERIFY(p.page.isRunning());

        // Resumed: steps continue, and the GUI thread keeps turning: a 0 ms
        // timer fires often and never waits long.
        int ticks = 0;
        qint64 longestGap = 0;
        QElapsedTimer sinceTick;
        sinceTick.start();
        QTimer ticker;
        ticker.setInterval(0);
        connect(&ticker, &QTimer::timeout, [&] {
            ++ticks;
            longestGap = std::max(longestGap, sinceTick.restart());
        });
        QTest::mouseClick(resume, Qt::LeftButton);
        QCOMPARE(p.page.state(), TrainPage::State::Running);
        ticker.start();
        QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 6, 60000);
        ticker.stop();
        QVERIFY2(ticks > 50, qPrintable(QString::number(ticks)));
        QVERIFY2(longestGap < 500, qPrintable(QString::number(longestGap)));
        QTRY_VERIFY_WITH_TIMEOUT(p.page.lossPlot()->rawGraph()->dataCount() >= 6, 5000);
        const auto *progress = p.page.findChild<QProgressBar *>("trainProgress");
        QVERIFY(progress && progress->maximum() == 2000 && progress->value() >= 6);
        QVERIFY(p.page.findChild<QLabel *>("trainStats")->text().contains("tokens/s"));

        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        QCOMPARE(p.page.state(), TrainPage::State::Stopped);
        QVERIFY(!p.page.isRunning());
        QVERIFY(start->isEnabled() && !pause->isEnabled() && !stop->isEnabled());
        const auto summary = finished.at(0).at(0).value<train::RunSummary>();
        QVERIFY(summary.stopped);
        QVERIFY(summary.steps >= 6 && summary.steps < 2000);
        QCOMPARE(summary.steps, steps.count());
        QVERIFY(QFile::exists(runDir + "/checkpoints/latest"));
        QVERIFY(QFileInfo(QString::fromStdString(summary.lastCheckpoint.string())).isDir());
        QCOMPARE(lineCount(runDir + "/metrics.jsonl"), summary.steps);
        QCOMPARE(running.count(), 2);
        QVERIFY(p.page.stopAndWait(1000)); // idle: returns at once

        // The Runs view's "resume": continues after the saved step, curves kept.
        QSignalSpy setup2(&p.page, &TrainPage::runSetup);
        p.page.resumeRun(runDir);
        QTRY_VERIFY_WITH_TIMEOUT(setup2.count() == 1, 60000);
        QCOMPARE(setup2.at(0).at(3).toLongLong(), summary.steps);
        QTRY_VERIFY_WITH_TIMEOUT(steps.count() > summary.steps, 60000);
        QVERIFY(p.page.lossPlot()->rawGraph()->dataCount() > summary.steps);
        QVERIFY(p.page.stopAndWait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 10000);
    }

    void badInputOpensTheErrorDialog_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing dataset") << "dataset"
                                         << "no-such-file.jsonl";
        QTest::newRow("NaN loss") << "learning_rate"
                                  << "training stopped";
    }

    void badInputOpensTheErrorDialog()
    {
        QFETCH(QString, key);
        QFETCH(QString, expected);
        test::TrainPageUnderTest p;
        nlohmann::json overrides;
        if (key == "dataset")
            overrides["dataset"] = (test::trainFixtures() / "no-such-file.jsonl").string();
        else
            overrides = {{"learning_rate", 1e20}, {"max_grad_norm", 0}};
        test::prepareTinyDraft(p.draft, 30, overrides);
        p.show(m_runs.path());
        QSignalSpy failed(&p.page, &TrainPage::runFailed);
        QSignalSpy finished(&p.page, &TrainPage::runFinished);
        QTest::mouseClick(p.page.findChild<QPushButton *>("startButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 60000);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(p.page.state(), TrainPage::State::Failed);
        QVERIFY(!p.page.isRunning());
        QVERIFY2(failed.at(0).at(1).toString().contains(expected),
                 qPrintable(failed.at(0).at(1).toString()));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = visibleBox("trainErrorBox")) != nullptr, 5000);
        QVERIFY(box->informativeText().contains(expected));
        QVERIFY(p.page.findChild<QLabel *>("trainStatus")->text().contains("Failed"));
        // Closed from the test, as a user would.
        QTimer::singleShot(0, box, [box] { box->button(QMessageBox::Ok)->click(); });
        QTRY_VERIFY_WITH_TIMEOUT(visibleBox("trainErrorBox") == nullptr, 5000);
        QVERIFY(p.page.findChild<QPushButton *>("startButton")->isEnabled());
    }

    void outOfMemoryIsAnsweredWithAdviceAndResumes()
    {
        test::TrainPageUnderTest p;
        test::prepareTinyDraft(p.draft, 8, {{"save_every", 2}});
        const auto before = p.draft.config();
        p.show(m_runs.path());
        QSignalSpy failed(&p.page, &TrainPage::runFailed);
        QSignalSpy finished(&p.page, &TrainPage::runFinished);
        QSignalSpy setup(&p.page, &TrainPage::runSetup);
        qputenv("HEADROOM_TEST_OOM_AT_STEP", "5");
        QTest::mouseClick(p.page.findChild<QPushButton *>("startButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 60000);
        qunsetenv("HEADROOM_TEST_OOM_AT_STEP");
        QVERIFY(failed.at(0).at(1).toString().contains("out of memory"));
        QCOMPARE(p.page.state(), TrainPage::State::Failed);
        const QString runDir = p.page.runDir();
        QVERIFY(QFile::exists(runDir + "/checkpoints/latest"));

        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = visibleBox("outOfMemoryBox")) != nullptr, 5000);
        QVERIFY(visibleBox("trainErrorBox") == nullptr);
        QVERIFY2(box->informativeText().contains("estimator suggests"),
                 qPrintable(box->informativeText()));
        qInfo().noquote() << box->informativeText();
        auto *apply = box->findChild<QPushButton *>("applyAndResumeButton");
        QVERIFY(apply);
        QTest::mouseClick(apply, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
        QCOMPARE(p.page.state(), TrainPage::State::Finished);
        const auto summary = finished.at(0).at(0).value<train::RunSummary>();
        QVERIFY(!summary.stopped);
        QCOMPARE(summary.steps, 8);
        QCOMPARE(QString::fromStdString(summary.outputDir.string()), runDir);
        // Resumed after the checkpoint of step 4, in the same folder.
        QCOMPARE(setup.count(), 2);
        QCOMPARE(setup.at(1).at(0).toString(), runDir);
        QCOMPARE(setup.at(1).at(3).toLongLong(), 4);
        // The advice was applied to the run (its run.json) and to the draft,
        // and it is one the run may resume with.
        const auto saved = train::readTrainConfig((runDir + "/run.json").toStdString());
        QVERIFY(!(saved == before) && !train::resumeConflict(before, saved));
        QVERIFY(p.draft.config().gradientCheckpointing == saved.gradientCheckpointing &&
                p.draft.config().microBatchSize == saved.microBatchSize &&
                p.draft.config().quantization == saved.quantization);
        QCOMPARE(lineCount(runDir + "/metrics.jsonl"), 8);
    }
};

QTEST_MAIN(TestUiTrain)
#include "tst_ui_train.moc"
