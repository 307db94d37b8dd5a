// The techniques & memory page: every control edits the draft; the page's
// estimate is the engine's memory::estimateMemory for the draft's config and
// the planned device, and equals what `headroom-cli estimate --json` prints
// for the same saved config; the stacked bars sum to the stage totals; a
// small GPU flips the verdict and shows advice that applies itself; invalid
// combinations are marked inline.
#include "TechniquesTestSupport.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "io/ModelSource.h"
#include "memory/FitAdvice.h"
#include "memory/GpuCatalog.h"
#include "memory/MemoryCalibration.h"
#include "model/ModelLoader.h"
#include "techniques/DeviceSelector.h"
#include "techniques/EstimateChart.h"
#include "techniques/TechniquesPage.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <qcustomplot.h>

#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;

class TestUiTechniques : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TempDir> m_temp;

    static fs::path tinyModel() { return test::trainFixtures() / "tiny_llama"; }
    template <typename T> static T *child(QWidget &page, const QString &name)
    {
        auto *w = page.findChild<T *>(name);
        if (!w)
            qFatal("no widget %s", qPrintable(name));
        return w;
    }
    static void selectDevice(ui::TechniquesPage &page, const std::string &name)
    {
        const int index = page.deviceSelector()->indexOfDevice(QString::fromStdString(name));
        QVERIFY2(index >= 0, name.c_str());
        page.deviceSelector()->setCurrentIndex(index);
    }
    static void selectData(QComboBox *box, int value)
    {
        const int index = box->findData(value);
        QVERIFY(index >= 0);
        box->setCurrentIndex(index);
    }
    // The page shows exactly the engine's estimate of the draft as it is.
    static void checkMatchesEngine(const ui::TechniquesPage &page, const ui::RunDraft &draft)
    {
        QVERIFY(page.currentEstimate().has_value());
        const auto expected =
            memory::estimateMemory(*draft.modelShape(), draft.config(), draft.plannedDevice());
        const auto &shown = *page.currentEstimate();
        QCOMPARE(shown.load, expected.load);
        QCOMPARE(shown.forward, expected.forward);
        QCOMPARE(shown.backward, expected.backward);
        QCOMPARE(shown.optimizer, expected.optimizer);
        QCOMPARE(shown.peak, expected.peak);
        QCOMPARE(shown.devicePeak, expected.devicePeak);
    }
    // `headroom-cli estimate --json` for the draft's config saved to a file.
    nlohmann::json cliEstimate(const ui::RunDraft &draft, const std::string &gpu = {})
    {
        const fs::path file = *m_temp / "run.json";
        train::writeTrainConfig(draft.config(), file);
        std::vector<std::string> args = {"estimate", "--config", file.string(), "--json"};
        if (!gpu.empty())
            args.insert(args.end(), {"--gpu", gpu});
        const auto result = test::runCli(args, 120000, {calibrationEnv()});
        if (result.exitCode != 0)
            qFatal("headroom-cli estimate failed: %s", result.err.c_str());
        return nlohmann::json::parse(result.out);
    }
    std::string calibrationEnv() const
    {
        return "HEADROOM_CALIBRATION_FILE=" + (*m_temp / "calibration.json").string();
    }
    static void checkMatchesCli(const ui::TechniquesPage &page, const nlohmann::json &cli)
    {
        const auto &e = *page.currentEstimate();
        QCOMPARE(cli["stages"]["load"].get<int64_t>(), e.load);
        QCOMPARE(cli["stages"]["forward"].get<int64_t>(), e.forward);
        QCOMPARE(cli["stages"]["backward"].get<int64_t>(), e.backward);
        QCOMPARE(cli["stages"]["optimizer"].get<int64_t>(), e.optimizer);
        QCOMPARE(cli["peak"].get<int64_t>(), e.peak);
        QCOMPARE(cli["device_peak"].get<int64_t>(), e.devicePeak);
        for (const auto &c : e.components())
            QCOMPARE(cli["components"][c.key].get<int64_t>(), c.bytes);
        QCOMPARE(cli["calibrated"].get<bool>(), e.calibrated);
    }
