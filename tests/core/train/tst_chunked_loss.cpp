// Tests of train/ChunkedLoss: the chunked causal-LM loss equals the naive
// full-logits ForCausalLMLoss sum (value, gradient of the hidden states and of
// a trainable, untied or tied, LM head) for several chunk sizes, with prompt
// and padding labels; gradient accumulation normalised by the step's target
// count equals the large padded batch (trap 3) while the per-micro-batch mean
// does not; and a counting CPU allocator shows the peak of forward + backward
// stays far below the B·T·V·4 bytes of full fp32 logits (trap 7). Does not
// compare against Python: fullCausalLmLoss is the transformers formula.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "memory/CountingAllocator.h"
#include "model/ModelLoader.h"
#include "train/ChunkedLoss.h"

#include <QtTest>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstring>

using namespace headroom;

namespace {

memory::CountingAllocator *counter()
{
    return &memory::CountingAllocator::installForCpu();
}

std::unique_ptr<model::CausalLM> loadFixture(const std::string &name)
{
    io::ModelSource source{
        io::ModelSource::Kind::HfFolder, test::fixtureDir() / "models" / name, {}};
    return model::loadModel(source, {});
}

at::Tensor &weight(model::CausalLM &lm, const std::string &name)
{
    for (auto &slot : lm.weightSlots())
        if (slot.name == name)
            return *slot.tensor;
    throw std::runtime_error("no weight " + name);
}

// The head tensor: lm_head.weight when untied, the token embedding when tied.
at::Tensor &headWeight(model::CausalLM &lm)
{
    if (!lm.config().tieWordEmbeddings)
        return weight(lm, "lm_head.weight");
    return weight(lm, lm.config().modelType == "gpt2" ? "transformer.wte.weight"
                                                      : "model.embed_tokens.weight");
}

// labels = ids with a masked prompt in row 0 and right padding in row 1.
at::Tensor labelsFor(const at::Tensor &ids)
{
    auto labels = ids.clone();
    labels.index_put_({0, at::indexing::Slice(0, 5)}, train::kIgnoreIndex);
    if (ids.size(0) > 1)
        labels.index_put_({1, at::indexing::Slice(ids.size(1) - 9, at::indexing::None)},
                          train::kIgnoreIndex);
    return labels;
}

} // namespace

