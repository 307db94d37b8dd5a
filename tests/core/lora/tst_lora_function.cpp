// The fused LoRA node against the same arithmetic spelled in plain ATen ops
// (PEFT's Linear.forward: cast to the adapter dtype, dropout, A, B, scaling,
// add, cast back), forward and every gradient; the hashed dropout's CPU loop
// against its ATen reference; and what the node keeps for backward.
// clang-format off
#include "common/Error.h"
#include "lora/HashedDropout.h"
#include "lora/LoraFunction.h"
#include "memory/CountingAllocator.h"
// clang-format on

#include <QtTest>

using namespace headroom;

namespace {

struct Case
{
    at::ScalarType dtype;
    double p;
    bool inputGrad;
};

// PEFT's LoRA branch with the mask as an explicit tensor.
at::Tensor reference(const at::Tensor &base, const at::Tensor &x, const at::Tensor &a,
                     const at::Tensor &b, double scaling, const at::Tensor &mask)
{
    auto input = x.to(a.scalar_type());
    if (mask.defined())
        input = input * mask;
    return (base + at::linear(at::linear(input, a), b) * scaling).to(base.scalar_type());
}

double relativeError(const at::Tensor &ours, const at::Tensor &theirs)
{
    const double scale = std::max(theirs.abs().max().item<double>(), 1e-30);
    return (ours.to(at::kDouble) - theirs.to(at::kDouble)).abs().max().item<double>() / scale;
}

} // namespace

