// Unit tests of the NF4/FP4 CUDA kernels (quant/Nf4Cuda.cu) against the ATen
// path they accelerate, both run on the same GPU (AtenFallbackGuard forces the
// ATen path): dequantization bit for bit for nf4/fp4, double quant on and off,
// fp32/bf16/fp16, odd sizes and trailing partial blocks; the one-row GEMV
// against dequantize + at::linear and a fp64 product within the dtype's
// rounding; the dispatch of dequantizeNf4 and quantizedLinear. The kernel
// tests skip without a CUDA device or without compiled kernels; the checks of
// bad input run everywhere.
#include "common/CudaTestSupport.h"
#include "common/Error.h"
#include "quant/CudaDispatch.h"
#include "quant/Nf4.h"
#include "quant/Nf4Cuda.h"
#include "quant/QuantizedLinear.h"

#include <QtTest>

#include <ATen/ATen.h>

#include <string>

using namespace headroom;

namespace {

quant::Nf4Weight onCuda(quant::Nf4Weight w)
{
    w.packed = w.packed.cuda();
    w.absmax = w.absmax.cuda();
    if (w.nested()) {
        w.nestedAbsmax = w.nestedAbsmax.cuda();
        w.nestedCode = w.nestedCode.cuda();
    }
    return w;
}

// Same bits (a float compare would equate -0 and +0 and fail on NaN).
bool sameBits(const at::Tensor &a, const at::Tensor &b)
{
    if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes())
        return false;
    const auto as = a.element_size() == 4 ? at::kInt : at::kShort;
    return at::equal(a.contiguous().cpu().view(as), b.contiguous().cpu().view(as));
}

// A weight with what the kernels must get right: random normal values, an
// all-zero 4-bit block, a large outlier.
at::Tensor testWeight(at::IntArrayRef shape)
{
    auto w = at::randn(shape) * 0.05;
    auto flat = w.view(-1);
    if (flat.numel() >= 128)
        flat.slice(0, 64, 128).zero_();
    flat[flat.numel() / 2] = 3.0f;
    return w;
}

// |a - b| <= tol * scale elementwise, reported.
bool within(const at::Tensor &a, const at::Tensor &b, const at::Tensor &scale, double tol,
            const char *what)
{
    auto excess = ((a.to(at::kDouble) - b.to(at::kDouble)).abs() - scale * tol).max();
    auto worst = ((a.to(at::kDouble) - b.to(at::kDouble)).abs() / scale).max();
    qInfo("%s: max |Δ| / scale %.3g (tolerance %.3g)", what, worst.item<double>(), tol);
    return excess.item<double>() <= 0.0;
}

} // namespace

