// Logits and greedy-generation parity with transformers for tiny random
// models of every supported family and option (fixtures from
// tests/fixtures/gen_models.py). fp32: max |Δ| ≤ 1e-4 for SDPA and eager;
// bf16: within a few bf16 ulps of the logit scale; greedy: identical tokens.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "io/JsonFile.h"
#include "io/ModelSource.h"
#include "model/Generation.h"
#include "model/ModelLoader.h"

#include <QtTest>

#include <ATen/Parallel.h>

#include <thread>

using namespace headroom;

class TestModelParity : public QObject
{
    Q_OBJECT

private:
    std::filesystem::path m_models = test::fixtureDir() / "models";

    void addCases()
    {
        QTest::addColumn<QString>("name");
        auto cases = io::readJsonFile(m_models / "cases.json");
        for (auto it = cases.begin(); it != cases.end(); ++it)
            QTest::newRow(it.key().c_str()) << QString::fromStdString(it.key());
    }

    std::map<std::string, at::Tensor> expected(const std::string &name)
    {
        return test::readSafetensors(m_models / name / "expected.safetensors");
    }

    std::unique_ptr<model::CausalLM> load(const std::string &name, at::ScalarType dtype,
                                          model::AttentionKernel kernel)
    {
        io::ModelSource source{io::ModelSource::Kind::HfFolder, m_models / name, {}};
        model::LoadOptions options;
        options.dtype = dtype;
        options.attention = kernel;
        return model::loadModel(source, options);
    }

private slots:
    void initTestCase()
    {
        at::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
    }

    void fp32Logits_data() { addCases(); }
    void fp32Logits()
    {
        QFETCH(QString, name);
        auto ref = expected(name.toStdString());
        for (auto kernel : {model::AttentionKernel::Sdpa, model::AttentionKernel::Eager}) {
            auto lm = load(name.toStdString(), at::kFloat, kernel);
            at::InferenceMode guard;
            auto logits = lm->forward(ref.at("input_ids"));
            const double diff = test::maxAbsDifference(logits, ref.at("logits_fp32"));
            qInfo("%s %s: max |Δ| = %.3g", qPrintable(name), model::attentionKernelName(kernel),
                  diff);
            QVERIFY2(diff <= 1e-4, qPrintable(QString("max |Δ| %1 > 1e-4").arg(diff)));
        }
    }

    void bf16Logits_data() { addCases(); }
    void bf16Logits()
    {
        QFETCH(QString, name);
        auto ref = expected(name.toStdString());
        auto lm = load(name.toStdString(), at::kBFloat16, model::AttentionKernel::Sdpa);
        at::InferenceMode guard;
        auto logits = lm->forward(ref.at("input_ids")).to(at::kFloat);
        auto reference = ref.at("logits_bf16");
        const double scale = std::max(1.0, reference.abs().max().item<double>());
        const double diff = test::maxAbsDifference(logits, reference);
        // bf16 has 8 significant bits (ulp 2^-7 at 1.0); two layers of rounding
        // in a different kernel order stay within two ulps of the logit scale.
        const double tolerance = 2 * std::ldexp(1.0, -7) * scale;
        qInfo("%s bf16: max |Δ| = %.3g (tolerance %.3g)", qPrintable(name), diff, tolerance);
        QVERIFY2(diff <= tolerance,
                 qPrintable(QString("max |Δ| %1 > %2").arg(diff).arg(tolerance)));
    }

    // No fp16 reference is stored: fp16 logits must equal the fp32 reference
    // to fp16 precision (11 significant bits), with both attention kernels.
    void fp16Logits_data() { addCases(); }
    void fp16Logits()
    {
        QFETCH(QString, name);
        auto ref = expected(name.toStdString());
        auto reference = ref.at("logits_fp32");
        const double scale = std::max(1.0, reference.abs().max().item<double>());
        const double tolerance = 6 * std::ldexp(1.0, -10) * scale;
        for (auto kernel : {model::AttentionKernel::Sdpa, model::AttentionKernel::Eager}) {
            auto lm = load(name.toStdString(), at::kHalf, kernel);
            at::InferenceMode guard;
            auto logits = lm->forward(ref.at("input_ids"));
            QCOMPARE(logits.scalar_type(), at::kHalf);
            const double diff = test::maxAbsDifference(logits, reference);
            qInfo("%s fp16 %s: max |Δ| to fp32 = %.3g (tolerance %.3g)", qPrintable(name),
                  model::attentionKernelName(kernel), diff, tolerance);
            QVERIFY2(diff <= tolerance,
                     qPrintable(QString("max |Δ| %1 > %2").arg(diff).arg(tolerance)));
        }
    }

    void greedyGeneration_data() { addCases(); }
    void greedyGeneration()
    {
        QFETCH(QString, name);
        auto ref = expected(name.toStdString());
        auto lm = load(name.toStdString(), at::kFloat, model::AttentionKernel::Sdpa);
        auto promptTensor = ref.at("gen_prompt");
        std::vector<int64_t> prompt(promptTensor.data_ptr<int64_t>(),
                                    promptTensor.data_ptr<int64_t>() + promptTensor.numel());
        model::SamplingOptions options;
        options.maxNewTokens = ref.at("gen_greedy").numel();
        auto tokens = model::generate(*lm, prompt, options);
        auto expectedTokens = ref.at("gen_greedy");
        QCOMPARE(static_cast<int64_t>(tokens.size()), expectedTokens.numel());
        for (size_t i = 0; i < tokens.size(); ++i)
            QCOMPARE(tokens[i], expectedTokens[static_cast<int64_t>(i)].item<int64_t>());
    }
};

QTEST_APPLESS_MAIN(TestModelParity)
#include "tst_model_parity.moc"
