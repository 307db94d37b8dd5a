// Tests of train/GradientBuckets, the all-reduce overlapped with backward,
// against a fake of the collectives that stands for two identical ranks: it
// snapshots a bucket when its reduction starts and writes back twice the
// snapshot when waited for. A bucket started before all of its gradients were
// in therefore comes back wrong, so "twice the gradient of a plain backward"
// proves that no bucket left early; the fake's record of when each reduction
// started proves that they start during backward. Also: the buckets are the
// master gradients' storage, a weight that gets two gradients in one
// backward (used by two checkpointed segments) is reduced after backward,
// the reductions start in bucket order on every rank, and a failed reduction
// throws without breaking the next step. The real process group runs in
// tst_cli_distributed.
#include "common/TestSupport.h"
#include "train/Checkpointing.h"
#include "train/GradientBuckets.h"
#include "train/Trainer.h"

#include <QtTest>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

using namespace headroom;

namespace {

class FakeCollectives : public train::GradientCollectives
{
public:
    std::function<void()> startAllReduce(const at::Tensor &flat) override
    {
        starts.push_back(flat.data_ptr());
        if (onStart)
            onStart();
        auto snapshot = flat.clone();
        return [this, flat, snapshot] {
            if (failWaits)
                throw train::TrainingError("the peer is gone");
            flat.copy_(snapshot * kRanks);
        };
    }
    std::vector<double> sumAcrossRanks(std::vector<double> values) override
    {
        ++sums;
        for (auto &v : values)
            v *= kRanks;
        return values;
    }

    static constexpr int kRanks = 2;
    std::vector<void *> starts; // each bucket's buffer, in the order reductions started
    std::function<void()> onStart;
    bool failWaits = false;
    int sums = 0;
};

constexpr int64_t kWidth = 512; // a [512, 512] fp32 weight is 1 MiB: one bucket each

// `layers` weights W [512, 512] (fp32 leaves, or `dtype` compute copies with
// fp32 masters) and a bias [512]; same values for the same seed.
std::vector<train::TrainableParameter> makeParameters(int layers, at::ScalarType dtype = at::kFloat)
{
    at::manual_seed(7);
    std::vector<train::TrainableParameter> out;
    for (int i = 0; i <= layers; ++i) {
        auto master = i < layers ? at::randn({kWidth, kWidth}) * 0.05 : at::randn({kWidth}) * 0.1;
        auto model = dtype == at::kFloat ? master : master.to(dtype);
        model.requires_grad_(true);
        out.push_back({"w" + std::to_string(i), model, master, true});
    }
    return out;
}

// x [8, 512] through tanh(x W_i) for every weight (the weight `shared` twice,
// in two checkpointed segments, when >= 0), plus the bias; the sum of squares.
void forwardBackward(const std::vector<train::TrainableParameter> &params, int micro,
                     int shared = -1)
{
    const auto dtype = params.front().model.scalar_type();
    auto h = at::randn({8, kWidth}, at::TensorOptions().dtype(dtype)) * (1.0 + micro);
    for (size_t i = 0; i + 1 < params.size(); ++i) {
        const auto &w = params[i].model;
        if (static_cast<int>(i) == shared) {
            for (int twice = 0; twice < 2; ++twice)
                h = train::checkpoint([&w](const at::Tensor &x) { return at::tanh(x.matmul(w)); },
                                      h, false);
        } else {
            h = at::tanh(h.matmul(w));
        }
    }
    (h + params.back().model).to(at::kFloat).pow(2).sum().backward();
}

// The gradient a plain backward gives each parameter, summed over `micro`
// micro-batches in fp32, times the fake's number of ranks.
std::vector<at::Tensor> expectedGradients(int layers, at::ScalarType dtype, int micro,
                                          int shared = -1)
{
    auto params = makeParameters(layers, dtype);
    std::vector<at::Tensor> sums(params.size());
    for (int m = 0; m < micro; ++m) {
        at::manual_seed(100 + m);
        forwardBackward(params, m, shared);
        for (size_t i = 0; i < params.size(); ++i) {
            auto g = params[i].model.grad().to(at::kFloat);
            sums[i] = sums[i].defined() ? sums[i] + g : g;
            params[i].model.mutable_grad().reset();
        }
    }
    for (auto &s : sums)
        s = s * FakeCollectives::kRanks;
    return sums;
}

// One optimizer step's worth of backward passes, arming before the last.
void step(train::GradientBuckets &buckets, const std::vector<train::TrainableParameter> &params,
          int micro, int shared = -1)
{
    for (int m = 0; m < micro; ++m) {
        at::manual_seed(100 + m);
        if (m == micro - 1)
            buckets.armForLastBackward();
        forwardBackward(params, m, shared);
    }
    buckets.finish();
}

void compareGradients(const train::TrainableParameters &set,
                      const std::vector<at::Tensor> &expected)
{
    for (size_t i = 0; i < expected.size(); ++i) {
        const auto &p = set.list()[i];
        QVERIFY2(p.master.grad().defined(), p.name.c_str());
        const double difference = (p.master.grad() - expected[i]).abs().max().item<double>();
        QVERIFY2(difference == 0.0, (p.name + ": " + std::to_string(difference)).c_str());
    }
}

bool allZero(const at::Tensor &t)
{
    return !t.defined() || t.count_nonzero().item<int64_t>() == 0;
}

} // namespace

