// The data page: the fixture dataset with the tiny model shows the engine's
// detected format, a histogram of every usable sample, a truncation count that
// follows max_seq_len, a preview that shades the prompt and leaves the reply
// plain, malformed lines by number; files open by drag and drop; results for
// an older dataset are discarded.
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "data/DataPage.h"
#include "data/PreparedDataset.h"
#include "io/ModelSource.h"
#include "memory/MemoryEstimate.h"
#include "model/ModelConfig.h"
#include "model/TokenizerLoader.h"

#include <QApplication>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QUrl>
#include <qcustomplot.h>

#include <fstream>
#include <limits>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

fs::path tinyModel()
{
    return test::trainFixtures() / "tiny_llama";
}
fs::path smallJsonl()
{
    return test::trainFixtures() / "small.jsonl";
}
QString qpath(const fs::path &path)
{
    return QString::fromStdString(path.string());
}

void setTinyModel(ui::RunDraft &draft)
{
    const auto json = nlohmann::json::parse(test::readText(tinyModel() / "config.json"));
    draft.setModel(qpath(tinyModel()), model::parseModelConfig(json, "config.json"));
}

// The untruncated token lengths the engine itself computes for `file`.
std::vector<uint32_t> engineLengths(const fs::path &file)
{
    const auto tokenizer = model::loadTokenizer(io::resolveModelSource(tinyModel().string()));
    data::DataOptions options;
    options.maxSeqLen = std::numeric_limits<uint32_t>::max();
    return data::prepareDataset(file, tokenizer, options).summary.sampleLengths;
}

double barTotal(QWidget &page)
{
    auto *plot = page.findChild<QCustomPlot *>("lengthHistogram");
    auto *bars = plot ? qobject_cast<QCPBars *>(plot->plottable(0)) : nullptr;
    if (!bars)
        return -1;
    double total = 0;
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
        total += it->value;
    return total;
}

QString labelText(QWidget &page, const char *name)
{
    auto *label = page.findChild<QLabel *>(name);
    return label ? label->text() : QString();
}

// The char format of the document fragment holding `text`; false when none does.
bool fragmentFormat(QTextDocument *document, const QString &text, QTextCharFormat &format)
{
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().text().contains(text)) {
                format = it.fragment().charFormat();
                return true;
            }
    return false;
}

void sendDrop(QWidget &page, const QString &file)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(file)});
    const QPoint centre = page.rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&page, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&page, &drop);
    QVERIFY(drop.isAccepted());
}

} // namespace

