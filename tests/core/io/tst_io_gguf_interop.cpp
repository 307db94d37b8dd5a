// GGUF against the Python reference stack (tests/fixtures/gen_gguf.py):
// dequantization of every supported type equals gguf.quants.dequantize
// bit for bit, our Q8_0/Q4_0/F16/BF16 encoders equal gguf.quants.quantize
// byte for byte, and tiny Llama/Qwen2/GPT-2 models written the way
// convert_hf_to_gguf.py does map back to their source safetensors and config.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "io/CheckpointIndex.h"
#include "io/GgufDequant.h"
#include "io/GgufFile.h"
#include "io/GgufToHf.h"
#include "io/JsonFile.h"
#include "io/SafetensorsFile.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <set>

using namespace headroom;
using namespace headroom::io;

namespace {
std::filesystem::path ggufFixtures()
{
    return test::fixtureDir() / "gguf";
}

std::vector<float> floats(const TensorInfo &t)
{
    std::vector<float> v(t.bytes.size() / 4);
    std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
    return v;
}

bool sameBytes(std::span<const std::byte> a, std::span<const std::byte> b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}
} // namespace

class TestGgufInterop : public QObject
{
    Q_OBJECT

private slots:
    void dequantizeMatchesReference()
    {
        const auto dir = ggufFixtures() / "dequant";
        const auto gguf = GgufFile::open(dir / "quants.gguf");
        const auto expected = SafetensorsFile::open(dir / "expected.safetensors");
        const std::vector<std::string> types{"F32",  "F16",  "BF16", "Q8_0",
                                             "Q4_0", "Q4_1", "Q4_K", "Q6_K"};
        for (const auto &name : types) {
            const auto *t = gguf.findTensor(name);
            const auto *e = expected.find(name);
            QVERIFY2(t && e, name.c_str());
            QCOMPARE(ggmlTypeName(t->type), name);
            QCOMPARE(t->shape(), e->shape);
            const auto ours = dequantize(gguf, *t);
            const auto reference = floats(*e);
            QCOMPARE(ours.size(), reference.size());
            std::size_t mismatches = 0;
            for (std::size_t i = 0; i < ours.size(); ++i)
                mismatches += ours[i] != reference[i];
            QVERIFY2(mismatches == 0,
                     (name + ": " + std::to_string(mismatches) + " values differ").c_str());
        }
    }

    void encodersMatchReference()
    {
        const auto dir = ggufFixtures() / "dequant";
        const auto gguf = GgufFile::open(dir / "quants.gguf");
        const auto source = SafetensorsFile::open(dir / "source.safetensors");
        const auto x = floats(*source.find("source"));
        QVERIFY(sameBytes(quantizeQ8_0(x), gguf.findTensor("Q8_0")->bytes));
        QVERIFY(sameBytes(quantizeQ4_0(x), gguf.findTensor("Q4_0")->bytes));
        QVERIFY(sameBytes(packF16(x), gguf.findTensor("F16")->bytes));
        QVERIFY(sameBytes(packBF16(x), gguf.findTensor("BF16")->bytes));
        QVERIFY(sameBytes(packF32(x), gguf.findTensor("F32")->bytes));
    }

