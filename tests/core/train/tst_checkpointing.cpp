// Tests of train/Checkpointing (trap 2) on the tiny Llama and GPT-2 fixture
// models: the loss and the gradients of a few weights and of the input
// embeddings are the same with and without per-block checkpointing, also with
// dropout inside the checkpointed function (equality proves the RNG restore;
// skipping the restore breaks it, the negative control) and with frozen input
// embeddings. A counting CPU allocator measures the activation bytes the
// blocks leave alive after the forward, with and without checkpointing.
// Does not check GPU RNG (needs a device) or speed.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "memory/CountingAllocator.h"
#include "model/Gpt2Model.h"
#include "model/Layers.h"
#include "model/LlamaModel.h"
#include "model/ModelLoader.h"
#include "model/RotaryEmbedding.h"
#include "train/Checkpointing.h"
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

at::Tensor &weight(model::CausalLM &lm, const std::string &name)
{
    for (auto &slot : lm.weightSlots())
        if (slot.name == name)
            return *slot.tensor;
    throw std::runtime_error("no weight " + name);
}

struct Setup
{
    std::string fixture;
    std::vector<std::string> trainable; // weights that get requires_grad
    bool trainEmbeddings = true;        // false: the input embeddings do not require grad
};

struct Run
{
    bool checkpointing = false;
    double dropout = 0.0;
    bool preserveRng = true;
};

struct Result
{
    double loss = 0.0;
    at::Tensor inputGrad; // d loss / d input embeddings [B, T, H]; undefined when frozen
    std::vector<at::Tensor> weightGrads;
    int64_t blockBytes = 0; // live bytes the blocks added (their output included)
};

// Embeddings -> blocks (each optionally checkpointed, optional dropout after
// each) -> final norm -> logits -> causal-LM loss / targets, then backward.
// Written with the models' public pieces so the block loop is the test's own.
class Harness
{
public:
    explicit Harness(const Setup &setup) : m_setup(setup)
    {
        io::ModelSource source{
            io::ModelSource::Kind::HfFolder, test::fixtureDir() / "models" / setup.fixture, {}};
        m_lm = model::loadModel(source, {});
        for (const auto &name : setup.trainable)
            weight(*m_lm, name).set_requires_grad(true);
    }

    model::CausalLM &lm() { return *m_lm; }

    Result run(const at::Tensor &ids, const at::Tensor &labels, const Run &options)
    {
        at::manual_seed(4242);
        const auto &config = m_lm->config();
        const bool gpt2 = config.modelType == "gpt2";
        const int64_t tokens = ids.size(1);
        auto positions = at::arange(tokens, at::kLong);

        at::Tensor x; // [B, T, H]
        {
            at::AutoGradMode grad(m_setup.trainEmbeddings);
            x = gpt2 ? at::embedding(weight(*m_lm, "transformer.wte.weight"), ids) +
                           at::embedding(weight(*m_lm, "transformer.wpe.weight"), positions)
                     : at::embedding(weight(*m_lm, "model.embed_tokens.weight"), ids);
        }
        auto input = m_setup.trainEmbeddings ? x.detach().requires_grad_(true) : x;

        at::Tensor cos, sin;
        if (!gpt2)
            std::tie(cos, sin) = model::RotaryEmbedding(config).cosSin(positions, at::kFloat);

        const int64_t before = counter()->live();
        at::Tensor h = input;
        for (int64_t i = 0; i < config.numLayers; ++i) {
            // What the trainer captures: the layer index and cos/sin; no cache.
            auto fn = [this, i, gpt2, cos, sin, options](const at::Tensor &in) {
                auto y = gpt2 ? static_cast<model::Gpt2Model &>(*m_lm).block(i, in, nullptr, 0)
                              : static_cast<model::LlamaModel &>(*m_lm).block(i, in, cos, sin,
                                                                              nullptr, 0);
                return options.dropout > 0 ? at::dropout(y, options.dropout, /*train=*/true) : y;
            };
            h = options.checkpointing ? train::checkpoint(fn, h, options.preserveRng) : fn(h);
        }
        Result result;
        result.blockBytes = counter()->live() - before;

        auto normed = gpt2
                          ? model::layerNorm(h, weight(*m_lm, "transformer.ln_f.weight"),
                                             weight(*m_lm, "transformer.ln_f.bias"), config.normEps)
                          : model::rmsNorm(h, weight(*m_lm, "model.norm.weight"), config.normEps);
        auto loss = train::fullCausalLmLoss(m_lm->logits(normed), labels);
        auto mean = loss.sum / static_cast<double>(loss.targetTokens);
        mean.backward();
        result.loss = mean.item<double>();
        if (m_setup.trainEmbeddings)
            result.inputGrad = input.grad().clone();
        for (const auto &name : m_setup.trainable) {
            auto &w = weight(*m_lm, name);
            result.weightGrads.push_back(w.grad().defined() ? w.grad().clone() : at::Tensor());
            w.mutable_grad() = at::Tensor();
        }
        return result;
    }

private:
    Setup m_setup;
    std::unique_ptr<model::CausalLM> m_lm;
};

Setup llamaSetup(bool trainEmbeddings)
{
    return {"llama_basic",
            {"model.layers.0.self_attn.q_proj.weight", "model.layers.0.input_layernorm.weight",
             "model.layers.1.mlp.down_proj.weight", "model.layers.1.self_attn.v_proj.weight",
             "lm_head.weight"},
            trainEmbeddings};
}