private slots:
    void initTestCase()
    {
        m_temp = std::make_unique<test::TempDir>();
        // No calibration of this machine's devices leaks into the numbers.
        qputenv("HEADROOM_CALIBRATION_FILE", (*m_temp / "calibration.json").string().c_str());
    }
    void cleanupTestCase() { m_temp.reset(); }

    void withoutAModelTheChartAsksForOne()
    {
        ui::RunDraft draft;
        ui::TechniquesPage page(draft);
        QVERIFY(!page.currentEstimate());
        QVERIFY(!page.chart()->showsEstimate());
        QVERIFY(child<QLabel>(page, "estimateMessage")->text().contains("Open a model"));
        test::openModelOnCpu(draft, tinyModel().string());
        QVERIFY(page.currentEstimate());
        QVERIFY(page.chart()->showsEstimate());
    }

    void everyControlEditsTheDraftAndTheEstimateFollows()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        checkMatchesEngine(page, draft);
        const auto &c = draft.config();

        selectData(child<QComboBox>(page, "precision"), int(train::Precision::Fp32));
        QVERIFY(c.precision == train::Precision::Fp32);
        checkMatchesEngine(page, draft);
        selectData(child<QComboBox>(page, "optimizer"), int(train::Optimizer::AdamW8bit));
        QVERIFY(c.optimizer == train::Optimizer::AdamW8bit);
        checkMatchesEngine(page, draft);
        selectData(child<QComboBox>(page, "attention"), int(train::Attention::Eager));
        QVERIFY(c.attention == train::Attention::Eager);
        checkMatchesEngine(page, draft);
        const int64_t activationsBefore = page.currentEstimate()->activations;
        child<QCheckBox>(page, "gradientCheckpointing")->click();
        QVERIFY(c.gradientCheckpointing);
        QVERIFY(page.currentEstimate()->activations < activationsBefore);
        checkMatchesEngine(page, draft);

        child<QSpinBox>(page, "loraRank")->setValue(4);
        QCOMPARE(c.lora.r, 4);
        child<QDoubleSpinBox>(page, "loraAlpha")->setValue(8);
        QCOMPARE(c.lora.alpha, 8.0);
        child<QDoubleSpinBox>(page, "loraDropout")->setValue(0);
        QCOMPARE(c.lora.dropout, 0.0);
        checkMatchesEngine(page, draft);

        // Target modules: all-linear, then a narrower list by the checkboxes.
        QVERIFY(child<QCheckBox>(page, "loraAllLinear")->isChecked());
        const int64_t trainableAll = page.currentEstimate()->trainableParameters;
        child<QCheckBox>(page, "loraAllLinear")->click();
        QCOMPARE(c.lora.targetModules.size(), size_t(7));
        QCOMPARE(page.currentEstimate()->trainableParameters, trainableAll);
        child<QCheckBox>(page, "loraTarget_gate_proj")->click();
        child<QCheckBox>(page, "loraTarget_up_proj")->click();
        QVERIFY(c.lora.targetModules ==
                (std::vector<std::string>{"q_proj", "k_proj", "v_proj", "o_proj", "down_proj"}));
        QVERIFY(page.currentEstimate()->trainableParameters < trainableAll);
        QCOMPARE(child<QLineEdit>(page, "loraTargets")->text(),
                 QString("q_proj, k_proj, v_proj, o_proj, down_proj"));
        checkMatchesEngine(page, draft);
        auto *typed = child<QLineEdit>(page, "loraTargets");
        typed->setText("q_proj v_proj");
        emit typed->editingFinished();
        QVERIFY(c.lora.targetModules == (std::vector<std::string>{"q_proj", "v_proj"}));
        QVERIFY(!child<QCheckBox>(page, "loraTarget_k_proj")->isChecked());
        checkMatchesEngine(page, draft);

        child<QSpinBox>(page, "microBatch")->setValue(3);
        child<QSpinBox>(page, "gradAccum")->setValue(5);
        QCOMPARE(c.microBatchSize, 3);
        QCOMPARE(c.gradAccumSteps, 5);
        QVERIFY(child<QLabel>(page, "effectiveBatch")->text().startsWith("15 "));
        child<QSpinBox>(page, "maxSeqLen")->setValue(300);
        QCOMPARE(c.maxSeqLen, 300);
        QCOMPARE(page.currentEstimate()->tokensPerMicroBatch, 900);
        checkMatchesEngine(page, draft);

        child<QDoubleSpinBox>(page, "learningRate")->setValue(5e-5);
        QCOMPARE(c.learningRate, 5e-5);
        auto *learningRate = child<QDoubleSpinBox>(page, "learningRate");
        QCOMPARE(learningRate->text(), QString("5e-05"));
        learningRate->selectAll();
        QTest::keyClicks(learningRate, "3e-4"); // typed as people write it
        QCOMPARE(c.learningRate, 3e-4);
        selectData(child<QComboBox>(page, "lrSchedule"), int(train::LrSchedule::Linear));
        QVERIFY(c.lrSchedule == train::LrSchedule::Linear);
        child<QSpinBox>(page, "warmupSteps")->setValue(3);
        QCOMPARE(c.warmupSteps, 3);
        child<QComboBox>(page, "lengthKind")->setCurrentIndex(1); // optimizer steps
        QVERIFY(c.maxSteps == std::optional<int64_t>(100));
        QVERIFY(!c.epochs);
        child<QSpinBox>(page, "maxSteps")->setValue(40);
        QVERIFY(c.maxSteps == std::optional<int64_t>(40));
        child<QComboBox>(page, "lengthKind")->setCurrentIndex(0); // epochs
        QVERIFY(c.epochs == std::optional<double>(1.0));
        QVERIFY(!c.maxSteps);

        // Changed elsewhere: the controls follow without echoing back.
        draft.update([](train::TrainConfig &cfg) {
            cfg.lora.r = 32;
            cfg.microBatchSize = 2;
            cfg.attention = train::Attention::Sdpa;
        });
        QCOMPARE(child<QSpinBox>(page, "loraRank")->value(), 32);
        QCOMPARE(child<QSpinBox>(page, "microBatch")->value(), 2);
        QCOMPARE(child<QComboBox>(page, "attention")->currentData().toInt(),
                 int(train::Attention::Sdpa));
        checkMatchesEngine(page, draft);
    }

    void nf4LowersTheLoadStage()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        auto *doubleQuant = child<QCheckBox>(page, "doubleQuant");
        QVERIFY(!doubleQuant->isEnabled());
        const int64_t load = page.currentEstimate()->load;
        selectData(child<QComboBox>(page, "quantization"), int(train::Quantization::Nf4));
        QVERIFY(draft.config().quantization == train::Quantization::Nf4);
        QVERIFY2(page.currentEstimate()->load < load, "NF4 must lower the load stage");
        QVERIFY(doubleQuant->isEnabled());
        checkMatchesEngine(page, draft);
        test::checkBarsSumToStages(page);
    }

    void theEstimateEqualsTheCli()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        selectDevice(page, "cpu");
        selectData(child<QComboBox>(page, "quantization"), int(train::Quantization::Nf4));
        child<QCheckBox>(page, "doubleQuant")->click();
        child<QCheckBox>(page, "gradientCheckpointing")->click();
        child<QSpinBox>(page, "microBatch")->setValue(2);
        child<QSpinBox>(page, "maxSeqLen")->setValue(512);
        checkMatchesCli(page, cliEstimate(draft));

        // A card of the table: the same numbers, verdict and budget as --gpu.
        selectDevice(page, "NVIDIA GeForce RTX 4090");
        QVERIFY(draft.plannedDevice().isCuda());
        selectData(child<QComboBox>(page, "attention"), int(train::Attention::Eager));
        const auto cli = cliEstimate(draft, "NVIDIA GeForce RTX 4090");
        checkMatchesCli(page, cli);
        QCOMPARE(cli["budget"].get<int64_t>(), page.currentBudget());
        QCOMPARE(cli["fits"].get<bool>(), page.currentAdvice()->fits);
        QCOMPARE(cli["advice"].size(), page.currentAdvice()->changes.size());
    }

    void barsStackToTheStageTotals()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        test::checkBarsSumToStages(page);
        child<QSpinBox>(page, "gradAccum")->setValue(1); // no gradients during forward
        test::checkBarsSumToStages(page);
        child<QCheckBox>(page, "gradientCheckpointing")->click();
        test::checkBarsSumToStages(page); // the checkpoint bookkeeping is "other"
        child<QCheckBox>(page, "loraEnabled")->click();
        selectData(child<QComboBox>(page, "precision"), int(train::Precision::Fp16));
        test::checkBarsSumToStages(page); // full fine-tuning: masters, all gradients
        QVERIFY(page.chart()->plot()->findChild<QCPBars *>("bars_master_weights"));

        // A calibrated device scales the stages; the bars still add up, and
        // the CLI applies the same stored calibration.
        memory::storeCalibration({"NVIDIA GeForce RTX 4090", 1130, 1000});
        selectDevice(page, "NVIDIA GeForce RTX 4090");
        QVERIFY(page.currentEstimate()->calibrated);
        test::checkBarsSumToStages(page);
        checkMatchesCli(page, cliEstimate(draft, "RTX 4090"));
        std::filesystem::remove(*m_temp / "calibration.json");
        selectDevice(page, "cpu");
    }

    void aSmallGpuDoesNotFitAndTheAdviceAppliesItself()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        // Eager attention over long rows: the [T, T] scores dominate.
        selectData(child<QComboBox>(page, "attention"), int(train::Attention::Eager));
        child<QSpinBox>(page, "maxSeqLen")->setValue(16384);
        auto *verdict = child<QLabel>(page, "fitVerdict");
        selectDevice(page, "NVIDIA H200");
        QCOMPARE(verdict->property("fits").toBool(), true);
        QCOMPARE(verdict->text(), QString("Fits"));

        const auto &smallest = memory::gpuCatalog().front();
        QCOMPARE(smallest.memoryGiB, 8);
        selectDevice(page, smallest.name);
        QCOMPARE(verdict->property("fits").toBool(), false);
        QCOMPARE(verdict->text(), QString("Does not fit"));
        QVERIFY(page.chart()->plot()->findChild<QCPItemStraightLine *>("capacityLine"));
        auto *adviceList = child<QWidget>(page, "adviceList");
        QVERIFY(adviceList->findChildren<QPushButton *>().size() >= 2);
        QVERIFY(child<QPushButton>(page, "adviceAutoFit"));

        // The SDPA suggestion: the draft changes as it says, the peak drops by its saving.
        const auto advice = *page.currentAdvice();
        auto change = std::find_if(advice.changes.begin(), advice.changes.end(),
                                   [](const auto &c) { return c.key == "attention"; });
        QVERIFY(change != advice.changes.end());
        const int64_t before = page.currentEstimate()->devicePeak;
        QTest::mouseClick(child<QPushButton>(page, "advice_attention"), Qt::LeftButton);
        QVERIFY(draft.config().attention == train::Attention::Sdpa);
        QVERIFY(draft.config() == change->config);
        QCOMPARE(page.currentEstimate()->devicePeak, before - change->saving);
        QCOMPARE(child<QComboBox>(page, "attention")->currentData().toInt(),
                 int(train::Attention::Sdpa));
        checkMatchesEngine(page, draft);

        // Auto-fit makes a run that does not fit fit.
        child<QSpinBox>(page, "microBatch")->setValue(64);
        child<QSpinBox>(page, "maxSeqLen")->setValue(32768);
        QCOMPARE(verdict->property("fits").toBool(), false);
        const int64_t beforeAutoFit = page.currentEstimate()->devicePeak;
        auto *autoFit = child<QPushButton>(page, "adviceAutoFit");
        QVERIFY2(autoFit->text().contains("micro-batch 64 → "), qPrintable(autoFit->text()));
        QTest::mouseClick(autoFit, Qt::LeftButton);
        QCOMPARE(verdict->property("fits").toBool(), true);
        QVERIFY(page.currentEstimate()->devicePeak < beforeAutoFit);
        QCoreApplication::processEvents(); // the old buttons are deleted later
    }

    void invalidCombinationsAreMarkedInline()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        page.show();
        auto *doubleQuant = child<QCheckBox>(page, "doubleQuant");
        auto *doubleQuantError = child<QLabel>(page, "doubleQuantError");
        QVERIFY(doubleQuantError->isHidden());
        selectData(child<QComboBox>(page, "quantization"), int(train::Quantization::Nf4));
        doubleQuant->click();
        QVERIFY(draft.config().doubleQuant);
        QVERIFY(doubleQuantError->isHidden());
        // NF4 → int8 keeps double quantization: invalid, said next to it.
        selectData(child<QComboBox>(page, "quantization"), int(train::Quantization::Int8));
        QVERIFY(!doubleQuantError->isHidden());
        QVERIFY2(doubleQuantError->text().contains("nf4"), qPrintable(doubleQuantError->text()));
        QVERIFY(doubleQuant->property("fieldError").toBool());
        QVERIFY(doubleQuant->isEnabled()); // so that it can be cleared
        doubleQuant->click();
        QVERIFY(!draft.config().doubleQuant);
        QVERIFY(doubleQuantError->isHidden());
        QVERIFY(!doubleQuant->property("fieldError").toBool());

        // Full fine-tuning of a quantized base.
        child<QCheckBox>(page, "loraEnabled")->click();
        QVERIFY(!child<QLabel>(page, "loraEnabledError")->isHidden());

        // Both steps and epochs (e.g. from a hand-written run.json).
        draft.update([](train::TrainConfig &c) {
            c.maxSteps = 10;
            c.epochs = 2.0;
        });
        auto *lengthError = child<QLabel>(page, "lengthKindError");
        QVERIFY(!lengthError->isHidden());
        QVERIFY(lengthError->text().contains("epochs"));
        child<QComboBox>(page, "lengthKind")->setCurrentIndex(0); // epochs: resolves it
        QVERIFY(!draft.config().maxSteps);
        QVERIFY(lengthError->isHidden());
    }

    void theVerdictIsReadableInADarkPalette()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        auto *verdict = child<QLabel>(page, "fitVerdict");
        QVERIFY(verdict->property("fits").toBool()); // the tiny model fits the CPU
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Base, QColor(0x18, 0x18, 0x18));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        page.setPalette(dark);
        const QColor green = verdict->palette().color(QPalette::WindowText);
        QVERIFY2(green.lightness() > 128, qPrintable(green.name()));
        QVERIFY(green.green() > green.red());
        QCOMPARE(page.chart()->plot()->yAxis->tickLabelColor(), QColor(0xe0, 0xe0, 0xe0));
    }

    void gpt2ModelsOfferTheirProjections()
    {
        ui::RunDraft draft;
        ui::TechniquesPage page(draft);
        auto shape = test::shapeOf(tinyModel().string());
        shape.family = model::Family::Gpt2;
        shape.modelType = "gpt2";
        draft.setModel("gpt2-shaped", shape);
        QVERIFY(page.findChild<QCheckBox *>("loraTarget_c_attn"));
        QVERIFY(page.findChild<QCheckBox *>("loraTarget_c_fc"));
        QVERIFY(!page.findChild<QCheckBox *>("loraTarget_q_proj"));
    }

    void theDefaultModelMatchesTheCli()
    {
        const QByteArray model = qgetenv("HEADROOM_DEFAULT_MODEL");
        if (model.isEmpty())
            QSKIP("HEADROOM_DEFAULT_MODEL is not set");
        ui::RunDraft draft;
        test::openModelOnCpu(draft, model.toStdString());
        ui::TechniquesPage page(draft);
        selectDevice(page, "cpu");
        checkMatchesEngine(page, draft);
        checkMatchesCli(page, cliEstimate(draft));
        selectDevice(page, "NVIDIA GeForce RTX 3060 12GB");
        selectData(child<QComboBox>(page, "quantization"), int(train::Quantization::Nf4));
        child<QSpinBox>(page, "microBatch")->setValue(8);
        checkMatchesEngine(page, draft);
        test::checkBarsSumToStages(page);
        const auto cli = cliEstimate(draft, "RTX 3060 12GB");
        checkMatchesCli(page, cli);
        QCOMPARE(cli["fits"].get<bool>(), page.currentAdvice()->fits);
    }

    void recomputingIsImperceptible()
    {
        ui::RunDraft draft;
        test::openModelOnCpu(draft, tinyModel().string());
        ui::TechniquesPage page(draft);
        selectDevice(page, "NVIDIA GeForce RTX 4090");
        auto *microBatch = child<QSpinBox>(page, "microBatch");
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 1000; ++i)
            microBatch->setValue(i % 2 ? 1 : 2); // a change: controls, estimate, advice, chart
        const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        QCoreApplication::processEvents();
        timer.restart();
        page.chart()->plot()->replot();
        qDebug("one replot of the chart: %.2f ms", static_cast<double>(timer.nsecsElapsed()) / 1e6);
        qDebug("1000 recomputations through the micro-batch control: %.1f ms (%.3f ms each)", ms,
               ms / 1000);
        checkMatchesEngine(page, draft);
    }
};

QTEST_MAIN(TestUiTechniques)
#include "tst_ui_techniques.moc"