    void modelsMapBackToSource_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("ftype");
        for (const char *arch : {"llama", "qwen2", "gpt2"})
            for (const char *ftype : {"f32", "q8_0", "q4_0"})
                QTest::newRow((std::string(arch) + "-" + ftype).c_str()) << arch << ftype;
    }

    void modelsMapBackToSource()
    {
        QFETCH(QString, arch);
        QFETCH(QString, ftype);
        const auto folder = ggufFixtures() / arch.toStdString();
        const auto gguf = GgufFile::open(folder / ("model-" + ftype.toStdString() + ".gguf"));
        const auto source = CheckpointIndex::open(folder / "source");
        std::set<std::string> seen;
        const double divisor = ftype == "f32" ? 0 : ftype == "q8_0" ? 100 : 5;
        forEachHfTensor(gguf, [&](HfTensor &&t) {
            const auto *src = source.find(t.name);
            if (!src)
                QFAIL(("no source tensor for " + t.name).c_str());
            QVERIFY2(t.shape == src->info->shape, t.name.c_str());
            const auto reference = floats(*src->info);
            QCOMPARE(t.data.size(), reference.size());
            seen.insert(t.name);
            if (divisor == 0 || t.shape.size() != 2) {
                QVERIFY2(t.data == reference, (t.name + " differs").c_str());
                return;
            }
            // Quantized: each element within max|row| / divisor of the source.
            // GPT-2 Conv1D weights are stored transposed, so blocks run along
            // columns of the HF layout; use the whole tensor's max there.
            const bool conv1d =
                t.name.starts_with("transformer.h.") && !t.name.ends_with("wte.weight");
            const int64_t rows = t.shape[0], cols = t.shape[1];
            float tensorMax = 0;
            for (float v : reference)
                tensorMax = std::max(tensorMax, std::fabs(v));
            for (int64_t r = 0; r < rows; ++r) {
                float rowMax = 0;
                for (int64_t c = 0; c < cols; ++c)
                    rowMax = std::max(rowMax, std::fabs(reference[r * cols + c]));
                const double tolerance = (conv1d ? tensorMax : rowMax) / divisor + 1e-7;
                for (int64_t c = 0; c < cols; ++c) {
                    const double diff = std::fabs(t.data[r * cols + c] - reference[r * cols + c]);
                    if (diff > tolerance)
                        QFAIL((t.name + ": row " + std::to_string(r) + " differs by " +
                               std::to_string(diff) + " > " + std::to_string(tolerance))
                                  .c_str());
                }
            }
        });
        QCOMPARE(seen.size(), source.tensors().size());
    }

    void configMatchesSource_data()
    {
        QTest::addColumn<QString>("arch");
        for (const char *arch : {"llama", "qwen2", "gpt2"})
            QTest::newRow(arch) << arch;
    }

    void configMatchesSource()
    {
        QFETCH(QString, arch);
        const auto folder = ggufFixtures() / arch.toStdString();
        const auto gguf = GgufFile::open(folder / "model-q8_0.gguf");
        const auto source = readJsonFile(folder / "source" / "config.json");
        const auto ours = configJsonFromGguf(gguf);
        std::vector<std::string> fields{"model_type",          "architectures", "vocab_size",
                                        "tie_word_embeddings", "bos_token_id",  "eos_token_id"};
        if (arch == "gpt2") {
            for (const char *f :
                 {"n_embd", "n_layer", "n_head", "n_positions", "n_inner", "layer_norm_epsilon"})
                fields.push_back(f);
        } else {
            for (const char *f :
                 {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                  "num_key_value_heads", "rms_norm_eps", "max_position_embeddings"})
                fields.push_back(f);
            if (source.contains("head_dim"))
                fields.push_back("head_dim");
            if (source.contains("attention_bias"))
                fields.push_back("attention_bias");
            const double theta = source.contains("rope_parameters")
                                     ? source["rope_parameters"]["rope_theta"].get<double>()
                                     : source["rope_theta"].get<double>();
            QCOMPARE(ours["rope_theta"].get<double>(), theta);
            QCOMPARE(ours["rope_parameters"]["rope_theta"].get<double>(), theta);
            QVERIFY(ours["rope_scaling"].is_null());
            QCOMPARE(ours["attention_bias"].get<bool>(), arch == "qwen2");
        }
        for (const auto &f : fields) {
            const auto expected = source.contains(f) ? source[f] : nlohmann::json();
            const auto actual = ours.contains(f) ? ours[f] : nlohmann::json();
            QVERIFY2(expected == actual,
                     (f + ": source " + expected.dump() + ", from GGUF " + actual.dump()).c_str());
        }
    }

    void vocabulary()
    {
        const auto gguf = GgufFile::open(ggufFixtures() / "qwen2" / "model-f32.gguf");
        const auto vocab = vocabFromGguf(gguf);
        QCOMPARE(vocab.model, std::string("gpt2"));
        QCOMPARE(vocab.pre, std::string("qwen2"));
        QCOMPARE(vocab.tokens.size(), std::size_t(260));
        QCOMPARE(vocab.tokens[259], std::string("<|endoftext|>"));
        QCOMPARE(vocab.tokenTypes.size(), std::size_t(260));
        QCOMPARE(vocab.tokenTypes[259], 3);
        QCOMPARE(vocab.merges, (std::vector<std::string>{"Ġ t", "h e", "Ġt he"}));
        QCOMPARE(*vocab.bosId, int64_t(259));
        QCOMPARE(*vocab.eosId, int64_t(259));
        QCOMPARE(*vocab.addBos, false);
        QVERIFY(vocab.scores.empty());
    }
};

QTEST_APPLESS_MAIN(TestGgufInterop)
#include "tst_io_gguf_interop.moc"