class TestChunkedLoss : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        at::manual_seed(20261126);
        counter(); // installs the counting allocator
    }

    void countsShiftedTargets()
    {
        // Row 0: targets are labels[1..3] = {5, -100, 7} -> 2; row 1: {-100, -100, 9} -> 1.
        auto labels = at::tensor({4, 5, -100, 7, 1, -100, -100, 9}, at::kLong).view({2, 4});
        QCOMPARE(train::countTargetTokens(labels), int64_t{3});
        auto logits = at::randn({2, 4, 11});
        QCOMPARE(train::fullCausalLmLoss(logits, labels).targetTokens, int64_t{3});
        // The first position of a row is never a target, the last never has one.
        auto manual = -(at::log_softmax(logits, -1).index({0, 0, 5}) +
                        at::log_softmax(logits, -1).index({0, 2, 7}) +
                        at::log_softmax(logits, -1).index({1, 2, 9}));
        QVERIFY(test::maxRelativeDifference(train::fullCausalLmLoss(logits, labels).sum, manual) <
                1e-6);
    }

    void matchesFullLogits_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<bool>("trainableHead");
        for (const char *name : {"llama_basic", "gpt2"})
            for (bool trainable : {true, false})
                QTest::newRow(
                    (std::string(name) + (trainable ? " trainable head" : " frozen head")).c_str())
                    << QString(name) << trainable;
    }

    void matchesFullLogits()
    {
        QFETCH(QString, fixture);
        QFETCH(bool, trainableHead);
        auto lm = loadFixture(fixture.toStdString());
        auto &w = headWeight(*lm);
        w.set_requires_grad(trainableHead);
        auto head = [&lm](const at::Tensor &h) { return lm->logits(h); };

        const int64_t batch = 3, tokens = 37;
        auto ids = at::randint(0, lm->config().vocabSize, {batch, tokens}, at::kLong);
        auto labels = labelsFor(ids);
        at::Tensor hidden0;
        {
            at::NoGradGuard noGrad;
            hidden0 = lm->forwardHidden(ids); // [B, T, H]
        }
        const double upstream = 0.37; // a non-unit incoming gradient, like 1 / num_items

        auto h = hidden0.clone().requires_grad_(true);
        auto reference = train::fullCausalLmLoss(lm->logits(h), labels);
        (reference.sum * upstream).backward();
        const auto refHidden = h.grad().clone();
        at::Tensor refHead;
        if (trainableHead) {
            refHead = w.grad().clone();
            w.mutable_grad() = at::Tensor();
        }
        QCOMPARE(reference.targetTokens, train::countTargetTokens(labels));

        const int64_t n = reference.targetTokens;
        for (int64_t chunk : {int64_t{1}, int64_t{7}, int64_t{16}, n - 1, n, int64_t{4096}}) {
            auto hc = hidden0.clone().requires_grad_(true);
            auto loss = train::chunkedCausalLmLoss(hc, labels, head, {w}, {chunk});
            QCOMPARE(loss.targetTokens, n);
            QCOMPARE(loss.sum.scalar_type(), at::kFloat);
            const double valueError = test::maxRelativeDifference(loss.sum, reference.sum);
            (loss.sum * upstream).backward();
            const double hiddenError = test::maxRelativeDifference(hc.grad(), refHidden);
            double headError = 0.0;
            if (trainableHead) {
                headError = test::maxRelativeDifference(w.grad(), refHead);
                w.mutable_grad() = at::Tensor();
            } else {
                QVERIFY(!w.grad().defined());
            }
            qInfo("chunk %lld: relative error value %.2e, d hidden %.2e, d head %.2e",
                  static_cast<long long>(chunk), valueError, hiddenError, headError);
            QVERIFY(valueError < 1e-5);
            QVERIFY(hiddenError < 1e-5);
            QVERIFY(headError < 1e-5);
            // Positions without a target (last column, prompt, padding) get exactly zero.
            QCOMPARE(hc.grad().select(1, tokens - 1).abs().max().item<float>(), 0.0f);
        }
        w.set_requires_grad(false);
    }

    // Trap 3: two micro-batches of different lengths, each loss divided by the
    // target count of the whole step, accumulate to the gradient of one padded
    // batch; the mean per micro-batch does not.
    void accumulationEqualsLargeBatch()
    {
        auto lm = loadFixture("llama_basic");
        const std::vector<std::string> trainable = {"lm_head.weight", "model.embed_tokens.weight",
                                                    "model.layers.0.self_attn.q_proj.weight",
                                                    "model.layers.1.mlp.down_proj.weight"};
        for (const auto &name : trainable)
            weight(*lm, name).set_requires_grad(true);
        auto head = [&lm](const at::Tensor &h) { return lm->logits(h); };
        auto grads = [&] {
            std::vector<at::Tensor> out;
            for (const auto &name : trainable) {
                auto &t = weight(*lm, name);
                out.push_back(t.grad().clone());
                t.mutable_grad() = at::Tensor();
            }
            return out;
        };

        const int64_t vocab = lm->config().vocabSize, shortLen = 13, longLen = 31;
        auto idsA = at::randint(0, vocab, {1, shortLen}, at::kLong); // [1, 13]
        auto idsB = at::randint(0, vocab, {1, longLen}, at::kLong);  // [1, 31]
        auto labelsA = idsA.clone();
        labelsA.index_put_({0, at::indexing::Slice(0, 6)}, train::kIgnoreIndex); // prompt
        auto labelsB = idsB.clone();
        labelsB.index_put_({0, at::indexing::Slice(0, 3)}, train::kIgnoreIndex);
        const int64_t targets =
            train::countTargetTokens(labelsA) + train::countTargetTokens(labelsB);

        // Accumulated: Σ_i sum_i / N, backward per micro-batch.
        double accumulatedLoss = 0.0;
        for (const auto &[ids, labels] : {std::pair{idsA, labelsA}, std::pair{idsB, labelsB}}) {
            auto loss = train::chunkedCausalLmLoss(lm->forwardHidden(ids), labels, head,
                                                   {weight(*lm, "lm_head.weight")}, {8});
            auto normalised = loss.sum / static_cast<double>(targets);
            accumulatedLoss += normalised.item<double>();
            normalised.backward();
        }
        const auto accumulated = grads();

        // One batch [2, 31]: the short sample right-padded (causal attention
        // never lets real tokens see the padding), padding ignored.
        auto ids = at::zeros({2, longLen}, at::kLong);
        auto labels = at::full({2, longLen}, train::kIgnoreIndex, at::kLong);
        ids.index_put_({0, at::indexing::Slice(0, shortLen)}, idsA[0]);
        labels.index_put_({0, at::indexing::Slice(0, shortLen)}, labelsA[0]);
        ids[1] = idsB[0];
        labels[1] = labelsB[0];
        auto big = train::chunkedCausalLmLoss(lm->forwardHidden(ids), labels, head,
                                              {weight(*lm, "lm_head.weight")}, {8});
        QCOMPARE(big.targetTokens, targets);
        auto bigLoss = big.sum / static_cast<double>(big.targetTokens);
        bigLoss.backward();
        const auto large = grads();

        // The naive way: mean per micro-batch, averaged over micro-batches.
        for (const auto &[ids1, labels1] : {std::pair{idsA, labelsA}, std::pair{idsB, labelsB}}) {
            auto loss = train::chunkedCausalLmLoss(lm->forwardHidden(ids1), labels1, head,
                                                   {weight(*lm, "lm_head.weight")}, {8});
            (loss.sum / static_cast<double>(loss.targetTokens) / 2.0).backward();
        }
        const auto naive = grads();

        qInfo("loss: accumulated %.9f, large batch %.9f", accumulatedLoss, bigLoss.item<double>());
        QVERIFY(std::abs(accumulatedLoss - bigLoss.item<double>()) <=
                1e-5 * std::abs(bigLoss.item<double>()));
        for (size_t i = 0; i < trainable.size(); ++i) {
            const double exact = test::maxRelativeDifference(accumulated[i], large[i]);
            const double wrong = test::maxRelativeDifference(naive[i], large[i]);
            qInfo("%s: relative error accumulated %.2e, per-micro-batch mean %.2e",
                  trainable[i].c_str(), exact, wrong);
            QVERIFY(exact < 1e-5);
            QVERIFY(wrong > 1e-2);
        }
    }

    // Trap 7, measured: forward + backward with a 32 000-token vocabulary
    // never holds anything near the B·T·V·4 bytes of fp32 logits.
    void peakStaysFarBelowFullLogits()
    {
        const int64_t batch = 2, tokens = 512, hiddenSize = 64, vocab = 32000, chunk = 32;
        const int64_t fullLogits = batch * tokens * vocab * 4;
        auto w = (at::randn({vocab, hiddenSize}) * 0.05).requires_grad_(true); // [V, H]
        auto head = [&w](const at::Tensor &h) { return at::linear(h, w); };
        auto ids = at::randint(0, vocab, {batch, tokens}, at::kLong);
        auto labels = labelsFor(ids);

        auto measure = [&](bool chunked) {
            auto hidden = at::randn({batch, tokens, hiddenSize}).requires_grad_(true);
            w.mutable_grad() = at::Tensor();
            const int64_t before = counter()->live();
            counter()->resetPeak();
            {
                auto loss = chunked ? train::chunkedCausalLmLoss(hidden, labels, head, {w}, {chunk})
                                    : train::fullCausalLmLoss(head(hidden), labels);
                loss.sum.backward();
            }
            return counter()->peak() - before;
        };
        const int64_t chunkedPeak = measure(true);
        const int64_t naivePeak = measure(false);
        const int64_t headGrad = vocab * hiddenSize * 4;
        qInfo("B=%lld T=%lld V=%lld H=%lld: full fp32 logits %lld bytes; peak above baseline "
              "during forward+backward: chunked (chunk %lld) %lld bytes (%.3fx), naive %lld bytes "
              "(%.3fx); the head gradient alone is %lld bytes",
              static_cast<long long>(batch), static_cast<long long>(tokens),
              static_cast<long long>(vocab), static_cast<long long>(hiddenSize),
              static_cast<long long>(fullLogits), static_cast<long long>(chunk),
              static_cast<long long>(chunkedPeak),
              static_cast<double>(chunkedPeak) / static_cast<double>(fullLogits),
              static_cast<long long>(naivePeak),
              static_cast<double>(naivePeak) / static_cast<double>(fullLogits),
              static_cast<long long>(headGrad));
        QVERIFY(chunkedPeak < fullLogits / 4);
        QVERIFY(naivePeak >= fullLogits);
    }

    void rejectsBadShapes()
    {
        auto head = [](const at::Tensor &h) { return h; };
        QVERIFY_THROWS_EXCEPTION(
            std::exception, train::chunkedCausalLmLoss(at::randn({2, 4, 3}),
                                                       at::zeros({2, 5}, at::kLong), head, {}));
        QVERIFY_THROWS_EXCEPTION(
            std::exception, train::chunkedCausalLmLoss(
                                at::randn({2, 4, 3}), at::zeros({2, 4}, at::kLong), head, {}, {0}));
    }
};

QTEST_GUILESS_MAIN(TestChunkedLoss)
#include "tst_chunked_loss.moc"
