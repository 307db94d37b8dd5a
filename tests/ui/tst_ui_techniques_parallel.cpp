// Data-parallel planning on the techniques page: the "Data-parallel
// processes" spin box edits the draft, the estimate becomes per GPU (the
// engine's memory::estimateMemory(..., processes), the chart's summary says
// "per GPU × N GPUs" with the total), the verdict is per GPU, and one process
// shows exactly what it showed before.
#include "TechniquesTestSupport.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "io/ModelSource.h"
#include "memory/FitAdvice.h"
#include "memory/GpuCatalog.h"
#include "model/ModelLoader.h"
#include "techniques/ByteText.h"
#include "techniques/DeviceSelector.h"
#include "techniques/EstimateChart.h"
#include "techniques/TechniquesPage.h"

#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <qcustomplot.h>

using namespace headroom;
namespace fs = std::filesystem;

class TestUiTechniquesParallel : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TempDir> m_temp;

    static void openTinyModel(ui::RunDraft &draft)
    {
        test::openModelOnCpu(draft, (test::trainFixtures() / "tiny_llama").string());
        draft.update([](train::TrainConfig &c) {
            c.microBatchSize = 1;
            c.gradAccumSteps = 2; // two ranks: one micro-batch each
        });
    }
    static QSpinBox *processesBox(ui::TechniquesPage &page)
    {
        auto *box = page.findChild<QSpinBox *>("dataParallelProcesses");
        if (!box)
            qFatal("no dataParallelProcesses spin box");
        return box;
    }
    static QString summary(ui::TechniquesPage &page)
    {
        auto *label = page.findChild<QLabel *>("estimateSummary");
        return label ? label->text() : QString();
    }
    static void checkEqual(const memory::MemoryEstimate &shown,
                           const memory::MemoryEstimate &expected)
    {
        QCOMPARE(shown.load, expected.load);
        QCOMPARE(shown.forward, expected.forward);
        QCOMPARE(shown.backward, expected.backward);
        QCOMPARE(shown.optimizer, expected.optimizer);
        QCOMPARE(shown.peak, expected.peak);
        QCOMPARE(shown.devicePeak, expected.devicePeak);
        QCOMPARE(shown.gradientsResident, expected.gradientsResident);
        QCOMPARE(shown.processes, expected.processes);
    }
