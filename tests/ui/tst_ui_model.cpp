// The model page: opening the fixture model shows its real shape and hands it
// to the draft; broken models are explained inline naming the file and leave
// the draft without a model; GGUF files, drag and drop and recent models work.
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "model/ModelPage.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;

class TestUiModel : public QObject
{
    Q_OBJECT

    fs::path tinyModel() const { return test::trainFixtures() / "tiny_llama"; }
    static QString qpath(const fs::path &path) { return QString::fromStdString(path.string()); }
    static QString labelText(QWidget &page, const char *name)
    {
        auto *label = page.findChild<QLabel *>(name);
        return label ? label->text() : QString("<no label %1>").arg(name);
    }
    // A writable copy of the tiny model, to break.
    fs::path copyTinyModel(const test::TempDir &dir) const
    {
        const fs::path copy = dir / "model";
        fs::copy(tinyModel(), copy, fs::copy_options::recursive);
        return copy;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("HeadroomTests");
        QCoreApplication::setApplicationName("tst_ui_model");
    }
    void init() { QSettings().clear(); }

    void opensTheFixtureModelAndShowsItsShape()
    {
        const auto config = nlohmann::json::parse(test::readText(tinyModel() / "config.json"));
        ui::RunDraft draft;
        ui::ModelPage page(draft);
        QSignalSpy opened(&page, &ui::ModelPage::modelOpened);
        QSignalSpy modelChanged(&draft, &ui::RunDraft::modelChanged);

        QVERIFY(page.openModel(qpath(tinyModel())));
        QCOMPARE(opened.count(), 1);
        QCOMPARE(modelChanged.count(), 1);
        QCOMPARE(labelText(page, "summaryLayers"),
                 QString::number(config.at("num_hidden_layers").get<int>()));
        QCOMPARE(labelText(page, "summaryVocab"),
                 QString::number(config.at("vocab_size").get<int>()));
        QCOMPARE(labelText(page, "summaryHidden"),
                 QString::number(config.at("hidden_size").get<int>()));
        QVERIFY2(labelText(page, "summaryArchitecture").contains("llama"),
                 qPrintable(labelText(page, "summaryArchitecture")));
        QVERIFY(labelText(page, "summaryPath").contains("tiny_llama"));
        QVERIFY(!page.findChild<QLabel *>("modelError")->isVisibleTo(&page));

        QVERIFY(draft.modelShape().has_value());
        QCOMPARE(draft.modelShape()->numLayers, config.at("num_hidden_layers").get<int64_t>());
        QCOMPARE(QString::fromStdString(draft.config().model), qpath(tinyModel()));

        auto *recent = page.findChild<QListWidget *>("recentModels");
        QCOMPARE(recent->count(), 1);
        QCOMPARE(recent->item(0)->data(Qt::UserRole).toString(), qpath(tinyModel()));
    }

    void badConfigFieldIsNamedAndClearsTheDraft()
    {
        test::TempDir dir;
        const fs::path model = copyTinyModel(dir);
        auto config = nlohmann::json::parse(test::readText(model / "config.json"));
        config["num_hidden_layers"] = "many";
        std::ofstream(model / "config.json") << config.dump();

        ui::RunDraft draft;
        ui::ModelPage page(draft);
        QVERIFY(page.openModel(qpath(tinyModel())));
        QVERIFY(draft.modelShape().has_value());

        QVERIFY(!page.openModel(qpath(model)));
        auto *error = page.findChild<QLabel *>("modelError");
        QVERIFY(error->isVisibleTo(&page));
        qInfo("%s", qPrintable(error->text()));
        QVERIFY2(error->text().contains("config.json"), qPrintable(error->text()));
        QVERIFY2(error->text().contains("num_hidden_layers"), qPrintable(error->text()));
        QVERIFY(!draft.modelShape().has_value());
        QVERIFY(draft.config().model.empty());
        QCOMPARE(labelText(page, "summaryLayers"), QString("—"));
        QVERIFY(page.currentModel().isEmpty());
    }

    void unsupportedArchitectureIsNamed()
    {
        test::TempDir dir;
        const fs::path model = copyTinyModel(dir);
        auto config = nlohmann::json::parse(test::readText(model / "config.json"));
        config["model_type"] = "bert";
        std::ofstream(model / "config.json") << config.dump();
        ui::RunDraft draft;
        ui::ModelPage page(draft);
        QVERIFY(!page.openModel(qpath(model)));
        const QString error = labelText(page, "modelError");
        qInfo("%s", qPrintable(error));
        QVERIFY2(error.contains("bert") && error.contains("config.json"), qPrintable(error));
        QVERIFY(!draft.modelShape().has_value());
    }

