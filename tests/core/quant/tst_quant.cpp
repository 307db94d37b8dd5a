// Unit tests of core/quant built from C++ inputs: the NF4 decision thresholds
// and packing against an independent per-element restatement of SPECS.md §1.2,
// all-zero blocks, double-quantization accuracy, int8 rows, QuantizedLinear
// gradients against a dense linear, and trap 1 measured with a counting CPU
// allocator: the autograd graph keeps the packed bytes, not the dequantized
// weight. Prints how long a 4096×4096 weight takes to quantize (no assertion).
#include "memory/CountingAllocator.h"
#include "quant/Int8.h"
#include "quant/Nf4.h"
#include "quant/QuantizedLinear.h"

#include <QtTest>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>

using namespace headroom;

namespace {

// SPECS §1.2 step 5: the CUDA kernel's thresholds, written as decimals.
constexpr std::array<double, 15> kNf4Thresholds = {
    -0.8480964004993439,  -0.6106329262256622,  -0.4599952697753906,   -0.33967943489551544,
    -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
    0.1202552504837513,   0.2035212516784668,   0.2920137718319893,    0.3893125355243683,
    0.5016634166240692,   0.6427869200706482,   0.8614784181118011};

// Independent scalar restatement of SPECS §1.2 for small tensors: code = number
// of thresholds the normalized value is strictly greater than.
std::vector<uint8_t> referencePack(const at::Tensor &weight, int64_t blocksize,
                                   std::vector<float> &absmaxOut)
{
    auto x = weight.reshape(-1).to(at::kFloat).contiguous();
    const float *p = x.data_ptr<float>();
    const int64_t n = x.numel();
    std::vector<uint8_t> codes(n + (n % 2), 7);
    for (int64_t start = 0; start < n; start += blocksize) {
        const int64_t end = std::min(n, start + blocksize);
        float absmax = 0.0f;
        for (int64_t i = start; i < end; ++i)
            absmax = std::max(absmax, std::fabs(p[i]));
        absmaxOut.push_back(absmax);
        for (int64_t i = start; i < end; ++i) {
            const float v = absmax > 0 ? std::clamp(p[i] * (1.0f / absmax), -1.0f, 1.0f) : 0.0f;
            uint8_t code = 0;
            for (double t : kNf4Thresholds)
                code += v > static_cast<float>(t) ? 1 : 0;
            codes[i] = code;
        }
    }
    std::vector<uint8_t> packed;
    for (size_t i = 0; i < codes.size(); i += 2)
        packed.push_back(static_cast<uint8_t>(codes[i] << 4 | codes[i + 1]));
    return packed;
}

std::vector<uint8_t> bytesOf(const at::Tensor &t)
{
    auto c = t.contiguous();
    const auto *p = c.data_ptr<uint8_t>();
    return {p, p + c.numel()};
}

} // namespace

