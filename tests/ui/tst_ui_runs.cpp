// The Runs view on a real run store: runs recorded through RunRecorder's
// slots (the train page's signals, with synthetic metrics) are listed with
// their status, steps and last loss; selecting two overlays two curves in
// distinct colours and lists exactly the settings that differ; Resume is
// enabled only for an ended run with a checkpoint — also one left 'running'
// by a killed process — and emits its folder; Delete asks and keeps the
// files; a run folder is imported; the store survives closing and reopening.
#include "common/TestSupport.h"
#include "runs/ConfigDiffTable.h"
#include "runs/RunCurves.h"
#include "runs/RunRecorder.h"
#include "runs/RunsPage.h"
#include "train/MetricsJson.h"
#include "train/TrainConfig.h"

#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <qcustomplot.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
namespace test = headroom::test;
namespace train = headroom::train;
using headroom::store::RunStore;
using namespace headroom::ui;

namespace {

train::TrainConfig configFor(const fs::path &runDir, int64_t r, double lr)
{
    train::TrainConfig config;
    config.model = "/models/tiny_llama";
    config.dataset = "/data/small.jsonl";
    config.lora.r = r;
    config.learningRate = lr;
    config.outputDir = runDir.string();
    return config;
}

QString jsonOf(const train::TrainConfig &config)
{
    return QString::fromStdString(train::toJson(config).dump());
}

train::StepMetrics stepOf(int64_t step, int64_t total, double loss, int64_t peakMiB)
{
    train::StepMetrics s;
    s.step = step;
    s.totalSteps = total;
    s.loss = loss;
    s.memory.peak = peakMiB * 1024 * 1024;
    return s;
}

// A checkpoint as the trainer leaves it: checkpoints/step-N/state.json and
// the `latest` pointer (what train::latestCheckpoint reads).
void writeCheckpoint(const fs::path &runDir, int64_t step, int64_t total)
{
    char name[32];
    std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
    fs::create_directories(runDir / "checkpoints" / name);
    test::writeBytes(runDir / "checkpoints" / name / "state.json",
                     nlohmann::json{{"step", step}, {"total_steps", total}}.dump());
    test::writeBytes(runDir / "checkpoints" / "latest", name);
}

// Records a whole run through the recorder, as the train page would report it.
void recordRun(RunRecorder &recorder, const fs::path &runDir, int64_t r, double lr, int64_t steps,
               int64_t total, double firstLoss, int64_t peakMiB)
{
    fs::create_directories(runDir);
    train::writeTrainConfig(configFor(runDir, r, lr), runDir / "run.json");
    recorder.runSetup(QString::fromStdString(runDir.string()), jsonOf(configFor(runDir, r, lr)),
                      total, 0);
    for (int64_t step = 1; step <= steps; ++step)
        recorder.stepDone(stepOf(step, total, firstLoss - 0.1 * double(step), peakMiB + step));
}

int rowOf(QTableWidget *table, const QString &name)
{
    for (int row = 0; row < table->rowCount(); ++row)
        if (table->item(row, 0)->text() == name)
            return row;
    return -1;
}

void clickRow(QTableWidget *table, int row, Qt::KeyboardModifiers modifiers = {})
{
    const auto rect = table->visualRect(table->model()->index(row, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, modifiers, rect.center());
}

} // namespace

class TestUiRuns : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { registerTrainMetaTypes(); }

