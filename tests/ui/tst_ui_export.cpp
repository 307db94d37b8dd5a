// The "Export & chat" page on a real tiny run: the run and its checkpoints
// are shown; "Export adapter…" and "Export merged model…" open the folder
// dialog (filled in by the test), the engine's exporters write the folder
// off the GUI thread, the page loads it back and confirms with the path; the
// files are then read back here by the engine (adapter tensors equal to the
// checkpoint's, the merged model loads and answers). An existing non-empty
// folder is refused with a message and left untouched; after setRun the chat
// uses the run's model and adapter.
// clang-format off
// LibTorch before any Qt header: Qt's `slots` macro breaks ATen's headers.
#include "lora/PeftAdapterFolder.h"
// clang-format on

#include "chat/ChatPanel.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "export/ExportChatPage.h"
#include "export/RunCheckpoint.h"
#include "model/TextGenerator.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <fstream>

using namespace headroom;
namespace fs = std::filesystem;

class TestUiExport : public QObject
{
    Q_OBJECT

    test::TempDir m_dir;
    fs::path m_run;

    template <typename T> static T *child(QWidget &widget, const char *name)
    {
        auto *found = widget.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", name);
        return found;
    }
    static QString message(QWidget &page) { return child<QLabel>(page, "exportMessage")->text(); }
    static QFileDialog *openDialog()
    {
        for (auto *widget : QApplication::topLevelWidgets())
            if (widget->objectName() == "exportDialog" && widget->isVisible())
                return qobject_cast<QFileDialog *>(widget);
        return nullptr;
    }
    // Clicks `button`, types `folder` into the dialog's name field as a user
    // would and presses the dialog's Export button.
    static bool exportThroughDialog(QPushButton *button, const fs::path &folder)
    {
        QTest::mouseClick(button, Qt::LeftButton);
        QFileDialog *dialog = nullptr;
        for (int i = 0; i < 100 && !(dialog = openDialog()); ++i)
            QTest::qWait(20);
        if (!dialog)
            return false;
        auto *name = dialog->findChild<QLineEdit *>("fileNameEdit");
        auto *box = dialog->findChild<QDialogButtonBox *>("buttonBox");
        if (!name || !box)
            return false;
        name->setText(QString::fromStdString(folder.string()));
        QPushButton *accept = box->button(QDialogButtonBox::Save);
        if (!accept || !accept->isEnabled())
            return false;
        QTest::mouseClick(accept, Qt::LeftButton);
        return true;
    }

private slots:
    void initTestCase()
    {
        m_run = m_dir / "run";
        const auto config = m_dir / "config.json";
        std::ofstream(config) << test::tinyRunConfig(m_run).dump(2);
        const auto result = test::runCli({"train", "--config", config.string()});
        QVERIFY2(result.exitCode == 0, result.err.c_str());
    }

    void withoutARunNothingIsOffered()
    {
        ui::RunDraft draft;
        ui::ExportChatPage page(draft);
        QVERIFY(!child<QPushButton>(page, "exportAdapterButton")->isEnabled());
        QVERIFY(!child<QPushButton>(page, "exportMergedButton")->isEnabled());
        QVERIFY(child<QLabel>(page, "exportRunLabel")->text().contains("No run"));
        page.exportAdapter(); // the menu's action without a run
        QVERIFY(openDialog() == nullptr);
        QVERIFY(message(page).contains("Nothing to export"));
    }

    void setRunShowsCheckpointsAndFeedsTheChat()
    {
        ui::RunDraft draft;
        ui::ExportChatPage page(draft);
        page.setRun(QString::fromStdString(m_run.string()));
        auto *checkpoints = child<QComboBox>(page, "exportCheckpoint");
        QCOMPARE(checkpoints->count(), 1);
        QVERIFY(checkpoints->currentText().contains("step 4"));
        QVERIFY(checkpoints->currentText().contains("latest"));
        QVERIFY(child<QPushButton>(page, "exportAdapterButton")->isEnabled());
        const auto checkpoint = exporting::openRunCheckpoint(m_run);
        QCOMPARE(page.chatPanel()->modelArgument().toStdString(), checkpoint.config.model);
        QCOMPARE(fs::path(page.chatPanel()->adapterDir().toStdString()), checkpoint.weights);
    }

    void aRunWithoutCheckpointYetIsNotAnError()
    {
        const auto starting = m_dir / "starting";
        fs::create_directories(starting);
        std::ofstream(starting / "run.json") << test::tinyRunConfig(starting).dump(2);
        ui::RunDraft draft;
        ui::ExportChatPage page(draft);
        page.setRun(QString::fromStdString(starting.string()));
        QVERIFY2(message(page).contains("No checkpoint"), qPrintable(message(page)));
        QVERIFY(!child<QLabel>(page, "exportMessage")->property("error").toBool());
        QVERIFY(!child<QPushButton>(page, "exportMergedButton")->isEnabled());
        // The chat offers the run's base model alone.
        QCOMPARE(fs::path(page.chatPanel()->modelArgument().toStdString()),
                 test::trainFixtures() / "tiny_llama");
        QVERIFY(page.chatPanel()->adapterDir().isEmpty());
    }