class TestQuant : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { at::manual_seed(1234); }

    void nf4MidpointsAreTheKernelThresholds()
    {
        auto table = quant::fourBitCodeTable(quant::FourBitType::Nf4);
        auto mid = ((table.slice(0, 0, -1) + table.slice(0, 1)) / 2).contiguous();
        for (int i = 0; i < 15; ++i)
            QCOMPARE(mid.data_ptr<float>()[i], static_cast<float>(kNf4Thresholds[i]));
    }

    void nf4HandExample()
    {
        // absmax 1: 1 -> 15, -1 -> 0, 0 -> 7, 0.5 -> 12 (< 0.50166), -0.2 -> 5
        // (> -0.23461); the odd count is padded with code 7.
        auto w = at::tensor({1.0f, -1.0f, 0.0f, 0.5f, -0.2f});
        auto q = quant::quantizeNf4(w);
        QCOMPARE(q.packed.sizes().vec(), (std::vector<int64_t>{3, 1}));
        QCOMPARE(bytesOf(q.packed), (std::vector<uint8_t>{0xF0, 0x7C, 0x57}));
        auto back = quant::dequantizeNf4(q, at::kFloat);
        QCOMPARE(back.data_ptr<float>()[3], 0.44070982933044434f);
    }

    void nf4PackingEqualsFormula()
    {
        for (int64_t blocksize : {64, 128, 256}) {
            for (auto shape : {std::vector<int64_t>{37, 91}, std::vector<int64_t>{4, 64},
                               std::vector<int64_t>{2, 3, 129}}) {
                for (auto dtype : {at::kFloat, at::kBFloat16, at::kHalf}) {
                    auto w = at::randn(shape).to(dtype);
                    std::vector<float> absmax;
                    auto expected = referencePack(w, blocksize, absmax);
                    auto q = quant::quantizeNf4(w, {quant::FourBitType::Nf4, blocksize, false});
                    QCOMPARE(bytesOf(q.packed), expected);
                    auto got = q.absmax.contiguous();
                    QCOMPARE(std::vector<float>(got.data_ptr<float>(),
                                                got.data_ptr<float>() + got.numel()),
                             absmax);
                }
            }
        }
    }

    void nf4ZeroBlockIsCodeSeven()
    {
        auto w = at::randn({4, 64});
        w[1].zero_();
        auto q = quant::quantizeNf4(w);
        auto bytes = bytesOf(q.packed);
        for (int i = 32; i < 64; ++i)
            QCOMPARE(bytes[i], uint8_t{0x77});
        QCOMPARE(q.absmax[1].item<float>(), 0.0f);
        auto back = quant::dequantizeNf4(q, at::kBFloat16);
        QVERIFY(back[1].eq(0).all().item<bool>());
        QVERIFY(!back.isnan().any().item<bool>());
    }

    void nf4RoundTripAndDoubleQuant()
    {
        auto w = at::randn({512, 384}) * 0.02;
        auto q = quant::quantizeNf4(w);
        auto back = quant::dequantizeNf4(q, at::kFloat);
        // Largest half-gap of the table: (1 - 0.69619) / 2 = 0.1519 of absmax.
        auto blockMax = q.absmax.repeat_interleave(64).view({512, 384});
        QVERIFY(((back - w).abs() <= blockMax * 0.1520).all().item<bool>());

        auto dq = quant::quantizeNf4(w, {quant::FourBitType::Nf4, 64, true});
        QCOMPARE(dq.absmax.scalar_type(), at::kByte);
        QCOMPARE(dq.nestedAbsmax.numel(), (512 * 384 / 64 + 255) / 256);
        QCOMPARE(bytesOf(dq.packed), bytesOf(q.packed));
        const double relative =
            ((quant::blockAbsmax(dq) - q.absmax).abs() / q.absmax).max().item<double>();
        qInfo("double quant: max relative absmax error %.3g, %lld -> %lld bytes", relative,
              static_cast<long long>(q.bytes()), static_cast<long long>(dq.bytes()));
        QVERIFY(relative < 0.02);
        QVERIFY(dq.bytes() < q.bytes());
        // 0.5 byte per weight + 4 bytes per 64 -> 0.5 + 1/64 + nested constants.
        QCOMPARE(q.bytes(), 512 * 384 / 2 + 512 * 384 / 64 * 4);
    }

    void fp4Basics()
    {
        auto table = quant::fourBitCodeTable(quant::FourBitType::Fp4);
        QCOMPARE(table[3].item<float>(), 1.0f);
        QCOMPARE(table[11].item<float>(), -1.0f);
        // Bit 3 is the sign: 1 -> 3, -1 -> 11, 0 -> 0, 0.26 -> 7 (0.25),
        // -0.5 -> 8|5, 0.004 -> 1 (0.0052).
        auto w = at::tensor({1.0f, -1.0f, 0.0f, 0.26f, -0.5f, 0.004f});
        auto q = quant::quantizeNf4(w, {quant::FourBitType::Fp4, 64, false});
        QCOMPARE(bytesOf(q.packed), (std::vector<uint8_t>{0x3B, 0x07, 0xD1}));
        auto back = quant::dequantizeNf4(q, at::kFloat);
        QCOMPARE(back[4].item<float>(), -0.5f);
    }

    void int8Rows()
    {
        auto w = at::randn({16, 40});
        w[3].zero_();
        auto q = quant::quantizeInt8(w);
        QCOMPARE(q.weight.scalar_type(), at::kChar);
        QCOMPARE(q.scb.sizes().vec(), (std::vector<int64_t>{16}));
        auto rowMax = std::get<0>(q.weight.abs().to(at::kInt).max(1));
        QCOMPARE(rowMax[0].item<int>(), 127);
        QCOMPARE(rowMax[3].item<int>(), 0);
        auto back = quant::dequantizeInt8(q, at::kFloat);
        QVERIFY(((back - w).abs() <= q.scb.view({-1, 1}) / 254 * 1.0001).all().item<bool>());
        QCOMPARE(q.bytes(), 16 * 40 + 16 * 4);
    }

    void quantizedLinearGradients_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("nf4") << "nf4";
        QTest::newRow("nf4-double") << "nf4-double";
        QTest::newRow("int8") << "int8";
    }
    void quantizedLinearGradients()
    {
        QFETCH(QString, kind);
        auto w = at::randn({48, 80}) * 0.1;
        quant::QuantizedLinear layer;
        if (kind == "int8")
            layer.weight = quant::quantizeInt8(w);
        else
            layer.weight =
                quant::quantizeNf4(w, {quant::FourBitType::Nf4, 64, kind == "nf4-double"});
        layer.bias = (at::randn({48}) * 0.1).set_requires_grad(true);
        auto dense = quant::dequantize(layer.weight, at::kFloat); // [48, 80]

        auto x = at::randn({3, 5, 80}).set_requires_grad(true);
        auto y = layer.forward(x);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{3, 5, 48}));
        auto upstream = at::randn({3, 5, 48});
        (y * upstream).sum().backward();

        auto xr = x.detach().clone().set_requires_grad(true);
        auto br = layer.bias.detach().clone().set_requires_grad(true);
        auto yr = at::linear(xr, dense, br);
        (yr * upstream).sum().backward();
        QVERIFY(at::equal(y.detach(), yr.detach()));
        const double gx = (x.grad() - xr.grad()).abs().max().item<double>();
        const double gb = (layer.bias.grad() - br.grad()).abs().max().item<double>();
        qInfo("%s: max |Δ grad_input| %.3g, |Δ grad_bias| %.3g", qPrintable(kind), gx, gb);
        QVERIFY(gx <= 1e-5);
        QVERIFY(gb <= 1e-5);

        // bf16 compute: the weight is dequantized straight to bf16.
        auto xb = at::randn({4, 80}).to(at::kBFloat16).set_requires_grad(true);
        auto yb = layer.forward(xb);
        QCOMPARE(yb.scalar_type(), at::kBFloat16);
        yb.sum().backward();
        QCOMPARE(xb.grad().scalar_type(), at::kBFloat16);
    }

    // Trap 1, measured: after forward, the bytes newly retained by the graph
    // are the output alone — the dequantized fp32 weight (4 MiB here) is gone.
    // The dense path through at::linear is measured the same way and keeps it.
    void autogradKeepsOnlyThePackedWeight()
    {
        auto &counter = memory::CountingAllocator::installForCpu();

        quant::QuantizedLinear layer;
        layer.weight = quant::quantizeNf4(at::randn({1024, 1024}), {});
        const int64_t denseBytes = 1024 * 1024 * 4;
        auto x = at::randn({8, 1024}).set_requires_grad(true);

        int64_t before = counter.live();
        auto y = layer.forward(x);
        const int64_t retained = counter.live() - before - static_cast<int64_t>(y.nbytes());

        // The naive path: dequantize under autograd, then at::linear.
        before = counter.live();
        int64_t naiveRetained = 0;
        {
            auto w = quant::dequantize(layer.weight, at::kFloat).set_requires_grad(false);
            auto yn = at::linear(x, w, {});
            w.reset(); // our own handle goes; the graph's saved copy stays
            naiveRetained = counter.live() - before - static_cast<int64_t>(yn.nbytes());
            yn.sum().backward();
        }
        qInfo("retained by the graph after forward: quantized %lld bytes, dense %lld bytes "
              "(dequantized weight %lld, packed + absmax %lld)",
              static_cast<long long>(retained), static_cast<long long>(naiveRetained),
              static_cast<long long>(denseBytes), static_cast<long long>(layer.bytes()));
        QVERIFY(retained < denseBytes / 16);
        QVERIFY(naiveRetained >= denseBytes);

        before = counter.live();
        y.sum().backward(); // dequantizes again, transiently
        QVERIFY(x.grad().defined());
    }

    void quantizeSpeed()
    {
        auto w = at::randn({4096, 4096}).to(at::kBFloat16);
        for (bool nested : {false, true}) {
            const auto start = std::chrono::steady_clock::now();
            auto q = quant::quantizeNf4(w, {quant::FourBitType::Nf4, 64, nested});
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const auto mid = std::chrono::steady_clock::now();
            auto back = quant::dequantizeNf4(q, at::kBFloat16);
            const double deq =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - mid).count();
            qInfo("NF4%s 4096x4096 bf16: quantize %.3f s, dequantize %.3f s (%d threads)",
                  nested ? " + double quant" : "", seconds, deq, at::get_num_threads());
        }
        const auto start = std::chrono::steady_clock::now();
        auto q8 = quant::quantizeInt8(w);
        qInfo("int8 4096x4096 bf16: quantize %.3f s",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
};

QTEST_GUILESS_MAIN(TestQuant)
#include "tst_quant.moc"
