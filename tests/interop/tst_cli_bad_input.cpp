// Bad input through headroom-cli: every broken model file or setting ends
// with exit code 2 and a message on stderr naming the file and the problem —
// never a crash, never exit 0. Runs under the ASan+UBSan preset too.
#include "common/TestSupport.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

// A copy of a fixture model that a test may break.
fs::path copyModel(const test::TempDir &temp, const std::string &name)
{
    auto target = temp.path() / name;
    fs::copy(test::fixtureDir() / "models" / name, target, fs::copy_options::recursive);
    return target;
}

void editConfig(const fs::path &folder, const std::function<void(nlohmann::json &)> &edit)
{
    auto config = nlohmann::json::parse(test::readText(folder / "config.json"));
    edit(config);
    test::writeBytes(folder / "config.json", config.dump(2));
}

std::string safetensorsBytes(const std::string &header, const std::string &data)
{
    std::string bytes(8, '\0');
    uint64_t size = header.size();
    for (int i = 0; i < 8; ++i)
        bytes[static_cast<size_t>(i)] = static_cast<char>((size >> (8 * i)) & 0xFF);
    return bytes + header + data;
}

// Runs the CLI and checks: exit code 2, every needle in stderr, no crash.
void expectRejected(const std::vector<std::string> &args, const std::vector<std::string> &needles)
{
    auto result = test::runCli(args);
    QVERIFY2(result.exitCode == 2, qPrintable(QString("exit code %1, stderr: %2")
                                                  .arg(result.exitCode)
                                                  .arg(QString::fromStdString(result.err))));
    for (const auto &needle : needles)
        QVERIFY2(result.err.find(needle) != std::string::npos,
                 qPrintable(
                     QString("stderr lacks `%1`: %2")
                         .arg(QString::fromStdString(needle), QString::fromStdString(result.err))));
    QVERIFY(result.err.starts_with("error: "));
}

// A copy of llama_basic whose model.safetensors is `header` + `data`, inspected.
void expectWeightsRejected(const std::string &header, size_t dataBytes,
                           const std::vector<std::string> &needles)
{
    test::TempDir temp;
    auto folder = copyModel(temp, "llama_basic");
    test::writeBytes(folder / "model.safetensors",
                     safetensorsBytes(header, std::string(dataBytes, '\0')));
    expectRejected({"inspect", folder.string()}, needles);
}

} // namespace

