// GgufFile on hand-built files: a valid file's metadata and tensors, typed
// getter errors, and every malformed input (magic, version, huge counts,
// truncated data, misaligned offsets) refused with the file's name. Also the
// fp16/bf16 conversions, quantizer round trips and the Q/K un-permutation.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "io/GgufDequant.h"
#include "io/GgufFile.h"
#include "io/GgufToHf.h"
#include "io/HalfFloat.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>

using namespace headroom;
using namespace headroom::io;

namespace {
// Little-endian GGUF byte builder.
struct Builder
{
    std::string out;
    template <typename T> Builder &put(T v)
    {
        out.append(reinterpret_cast<const char *>(&v), sizeof v);
        return *this;
    }
    Builder &str(const std::string &s)
    {
        put<uint64_t>(s.size());
        out += s;
        return *this;
    }
    Builder &header(uint64_t tensors, uint64_t kvs, uint32_t version = 3)
    {
        out += "GGUF";
        return put<uint32_t>(version).put<uint64_t>(tensors).put<uint64_t>(kvs);
    }
    Builder &kvU32(const std::string &k, uint32_t v)
    {
        return str(k).put<uint32_t>(4).put<uint32_t>(v);
    }
    Builder &kvF32(const std::string &k, float v) { return str(k).put<uint32_t>(6).put<float>(v); }
    Builder &kvStr(const std::string &k, const std::string &v)
    {
        return str(k).put<uint32_t>(8).str(v);
    }
    Builder &tensor(const std::string &name, std::vector<uint64_t> ne, uint32_t type,
                    uint64_t offset)
    {
        str(name).put<uint32_t>(static_cast<uint32_t>(ne.size()));
        for (auto d : ne)
            put<uint64_t>(d);
        return put<uint32_t>(type).put<uint64_t>(offset);
    }
    Builder &align(std::size_t a = 32)
    {
        out.append((a - out.size() % a) % a, '\0');
        return *this;
    }
};

std::string errorOf(const test::TempDir &dir, const std::string &bytes)
{
    test::writeBytes(dir / "x.gguf", bytes);
    try {
        (void)GgufFile::open(dir / "x.gguf");
    } catch (const Error &e) {
        return e.what();
    }
    return "(no error)";
}

#define EXPECT_ERROR(bytes, needle)                                                                \
    do {                                                                                           \
        const auto e = errorOf(dir, bytes);                                                        \
        QVERIFY2(e.find("x.gguf: ") != std::string::npos && e.find(needle) != std::string::npos,   \
                 e.c_str());                                                                       \
    } while (0)

// A valid file: arch metadata, a string array, a nested array, two tensors.
std::string validFile()
{
    Builder b;
    b.header(2, 5).kvStr("general.architecture", "llama").kvU32("llama.block_count", 2);
    b.kvF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    b.str("tokenizer.ggml.tokens")
        .put<uint32_t>(9)
        .put<uint32_t>(8)
        .put<uint64_t>(2)
        .str("a")
        .str("b");
    // array of arrays of int32: [[1,2],[3]]
    b.str("nested").put<uint32_t>(9).put<uint32_t>(9).put<uint64_t>(2);
    b.put<uint32_t>(5).put<uint64_t>(2).put<int32_t>(1).put<int32_t>(2);
    b.put<uint32_t>(5).put<uint64_t>(1).put<int32_t>(3);
    b.tensor("w", {4, 2}, 0, 0).tensor("v", {32}, 8, 32); // F32 [2,4]; Q8_0 one block
    b.align();
    for (int i = 0; i < 8; ++i)
        b.put<float>(static_cast<float>(i));
    b.align();
    b.put<uint16_t>(floatToHalf(0.5f));
    for (int i = 0; i < 32; ++i)
        b.put<int8_t>(static_cast<int8_t>(i - 16));
    return b.out;
}
} // namespace