class TestGradientBuckets : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { at::set_num_threads(1); } // bit-exact sums in both paths

    void mastersLiveInTheBuckets()
    {
        auto set = train::TrainableParameters::of(makeParameters(4));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);
        // 4 MiB of weights + the bias: 1 MiB buckets, filled in reverse order
        // (the bias shares the last weight's bucket).
        QCOMPARE(buckets.bucketCount(), int64_t{4});
        const auto &list = set.list();
        for (const auto &p : list) {
            QVERIFY2(p.master.grad().defined() && allZero(p.master.grad()), p.name.c_str());
            QCOMPARE(p.master.grad().sizes(), p.master.sizes());
        }
        QVERIFY(list[4].master.grad().is_alias_of(list[3].master.grad()));
        QVERIFY(!list[2].master.grad().is_alias_of(list[3].master.grad()));

        // zeroGradients zeroes the views in place; they stay the buckets.
        const void *before = list[0].master.grad().data_ptr();
        list[0].master.grad().fill_(1.0f);
        set.zeroGradients();
        QCOMPARE(list[0].master.grad().data_ptr(), before);
        QVERIFY(allZero(list[0].master.grad()));
    }

    void firstStepLearnsThenReductionsOverlapBackward()
    {
        const auto expected = expectedGradients(4, at::kFloat, 1);
        auto set = train::TrainableParameters::of(makeParameters(4));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);

        step(buckets, set.list(), 1);
        QCOMPARE(buckets.startedDuringBackward(), int64_t{0}); // learning: after backward
        QCOMPARE(fake.sums, 1);                                // the ranks agreed once
        compareGradients(set, expected);
        set.zeroGradients();

        // From the second step on a bucket starts when its last gradient is
        // in: the first start happens while the first layer's gradient is
        // still zero, so backward is not over.
        std::vector<bool> firstLayerDone;
        fake.onStart = [&] { firstLayerDone.push_back(!allZero(set.list()[0].master.grad())); };
        fake.starts.clear();
        step(buckets, set.list(), 1);
        QCOMPARE(buckets.startedDuringBackward(), buckets.bucketCount());
        QCOMPARE(firstLayerDone.size(), size_t{4});
        QVERIFY(!firstLayerDone.front());
        QVERIFY(firstLayerDone.back());
        QCOMPARE(fake.sums, 1);
        compareGradients(set, expected);
        // Index order: the last layer's bucket first, the first layer's last.
        QCOMPARE(fake.starts.back(), set.list()[0].master.grad().data_ptr());
    }

    void computeCopiesAccumulateIntoFp32Masters()
    {
        // bf16 weights with fp32 masters, two micro-batches per step: the
        // hook moves each bf16 gradient into its master as it appears, so
        // the master holds the fp32 sum and the compute gradient is dropped.
        const auto expected = expectedGradients(3, at::kBFloat16, 2);
        auto set = train::TrainableParameters::of(makeParameters(3, at::kBFloat16));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);
        for (int s = 0; s < 3; ++s) {
            step(buckets, set.list(), 2);
            compareGradients(set, expected);
            for (const auto &p : set.list())
                QVERIFY2(!p.model.grad().defined(), p.name.c_str());
            set.zeroGradients();
        }
        QCOMPARE(buckets.startedDuringBackward(), buckets.bucketCount());
    }

    void weightUsedTwiceIsReducedAfterBackward()
    {
        // w1 is used by two checkpointed segments: each recomputation's
        // backward accumulates into it, so its hook fires twice. The first
        // step sees that; its bucket then waits for the end of backward
        // (a start after the first gradient would send half of it).
        const auto expected = expectedGradients(4, at::kFloat, 1, 1);
        auto set = train::TrainableParameters::of(makeParameters(4));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);
        for (int s = 0; s < 3; ++s) {
            step(buckets, set.list(), 1, 1);
            compareGradients(set, expected);
            set.zeroGradients();
        }
        // Buckets 0 and 1 (w3 + bias, w2) overlap; w1's bucket and the one
        // after it wait, because buckets start in order.
        QCOMPARE(buckets.startedDuringBackward(), int64_t{2});
    }

    void gradientAfterItsBucketLeftIsAnError()
    {
        // The first step shows w1 used once; when a later step uses it twice,
        // its bucket has already left: an error, not a silently wrong sum.
        auto set = train::TrainableParameters::of(makeParameters(4));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);
        step(buckets, set.list(), 1);
        set.zeroGradients();
        try {
            step(buckets, set.list(), 1, 1);
            QFAIL("no error");
        } catch (const train::TrainingError &e) {
            QVERIFY2(std::string(e.what()).find("w1") != std::string::npos, e.what());
        }
        set.zeroGradients();
        step(buckets, set.list(), 1); // the next step starts clean
        compareGradients(set, expectedGradients(4, at::kFloat, 1));
    }

    void rankWithoutBackwardReducesInOrder()
    {
        // A rank whose micro-batches had no targets never arms: it still
        // takes part in every reduction, in the same order as the others.
        auto set = train::TrainableParameters::of(makeParameters(4));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);
        for (int s = 0; s < 2; ++s) {
            fake.starts.clear();
            buckets.finish();
            QCOMPARE(fake.starts.size(), size_t{4});
            QCOMPARE(fake.starts.front(), set.list()[4].master.grad().data_ptr());
            QCOMPARE(fake.starts.back(), set.list()[0].master.grad().data_ptr());
            QCOMPARE(buckets.startedDuringBackward(), int64_t{0});
        }
        for (const auto &p : set.list())
            QVERIFY(allZero(p.master.grad()));
    }

    void failedReductionThrowsAndTheNextStepWorks()
    {
        auto set = train::TrainableParameters::of(makeParameters(2));
        FakeCollectives fake;
        train::GradientBuckets buckets(set, fake);
        fake.failWaits = true;
        try {
            step(buckets, set.list(), 1);
            QFAIL("no error");
        } catch (const train::TrainingError &e) {
            QVERIFY2(std::string(e.what()).find("the peer is gone") != std::string::npos, e.what());
        }
        fake.failWaits = false;
        set.zeroGradients();
        step(buckets, set.list(), 1);
        compareGradients(set, expectedGradients(2, at::kFloat, 1));
    }
};

QTEST_GUILESS_MAIN(TestGradientBuckets)
#include "tst_gradient_buckets.moc"
