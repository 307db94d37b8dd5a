// The chat panel on a real tiny run: one Send produces the fine-tuned answer
// (adapter on) and the base answer (adapter off) side by side, each exactly
// what the engine's TextGenerator produces with the adapter enabled /
// disabled (greedy decoding), streamed while the GUI thread keeps running;
// Stop cancels; without a model or an adapter the panel says so.
#include "chat/ChatPanel.h"
#include "common/TestSupport.h"
#include "common/TinyRun.h"
#include "model/TextGenerator.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;

class TestUiChat : public QObject
{
    Q_OBJECT

    test::TempDir m_dir;
    QString m_model, m_adapter;

    template <typename T> static T *child(QWidget &widget, const char *name)
    {
        auto *found = widget.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", name);
        return found;
    }
    static QString text(QWidget &panel, const char *name)
    {
        return child<QPlainTextEdit>(panel, name)->toPlainText();
    }

private slots:
    void initTestCase()
    {
        const auto run = m_dir / "run";
        const auto config = m_dir / "config.json";
        std::ofstream(config) << test::tinyRunConfig(run).dump(2);
        const auto result = test::runCli({"train", "--config", config.string()});
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        // checkpoints/latest names the newest checkpoint folder; LoRA runs keep the adapter in it.
        const auto latest = QString::fromStdString(test::readText(run / "checkpoints" / "latest"));
        const auto adapter = run / "checkpoints" / latest.trimmed().toStdString() / "adapter";
        QVERIFY(fs::exists(adapter / "adapter_config.json"));
        m_model = QString::fromStdString((test::trainFixtures() / "tiny_llama").string());
        m_adapter = QString::fromStdString(adapter.string());
    }

    void withoutAModelSendIsOffAndSaysWhy()
    {
        ui::ChatPanel panel;
        QTest::keyClicks(child<QPlainTextEdit>(panel, "chatPrompt"), "Hello");
        QVERIFY(!child<QPushButton>(panel, "chatSend")->isEnabled());
        QVERIFY(child<QLabel>(panel, "chatStatus")->text().contains("No model"));

        panel.setModelAndAdapter(m_model, {});
        QVERIFY(child<QPushButton>(panel, "chatSend")->isEnabled());
        QVERIFY(child<QLabel>(panel, "chatStatus")->text().contains("No trained adapter"));
        QVERIFY(!child<QPlainTextEdit>(panel, "chatTunedAnswer")->isEnabled());
    }

