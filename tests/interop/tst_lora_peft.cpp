// LoRA interchange with Hugging Face PEFT: an adapter PEFT saved loads here
// and gives PEFT's logits (unmerged and merged); the adapter we save holds the
// same tensors under the same names, and PEFT itself loads it and gives the
// same logits; gradients with and without LoRA dropout equal PEFT's. Covers Llama (q/v/down_proj)
// and GPT-2 Conv1D (all-linear, fan_in_fan_out, rsLoRA). Fresh adapters start as exact no-ops (B =
// 0).
#include "common/Error.h"
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "io/JsonFile.h"
#include "io/ModelSource.h"
#include "lora/HashedDropout.h"
#include "lora/PeftAdapter.h"
#include "model/ModelLoader.h"
#include "model/TensorFile.h"
#include "train/ChunkedLoss.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace headroom;

namespace {

std::unique_ptr<model::CausalLM> loadBase(const std::filesystem::path &folder)
{
    return model::loadModel({io::ModelSource::Kind::HfFolder, folder / "base", {}}, {});
}

at::Tensor logitsOf(model::CausalLM &lm, const at::Tensor &ids)
{
    at::InferenceMode guard;
    return lm.forward(ids);
}

int adapterCount(model::CausalLM &lm)
{
    int count = 0;
    for (const auto &linear : lm.adaptableLinears())
        count += *linear.lora ? 1 : 0;
    return count;
}

// PEFT's LoRA gradients of the summed causal-LM loss with lora_dropout
// replaced by our masks: the masks our forward drew after at::manual_seed(seed)
// (one seed per adapter call, in call order) are handed to PEFT in a file.
std::map<std::string, at::Tensor> peftGradientsWithOurMasks(const std::filesystem::path &folder,
                                                            const at::Tensor &ids, double p,
                                                            uint64_t seed,
                                                            const std::vector<int64_t> &widths)
{
    at::manual_seed(seed);
    model::NamedTensors masks;
    for (size_t i = 0; i < widths.size(); ++i) {
        const uint64_t drawn = lora::drawDropoutSeed();
        char name[32];
        std::snprintf(name, sizeof name, "mask.%03zu", i);
        masks.emplace(name, lora::hashedDropoutScale({ids.size(0), ids.size(1), widths[i]}, p,
                                                     drawn, at::kCPU));
    }
    test::TempDir temp;
    model::saveTensorFile(temp / "masks.safetensors", masks);
    model::saveTensorFile(temp / "ids.safetensors", {{"input_ids", ids}});
    const char *script = R"(
import sys, torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
from safetensors.torch import load_file, save_file
base = AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32)
model = PeftModel.from_pretrained(base, sys.argv[2], is_trainable=True).eval()
masks = load_file(sys.argv[3])
order = iter(masks[k] for k in sorted(masks))
class OurMask(torch.nn.Module):
    def forward(self, x):
        return x * next(order)
for module in model.modules():
    if hasattr(module, "lora_dropout") and "default" in module.lora_dropout:
        module.lora_dropout["default"] = OurMask()
ids = load_file(sys.argv[4])["input_ids"]
logits = model(ids).logits.float()
loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)),
                                         ids[:, 1:].reshape(-1), reduction="sum")
loss.backward()
assert next(order, None) is None, "PEFT called fewer adapters than masks"
save_file({n.replace(".default", ""): p.grad.contiguous() for n, p in model.named_parameters()
           if "lora_" in n}, sys.argv[5])
)";
    const auto out = temp / "grads.safetensors";
    auto result =
        test::runPython(script, {(folder / "base").string(), (folder / "adapter").string(),
                                 (temp / "masks.safetensors").string(),
                                 (temp / "ids.safetensors").string(), out.string()});
    if (result.exitCode != 0)
        throw Error("PEFT with our masks failed: " + result.err);
    return test::readSafetensors(out);
}
} // namespace

