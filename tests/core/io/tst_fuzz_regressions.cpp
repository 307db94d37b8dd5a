// Replays every input kept under fuzz/regressions/<target>/ (the crashes
// the libFuzzer targets of fuzz/ found) through the same target code in the
// normal build: each must now be refused with headroom::Error or accepted,
// never crash or leak another exception. Under the `asan` preset this also
// catches the undefined behaviour the fuzz build reported.
#include "common/TestSupport.h"

#include <QtTest>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>

// The target functions of fuzz/*.cpp, compiled with HEADROOM_FUZZ_REPLAY.
int fuzz_safetensors(const uint8_t *data, size_t size);
int fuzz_checkpoint_index(const uint8_t *data, size_t size);
int fuzz_gguf(const uint8_t *data, size_t size);
int fuzz_tokenizer(const uint8_t *data, size_t size);
int fuzz_model_config(const uint8_t *data, size_t size);
int fuzz_train_config(const uint8_t *data, size_t size);
int fuzz_jsonl(const uint8_t *data, size_t size);
int fuzz_csv(const uint8_t *data, size_t size);

namespace fs = std::filesystem;

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void replay_data()
    {
        const std::map<std::string, int (*)(const uint8_t *, size_t)> targets = {
            {"fuzz_safetensors", fuzz_safetensors},
            {"fuzz_checkpoint_index", fuzz_checkpoint_index},
            {"fuzz_gguf", fuzz_gguf},
            {"fuzz_tokenizer", fuzz_tokenizer},
            {"fuzz_model_config", fuzz_model_config},
            {"fuzz_train_config", fuzz_train_config},
            {"fuzz_jsonl", fuzz_jsonl},
            {"fuzz_csv", fuzz_csv}};
        QTest::addColumn<QString>("file");
        QTest::addColumn<void *>("target");
        const auto root = headroom::test::sourceDir() / "fuzz" / "regressions";
        int count = 0;
        for (const auto &[name, function] : targets) {
            if (!fs::is_directory(root / name))
                continue;
            for (const auto &entry : fs::directory_iterator(root / name)) {
                const auto label = name + "/" + entry.path().filename().string();
                QTest::newRow(label.c_str()) << QString::fromStdString(entry.path().string())
                                             << reinterpret_cast<void *>(function);
                ++count;
            }
        }
        if (count == 0)
            QTest::newRow("none") << QString() << static_cast<void *>(nullptr);
    }

    void replay()
    {
        QFETCH(QString, file);
        QFETCH(void *, target);
        if (file.isEmpty())
            QSKIP("no regression inputs kept");
        std::ifstream in(file.toStdString(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        const auto function = reinterpret_cast<int (*)(const uint8_t *, size_t)>(target);
        try {
            function(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"