class TestGguf : public QObject
{
    Q_OBJECT

private slots:
    void readsValidFile()
    {
        test::TempDir dir;
        test::writeBytes(dir / "ok.gguf", validFile());
        const auto f = GgufFile::open(dir / "ok.gguf");
        QCOMPARE(f.version(), uint32_t(3));
        QCOMPARE(f.architecture(), std::string("llama"));
        QCOMPARE(f.requireInt("llama.block_count"), int64_t(2));
        QCOMPARE(static_cast<float>(*f.getFloat("llama.attention.layer_norm_rms_epsilon")), 1e-5f);
        QCOMPARE(*f.getStringArray("tokenizer.ggml.tokens"), (std::vector<std::string>{"a", "b"}));
        const auto *nested = f.find("nested");
        QVERIFY(nested && nested->items.size() == 2 && nested->items[0].items[1].i == 2);
        QCOMPARE(nested->describe(), std::string("array of array"));
        QVERIFY(!f.getInt("absent"));

        const auto *w = f.findTensor("w");
        QVERIFY(w);
        QCOMPARE(w->shape(), (std::vector<int64_t>{2, 4})); // PyTorch order
        QCOMPARE(dequantize(f, *w)[7], 7.0f);
        const auto *v = f.findTensor("v");
        const auto values = dequantize(f, *v);
        QCOMPARE(values[0], -8.0f);
        QCOMPARE(values[31], 7.5f);
    }