class TestLoraPeft : public QObject
{
    Q_OBJECT

private slots:
    void peftAdapterGivesPeftLogits_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("adapters");
        QTest::newRow("llama q/v/down") << "llama" << 6;
        QTest::newRow("gpt2 all-linear") << "gpt2" << 8;
    }

    void peftAdapterGivesPeftLogits()
    {
        QFETCH(QString, arch);
        QFETCH(int, adapters);
        const auto folder = test::fixtureDir() / "lora" / arch.toStdString();
        auto expected = test::readSafetensors(folder / "expected.safetensors");
        const auto &ids = expected.at("input_ids");

        auto lm = loadBase(folder);
        auto info = lora::loadPeftAdapter(*lm, folder / "adapter");
        QCOMPARE(adapterCount(*lm), adapters);
        const double unmerged =
            test::maxAbsDifference(logitsOf(*lm, ids), expected.at("logits_lora"));
        qInfo("%s: PEFT adapter, max |Δ| = %.3g", qPrintable(arch), unmerged);
        QVERIFY(unmerged <= 1e-5);

        // Saved again, the adapter holds PEFT's tensors under PEFT's names.
        test::TempDir temp;
        lora::savePeftAdapter(*lm, temp.path(), info);
        auto ours = test::readSafetensors(temp / "adapter_model.safetensors");
        auto theirs = test::readSafetensors(folder / "adapter" / "adapter_model.safetensors");
        QCOMPARE(ours.size(), theirs.size());
        for (const auto &[name, tensor] : theirs) {
            QVERIFY2(ours.count(name), name.c_str());
            QVERIFY2(at::equal(ours.at(name), tensor), name.c_str());
        }
        auto ourConfig = io::readJsonFile(temp / "adapter_config.json");
        auto peftConfig = io::readJsonFile(folder / "adapter" / "adapter_config.json");
        for (const char *key :
             {"peft_type", "task_type", "r", "lora_alpha", "use_rslora", "fan_in_fan_out"})
            QVERIFY2(ourConfig[key] == peftConfig[key], key);

        // PEFT loads what we wrote and computes the same logits.
        const char *script = R"(
import sys, torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
from safetensors.torch import load_file
base = AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32)
model = PeftModel.from_pretrained(base, sys.argv[2]).eval()
expected = load_file(sys.argv[3])
with torch.no_grad():
    logits = model(expected["input_ids"]).logits.float()
