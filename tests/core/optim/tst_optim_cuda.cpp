// Unit tests of the blockwise 8-bit AdamW CUDA kernel (optim/AdamW8bitCuda.cu)
// against AdamW8bit's ATen path, both on the same GPU (AtenFallbackGuard
// forces the ATen path). Per step, from the same state: parameters within a
// few fp32 ulps, absmax equal within 1e-5, codes equal except rare ±1 ties,
// NaN/Inf gradient elements leaving the parameter and zeroing m and v; small
// (fp32 state) and large parameters, trailing partial blocks, a strong decay
// that shows the decay order, other block sizes. Over 20 steps without
// resynchronising the two runs stay close. The kernel tests skip without a
// CUDA device or without compiled kernels; the checks of bad input run
// everywhere.
#include "common/CudaTestSupport.h"
#include "common/Error.h"
#include "common/TensorFixtures.h"
#include "optim/AdamW8bit.h"
#include "optim/AdamW8bitCuda.h"
#include "quant/Blockwise8bit.h"
#include "quant/CudaDispatch.h"

#include <QtTest>

#include <ATen/ATen.h>

#include <limits>
#include <string>
#include <vector>

using namespace headroom;
using namespace headroom::optim;

namespace {

// Small (fp32 state), exactly 4096, partial tail blocks, 2-D, about a million.
const std::vector<std::vector<int64_t>> kShapes = {
    {1000}, {4096}, {3 * 4096 + 77}, {64, 129}, {1024, 1027}};

std::vector<at::Tensor> makeParams(uint64_t seed)
{
    std::vector<at::Tensor> params;
    for (const auto &t : test::randomTensors(kShapes, seed))
        params.push_back(t.cuda());
    return params;
}

// The same random gradients for both sets; with `poison`, elements 0, n/3
// and n-1 of every parameter are NaN, +Inf and -Inf. Returns those indices
// per parameter (none without poison).
std::vector<std::vector<int64_t>> setGrads(const std::vector<at::Tensor> &a,
                                           const std::vector<at::Tensor> &b, at::Generator &gen,
                                           bool poison)
{
    std::vector<std::vector<int64_t>> poisoned(a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        auto g = at::randn(a[i].sizes(), gen, at::kFloat) * 0.1; // [p's shape]
        if (poison) {
            const int64_t n = g.numel();
            auto flat = g.view(-1);
            flat[0] = std::numeric_limits<float>::quiet_NaN();
            flat[n / 3] = std::numeric_limits<float>::infinity();
            flat[n - 1] = -std::numeric_limits<float>::infinity();
            poisoned[i] = {0, n / 3, n - 1};
        }
        a[i].mutable_grad() = g.cuda();
        b[i].mutable_grad() = g.cuda();
    }
    return poisoned;
}

} // namespace

class TestOptimCuda : public QObject
{
    Q_OBJECT

private slots:
    void kernelStepMatchesAten_data()
    {
        QTest::addColumn<double>("lr");
        QTest::addColumn<double>("weightDecay");
        QTest::addColumn<int>("blocksize");
        QTest::newRow("no-decay") << 1e-3 << 0.0 << 256;
        QTest::newRow("decay") << 1e-3 << 1e-2 << 256;
        // lr * wd * update = 5e-3: decaying before the step would show.
        QTest::newRow("strong-decay") << 0.1 << 0.5 << 256;
        QTest::newRow("blocks-of-64") << 1e-3 << 1e-2 << 64;
        QTest::newRow("blocks-of-1024") << 1e-3 << 1e-2 << 1024;
    }
    void kernelStepMatchesAten()
    {
        REQUIRE_GPU();
        QFETCH(double, lr);
        QFETCH(double, weightDecay);
        QFETCH(int, blocksize);
        AdamW8bitOptions options;
        options.weightDecay = weightDecay;
        options.blocksize = blocksize;
        auto kernelParams = makeParams(7);
        auto atenParams = test::clones(kernelParams);
        AdamW8bit kernelOpt(kernelParams, options), atenOpt(atenParams, options);
        QVERIFY(adamW8bitCudaSupports(kernelParams[1], options));
        auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
        int64_t codeMismatches = 0, codes = 0;
        for (int step = 1; step <= 6; ++step) {
            // Both start the step from the kernel run's state, so each step
            // compares one update and no drift accumulates.
            atenOpt.loadStateDict(kernelOpt.stateDict());
            for (size_t i = 0; i < kShapes.size(); ++i)
                atenParams[i].copy_(kernelParams[i]);
            const auto before = test::clones(kernelParams);
            const auto poisoned = setGrads(kernelParams, atenParams, gen, step == 2 || step == 5);
            kernelOpt.step(lr);
            {
                quant::AtenFallbackGuard fallback;
                atenOpt.step(lr);
            }
            const auto ks = kernelOpt.stateDict(), as = atenOpt.stateDict();
            for (size_t i = 0; i < kShapes.size(); ++i) {
                const auto &p = kernelParams[i];
                const auto key = std::to_string(i) + ".";
                // A few fp32 ulps of the parameter: FMA placement aside, the
                // arithmetic is the same.
                QVERIFY(at::allclose(p, atenParams[i], /*rtol=*/1e-6, /*atol=*/1e-7));
                QVERIFY(p.ne(before[i]).any().item<bool>()); // it moved
                auto flat = p.view(-1), old = before[i].view(-1);
                for (int64_t j : poisoned[i])
                    QCOMPARE(flat[j].item<float>(), old[j].item<float>());
                if (!kernelOpt.is8bit(i)) {
                    QVERIFY(at::equal(ks.at(key + "state1"), as.at(key + "state1")));
                    continue;
                }
                for (const char *field : {"absmax1", "absmax2"})
                    QVERIFY(at::allclose(ks.at(key + field), as.at(key + field), 1e-5, 0.0));
                for (const char *field : {"state1", "state2"}) {
                    auto diff = ks.at(key + field).to(at::kInt) - as.at(key + field).to(at::kInt);
                    QVERIFY(diff.abs().max().item<int>() <= 1);
                    codeMismatches += diff.ne(0).sum().item<int64_t>();
                    codes += diff.numel();
                }
                // Poisoned elements: m = 0 (signed map index 127), v = 0 (index 0).
                auto m = ks.at(key + "state1").view(-1), v = ks.at(key + "state2").view(-1);
                for (int64_t j : poisoned[i]) {
                    QCOMPARE(m[j].item<uint8_t>(), uint8_t{127});
                    QCOMPARE(v[j].item<uint8_t>(), uint8_t{0});
                }
            }
        }
        qInfo("codes differing by one: %lld of %lld", static_cast<long long>(codeMismatches),
              static_cast<long long>(codes));
        QVERIFY(codeMismatches <= codes / 10000 + 2); // ties only: rare
    }