class TestLoraFunction : public QObject
{
    Q_OBJECT

private slots:
    void cpuLoopEqualsAtenReference_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<qint64>("numel");
        for (auto t : {at::kFloat, at::kBFloat16, at::kHalf})
            for (qint64 n : {1, 17, 16384, 100003})
                QTest::addRow("%s, %lld", c10::toString(t), static_cast<long long>(n))
                    << static_cast<int>(t) << n;
    }

    void cpuLoopEqualsAtenReference()
    {
        QFETCH(int, dtype);
        QFETCH(qint64, numel);
        const auto type = static_cast<at::ScalarType>(dtype);
        at::manual_seed(3);
        auto x = at::randn({numel}).to(type);
        const uint64_t seed = 0x0123456789abcdefULL;
        auto ours = lora::hashedDropout(x, 0.3, seed, at::kFloat);
        auto theirs = x.to(at::kFloat) * lora::hashedDropoutScale({numel}, 0.3, seed, at::kCPU);
        QVERIFY(at::equal(ours, theirs));
        auto values = x.to(at::kFloat).contiguous();
        lora::hashedDropoutInPlace(values, 0.3, seed);
        QVERIFY(at::equal(values, theirs));
        // bf16 in, bf16 out: the fp32 product rounded once, as ATen's cast.
        if (type == at::kBFloat16) {
            QVERIFY(at::equal(lora::hashedDropout(x, 0.3, seed, at::kBFloat16),
                              theirs.to(at::kBFloat16)));
            auto inPlace = x.clone();
            lora::hashedDropoutInPlace(inPlace, 0.3, seed);
            QVERIFY(at::equal(inPlace, theirs.to(at::kBFloat16)));
        }
    }

    void maskHasTheRightStatistics()
    {
        const int64_t n = 1 << 20;
        for (double p : {0.05, 0.25, 0.5}) {
            auto scale = lora::hashedDropoutScale({n}, p, 42, at::kCPU);
            const double dropped = scale.eq(0).sum().item<double>() / static_cast<double>(n);
            const double sigma = std::sqrt(p * (1 - p) / static_cast<double>(n));
            QVERIFY2(std::abs(dropped - p) < 5 * sigma, qPrintable(QString::number(dropped)));
            // Kept elements are scaled so that the expectation is unchanged.
            QCOMPARE(scale.max().item<float>(), static_cast<float>(1.0 / (1.0 - p)));
            // Neighbouring elements are independent: P(both dropped) = p².
            auto drop = scale.eq(0).to(at::kDouble);
            const double pairs = (drop.slice(0, 1) * drop.slice(0, 0, n - 1)).mean().item<double>();
            QVERIFY(std::abs(pairs - p * p) < 5 * std::sqrt(p * p / static_cast<double>(n)));
        }
        // Another seed, another mask; p = 0 keeps everything.
        auto first = lora::hashedDropoutScale({4096}, 0.5, 1, at::kCPU);
        auto second = lora::hashedDropoutScale({4096}, 0.5, 2, at::kCPU);
        QVERIFY(first.ne(second).sum().item<int64_t>() > 1500);
        QVERIFY(lora::hashedDropoutScale({64}, 0.0, 7, at::kCPU).eq(1).all().item<bool>());
        QVERIFY_THROWS_EXCEPTION(Error, lora::hashedDropoutScale({4}, 1.0, 7, at::kCPU));
    }

    void matchesPlainAtenForwardAndBackward_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("p");
        QTest::addColumn<bool>("inputGrad");
        for (auto t : {at::kFloat, at::kBFloat16})
            for (double p : {0.0, 0.3})
                for (bool g : {true, false})
                    QTest::addRow("%s, p %.1f, %s", c10::toString(t), p, g ? "dx" : "no dx")
                        << static_cast<int>(t) << p << g;
    }

    void matchesPlainAtenForwardAndBackward()
    {
        QFETCH(int, dtype);
        QFETCH(double, p);
        QFETCH(bool, inputGrad);
        const auto type = static_cast<at::ScalarType>(dtype);
        at::manual_seed(11);
        const int64_t in = 48, out = 40, r = 8;
        auto x0 = at::randn({2, 5, in}).to(type);
        auto base0 = at::randn({2, 5, out}).to(type);
        auto a0 = at::randn({r, in}) * 0.2;
        auto b0 = at::randn({out, r}) * 0.2;
        auto gradOut = at::randn({2, 5, out}).to(type);
        const double scaling = 1.5;

        auto run = [&](bool fused) {
            auto x = x0.clone().requires_grad_(inputGrad);
            auto base = base0.clone().requires_grad_(true);
            auto a = a0.clone().requires_grad_(true);
            auto b = b0.clone().requires_grad_(true);
            at::manual_seed(99); // the seed the fused node draws
            at::Tensor y;
            if (fused) {
                y = lora::loraAdd(base, x, a, b, scaling, p);
            } else {
                at::Tensor mask;
                if (p > 0)
                    mask =
                        lora::hashedDropoutScale(x.sizes(), p, lora::drawDropoutSeed(), at::kCPU);
                y = reference(base, x, a, b, scaling, mask);
            }
            y.backward(gradOut);
            return std::vector<at::Tensor>{y.detach(), inputGrad ? x.grad() : at::Tensor(),
                                           base.grad(), a.grad(), b.grad()};
        };
        const auto ours = run(true), theirs = run(false);
        const double tolerance = type == at::kFloat ? 1e-6 : 1e-2;
        QVERIFY(relativeError(ours[0], theirs[0]) <= tolerance); // output
        if (inputGrad)
            QVERIFY(relativeError(ours[1], theirs[1]) <= tolerance);
        QVERIFY(at::equal(ours[2], theirs[2])); // base: the incoming gradient
        // fp32 activations: PEFT's fp32 arithmetic; bf16: bf16 matmuls (as under
        // autocast) against PEFT's fp32 adapter, so within bf16 rounding.
        const double gradTolerance = type == at::kFloat ? 1e-5 : 2e-2;
        QCOMPARE(ours[3].scalar_type(), at::kFloat); // A's and B's gradients stay fp32
        QCOMPARE(ours[4].scalar_type(), at::kFloat);
        QVERIFY(relativeError(ours[3], theirs[3]) <= gradTolerance); // A
        QVERIFY(relativeError(ours[4], theirs[4]) <= gradTolerance); // B
    }

    // What the node keeps for backward: x itself and A's output [N, r]; no
    // fp32 copy of x, no mask. The reference keeps an fp32 copy (and, with
    // dropout, the fp32 noise too).
    void keepsOnlyTheInputAndTheRankSizedProduct()
    {
        auto &counter = memory::CountingAllocator::installForCpu();
        const int64_t tokens = 256, in = 512, out = 512, r = 8;
        // A middle layer: its input needs a gradient.
        auto x = at::randn({tokens, in}).to(at::kBFloat16).requires_grad_(true);
        auto a = (at::randn({r, in}) * 0.1).requires_grad_(true);
        auto b = (at::randn({out, r}) * 0.1).requires_grad_(true);
        auto base = at::randn({tokens, out}).to(at::kBFloat16);
        auto kept = [&](bool fused) {
            const int64_t before = counter.live();
            auto y = fused ? lora::loraAdd(base, x, a, b, 2.0, 0.1)
                           : reference(base, x, a, b, 2.0,
                                       lora::hashedDropoutScale(x.sizes(), 0.1, 5, at::kCPU));
            return counter.live() - before - y.nbytes();
        };
        const int64_t fused = kept(true), unfused = kept(false);
        qInfo("kept for backward: fused %lld bytes, plain ATen %lld bytes",
              static_cast<long long>(fused), static_cast<long long>(unfused));
        QCOMPARE(fused, tokens * r * 2);         // A's output, in the activations' bf16
        QVERIFY(unfused >= 2 * tokens * in * 4); // fp32 x and the fp32 dropped copy
    }
};

QTEST_APPLESS_MAIN(TestLoraFunction)
#include "tst_lora_function.moc"