print(float((logits - expected["logits_lora"]).abs().max()))
)";
        auto result = test::runPython(script, {(folder / "base").string(), temp.path().string(),
                                               (folder / "expected.safetensors").string()});
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        const double peftDiff = std::stod(result.out);
        qInfo("%s: PEFT on our adapter, max |Δ| = %.3g", qPrintable(arch), peftDiff);
        QVERIFY(peftDiff <= 1e-5);

        // Merging gives merge_and_unload's logits and leaves no adapter.
        lora::mergeLora(*lm);
        QCOMPARE(adapterCount(*lm), 0);
        const double merged =
            test::maxAbsDifference(logitsOf(*lm, ids), expected.at("logits_merged"));
        qInfo("%s: merged, max |Δ| = %.3g", qPrintable(arch), merged);
        QVERIFY(merged <= 1e-5);
    }

    // Gradients of the summed causal-LM loss with respect to every LoRA
    // matrix equal PEFT's, with dropout off and on. With dropout on, PEFT runs
    // with our masks: its lora_dropout modules are replaced by ones that
    // multiply by the mask our forward drew for that adapter (the seeds come
    // from the CPU generator in call order, each mask from HashedDropout), so
    // dropout placement (the LoRA input only) and scaling are checked exactly.
    void gradientsMatchPeft_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<double>("dropout");
        for (const char *arch : {"llama", "gpt2"})
            for (double p : {0.0, 0.25})
                QTest::addRow("%s, dropout %.2f", arch, p) << QString(arch) << p;
    }

    void gradientsMatchPeft()
    {
        QFETCH(QString, arch);
        QFETCH(double, dropout);
        const auto folder = test::fixtureDir() / "lora" / arch.toStdString();
        auto expected = test::readSafetensors(folder / "expected.safetensors");
        const auto &ids = expected.at("input_ids"); // [2, T]

        auto lm = loadBase(folder);
        lora::loadPeftAdapter(*lm, folder / "adapter");
        lora::setLoraTraining(*lm, true);
        std::map<std::string, at::Tensor> params;
        std::vector<int64_t> inputWidths; // adapters in call order
        for (const auto &linear : lm->adaptableLinears())
            if (auto &adapter = *linear.lora) {
                adapter->dropout = dropout;
                adapter->a.requires_grad_(true);
                adapter->b.requires_grad_(true);
                params["base_model.model." + linear.name + ".lora_A.weight"] = adapter->a;
                params["base_model.model." + linear.name + ".lora_B.weight"] = adapter->b;
                inputWidths.push_back(adapter->a.size(1));
            }
        constexpr uint64_t seed = 1234;
        at::manual_seed(seed);
        auto hidden = lm->forwardHidden(ids);
        auto loss = train::chunkedCausalLmLoss(
            hidden, ids, [&](const at::Tensor &h) { return lm->logits(h); }, {});
        loss.sum.backward();

        std::map<std::string, at::Tensor> theirs;
        const std::string key = "grad.";
        if (dropout == 0) {
            for (const auto &[name, tensor] : expected)
                if (name.starts_with(key))
                    theirs[name.substr(key.size())] = tensor;
        } else {
            theirs = peftGradientsWithOurMasks(folder, ids, dropout, seed, inputWidths);
        }
        int compared = 0;
        double worst = 0;
        for (const auto &[name, param] : params) {
            QVERIFY2(theirs.count(name), name.c_str());
            const auto &reference = theirs.at(name);
            const double scale = reference.abs().max().item<double>();
            worst = std::max(worst, test::maxAbsDifference(param.grad(), reference) / scale);
            ++compared;
        }
        qInfo("%s, dropout %.2f: %d LoRA gradients, max |Δ| / max |g| = %.3g", qPrintable(arch),
              dropout, compared, worst);
        QCOMPARE(compared, static_cast<int>(params.size()));
        QVERIFY(compared > 0);
        QVERIFY(worst <= 1e-5);
    }

    void freshAdaptersAreNoOps()
    {
        const auto folder = test::fixtureDir() / "lora" / "llama";
        auto expected = test::readSafetensors(folder / "expected.safetensors");
        auto lm = loadBase(folder);
        const auto before = logitsOf(*lm, expected.at("input_ids"));
        auto names = lora::attachLora(*lm, {8, 16, 0.0, false}, {});
        QCOMPARE(names.size(), size_t(14)); // 2 layers × 7 projections, LM head excluded
        QVERIFY(at::equal(logitsOf(*lm, expected.at("input_ids")), before));
        for (const auto &linear : lm->adaptableLinears()) {
            const auto &adapter = **linear.lora;
            QVERIFY(adapter.b.abs().max().item<float>() == 0.0f);
            // kaiming_uniform_(a=√5): U(−1/√in, 1/√in).
            QVERIFY(adapter.a.abs().max().item<double>() <= 1.0 / std::sqrt(double(linear.in)));
            QVERIFY(adapter.a.abs().max().item<double>() > 0.5 / std::sqrt(double(linear.in)));
            QCOMPARE(adapter.scaling, 2.0);
        }
    }

    void targetMatchingAsPeft()
    {
        QVERIFY(lora::matchesTarget("model.layers.0.self_attn.q_proj", {"q_proj"}));
        QVERIFY(lora::matchesTarget("model.layers.0.self_attn.q_proj", {"self_attn.q_proj"}));
        QVERIFY(!lora::matchesTarget("model.layers.0.self_attn.q_proj", {"proj"}));
        QVERIFY(lora::matchesTarget("model.layers.0.mlp.up_proj", {}));

        auto lm = loadBase(test::fixtureDir() / "lora" / "llama");
        try {
            lora::attachLora(*lm, {}, {"q_proj", "query"});
            QFAIL("an unknown target must be an error");
        } catch (const headroom::Error &e) {
            QVERIFY(std::string(e.what()).find("`query`") != std::string::npos);
            QVERIFY(std::string(e.what()).find("q_proj") != std::string::npos);
        }
    }

    void brokenAdapterFilesAreRefused()
    {
        const auto folder = test::fixtureDir() / "lora" / "llama";
        test::TempDir temp;
        std::filesystem::copy(folder / "adapter", temp.path(),
                              std::filesystem::copy_options::recursive);
        auto config = io::readJsonFile(temp / "adapter_config.json");
        config["r"] = 5;
        test::writeBytes(temp / "adapter_config.json", config.dump());
        auto lm = loadBase(folder);
        try {
            lora::loadPeftAdapter(*lm, temp.path());
            QFAIL("a rank that does not fit the tensors must be an error");
        } catch (const headroom::Error &e) {
            QVERIFY2(std::string(e.what()).find("adapter_model.safetensors") != std::string::npos,
                     e.what());
        }
        config["r"] = 4;
        config["use_dora"] = true;
        test::writeBytes(temp / "adapter_config.json", config.dump());
        try {
            lora::loadPeftAdapter(*lm, temp.path());
            QFAIL("DoRA must be refused");
        } catch (const headroom::Error &e) {
            QVERIFY2(std::string(e.what()).find("use_dora") != std::string::npos, e.what());
        }
        // Trained biases would be silently dropped: refused, as the exporters
        // refuse them (one reader of adapter folders, lora/PeftAdapterFolder).
        config["use_dora"] = false;
        config["bias"] = "all";
        test::writeBytes(temp / "adapter_config.json", config.dump());
        try {
            lora::loadPeftAdapter(*lm, temp.path());
            QFAIL("bias \"all\" must be refused");
        } catch (const headroom::Error &e) {
            QVERIFY2(std::string(e.what()).find("`bias`") != std::string::npos &&
                         std::string(e.what()).find("adapter_config.json") != std::string::npos,
                     e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestLoraPeft)
#include "tst_lora_peft.moc"