    void truncatedSafetensorsIsNamed()
    {
        test::TempDir dir;
        const fs::path model = copyTinyModel(dir);
        const fs::path weights = model / "model.safetensors";
        fs::resize_file(weights, fs::file_size(weights) / 2);

        ui::RunDraft draft;
        ui::ModelPage page(draft);
        QVERIFY(!page.openModel(qpath(model)));
        const QString error = labelText(page, "modelError");
        qInfo("%s", qPrintable(error));
        QVERIFY2(error.contains("model.safetensors"), qPrintable(error));
        QVERIFY(!draft.modelShape().has_value());
    }

    void missingModelIsExplained()
    {
        ui::RunDraft draft;
        ui::ModelPage page(draft);
        QVERIFY(!page.openModel("/nonexistent/headroom-model"));
        const QString error = labelText(page, "modelError");
        QVERIFY2(error.contains("/nonexistent/headroom-model"), qPrintable(error));
    }

    void opensTheDefaultGguf()
    {
        const QString gguf = qEnvironmentVariable("HEADROOM_DEFAULT_MODEL");
        if (gguf.isEmpty() || !QFileInfo::exists(gguf))
            QSKIP("HEADROOM_DEFAULT_MODEL is not set");
        ui::RunDraft draft;
        ui::ModelPage page(draft);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(page.openModel(gguf));
        qInfo("GGUF inspected in %lld ms", timer.elapsed());
        QVERIFY2(labelText(page, "summaryArchitecture").contains("GGUF"),
                 qPrintable(labelText(page, "summaryArchitecture")));
        QVERIFY(draft.modelShape().has_value());
        QCOMPARE(labelText(page, "summaryLayers"), QString::number(draft.modelShape()->numLayers));
        QVERIFY(labelText(page, "summaryTokenizer").contains("chat template included"));
    }

    void dropOpensTheModelFolder()
    {
        ui::RunDraft draft;
        ui::ModelPage page(draft);
        page.resize(800, 600);
        QMimeData mime;
        // A dropped config.json stands for its folder.
        mime.setUrls({QUrl::fromLocalFile(qpath(tinyModel() / "config.json"))});
        const QPoint centre = page.rect().center();
        QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&page, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&page, &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(QString::fromStdString(draft.config().model), qpath(tinyModel()));
        QVERIFY(draft.modelShape().has_value());
    }

    void listsAndOpensModelsOfTheHuggingFaceCache()
    {
        // A cache as huggingface_hub lays it out, holding the tiny model.
        test::TempDir cache;
        const fs::path repo = cache / "models--headroom--tiny-llama";
        fs::create_directories(repo / "refs");
        fs::create_directories(repo / "snapshots");
        fs::copy(tinyModel(), repo / "snapshots" / "0123abcd", fs::copy_options::recursive);
        std::ofstream(repo / "refs" / "main") << "0123abcd";
        const QByteArray previous = qgetenv("HF_HUB_CACHE");
        qputenv("HF_HUB_CACHE", QByteArray::fromStdString(cache.path().string()));

        ui::RunDraft draft;
        ui::ModelPage page(draft);
        auto *cached = page.findChild<QListWidget *>("cachedModels");
        QCOMPARE(cached->count(), 1);
        QCOMPARE(cached->item(0)->data(Qt::UserRole).toString(), QString("headroom/tiny-llama"));
        emit cached->itemActivated(cached->item(0));
        QCOMPARE(QString::fromStdString(draft.config().model), QString("headroom/tiny-llama"));
        QVERIFY(draft.modelShape().has_value());
        QVERIFY2(labelText(page, "summaryArchitecture").contains("headroom/tiny-llama"),
                 qPrintable(labelText(page, "summaryArchitecture")));
        if (previous.isNull())
            qunsetenv("HF_HUB_CACHE");
        else
            qputenv("HF_HUB_CACHE", previous);
    }

    void recentModelsKeepTheNewestTen()
    {
        QStringList old;
        for (int i = 0; i < 10; ++i)
            old << QString("/old/model-%1").arg(i);
        QSettings().setValue("recent/models", old);
        ui::RunDraft draft;
        ui::ModelPage page(draft);
        auto *recent = page.findChild<QListWidget *>("recentModels");
        QCOMPARE(recent->count(), 10);
        QVERIFY(page.openModel(qpath(tinyModel())));
        const QStringList now = QSettings().value("recent/models").toStringList();
        QCOMPARE(now.size(), 10);
        QCOMPARE(now.front(), qpath(tinyModel()));
        QCOMPARE(now.back(), QString("/old/model-8"));
        QCOMPARE(recent->item(0)->data(Qt::UserRole).toString(), qpath(tinyModel()));

        // Activating a recent entry opens it again.
        ui::RunDraft other;
        ui::ModelPage second(other);
        auto *list = second.findChild<QListWidget *>("recentModels");
        emit list->itemActivated(list->item(0));
        QCOMPARE(QString::fromStdString(other.config().model), qpath(tinyModel()));
    }
};

QTEST_MAIN(TestUiModel)
#include "tst_ui_model.moc"