    void exportsTheAdapterAndItLoadsBack()
    {
        ui::RunDraft draft;
        ui::ExportChatPage page(draft);
        page.show();
        page.setRun(QString::fromStdString(m_run.string()));
        QSignalSpy exported(&page, &ui::ExportChatPage::exported);
        const auto out = m_dir / "my-adapter";
        QVERIFY(exportThroughDialog(child<QPushButton>(page, "exportAdapterButton"), out));
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
        QCOMPARE(exported[0][0].toString(), QString("peft"));
        QCOMPARE(exported[0][1].toString().toStdString(), out.string());
        QVERIFY2(message(page).contains(QString::fromStdString(out.string())),
                 qPrintable(message(page)));
        QVERIFY(message(page).contains("Show folder"));
        QVERIFY(message(page).contains("Loaded back"));
        QVERIFY(!child<QProgressBar>(page, "exportProgress")->isVisible());

        QVERIFY(fs::exists(out / "adapter_config.json"));
        QVERIFY(fs::exists(out / "adapter_model.safetensors"));
        // Read back by the engine: the same modules, shapes and values as the checkpoint.
        const auto written = lora::readAdapterWeights(out);
        const auto source = lora::readAdapterWeights(exporting::openRunCheckpoint(m_run).weights);
        QCOMPARE(written.modules.size(), source.modules.size());
        QCOMPARE(written.r, 8);
        for (const auto &[path, module] : source.modules) {
            QVERIFY2(written.modules.count(path), path.c_str());
            QVERIFY(written.modules.at(path).a.equal(module.a));
            QVERIFY(written.modules.at(path).b.equal(module.b));
        }
        // And it drives generation exactly as the checkpoint's adapter does.
        model::GenerationOptions options;
        options.maxNewTokens = 12;
        model::TextGeneratorOptions withExported, withCheckpoint;
        withExported.adapter = out.string();
        withCheckpoint.adapter = exporting::openRunCheckpoint(m_run).weights.string();
        const auto model = exporting::openRunCheckpoint(m_run).config.model;
        QCOMPARE(model::TextGenerator(model, withExported).generate("Hi", options),
                 model::TextGenerator(model, withCheckpoint).generate("Hi", options));
    }

    void exportsTheMergedModelWithProgressAndItLoads()
    {
        ui::RunDraft draft;
        ui::ExportChatPage page(draft);
        page.show();
        page.setRun(QString::fromStdString(m_run.string()));
        auto *dtype = child<QComboBox>(page, "exportDtype");
        dtype->setCurrentIndex(dtype->findText("fp32"));
        auto *progress = child<QProgressBar>(page, "exportProgress");
        int mostDone = 0;
        connect(progress, &QProgressBar::valueChanged, this,
                [&](int value) { mostDone = std::max(mostDone, value); });
        QSignalSpy exported(&page, &ui::ExportChatPage::exported);
        const auto out = m_dir / "merged";
        QVERIFY(exportThroughDialog(child<QPushButton>(page, "exportMergedButton"), out));
        QVERIFY(!child<QPushButton>(page, "exportMergedButton")->isEnabled() || exported.count());
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
        QCOMPARE(exported[0][0].toString(), QString("merged"));
        QVERIFY2(message(page).contains(QString::fromStdString(out.string())),
                 qPrintable(message(page)));
        QVERIFY(mostDone > 0); // the exporter's per-tensor progress reached the bar

        QVERIFY(fs::exists(out / "config.json"));
        QVERIFY(fs::exists(out / "model.safetensors"));
        QVERIFY(fs::exists(out / "tokenizer.json"));
        const auto config = nlohmann::json::parse(test::readText(out / "config.json"));
        QCOMPARE(config.value("dtype", std::string()), std::string("float32"));
        // The engine loads it as a model of its own and it answers.
        model::GenerationOptions options;
        options.maxNewTokens = 8;
        QVERIFY(!model::TextGenerator(out.string()).generate("Hi", options).empty());
    }

    void refusesANonEmptyFolderAndLeavesItAlone()
    {
        ui::RunDraft draft;
        ui::ExportChatPage page(draft);
        page.show();
        page.setRun(QString::fromStdString(m_run.string()));
        const auto out = m_dir / "occupied";
        fs::create_directories(out);
        std::ofstream(out / "notes.txt") << "mine";
        QSignalSpy exported(&page, &ui::ExportChatPage::exported);
        QVERIFY(exportThroughDialog(child<QPushButton>(page, "exportAdapterButton"), out));
        QTRY_VERIFY_WITH_TIMEOUT(message(page).contains("Export failed"), 60000);
        QVERIFY2(message(page).contains("occupied"), qPrintable(message(page)));
        QVERIFY(child<QLabel>(page, "exportMessage")->property("error").toBool());
        QCOMPARE(exported.count(), 0);
        QCOMPARE(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
        QCOMPARE(test::readText(out / "notes.txt"), std::string("mine"));
        // No temporary sibling is left behind.
        for (const auto &entry : fs::directory_iterator(m_dir.path()))
            QVERIFY2(entry.path().filename().string().find("occupied") == std::string::npos ||
                         entry.path() == out,
                     entry.path().c_str());
        QVERIFY(child<QPushButton>(page, "exportAdapterButton")->isEnabled());
    }
};

QTEST_MAIN(TestUiExport)
#include "tst_ui_export.moc"