    void trajectoriesStayClose()
    {
        REQUIRE_GPU();
        auto kernelParams = makeParams(21);
        auto atenParams = test::clones(kernelParams);
        const auto start = test::clones(kernelParams);
        AdamW8bit kernelOpt(kernelParams), atenOpt(atenParams);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
        constexpr double lr = 1e-3;
        constexpr int steps = 20;
        for (int step = 0; step < steps; ++step) {
            setGrads(kernelParams, atenParams, gen, false);
            kernelOpt.step(lr);
            quant::AtenFallbackGuard fallback;
            atenOpt.step(lr);
        }
        for (size_t i = 0; i < kShapes.size(); ++i) {
            auto diff = (kernelParams[i] - atenParams[i]).abs();
            const double moved = (atenParams[i] - start[i]).abs().mean().item<double>();
            qInfo("parameter %zu: moved %.3g on average; kernel vs ATen max |Δ| %.3g, mean %.3g", i,
                  moved, diff.max().item<double>(), diff.mean().item<double>());
            // A one-code difference changes an element's step by about 1 %.
            QVERIFY(diff.max().item<double>() <= 0.1 * lr * steps);
            QVERIFY(diff.mean().item<double>() <= 5e-3 * moved);
        }
    }

    void badInputIsAnError()
    {
        AdamW8bitOptions options;
        auto cpu = at::randn({4096});
        AdamW8bitCudaState cpuState{at::zeros({4096}, at::kByte),
                                    at::zeros({4096}, at::kByte),
                                    at::zeros({16}),
                                    at::zeros({16}),
                                    quant::createDynamicMap(true),
                                    quant::createDynamicMap(false)};
        QVERIFY(!adamW8bitCudaSupports(cpu, options));
        QVERIFY_THROWS_EXCEPTION(Error, adamW8bitStepCuda(cpu, cpu, cpuState, 1, 1e-3, options));
        options.blocksize = 100;
        QVERIFY_THROWS_EXCEPTION(Error, adamW8bitStepCuda(cpu, cpu, cpuState, 1, 1e-3, options));
        if (test::cudaComparisonUnavailable())
            return;
        QVERIFY(!adamW8bitCudaSupports(cpu.cuda(), options)); // blocksize 100
        options.blocksize = 256;
        auto p = cpu.cuda();
        QVERIFY(adamW8bitCudaSupports(p, options));
        QVERIFY(!adamW8bitCudaSupports(p.to(at::kDouble), options));
        AdamW8bitCudaState state{cpuState.codes1.cuda(),  cpuState.codes2.cuda(),
                                 cpuState.absmax1.cuda(), cpuState.absmax2.cuda(),
                                 cpuState.map1,           cpuState.map2};
        QVERIFY_THROWS_EXCEPTION(Error,
                                 adamW8bitStepCuda(p, p.slice(0, 1), state, 1, 1e-3, options));
        QVERIFY_THROWS_EXCEPTION(Error, adamW8bitStepCuda(p, p, state, 0, 1e-3, options));
        auto shortAbsmax = state;
        shortAbsmax.absmax2 = state.absmax2.slice(0, 1);
        QVERIFY_THROWS_EXCEPTION(Error,
                                 adamW8bitStepCuda(p, p.clone(), shortAbsmax, 1, 1e-3, options));
        auto wrongCodes = state;
        wrongCodes.codes1 = state.codes1.to(at::kFloat);
        QVERIFY_THROWS_EXCEPTION(Error,
                                 adamW8bitStepCuda(p, p.clone(), wrongCodes, 1, 1e-3, options));
        auto cpuCodes = state;
        cpuCodes.codes2 = cpuState.codes2;
        QVERIFY_THROWS_EXCEPTION(Error,
                                 adamW8bitStepCuda(p, p.clone(), cpuCodes, 1, 1e-3, options));
        // The valid state steps (code books on the CPU are copied over).
        adamW8bitStepCuda(p, p.clone(), state, 1, 1e-3, options);
        QVERIFY(state.absmax1.gt(0).all().item<bool>());
    }
};

QTEST_GUILESS_MAIN(TestOptimCuda)
#include "tst_optim_cuda.moc"