class TestCliBadInput : public QObject
{
    Q_OBJECT

private slots:
    void truncatedSafetensors()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        fs::resize_file(folder / "model.safetensors",
                        fs::file_size(folder / "model.safetensors") - 100);
        expectRejected({"inspect", folder.string()}, {"model.safetensors"});
    }

    void headerLongerThanFile()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        test::writeBytes(folder / "model.safetensors",
                         std::string("\xff\xff\xff\x00\x00\x00\x00\x00", 8) + "{}");
        expectRejected({"inspect", folder.string()}, {"model.safetensors", "header"});
    }

    void overlappingOffsets()
    {
        const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
        expectWeightsRejected(header, 12, {"model.safetensors"});
    }

    void offsetsOutOfRange()
    {
        const std::string header = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
        expectWeightsRejected(header, 8, {"model.safetensors", "`a`"});
    }

    void sizeDisagreesWithShape()
    {
        const std::string header = R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
        expectWeightsRejected(header, 8, {"model.safetensors", "`a`"});
    }

    void wrongDtype()
    {
        // A weight stored as I32 (same byte count as F32) cannot be a float weight.
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_tokenizer");
        {
            auto original = io::SafetensorsFile::open(folder / "model.safetensors");
            io::SafetensorsWriter writer;
            for (const auto &info : original.tensors())
                writer.add(info.name,
                           info.name == "model.norm.weight" ? io::DType::I32 : info.dtype,
                           info.shape, info.bytes);
            writer.write(temp.path() / "rewritten.safetensors");
        }
        fs::rename(temp.path() / "rewritten.safetensors", folder / "model.safetensors");
        expectRejected({"score", folder.string(), "--text", "hello"},
                       {"model.safetensors", "model.norm.weight", "integer"});
    }

    void shapeDisagreesWithConfig()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_tokenizer");
        editConfig(folder, [](nlohmann::json &c) { c["intermediate_size"] = 96; });
        expectRejected({"score", folder.string(), "--text", "hello"},
                       {"mlp.", "config.json implies"});
    }

    void configMissingField()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        editConfig(folder, [](nlohmann::json &c) { c.erase("hidden_size"); });
        expectRejected({"inspect", folder.string()}, {"config.json", "`hidden_size`", "missing"});
    }

    void configInconsistentHeads()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        editConfig(folder, [](nlohmann::json &c) { c["num_key_value_heads"] = 3; });
        expectRejected({"inspect", folder.string()},
                       {"config.json", "`num_key_value_heads`", "must divide"});
    }

    void configNotJson()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        test::writeBytes(folder / "config.json", "{\"model_type\": \"llama\",");
        expectRejected({"inspect", folder.string()}, {"config.json", "invalid JSON"});
    }

    void unknownModelType()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        editConfig(folder, [](nlohmann::json &c) { c["model_type"] = "phi3"; });
        expectRejected({"inspect", folder.string()},
                       {"config.json", "`phi3`", "not supported", "llama", "qwen2"});
    }

    void unsupportedRopeScaling()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        editConfig(folder, [](nlohmann::json &c) {
            c["rope_parameters"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
        });
        expectRejected({"inspect", folder.string()}, {"config.json", "`yarn`"});
    }

    void pickleOnlyFolder()
    {
        test::TempDir temp;
        auto folder = copyModel(temp, "llama_basic");
        fs::rename(folder / "model.safetensors", folder / "pytorch_model.bin");
        expectRejected({"inspect", folder.string()}, {"pytorch_model.bin"});
    }

    void ggufBadMagic()
    {
        test::TempDir temp;
        auto file = temp.path() / "model.gguf";
        fs::copy_file(test::fixtureDir() / "gguf" / "llama" / "model-q8_0.gguf", file);
        std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
        out.write("GGUX", 4);
        out.close();
        expectRejected({"inspect", file.string()}, {"model.gguf", "magic"});
    }

    void ggufTruncatedTensorData()
    {
        test::TempDir temp;
        auto file = temp.path() / "model.gguf";
        fs::copy_file(test::fixtureDir() / "gguf" / "llama" / "model-q8_0.gguf", file);
        fs::resize_file(file, fs::file_size(file) - 64);
        expectRejected({"inspect", file.string()}, {"model.gguf"});
    }

    void missingModel()
    {
        expectRejected({"inspect", "no/such-model-anywhere"}, {"no/such-model-anywhere"});
    }

    void cudaWithoutGpu()
    {
        if (std::getenv("CUDA_VISIBLE_DEVICES") == nullptr &&
            std::filesystem::exists("/dev/nvidia0"))
            QSKIP("this machine has a GPU");
        auto folder = test::fixtureDir() / "models" / "llama_tokenizer";
        expectRejected({"score", folder.string(), "--text", "a", "--device", "cuda"},
                       {"cuda", "no CUDA device"});
    }

    void tokenizerMissing()
    {
        auto folder = test::fixtureDir() / "models" / "llama_basic";
        expectRejected({"score", folder.string(), "--text", "hi"}, {"tokenizer.json"});
    }

    void badCommandLine()
    {
        auto folder = test::fixtureDir() / "models" / "llama_tokenizer";
        expectRejected({"generate", folder.string(), "--prompt", "x", "--top-p", "0"}, {"top-p"});
        expectRejected({"score", folder.string(), "--text", "a", "--dtype", "fp8"}, {"fp8"});
        expectRejected({"score", folder.string(), "--text", "a", "--device", "tpu"},
                       {"tpu", "cuda:N"});
        expectRejected({"score", folder.string(), "--text", "a", "--device", "cuda:x"}, {"cuda:x"});
        expectRejected({"generate", folder.string(), "--prompt", "x", "--chat-format", "alpaca"},
                       {"alpaca", "chatml"});
    }
};

QTEST_APPLESS_MAIN(TestCliBadInput)
#include "tst_cli_bad_input.moc"
