// Data-parallel runs from the Train page: with RunDraft::dataParallel() = 2
// Start runs `headroom-cli train --nproc 2 --json` (two Gloo processes on
// the CPU) and the page reports it through the same signals as an
// in-process run: setup, every step into the loss plot, the end. Its loss
// curve equals the in-process run of the same config (global batch 2 × 1
// rows, one micro-batch per rank); Stop (SIGINT to the launcher) ends with a
// checkpoint (exit 130, "stopped"); Pause is not offered. Skipped only when
// the headroom-cli binary cannot be found.
#include "TrainPageTestSupport.h"
#include "common/RunDraft.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "common/TrainMetaTypes.h"
#include "io/JsonFile.h"
#include "memory/MemoryEstimate.h"
#include "train/LossPlot.h"
#include "train/ProcessTrainingRun.h"
#include "train/TrainPage.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace headroom;
using namespace headroom::ui;

namespace {

// The tiny run with two micro-batches of one row per step (one per rank
// with two processes) and no dropout (each rank draws its own masks).
void prepareDraft(RunDraft &draft, int64_t maxSteps, int processes,
                  const nlohmann::json &overrides = {})
{
    nlohmann::json merged = {{"micro_batch_size", 1}, {"grad_accum_steps", 2}};
    for (const auto &[key, value] : overrides.items())
        merged[key] = value;
    test::prepareTinyDraft(draft, maxSteps, merged);
    draft.update([](train::TrainConfig &c) { c.lora.dropout = 0.0; });
    draft.setDataParallel(processes);
}

} // namespace

class TestUiTrainParallel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_runs;

    struct Outcome
    {
        std::vector<train::StepMetrics> steps;
        train::RunSummary summary;
        QString runDir;
        QString log; // the page's log: the CLI's stderr for a data-parallel run
        int setups = 0;
        qint64 totalSteps = 0;
        int checkpoints = 0;
        int lossPoints = 0;
    };

    // Start clicked, the run followed to its end.
    Outcome train(int processes)
    {
        Outcome out;
        test::TrainPageUnderTest p;
        prepareDraft(p.draft, 4, processes);
        p.show(m_runs.path());
        QSignalSpy steps(&p.page, &TrainPage::stepDone);
        QSignalSpy setup(&p.page, &TrainPage::runSetup);
        QSignalSpy finished(&p.page, &TrainPage::runFinished);
        QSignalSpy failed(&p.page, &TrainPage::runFailed);
        QSignalSpy checkpoints(&p.page, &TrainPage::checkpointSaved);
        QSignalSpy running(&p.page, &TrainPage::runningChanged);
        QTest::mouseClick(p.page.findChild<QPushButton *>("startButton"), Qt::LeftButton);
        if (!p.page.isRunning() || p.page.runProcesses() != processes) {
            QTest::qFail("the run did not start", __FILE__, __LINE__);
            return out;
        }
        out.runDir = p.page.runDir();
        if (!QTest::qWaitFor([&] { return finished.count() + failed.count() > 0; }, 300000)) {
            QTest::qFail("the run did not end", __FILE__, __LINE__);
            return out;
        }
        if (failed.count() > 0) {
            QTest::qFail(qPrintable(failed.at(0).at(1).toString()), __FILE__, __LINE__);
            return out;
        }
        for (const auto &args : steps)
            out.steps.push_back(args.at(0).value<train::StepMetrics>());
        out.summary = finished.at(0).at(0).value<train::RunSummary>();
        out.setups = static_cast<int>(setup.count());
        out.totalSteps = setup.isEmpty() ? 0 : setup.at(0).at(2).toLongLong();
        if (!setup.isEmpty() && setup.at(0).at(0).toString() != out.runDir)
            QTest::qFail("runSetup names another folder", __FILE__, __LINE__);
        out.checkpoints = static_cast<int>(checkpoints.count());
        out.lossPoints = p.page.lossPlot()->rawGraph()->dataCount();
        out.log = p.page.findChild<QPlainTextEdit *>("trainLog")->toPlainText();
        if (running.count() != 2 || p.page.state() != TrainPage::State::Finished)
            QTest::qFail("the page did not end as finished", __FILE__, __LINE__);
        return out;
    }