class TestUiData : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("HeadroomTests");
        QCoreApplication::setApplicationName("tst_ui_data");
    }
    void init() { QSettings().clear(); }

    void analysesTheFixtureDatasetWithTheTinyModel()
    {
        const std::vector<uint32_t> lengths = engineLengths(smallJsonl());
        QVERIFY(lengths.size() > 10);
        ui::RunDraft draft;
        setTinyModel(draft);
        ui::DataPage page(draft);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QVERIFY(page.openDataset(qpath(smallJsonl())));
        QCOMPARE(QString::fromStdString(draft.config().dataset), qpath(smallJsonl()));
        QVERIFY(analysed.wait(30000));

        QCOMPARE(barTotal(page), double(lengths.size()));
        QVERIFY2(labelText(page, "detectedFormat").contains("alpaca"),
                 qPrintable(labelText(page, "detectedFormat")));
        QCOMPARE(page.findChild<QListWidget *>("malformedLines")->count(), 0);

        // Every sample fits the default 2048; a cut at the median truncates the longer half.
        QVERIFY2(labelText(page, "truncationLabel")
                     .startsWith(QString("0 of %1 samples").arg(lengths.size())),
                 qPrintable(labelText(page, "truncationLabel")));
        std::vector<uint32_t> sorted = lengths;
        std::sort(sorted.begin(), sorted.end());
        const int64_t cut = sorted[sorted.size() / 2];
        const auto expected =
            std::count_if(lengths.begin(), lengths.end(), [&](uint32_t l) { return l > cut; });
        QVERIFY(expected > 0);
        draft.update([&](train::TrainConfig &config) { config.maxSeqLen = cut; });
        QVERIFY2(labelText(page, "truncationLabel")
                     .startsWith(QString("%1 of %2 samples").arg(expected).arg(lengths.size())),
                 qPrintable(labelText(page, "truncationLabel")));
        QCOMPARE(analysed.count(), 1); // a new cut-off needs no new pass
        auto *plot = page.findChild<QCustomPlot *>("lengthHistogram");
        auto *line = qobject_cast<QCPItemStraightLine *>(plot->item(0));
        QVERIFY(line);
        QCOMPARE(line->point1->coords().x(), double(cut));

        // small.jsonl line 1: "Calculate 323 + 906." -> "323 + 906 = 1229. Answer: 1229."
        auto *preview = page.findChild<QTextBrowser *>("samplePreview");
        QTextCharFormat prompt, reply;
        QVERIFY2(fragmentFormat(preview->document(), "Calculate 323 + 906.", prompt),
                 qPrintable(preview->toPlainText().left(400)));
        QVERIFY(fragmentFormat(preview->document(), "Answer: 1229.", reply));
        QVERIFY(prompt.background().style() != Qt::NoBrush);
        QCOMPARE(reply.background().style(), Qt::NoBrush);
        QVERIFY(!reply.fontStrikeOut());
    }

    // The estimate assumes rows of max_seq_len tokens; the page offers the
    // longest sample instead (nothing is cut, the estimate gets tight), and
    // not for packed rows, which are filled up to max_seq_len.
    void offersTheLongestSampleAsMaxSeqLen()
    {
        const std::vector<uint32_t> lengths = engineLengths(smallJsonl());
        const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
        ui::RunDraft draft;
        setTinyModel(draft);
        QVERIFY(draft.config().maxSeqLen > longest);
        ui::DataPage page(draft);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QVERIFY(page.openDataset(qpath(smallJsonl())));
        QVERIFY(analysed.wait(30000));
        auto *button = page.findChild<QPushButton *>("fitMaxSeqLenButton");
        QVERIFY(button);
        QVERIFY(!button->isHidden());
        QVERIFY2(button->text().contains(QString::number(longest)), qPrintable(button->text()));

        const auto estimateBefore =
            memory::estimateMemory(*draft.modelShape(), draft.config()).peak;
        button->click();
        QCOMPARE(draft.config().maxSeqLen, longest);
        QVERIFY(button->isHidden()); // nothing shorter to offer now
        QVERIFY2(labelText(page, "truncationLabel")
                     .startsWith(QString("0 of %1 samples").arg(lengths.size())),
                 qPrintable(labelText(page, "truncationLabel")));
        QVERIFY(memory::estimateMemory(*draft.modelShape(), draft.config()).peak < estimateBefore);

        draft.update([](train::TrainConfig &c) {
            c.maxSeqLen = 2048;
            c.packing = true;
        });
        QVERIFY(button->isHidden());
        draft.update([](train::TrainConfig &c) { c.packing = false; });
        QVERIFY(!button->isHidden());
    }

    void choosingTheFormatSetsTheDraftAndReanalyses()
    {
        ui::RunDraft draft;
        setTinyModel(draft);
        ui::DataPage page(draft);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QVERIFY(page.openDataset(qpath(smallJsonl())));
        QVERIFY(analysed.wait(30000));

        auto *selector = page.findChild<QComboBox *>("formatSelector");
        const int text = selector->findData("text");
        QVERIFY(text > 0);
        selector->setCurrentIndex(text);
        emit selector->activated(text);
        QVERIFY(draft.config().datasetFormat == train::DatasetFormat::Text);
        QVERIFY(analysed.wait(30000));
        // Alpaca records have no `text`: every line is malformed, nothing to train on.
        QCOMPARE(page.findChild<QListWidget *>("malformedLines")->count(), 40);
        QVERIFY(labelText(page, "dataStatus").contains("small.jsonl"));
        QVERIFY(labelText(page, "detectedFormat").contains("text"));
    }

    void listsMalformedLinesByNumber()
    {
        test::TempDir dir;
        const fs::path file = dir / "broken.jsonl";
        // Line 3 is not JSON; line 5 has a number where text belongs.
        std::ofstream(file)
            << "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"Hi.\"}\n"
               "{\"instruction\": \"Say bye.\", \"input\": \"\", \"output\": \"Bye.\"}\n"
               "{\"instruction\": \"unterminated\n"
               "{\"instruction\": \"Count.\", \"input\": \"\", \"output\": \"1 2 3\"}\n"
               "{\"instruction\": \"Name a colour.\", \"output\": 5}\n";
        ui::RunDraft draft;
        setTinyModel(draft);
        ui::DataPage page(draft);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QVERIFY(page.openDataset(qpath(file)));
        QVERIFY(analysed.wait(30000));
        auto *list = page.findChild<QListWidget *>("malformedLines");
        QCOMPARE(list->count(), 2);
        QVERIFY2(list->item(0)->text().startsWith("line 3: "), qPrintable(list->item(0)->text()));
        QVERIFY2(list->item(1)->text().startsWith("line 5: "), qPrintable(list->item(1)->text()));
        QCOMPARE(barTotal(page), 3.0);
    }

    void withoutAModelThePreviewAsksForOneAndFollowsTheModel()
    {
        ui::RunDraft draft;
        ui::DataPage page(draft);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QVERIFY(page.openDataset(qpath(smallJsonl())));
        QVERIFY(analysed.wait(30000));
        auto *preview = page.findChild<QTextBrowser *>("samplePreview");
        QVERIFY2(preview->toPlainText().contains("needs a model"),
                 qPrintable(preview->toPlainText()));
        QVERIFY(labelText(page, "detectedFormat").contains("alpaca"));
        QCOMPARE(barTotal(page), 0.0);

        setTinyModel(draft); // the model page opened one: analyse again
        QVERIFY(analysed.wait(30000));
        QCOMPARE(barTotal(page), 40.0);
        QVERIFY(preview->toPlainText().contains("Calculate 323 + 906."));
    }

    void dropOpensTheDatasetAndStaleResultsAreDiscarded()
    {
        ui::RunDraft draft;
        setTinyModel(draft);
        ui::DataPage page(draft);
        page.resize(900, 600);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QVERIFY(page.openDataset(qpath(smallJsonl())));
        // Dropped while small.jsonl is still being analysed: only three.jsonl shows.
        sendDrop(page, qpath(test::trainFixtures() / "three.jsonl"));
        QCOMPARE(QString::fromStdString(draft.config().dataset),
                 qpath(test::trainFixtures() / "three.jsonl"));
        QVERIFY(analysed.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isAnalysing(), 30000);
        QCoreApplication::processEvents();
        QCOMPARE(analysed.count(), 1);
        QCOMPARE(barTotal(page), 3.0);
        auto *recent = page.findChild<QListWidget *>("recentDatasets");
        QCOMPARE(recent->count(), 2);
        QCOMPARE(recent->item(0)->text(), QString("three.jsonl"));
    }

    // First launch: the built-in GGUF and the demo dataset, tokenized with the
    // GGUF's own vocabulary and chat template.
    void demoDatasetWithTheDefaultGguf()
    {
        const QString gguf = qEnvironmentVariable("HEADROOM_DEFAULT_MODEL");
        if (gguf.isEmpty() || !QFileInfo::exists(gguf))
            QSKIP("HEADROOM_DEFAULT_MODEL is not set");
        const fs::path demo = test::sourceDir() / "resources/demo/demo-dataset.jsonl";
        ui::RunDraft draft;
        draft.setModel(gguf, std::nullopt);
        ui::DataPage page(draft);
        QSignalSpy analysed(&page, &ui::DataPage::datasetAnalysed);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(page.openDataset(qpath(demo)));
        QVERIFY(analysed.wait(50000));
        qInfo("demo dataset analysed in %lld ms", timer.elapsed());
        QVERIFY2(barTotal(page) > 100, qPrintable(labelText(page, "dataStatus")));
        auto *preview = page.findChild<QTextBrowser *>("samplePreview");
        QVERIFY(preview->toPlainText().contains("<|im_start|>assistant"));
    }

    void unreadableFileIsRefused()
    {
        ui::RunDraft draft;
        ui::DataPage page(draft);
        QVERIFY(!page.openDataset("/nonexistent/data.jsonl"));
        QVERIFY(labelText(page, "dataStatus").contains("/nonexistent/data.jsonl"));
        test::TempDir dir;
        std::ofstream(dir / "data.parquet") << "PAR1";
        QVERIFY(!page.openDataset(qpath(dir / "data.parquet")));
        QVERIFY(labelText(page, "dataStatus").contains(".parquet"));
        QVERIFY(draft.config().dataset.empty());
    }
};

QTEST_MAIN(TestUiData)
#include "tst_ui_data.moc"