Setup gpt2Setup(bool trainEmbeddings)
{
    return {"gpt2",
            {"transformer.h.0.attn.c_attn.weight", "transformer.h.0.ln_1.bias",
             "transformer.h.1.mlp.c_fc.weight", "transformer.h.1.attn.c_proj.bias"},
            trainEmbeddings};
}

// Largest relative error over the loss, the input gradient and every weight gradient.
double worstError(const Result &a, const Result &b)
{
    double worst = std::abs(a.loss - b.loss) / std::abs(b.loss);
    if (b.inputGrad.defined())
        worst = std::max(worst, test::maxRelativeDifference(a.inputGrad, b.inputGrad));
    for (size_t i = 0; i < b.weightGrads.size(); ++i) {
        if (!b.weightGrads[i].defined() || !a.weightGrads[i].defined())
            return b.weightGrads[i].defined() == a.weightGrads[i].defined() ? worst : 1.0;
        worst = std::max(worst, test::maxRelativeDifference(a.weightGrads[i], b.weightGrads[i]));
    }
    return worst;
}

} // namespace

class TestCheckpointing : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { counter(); } // installs the counting allocator

    void sameGradients_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<double>("dropout");
        QTest::addColumn<bool>("trainEmbeddings");
        for (const char *name : {"llama_basic", "gpt2"}) {
            QTest::newRow((std::string(name) + " plain").c_str()) << QString(name) << 0.0 << true;
            QTest::newRow((std::string(name) + " dropout 0.2").c_str())
                << QString(name) << 0.2 << true;
            QTest::newRow((std::string(name) + " frozen embeddings + dropout").c_str())
                << QString(name) << 0.2 << false;
        }
    }

    void sameGradients()
    {
        QFETCH(QString, fixture);
        QFETCH(double, dropout);
        QFETCH(bool, trainEmbeddings);
        Harness harness(fixture == "gpt2" ? gpt2Setup(trainEmbeddings)
                                          : llamaSetup(trainEmbeddings));
        at::manual_seed(99);
        auto ids = at::randint(0, harness.lm().config().vocabSize, {2, 40}, at::kLong);
        auto labels = ids.clone();
        labels.index_put_({0, at::indexing::Slice(0, 7)}, train::kIgnoreIndex);

        auto plain = harness.run(ids, labels, {false, dropout, true});
        auto checkpointed = harness.run(ids, labels, {true, dropout, true});
        const double error = worstError(checkpointed, plain);
        qInfo("%s dropout %.1f: worst relative error with checkpointing %.2e (loss %.6f)",
              qPrintable(fixture), dropout, error, plain.loss);
        QVERIFY(error <= 1e-6);
        for (const auto &g : plain.weightGrads)
            QVERIFY(g.defined() && g.abs().max().item<double>() > 0);

        if (dropout > 0) {
            // Negative control: recomputing without the RNG restore draws other masks.
            auto unrestored = harness.run(ids, labels, {true, dropout, false});
            const double broken = worstError(unrestored, plain);
            qInfo("  without the RNG restore: worst relative error %.2e", broken);
            QVERIFY(broken > 1e-3);
        }
    }

    void noGradModeJustRuns()
    {
        at::NoGradGuard noGrad;
        auto x = at::randn({2, 3});
        auto y = train::checkpoint([](const at::Tensor &t) { return t * 2; }, x);
        QVERIFY(!y.requires_grad());
        QVERIFY(at::equal(y, x * 2));
    }

    // Activation bytes the blocks keep alive after forward (until backward).
    void retainedActivationsShrink_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::newRow("llama_basic") << QString("llama_basic");
        QTest::newRow("gpt2") << QString("gpt2");
    }

    void retainedActivationsShrink()
    {
        QFETCH(QString, fixture);
        Harness harness(fixture == "gpt2" ? gpt2Setup(true) : llamaSetup(true));
        const auto &config = harness.lm().config();
        const int64_t batch = 4, tokens = 128;
        auto ids = at::randint(0, config.vocabSize, {batch, tokens}, at::kLong);
        auto labels = ids.clone();
        auto plain = harness.run(ids, labels, {false, 0.0, true});
        auto checkpointed = harness.run(ids, labels, {true, 0.0, true});
        const int64_t boundary = batch * tokens * config.hiddenSize * 4; // one block output
        qInfo("%s (%lld layers, B=%lld T=%lld H=%lld): bytes the blocks keep after forward: "
              "plain %lld, checkpointed %lld (%.1fx less); one [B, T, H] fp32 block output is "
              "%lld bytes",
              qPrintable(fixture), static_cast<long long>(config.numLayers),
              static_cast<long long>(batch), static_cast<long long>(tokens),
              static_cast<long long>(config.hiddenSize), static_cast<long long>(plain.blockBytes),
              static_cast<long long>(checkpointed.blockBytes),
              static_cast<double>(plain.blockBytes) /
                  static_cast<double>(std::max<int64_t>(checkpointed.blockBytes, 1)),
              static_cast<long long>(boundary));
        // Checkpointed: one output per block (the next block's saved input), nothing else.
        QVERIFY(checkpointed.blockBytes <= config.numLayers * boundary + 64 * 1024);
        QVERIFY(plain.blockBytes >= 3 * checkpointed.blockBytes);
        QVERIFY(worstError(checkpointed, plain) <= 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestCheckpointing)
#include "tst_checkpointing.moc"