    void bothAnswersMatchTheEngineWithAdapterOnAndOff()
    {
        const std::string prompt = "Tell me about memory.";
        model::GenerationOptions options;
        options.maxNewTokens = 40;
        model::TextGeneratorOptions load;
        load.adapter = m_adapter.toStdString();
        model::TextGenerator direct(m_model.toStdString(), load);
        QVERIFY(direct.usesChatFormat()); // the tiny fixture brings a chat template
        std::string streamed;
        const auto tuned =
            direct.generate(prompt, options, [&](const std::string &piece) { streamed += piece; });
        QCOMPARE(streamed, tuned); // the pieces add up to the whole answer
        direct.setAdapterEnabled(false);
        const auto base = direct.generate(prompt, options);
        QVERIFY2(tuned != base, "the adapter changes nothing: the comparison would prove nothing");
        // The same answers as `headroom-cli generate --chat` gives with and without the adapter.
        for (const bool adapter : {true, false}) {
            std::vector<std::string> args = {
                "generate", m_model.toStdString(), "--prompt", prompt, "--chat",
                "--json",   "--max-new-tokens",    "40"};
            if (adapter)
                args.insert(args.end(), {"--adapter", m_adapter.toStdString()});
            const auto cli = test::runCli(args);
            QVERIFY2(cli.exitCode == 0, cli.err.c_str());
            QCOMPARE(nlohmann::json::parse(cli.out)["text"].get<std::string>(),
                     adapter ? tuned : base);
        }

        ui::ChatPanel panel;
        panel.show();
        panel.setModelAndAdapter(m_model, m_adapter);
        child<QSpinBox>(panel, "chatMaxTokens")->setValue(40);
        QTest::keyClicks(child<QPlainTextEdit>(panel, "chatPrompt"),
                         QString::fromStdString(prompt));
        QSignalSpy answered(&panel, &ui::ChatPanel::answered);

        // The GUI thread keeps turning while the worker loads and generates.
        QElapsedTimer clock;
        qint64 last = 0, longestGap = 0;
        int ticks = 0, busyTicks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] {
            longestGap = std::max(longestGap, clock.elapsed() - last);
            last = clock.elapsed();
            ++ticks;
            if (panel.isBusy() && child<QPushButton>(panel, "chatStop")->isEnabled())
                ++busyTicks;
        });
        clock.start();
        ticker.start(10);
        QTest::mouseClick(child<QPushButton>(panel, "chatSend"), Qt::LeftButton);
        QVERIFY(panel.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 60000);
        ticker.stop();
        QVERIFY(!text(panel, "chatTunedAnswer").isEmpty());
        QVERIFY(!text(panel, "chatBaseAnswer").isEmpty());
        QCOMPARE(text(panel, "chatTunedAnswer").toStdString(), tuned);
        QCOMPARE(text(panel, "chatBaseAnswer").toStdString(), base);
        QVERIFY2(busyTicks > 0, "the event loop never ran while generating");
        QVERIFY2(longestGap < 1500, qPrintable(QString("GUI blocked for %1 ms").arg(longestGap)));
        QVERIFY(child<QLabel>(panel, "chatTunedTitle")->text().contains("40 tokens"));
        QVERIFY(child<QLabel>(panel, "chatStatus")->text().contains("Done"));
        QVERIFY(!child<QPushButton>(panel, "chatStop")->isEnabled());
    }

    void stopCancelsTheAnswer()
    {
        ui::ChatPanel panel;
        panel.setModelAndAdapter(m_model, m_adapter);
        child<QSpinBox>(panel, "chatMaxTokens")->setValue(4096);
        panel.show();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        auto *prompt = child<QPlainTextEdit>(panel, "chatPrompt");
        prompt->setFocus();
        QTest::keyClicks(prompt, "Go on and on");
        QSignalSpy answered(&panel, &ui::ChatPanel::answered);
        QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier); // sends, adds no newline
        QVERIFY(panel.isBusy());
        QCOMPARE(prompt->toPlainText(), QString("Go on and on"));
        QTRY_VERIFY_WITH_TIMEOUT(!text(panel, "chatTunedAnswer").isEmpty(), 60000);
        QTest::mouseClick(child<QPushButton>(panel, "chatStop"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 60000);
        QVERIFY2(child<QLabel>(panel, "chatTunedTitle")->text().contains("stopped"),
                 qPrintable(child<QLabel>(panel, "chatTunedTitle")->text()));
        QVERIFY(text(panel, "chatBaseAnswer").isEmpty()); // never started
        QVERIFY(child<QPushButton>(panel, "chatSend")->isEnabled());
        QCOMPARE(child<QLabel>(panel, "chatStatus")->text(), QString("Stopped."));
    }

    void aBrokenAdapterIsReportedNotCrashed()
    {
        const auto broken = m_dir / "broken-adapter";
        fs::create_directories(broken);
        std::ofstream(broken / "adapter_config.json") << "{ not json";
        ui::ChatPanel panel;
        panel.setModelAndAdapter(m_model, QString::fromStdString(broken.string()));
        QTest::keyClicks(child<QPlainTextEdit>(panel, "chatPrompt"), "Hi");
        QSignalSpy answered(&panel, &ui::ChatPanel::answered);
        QTest::mouseClick(child<QPushButton>(panel, "chatSend"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 60000);
        const QString status = child<QLabel>(panel, "chatStatus")->text();
        QVERIFY2(status.contains("adapter_config.json"), qPrintable(status));
        QVERIFY(text(panel, "chatBaseAnswer").isEmpty());
    }
};

QTEST_MAIN(TestUiChat)
#include "tst_ui_chat.moc"