private slots:
    void initTestCase()
    {
        registerTrainMetaTypes();
        QVERIFY(m_runs.isValid());
        const QString cli = QString::fromStdString(test::cliExecutable().string());
        if (!QFileInfo(cli).isExecutable())
            QSKIP("headroom-cli is not built; data-parallel runs need it");
        qputenv("HEADROOM_CLI", cli.toLocal8Bit());
        QCOMPARE(ProcessTrainingRun::findCli(), cli);
        // Two ranks share the cores: passive OpenMP waits, one thread each
        // (the CLI's processes read these; fp32 sums do not depend on them).
        qputenv("OMP_WAIT_POLICY", "PASSIVE");
        qputenv("OMP_NUM_THREADS", "1");
    }

    void twoProcessesTrainLikeOne()
    {
        const Outcome two = train(2);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(two.setups, 1);
        QCOMPARE(two.totalSteps, 4);
        QCOMPARE(two.steps.size(), size_t{4});
        QCOMPARE(two.lossPoints, 4);
        QVERIFY(!two.summary.stopped);
        QCOMPARE(two.summary.steps, 4);
        QCOMPARE(two.summary.totalSteps, 4);
        QCOMPARE(QString::fromStdString(two.summary.outputDir.string()), two.runDir);
        QVERIFY(two.checkpoints >= 1);
        // Really two ranks, joined over Gloo by the CLI's launcher.
        QVERIFY2(two.log.contains("started rank 1 of 2"), qPrintable(two.log));
        QVERIFY(QFile::exists(two.runDir + "/checkpoints/latest"));
        QVERIFY(QFile::exists(two.runDir + "/run.json"));
        for (size_t i = 0; i < two.steps.size(); ++i) {
            QCOMPARE(two.steps[i].step, static_cast<int64_t>(i + 1));
            QCOMPARE(two.steps[i].totalSteps, 4);
            QVERIFY(two.steps[i].memory.peak > 0);
        }

        const Outcome one = train(1);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(one.steps.size(), two.steps.size());
        // Per process (the reported figures are the largest over the ranks),
        // a rank holds no more than the one process did: one of the two
        // micro-batches, and its gradients are its all-reduce buckets, held
        // all run, which one process accumulating over two micro-batches
        // holds in its second forward too. The per-GPU estimate says the
        // same. (It assumes rows of max_seq_len tokens, the fixture's rows
        // are shorter: only the direction is compared.)
        RunDraft draft;
        prepareDraft(draft, 4, 2);
        const auto e1 = memory::estimateMemory(*draft.modelShape(), draft.config(), {}, 1);
        const auto e2 = memory::estimateMemory(*draft.modelShape(), draft.config(), {}, 2);
        const int64_t peak1 = one.steps.back().memory.peak, peak2 = two.steps.back().memory.peak;
        qInfo("peak: measured %lld (1 process), %lld (rank 0 of 2); estimated %lld, %lld",
              static_cast<long long>(peak1), static_cast<long long>(peak2),
              static_cast<long long>(e1.peak), static_cast<long long>(e2.peak));
        QVERIFY(peak2 <= peak1);
        QVERIFY(e2.peak <= e1.peak);
        QVERIFY(e2.gradientsResident && e2.load == e1.load + e1.gradients);
        for (size_t i = 0; i < one.steps.size(); ++i) {
            const double a = one.steps[i].loss, b = two.steps[i].loss;
            qInfo("step %zu: loss %.6f (1 process) %.6f (2 processes)", i + 1, a, b);
            QVERIFY2(std::abs(a - b) <= 1e-4 * std::max(1.0, std::abs(a)),
                     qPrintable(QStringLiteral("step %1: %2 vs %3").arg(i + 1).arg(a).arg(b)));
            QCOMPARE(two.steps[i].tokens, one.steps[i].tokens);
        }
    }

    // Exit 2 (bad data: nothing written) is a failure during setup with the
    // CLI's message, once, though every rank reports it.
    void badInputFailsWithTheCliMessage()
    {
        test::TrainPageUnderTest p;
        prepareDraft(p.draft, 4, 2,
                     {{"dataset", (test::trainFixtures() / "no-such-file.jsonl").string()}});
        p.show(m_runs.path());
        QSignalSpy failed(&p.page, &TrainPage::runFailed);
        QSignalSpy finished(&p.page, &TrainPage::runFinished);
        QTest::mouseClick(p.page.findChild<QPushButton *>("startButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 120000);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(p.page.state(), TrainPage::State::Failed);
        QVERIFY(!p.page.isRunning());
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains("no-such-file.jsonl"), qPrintable(message));
        QVERIFY2(message.count("no-such-file.jsonl") == 1, qPrintable(message));
        QVERIFY(p.page.findChild<QPushButton *>("startButton")->isEnabled());
        for (auto *widget : QApplication::topLevelWidgets()) // the error dialog, closed
            if (widget->objectName() == "trainErrorBox")
                widget->close();
    }

    void stopEndsWithACheckpoint()
    {
        test::TrainPageUnderTest p;
        prepareDraft(p.draft, 2000, 2);
        p.show(m_runs.path());
        auto *pause = p.page.findChild<QPushButton *>("pauseButton");
        auto *stop = p.page.findChild<QPushButton *>("stopButton");
        QSignalSpy steps(&p.page, &TrainPage::stepDone);
        QSignalSpy finished(&p.page, &TrainPage::runFinished);
        QSignalSpy failed(&p.page, &TrainPage::runFailed);
        QTest::mouseClick(p.page.findChild<QPushButton *>("startButton"), Qt::LeftButton);
        QVERIFY(p.page.isRunning());
        // No pause for processes that wait on each other; the tooltip says why.
        QVERIFY(!pause->isEnabled());
        QVERIFY(pause->toolTip().contains("data-parallel"));
        QVERIFY(stop->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 2 || failed.count() > 0, 120000);
        QCOMPARE(failed.count(), 0);
        QTest::mouseClick(stop, Qt::LeftButton);
        QCOMPARE(p.page.state(), TrainPage::State::Stopping);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 120000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(p.page.state(), TrainPage::State::Stopped);
        QVERIFY(!p.page.isRunning());
        const auto summary = finished.at(0).at(0).value<train::RunSummary>();
        QVERIFY(summary.stopped);
        QVERIFY(summary.steps >= 2 && summary.steps < 2000);
        QCOMPARE(summary.steps, steps.count());
        QVERIFY(QFile::exists(p.page.runDir() + "/checkpoints/latest"));
        QVERIFY(QFileInfo(QString::fromStdString(summary.lastCheckpoint.string())).isDir());
        QVERIFY(p.page.findChild<QPushButton *>("startButton")->isEnabled());
        QVERIFY(!pause->toolTip().contains("data-parallel"));
    }
};

QTEST_MAIN(TestUiTrainParallel)
#include "tst_ui_train_parallel.moc"