private slots:
    void initTestCase()
    {
        m_temp = std::make_unique<test::TempDir>();
        qputenv("HEADROOM_CALIBRATION_FILE", (*m_temp / "calibration.json").string().c_str());
    }
    void cleanupTestCase() { m_temp.reset(); }

    void theSpinBoxEditsTheDraft()
    {
        ui::RunDraft draft;
        ui::TechniquesPage page(draft);
        auto *box = processesBox(page);
        QCOMPARE(draft.dataParallel(), 1);
        QCOMPARE(box->value(), 1);
        // Planning for the CPU or a card of the table: up to 8, for planning.
        QCOMPARE(box->minimum(), 1);
        QCOMPARE(box->maximum(), ui::TechniquesPage::kMaxPlannedProcesses);
        QSignalSpy changed(&draft, &ui::RunDraft::dataParallelChanged);
        box->setValue(3);
        QCOMPARE(draft.dataParallel(), 3);
        QCOMPARE(changed.count(), 1);
        draft.setDataParallel(2); // and the box follows the draft
        QCOMPARE(box->value(), 2);
        QCOMPARE(changed.count(), 2);
        draft.setDataParallel(0); // clamped
        QCOMPARE(draft.dataParallel(), 1);
        QCOMPARE(box->value(), 1);
        // Not part of the run's config (the CLI takes it as --nproc).
        const auto before = train::toJson(draft.config());
        box->setValue(4);
        QCOMPARE(train::toJson(draft.config()), before);
        QVERIFY(train::toJson(draft.config()).dump().find("nproc") == std::string::npos);
    }

    void theEstimateIsPerGpu_data()
    {
        QTest::addColumn<QString>("device");
        QTest::newRow("cpu") << QString();
        QTest::newRow("planned gpu") << QString::fromStdString(memory::gpuCatalog().front().name);
    }

    void theEstimateIsPerGpu()
    {
        QFETCH(QString, device);
        ui::RunDraft draft;
        ui::TechniquesPage page(draft);
        openTinyModel(draft);
        if (!device.isEmpty()) {
            const int index = page.deviceSelector()->indexOfDevice(device);
            QVERIFY(index >= 0);
            page.deviceSelector()->setCurrentIndex(index);
            QVERIFY(draft.plannedDevice().isCuda());
        }
        const auto &shape = *draft.modelShape();

        // One process: exactly the estimate as it always was.
        QVERIFY(page.currentEstimate());
        const auto single = memory::estimateMemory(shape, draft.config(), draft.plannedDevice());
        checkEqual(*page.currentEstimate(), single);
        checkEqual(*page.currentEstimate(),
                   memory::estimateMemory(shape, draft.config(), draft.plannedDevice(), 1));
        QVERIFY(!single.gradientsResident);
        QCOMPARE(single.components().size(), size_t{15});
        QVERIFY2(!summary(page).contains("per GPU", Qt::CaseInsensitive),
                 qPrintable(summary(page)));
        QVERIFY(summary(page).contains(ui::byteText(single.devicePeak)));
        test::checkBarsSumToStages(page);

        // Two: per GPU, gradients in all-reduce buckets, the total across GPUs.
        processesBox(page)->setValue(2);
        QVERIFY(page.currentEstimate());
        const auto two = memory::estimateMemory(shape, draft.config(), draft.plannedDevice(), 2);
        checkEqual(*page.currentEstimate(), two);
        const QString text = summary(page);
        QVERIFY2(text.contains("Per GPU") && text.contains(QString::fromUtf8("× 2 GPUs")),
                 qPrintable(text));
        QVERIFY2(text.contains(ui::byteText(two.devicePeak)) &&
                     text.contains(ui::byteText(2 * two.devicePeak)),
                 qPrintable(text));
        QCOMPARE(page.chart()->plot()->yAxis->label(), QStringLiteral("memory per GPU"));
        test::checkBarsSumToStages(page);

        // What data parallelism changes per process: the fp32 gradients are
        // the all-reduce buckets, held from load on (and drawn in every bar);
        // weights, states and the backward stage as before.
        QVERIFY(two.gradientsResident);
        QCOMPARE(two.load, single.load + single.gradients);
        QCOMPARE(two.optimizer, single.optimizer + single.gradients);
        QCOMPARE(two.backward, single.backward);
        QCOMPARE(two.components().size(), single.components().size());

        // The verdict is per GPU.
        QVERIFY(page.currentAdvice());
        QCOMPARE(page.currentAdvice()->fits, two.devicePeak <= page.currentBudget());

        // Back to one: as before.
        processesBox(page)->setValue(1);
        checkEqual(*page.currentEstimate(), single);
        QVERIFY(!summary(page).contains("per GPU", Qt::CaseInsensitive));
    }

    // Full fine-tuning: the buckets hold every weight's fp32 gradient.
    void fullFineTuningGradientsAreResident()
    {
        ui::RunDraft draft;
        openTinyModel(draft);
        auto config = draft.config();
        config.lora.enabled = false;
        const auto one = memory::estimateMemory(*draft.modelShape(), config);
        const auto e = memory::estimateMemory(*draft.modelShape(), config, {}, 4);
        QVERIFY(e.gradientsResident);
        QCOMPARE(e.gradients, 4 * e.trainableParameters);
        QCOMPARE(e.load, one.load + one.gradients);
        QCOMPARE(e.microBatchesPerProcess, 1);
        QVERIFY_THROWS_EXCEPTION(std::exception,
                                 memory::estimateMemory(*draft.modelShape(), config, {}, 0));
    }
};

QTEST_MAIN(TestUiTechniquesParallel)
#include "tst_ui_techniques_parallel.moc"