    void listsComparesResumesAndSurvivesReopening()
    {
        test::TempDir temp;
        const auto file = temp / "data" / "runs.sqlite";
        const auto alpha = temp / "runs" / "alpha", beta = temp / "runs" / "beta";
        const auto gamma = temp / "runs" / "gamma", delta = temp / "runs" / "delta";
        {
            RunStore store(file);
            RunRecorder recorder(store);
            RunsPage page(store);
            page.resize(1200, 800);
            page.show();
            connect(&recorder, &RunRecorder::runsChanged, &page, &RunsPage::refresh);
            QSignalSpy changed(&recorder, &RunRecorder::runsChanged);
            QSignalSpy failed(&recorder, &RunRecorder::recordingFailed);

            recordRun(recorder, alpha, 8, 2e-4, 5, 5, 3.0, 100);
            recorder.evalDone({5, 2.6, 10});
            writeCheckpoint(alpha, 5, 5);
            recorder.checkpointSaved(5, QString::fromStdString((alpha / "checkpoints").string()));
            train::RunSummary done;
            done.steps = 5;
            done.totalSteps = 5;
            done.outputDir = alpha;
            recorder.runFinished(done);
            // Exports go to the run trained last, or to the one the export page was given.
            const auto alphaId = store.findRun(alpha.string());
            QVERIFY(alphaId);
            recorder.recordExport("peft", QString::fromStdString((temp / "adapter").string()));
            QCOMPARE(store.exports(*alphaId).size(), size_t(1));
            QCOMPARE(store.exports(*alphaId)[0].format, std::string("peft"));

            recordRun(recorder, beta, 16, 1e-4, 4, 4, 2.0, 200);
            train::RunSummary betaDone;
            betaDone.steps = 4;
            betaDone.totalSteps = 4;
            recorder.runFinished(betaDone);
            recorder.setExportRun(QString::fromStdString(alpha.string()));
            recorder.recordExport("merged", QString::fromStdString((temp / "merged").string()));
            QCOMPARE(store.exports(*alphaId).size(), size_t(2));
            QCOMPARE(store.exports(*store.findRun(beta.string())).size(), size_t(0));

            recordRun(recorder, gamma, 8, 2e-4, 3, 10, 4.0, 150);
            writeCheckpoint(gamma, 2, 10);
            recorder.checkpointSaved(2, "step-00000002");
            recorder.runFailed(QString::fromStdString(gamma.string()), "out of memory");
            // Failed before its first checkpoint: nothing to resume from.
            recordRun(recorder, delta, 8, 2e-4, 1, 10, 4.0, 150);
            recorder.runFailed({}, "diverged");
            QVERIFY(changed.count() >= 15);
            QCOMPARE(failed.count(), 0);

            auto *table = page.findChild<QTableWidget *>("runsTable");
            QVERIFY(table);
            QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 4, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(table->item(rowOf(table, "gamma"), 3)->text(),
                                      QString("Failed"), 5000);
            const int a = rowOf(table, "alpha"), b = rowOf(table, "beta"),
                      g = rowOf(table, "gamma");
            QVERIFY(a >= 0 && b >= 0 && g >= 0);
            QCOMPARE(table->item(a, 1)->text(), QString("tiny_llama"));
            QCOMPARE(table->item(a, 2)->text(), QString("small.jsonl"));
            QCOMPARE(table->item(a, 3)->text(), QString("Finished"));
            QCOMPARE(table->item(a, 4)->text(), QString("5 / 5"));
            QCOMPARE(table->item(a, 5)->text(), QLocale().toString(2.5, 'f', 4));
            QCOMPARE(table->item(g, 4)->text(), QString("3 / 10"));

            // One run: its loss curve, its evaluation points and its peak memory.
            clickRow(table, a);
            QCOMPARE(page.selectedRunIds().size(), 1);
            auto *loss = page.findChild<QCustomPlot *>("lossPlot");
            auto *memory = page.findChild<QCustomPlot *>("memoryPlot");
            QVERIFY(loss && memory);
            QCOMPARE(loss->graphCount(), 2); // training + evaluation
            QCOMPARE(loss->graph(0)->data()->size(), 5);
            QCOMPARE(loss->graph(1)->data()->size(), 1);
            QCOMPARE(memory->graphCount(), 1);
            QCOMPARE(memory->graph(0)->data()->at(2)->value, 103.0); // MiB at step 3

            auto *resume = page.findChild<QPushButton *>("resumeButton");
            auto *exportButton = page.findChild<QPushButton *>("exportButton");
            QVERIFY(resume && exportButton);
            QVERIFY(!resume->isEnabled()); // finished
            QVERIFY(exportButton->isEnabled());

            // Two runs: two curves in two colours with a legend, and exactly
            // the settings that differ.
            clickRow(table, b, Qt::ControlModifier);
            QCOMPARE(page.selectedRunIds().size(), 2);
            QCOMPARE(loss->graphCount(), 3); // alpha, its evaluation, beta
            QCOMPARE(memory->graphCount(), 2);
            QVERIFY(memory->graph(0)->pen().color() != memory->graph(1)->pen().color());
            QVERIFY(memory->legend->visible());
            QStringList names{memory->graph(0)->name(), memory->graph(1)->name()};
            names.sort();
            QCOMPARE(names, (QStringList{"alpha", "beta"}));
            QCOMPARE(page.configDiff()->keys(),
                     (QStringList{"learning_rate", "lora.r", "output_dir"}));
            QVERIFY(!resume->isEnabled());
            QVERIFY(!exportButton->isEnabled());

            // The failed run with a checkpoint resumes from its folder.
            clickRow(table, g);
            QTRY_VERIFY(resume->isEnabled());
            QSignalSpy resumed(&page, &RunsPage::resumeRequested);
            QTest::mouseClick(resume, Qt::LeftButton);
            QCOMPARE(resumed.count(), 1);
            QCOMPARE(resumed[0][0].toString(),
                     QString::fromStdString(RunStore::normalizeRunDir(gamma.string())));
            QSignalSpy exported(&page, &RunsPage::exportRequested);
            QTest::mouseClick(exportButton, Qt::LeftButton);
            QCOMPARE(exported.count(), 1);
            QCOMPARE(exported[0][0].toString(), resumed[0][0].toString());

            clickRow(table, rowOf(table, "delta"));
            QCOMPARE(table->item(rowOf(table, "delta"), 3)->text(), QString("Failed"));
            QVERIFY(!resume->isEnabled());
            QVERIFY(!exportButton->isEnabled());
            clickRow(table, g);
            QVERIFY(resume->isEnabled());

            // A resumed run keeps its row and loses the steps after the checkpoint.
            recorder.runSetup(QString::fromStdString(gamma.string()),
                              jsonOf(configFor(gamma, 8, 2e-4)), 10, 2);
            QCOMPARE(store.steps(*recorder.currentRunId()).size(), size_t(2));
            QTRY_COMPARE_WITH_TIMEOUT(table->item(rowOf(table, "gamma"), 3)->text(),
                                      QString("Running"), 5000);
            QCOMPARE(table->rowCount(), 4);
            QVERIFY(!resume->isEnabled()); // it is running now
            recorder.runFailed({}, "stopped by the test");
        }

        // Another process starts a run, saves a checkpoint and is killed.
        const auto killed = temp / "runs" / "killed";
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            try {
                RunStore store(file);
                RunRecorder recorder(store);
                recordRun(recorder, killed, 8, 3e-4, 2, 6, 3.0, 100);
                writeCheckpoint(killed, 2, 6);
                recorder.checkpointSaved(2, "step-00000002");
            } catch (...) {
                _exit(3);
            }
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        // Reopened: everything is still there; the killed run is interrupted
        // and can be resumed.
        RunStore store(file);
        QCOMPARE(store.markInterrupted(), 1);
        RunsPage page(store);
        page.show();
        auto *table = page.findChild<QTableWidget *>("runsTable");
        QCOMPARE(table->rowCount(), 5);
        const int k = rowOf(table, "killed");
        QCOMPARE(table->item(k, 3)->text(), QString("Interrupted"));
        QCOMPARE(table->item(rowOf(table, "alpha"), 4)->text(), QString("5 / 5"));
        clickRow(table, rowOf(table, "alpha"));
        QCOMPARE(page.curves()->lossPlot()->graph(0)->data()->size(), 5);
        clickRow(table, k);
        auto *resume = page.findChild<QPushButton *>("resumeButton");
        QVERIFY(resume->isEnabled());
        QSignalSpy resumed(&page, &RunsPage::resumeRequested);
        QTest::mouseClick(resume, Qt::LeftButton);
        QCOMPARE(resumed.count(), 1);
        QCOMPARE(resumed[0][0].toString(),
                 QString::fromStdString(RunStore::normalizeRunDir(killed.string())));

        // Delete from list asks first, forgets the record, keeps the folder.
        clickRow(table, rowOf(table, "beta"));
        QTest::mouseClick(page.findChild<QPushButton *>("deleteButton"), Qt::LeftButton);
        auto *confirm = page.findChild<QMessageBox *>("deleteConfirmation");
        QVERIFY(confirm);
        QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_COMPARE(table->rowCount(), 4);
        QCOMPARE(rowOf(table, "beta"), -1);
        QVERIFY(fs::exists(beta / "run.json"));
    }