class TestQuantCuda : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { at::manual_seed(20261126); }

    void dequantMatchesAten_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("doubleQuant");
        QTest::addColumn<int>("blocksize");
        QTest::addColumn<QList<qint64>>("shape");
        const QList<QList<qint64>> shapes = {{1, 1},    {3, 5},     {7, 37},    {64, 64},
                                             {33, 250}, {300, 257}, {2, 3, 129}};
        for (const char *type : {"nf4", "fp4"})
            for (bool dq : {false, true})
                for (int bs : {32, 64, 256})
                    for (const auto &shape : shapes) {
                        QString name =
                            QString("%1-%2-bs%3-").arg(type, dq ? "dq" : "plain").arg(bs);
                        for (qint64 d : shape)
                            name += QString::number(d) + "x";
                        QTest::newRow(qPrintable(name)) << QString(type) << dq << bs << shape;
                    }
    }
    void dequantMatchesAten()
    {
        REQUIRE_GPU();
        QFETCH(QString, type);
        QFETCH(bool, doubleQuant);
        QFETCH(int, blocksize);
        QFETCH(QList<qint64>, shape);
        const auto kind = type == "nf4" ? quant::FourBitType::Nf4 : quant::FourBitType::Fp4;
        std::vector<int64_t> sizes(shape.begin(), shape.end());
        auto cpu = quant::quantizeNf4(testWeight(sizes), {kind, blocksize, doubleQuant});
        auto gpu = onCuda(cpu);
        for (auto dtype : {at::kFloat, at::kBFloat16, at::kHalf}) {
            QVERIFY(quant::nf4CudaSupports(gpu, dtype));
            auto kernel = quant::dequantizeNf4(gpu, dtype); // dispatches to the kernel
            QVERIFY(kernel.is_cuda());
            QCOMPARE(kernel.sizes().vec(), sizes);
            at::Tensor aten;
            {
                quant::AtenFallbackGuard fallback;
                QVERIFY(!quant::nf4CudaSupports(gpu, dtype));
                aten = quant::dequantizeNf4(gpu, dtype);
            }
            QVERIFY(sameBits(kernel, aten));
            // The CPU path (its own loop) gives the same bits too.
            QVERIFY(sameBits(kernel, quant::dequantizeNf4(cpu, dtype)));
            QVERIFY(sameBits(quant::dequantizeNf4Cuda(gpu, dtype), aten));
        }
    }

    void dequantTakesConstantsOnTheCpu()
    {
        REQUIRE_GPU();
        auto cpu = quant::quantizeNf4(testWeight({40, 96}), {quant::FourBitType::Nf4, 64, true});
        auto mixed = cpu;
        mixed.packed = cpu.packed.cuda(); // absmax and nested state stay on the CPU
        QVERIFY(sameBits(quant::dequantizeNf4Cuda(mixed, at::kBFloat16),
                         quant::dequantizeNf4(cpu, at::kBFloat16)));
    }

    void gemvMatchesDequantLinear_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<qint64>("out");
        QTest::addColumn<qint64>("in");
        QTest::addColumn<bool>("doubleQuant");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<int>("blocksize");
        const QList<QPair<qint64, qint64>> shapes = {{1, 64},     {37, 129}, {256, 4096},
                                                     {1000, 333}, {5, 1},    {9, 3}};
        for (auto dtype : {at::kFloat, at::kBFloat16, at::kHalf})
            for (const auto &[out, in] : shapes)
                for (bool dq : {false, true})
                    for (bool bias : {false, true})
                        for (int bs : {32, 64, 256})
                            QTest::newRow(qPrintable(QString("%1-%2x%3-%4-%5-bs%6")
                                                         .arg(c10::toString(dtype))
                                                         .arg(out)
                                                         .arg(in)
                                                         .arg(dq ? "dq" : "plain")
                                                         .arg(bias ? "bias" : "nobias")
                                                         .arg(bs)))
                                << static_cast<int>(dtype) << out << in << dq << bias << bs;
    }
    void gemvMatchesDequantLinear()
    {
        REQUIRE_GPU();
        QFETCH(int, dtype);
        QFETCH(qint64, out);
        QFETCH(qint64, in);
        QFETCH(bool, doubleQuant);
        QFETCH(bool, withBias);
        QFETCH(int, blocksize);
        const auto type = static_cast<at::ScalarType>(dtype);
        auto weight = onCuda(quant::quantizeNf4(testWeight({out, in}),
                                                {quant::FourBitType::Nf4, blocksize, doubleQuant}));
        auto x = at::randn({1, 1, in}).to(at::kCUDA, type); // [1, 1, in]
        auto bias = withBias ? (at::randn({out}) * 0.1).to(at::kCUDA, type) : at::Tensor(); // [out]

        auto y = quant::quantizedLinear(x, weight, bias); // dispatches to the GEMV
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 1, out}));
        QCOMPARE(y.scalar_type(), type);
        QVERIFY(sameBits(y, quant::nf4GemvCuda(x, weight, bias)));
        at::Tensor dense;
        {
            quant::AtenFallbackGuard fallback;
            dense = quant::quantizedLinear(x, weight, bias); // dequantize + cuBLAS
        }
        // Both against the fp64 product of the same rounded weight; the scale
        // of each output is sum_k |x_k W_rk| + |b_r|.
        auto w64 = quant::dequantizeNf4(weight, type).to(at::kDouble); // [out, in]
        auto x64 = x.to(at::kDouble).view({1, in});
        auto b64 = withBias ? bias.to(at::kDouble) : at::zeros({out}, w64.options());
        auto exact = (at::matmul(x64, w64.t()) + b64).view({1, 1, out});
        auto scale = (at::matmul(x64.abs(), w64.abs().t()) + b64.abs()).view({1, 1, out}) + 1e-30;
        const double tol = type == at::kFloat ? 1e-5 : type == at::kHalf ? 2e-3 : 8e-3;
        QVERIFY(within(y, exact, scale, tol, "kernel vs fp64"));
        QVERIFY(within(dense, exact, scale, tol, "dequantize + linear vs fp64"));
    }

    void gemvKeepsGradients()
    {
        REQUIRE_GPU();
        auto weight = onCuda(quant::quantizeNf4(testWeight({48, 80})));
        auto x = at::randn({1, 80}, at::kCUDA).set_requires_grad(true);
        auto y = quant::quantizedLinear(x, weight); // GEMV forward, dequantizing backward
        y.sum().backward();
        auto expected = quant::dequantizeNf4(weight, at::kFloat).sum(0); // d(sum y)/dx
        QVERIFY(at::allclose(x.grad().view(-1), expected, 1e-5, 1e-6));
    }

    void batchedInputTakesTheDensePath()
    {
        REQUIRE_GPU();
        auto weight = onCuda(quant::quantizeNf4(testWeight({64, 96})));
        auto x = at::randn({3, 96}, at::kCUDA);
        auto y = quant::quantizedLinear(x, weight);
        QVERIFY(at::equal(y, at::linear(x, quant::dequantizeNf4(weight, at::kFloat))));
    }

    void badInputIsAnError()
    {
        auto cpu = quant::quantizeNf4(testWeight({16, 64}));
        // On the CPU the kernels are never chosen, and asked directly they refuse.
        QVERIFY(!quant::nf4CudaSupports(cpu, at::kBFloat16));
        QVERIFY_THROWS_EXCEPTION(Error, quant::dequantizeNf4Cuda(cpu, at::kBFloat16));
        QVERIFY_THROWS_EXCEPTION(Error, quant::dequantizeNf4Cuda(cpu, at::kDouble));
        QVERIFY_THROWS_EXCEPTION(Error, quant::nf4GemvCuda(at::randn({1, 63}), cpu));
        QVERIFY_THROWS_EXCEPTION(Error, quant::nf4GemvCuda(at::randn({2, 64}), cpu));
        QVERIFY_THROWS_EXCEPTION(Error, quant::nf4GemvCuda(at::randn({1, 64}), cpu));
        auto broken = cpu;
        broken.absmax = broken.absmax.slice(0, 1); // one absmax short
        QVERIFY_THROWS_EXCEPTION(Error, quant::dequantizeNf4Cuda(broken, at::kFloat));
        if (test::cudaComparisonUnavailable())
            return;
        auto gpu = onCuda(cpu);
        auto shortWeight = onCuda(broken);
        QVERIFY(!quant::nf4CudaSupports(shortWeight, at::kFloat));
        QVERIFY_THROWS_EXCEPTION(Error, quant::dequantizeNf4Cuda(shortWeight, at::kFloat));
        QVERIFY_THROWS_EXCEPTION(Error, quant::nf4GemvCuda(at::randn({1, 64}, at::kCUDA), gpu,
                                                           at::randn({15}, at::kCUDA)));
        QVERIFY_THROWS_EXCEPTION(
            Error, quant::nf4GemvCuda(at::randn({1, 64}, at::kCUDA).to(at::kDouble), gpu));
    }

    void guardNests()
    {
        const bool built = quant::cudaKernelsBuilt();
        QCOMPARE(quant::cudaKernelsEnabled(), built);
        {
            quant::AtenFallbackGuard outer;
            {
                quant::AtenFallbackGuard inner;
                QVERIFY(!quant::cudaKernelsEnabled());
            }
            QVERIFY(!quant::cudaKernelsEnabled());
        }
        QCOMPARE(quant::cudaKernelsEnabled(), built);
    }
};

QTEST_GUILESS_MAIN(TestQuantCuda)
#include "tst_quant_cuda.moc"