    void typedGetterErrors()
    {
        test::TempDir dir;
        test::writeBytes(dir / "ok.gguf", validFile());
        const auto f = GgufFile::open(dir / "ok.gguf");
        try {
            (void)f.getInt("general.architecture");
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(
                std::string(e.what()).ends_with(
                    "ok.gguf: metadata `general.architecture`: expected integer, found string"),
                e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, f.getString("llama.block_count"));
        QVERIFY_THROWS_EXCEPTION(Error, f.getStringArray("nested"));
        QVERIFY_THROWS_EXCEPTION(Error, f.requireInt("llama.missing"));
        QVERIFY_THROWS_EXCEPTION(Error, f.getBool("llama.block_count"));
    }

    void refusesMalformedFiles()
    {
        test::TempDir dir;
        const auto good = validFile();
        EXPECT_ERROR("GGU", "truncated");
        EXPECT_ERROR("GGML" + good.substr(4), "bad magic");
        EXPECT_ERROR(Builder().header(0, 0, 1).out, "unsupported GGUF version 1");
        EXPECT_ERROR(Builder().header(0, 1'000'000'000'000ull).out, "metadata count 1000000000000");
        EXPECT_ERROR(Builder().header(UINT64_MAX, 0).out, "tensor count");
        // 10^6 tensors in a file large enough to hold their infos (25 bytes
        // each at least): refused by the count limit, not the size bound.
        EXPECT_ERROR(Builder().header(1'000'000, 0).out + std::string(26'000'000, '\0'),
                     "tensor count 1000000 is over the limit of 500000");
        // A string array claiming 2^60 elements.
        EXPECT_ERROR(Builder()
                         .header(0, 1)
                         .str("k")
                         .put<uint32_t>(9)
                         .put<uint32_t>(8)
                         .put<uint64_t>(1ull << 60)
                         .out,
                     "cannot fit");
        // A key claiming a gigantic length.
        EXPECT_ERROR(Builder().header(0, 1).put<uint64_t>(1ull << 40).out + std::string(16, '\0'),
                     "key length 1099511627776 exceeds");
        EXPECT_ERROR(Builder().header(0, 1).kvStr("k", "v").out.substr(0, 40), "truncated");
        EXPECT_ERROR(Builder().header(0, 1).str("k").put<uint32_t>(77).out + std::string(8, '\0'),
                     "unknown value type 77");
        // Tensor data cut off: the error names the tensor.
        EXPECT_ERROR(good.substr(0, good.size() - 10), "tensor `v`");
        EXPECT_ERROR(good.substr(0, good.size() - 10), "truncated tensor data");
        {
            Builder b;
            b.header(1, 0).tensor("t", {4}, 0, 8).align();
            b.out += std::string(64, '\0');
            EXPECT_ERROR(b.out, "not a multiple of the alignment");
        }
        {
            Builder b;
            b.header(1, 0).tensor("t", {1ull << 62, 1ull << 62}, 0, 0).align();
            EXPECT_ERROR(b.out, "overflow");
        }
        {
            Builder b;
            b.header(1, 0).tensor("t", {30}, 8, 0).align();
            b.out += std::string(64, '\0');
            EXPECT_ERROR(b.out, "not a multiple of the Q8_0 block size 32");
        }
        {
            Builder b;
            b.header(1, 0).tensor("t", {4}, 99, 0).align();
            EXPECT_ERROR(b.out, "unknown ggml type 99");
        }
        {
            Builder b;
            b.header(1, 0).tensor("t", {1, 1, 1, 1, 1}, 0, 0).align();
            EXPECT_ERROR(b.out, "5 dimensions");
        }
        {
            Builder b;
            b.header(0, 1).kvStr("general.alignment", "x");
            EXPECT_ERROR(b.out, "general.alignment");
        }
        {
            // Deeply nested arrays are refused before the stack is at risk.
            Builder b;
            b.header(0, 1).str("deep").put<uint32_t>(9);
            for (int i = 0; i < 100; ++i)
                b.put<uint32_t>(9).put<uint64_t>(1);
            EXPECT_ERROR(b.out, "nested deeper");
        }
    }

    // Every prefix and many random corruptions of a valid file: each either
    // opens or throws headroom::Error; nothing else (no crash, no bad_alloc).
    void survivesTruncationAndCorruption()
    {
        test::TempDir dir;
        const auto good = validFile();
        auto tryOpen = [&](const std::string &bytes) {
            test::writeBytes(dir / "m.gguf", bytes);
            try {
                const auto f = GgufFile::open(dir / "m.gguf");
                for (const auto &t : f.tensors())
                    (void)dequantize(f, t);
                (void)f.getStringArray("tokenizer.ggml.tokens");
            } catch (const Error &) {
            }
        };
        test::forEachCorruption(good, tryOpen);
    }

    void unsupportedTypeNamesTensor()
    {
        test::TempDir dir;
        Builder b;
        b.header(1, 0).tensor("blk.0.attn_q.weight", {256}, 13, 0).align(); // Q5_K
        b.out += std::string(176, '\0');
        test::writeBytes(dir / "q5k.gguf", b.out);
        const auto f = GgufFile::open(dir / "q5k.gguf");
        try {
            (void)dequantize(f, f.tensors()[0]);
            QFAIL("no error");
        } catch (const Error &e) {
            const std::string what = e.what();
            QVERIFY2(
                what.find("q5k.gguf: tensor `blk.0.attn_q.weight`: type Q5_K is not supported") !=
                    std::string::npos,
                what.c_str());
        }
    }

    void halfFloats()
    {
        for (float v :
             {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333251953f})
            QCOMPARE(halfToFloat(floatToHalf(v)), v);
        QCOMPARE(floatToHalf(1e6f), uint16_t(0x7c00));
        QVERIFY(std::isnan(halfToFloat(floatToHalf(NAN))));
        QCOMPARE(floatToHalf(1.0f + 1.0f / 2048), uint16_t(0x3c00)); // tie rounds to even
        QCOMPARE(floatToHalf(1.0f + 3.0f / 2048), uint16_t(0x3c02));
        QCOMPARE(bf16ToFloat(floatToBf16(1.5f)), 1.5f);
        QCOMPARE(floatToBf16(1.0f + 1.0f / 256), uint16_t(0x3f80)); // tie to even
    }

    void quantizerRoundTrips()
    {
        std::mt19937 rng(7);
        std::normal_distribution<float> normal;
        std::vector<float> x(256);
        for (auto &v : x)
            v = normal(rng);
        std::fill(x.begin(), x.begin() + 32, 0.0f);
        std::vector<float> y(x.size());
        dequantizeInto(static_cast<uint32_t>(GgmlType::Q8_0), quantizeQ8_0(x), y);
        for (std::size_t i = 0; i < x.size(); ++i)
            QVERIFY(std::fabs(x[i] - y[i]) <= 0.03f);
        dequantizeInto(static_cast<uint32_t>(GgmlType::Q4_0), quantizeQ4_0(x), y);
        for (std::size_t i = 0; i < x.size(); ++i)
            QVERIFY(std::fabs(x[i] - y[i]) <= 0.5f);
        QCOMPARE(y[3], 0.0f);
        dequantizeInto(static_cast<uint32_t>(GgmlType::F16), packF16(x), y);
        QCOMPARE(y[100], halfToFloat(floatToHalf(x[100])));
        dequantizeInto(static_cast<uint32_t>(GgmlType::BF16), packBF16(x), y);
        QCOMPARE(y[100], bf16ToFloat(floatToBf16(x[100])));
        QVERIFY_THROWS_EXCEPTION(Error, quantizeQ8_0(std::span(x).first(31)));
    }

    void unpermuteInvertsConverterPermutation()
    {
        // Two heads of head_dim 4, rows of length 1. The converter maps HF row
        // h*2 + j of each head to 2*j + h: [0 1 2 3] -> [0 2 1 3].
        std::vector<float> gguf{0, 2, 1, 3, 4, 6, 5, 7};
        unpermuteRows(gguf, 8, 1, 2);
        QCOMPARE(gguf, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
        QVERIFY_THROWS_EXCEPTION(Error, unpermuteRows(gguf, 8, 1, 3));
    }

    void configRopeScaling()
    {
        test::TempDir dir;
        auto base = [](Builder &b, uint64_t tensors, uint64_t extraKvs) {
            b.header(tensors, 6 + extraKvs).kvStr("general.architecture", "llama");
            b.kvU32("llama.embedding_length", 64).kvU32("llama.block_count", 2);
            b.kvU32("llama.attention.head_count", 4).kvU32("llama.rope.dimension_count", 16);
            b.kvF32("llama.rope.freq_base", 500000.0f);
        };
        {
            Builder b;
            base(b, 0, 2);
            b.kvStr("llama.rope.scaling.type", "linear").kvF32("llama.rope.scaling.factor", 2.0f);
            test::writeBytes(dir / "linear.gguf", b.out);
            const auto c = configJsonFromGguf(GgufFile::open(dir / "linear.gguf"));
            QCOMPARE(c["rope_scaling"]["rope_type"].get<std::string>(), std::string("linear"));
            QCOMPARE(c["rope_scaling"]["factor"].get<double>(), 2.0);
            QCOMPARE(c["rope_theta"].get<double>(), 500000.0);
            QCOMPARE(c["head_dim"].get<int>(), 16);
            QCOMPARE(c["num_key_value_heads"].get<int>(), 4);
            QCOMPARE(c["tie_word_embeddings"].get<bool>(), true);
        }
        {
            // llama3 scaling survives only as rope_freqs.weight (the converter
            // writes the per-frequency factors); rebuild the parameters.
            Builder b;
            base(b, 1, 0);
            b.tensor("rope_freqs.weight", {8}, 0, 0).align();
            const double factor = 32, low = 1, high = 4, old = 8192;
            for (int i = 0; i < 8; ++i) {
                const double wavelen = 2 * std::numbers::pi * std::pow(500000.0, 2.0 * i / 16);
                double f = 1;
                if (wavelen > old / low)
                    f = factor;
                else if (wavelen >= old / high) {
                    const double smooth = (old / wavelen - low) / (high - low);
                    f = 1 / ((1 - smooth) / factor + smooth);
                }
                b.put<float>(static_cast<float>(f));
            }
            test::writeBytes(dir / "llama3.gguf", b.out);
            const auto c = configJsonFromGguf(GgufFile::open(dir / "llama3.gguf"));
            QCOMPARE(c["rope_scaling"]["rope_type"].get<std::string>(), std::string("llama3"));
            QCOMPARE(c["rope_scaling"]["factor"].get<double>(), 32.0);
            QCOMPARE(c["rope_parameters"]["rope_type"].get<std::string>(), std::string("llama3"));
        }
    }

    void tensorNames()
    {
        QCOMPARE(*hfTensorName("llama", "blk.3.attn_q.weight"),
                 std::string("model.layers.3.self_attn.q_proj.weight"));
        QCOMPARE(*hfTensorName("qwen2", "blk.0.attn_k.bias"),
                 std::string("model.layers.0.self_attn.k_proj.bias"));
        QCOMPARE(*hfTensorName("llama", "output.weight"), std::string("lm_head.weight"));
        QCOMPARE(*hfTensorName("gpt2", "blk.1.attn_qkv.weight"),
                 std::string("transformer.h.1.attn.c_attn.weight"));
        QCOMPARE(*hfTensorName("gpt2", "output_norm.bias"), std::string("transformer.ln_f.bias"));
        QVERIFY(!hfTensorName("llama", "rope_freqs.weight"));
        QVERIFY_THROWS_EXCEPTION(Error, hfTensorName("mamba", "x"));
    }
};

QTEST_APPLESS_MAIN(TestGguf)
#include "tst_io_gguf.moc"