    void importsARunFolder()
    {
        test::TempDir temp;
        RunStore store(temp / "runs.sqlite");
        RunsPage page(store);
        page.show();
        auto *table = page.findChild<QTableWidget *>("runsTable");
        QCOMPARE(table->rowCount(), 0);

        // A folder as `headroom-cli train` leaves it after being stopped at step 3.
        const auto runDir = temp / "cli-run";
        fs::create_directories(runDir);
        auto config = configFor(runDir, 4, 1e-3);
        config.maxSteps = 6;
        config.epochs.reset();
        train::writeTrainConfig(config, runDir / "run.json");
        std::ofstream metrics(runDir / "metrics.jsonl");
        for (int64_t step = 1; step <= 3; ++step)
            metrics << train::toJson(stepOf(step, 6, 2.0 / double(step), 50)).dump() << "\n";
        metrics << train::toJson(train::EvalMetrics{3, 0.9, 12}).dump() << "\n";
        metrics.close();
        writeCheckpoint(runDir, 3, 6);

        QVERIFY(page.importRunFolder(QString::fromStdString(runDir.string())));
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, 3)->text(), QString("Interrupted"));
        QCOMPARE(table->item(0, 4)->text(), QString("3 / 6"));
        QCOMPARE(page.selectedRunIds().size(), 1);
        QCOMPARE(page.curves()->lossPlot()->graph(0)->data()->size(), 3);
        QCOMPARE(page.curves()->lossPlot()->graphCount(), 2);
        QVERIFY(page.findChild<QPushButton *>("resumeButton")->isEnabled());

        // Not a run folder: a message that names it, and nothing added.
        fs::create_directories(temp / "photos");
        QVERIFY(!page.importRunFolder(QString::fromStdString((temp / "photos").string())));
        auto *error = page.findChild<QMessageBox *>("runsError");
        QVERIFY(error);
        QVERIFY2(error->text().contains("photos") && error->text().contains("run.json"),
                 qPrintable(error->text()));
        QCOMPARE(table->rowCount(), 1);
    }
};

QTEST_MAIN(TestUiRuns)
#include "tst_ui_runs.moc"
