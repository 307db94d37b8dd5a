// headroom-cli export against the reference stack: a PEFT adapter exported
// from a run loads in PeftModel and gives the logits `score --adapter`
// computes; a merged export (single file or sharded, untied, tied, GPT-2
// Conv1D, GGUF base) loads in AutoModelForCausalLM / AutoTokenizer and gives
// PEFT's logits and the reference tokenization; full fine-tuning runs replace
// weights; bad input exits 2 naming the file and leaves no output folder.
// Run folders are built here as the trainer writes them (run.json, state.json,
// checkpoints/latest, adapter/ or trainable.safetensors).
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "io/ModelSource.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "lora/PeftAdapter.h"
#include "model/ModelLoader.h"
#include "train/TrainConfig.h"

#include <QtTest>

#include <sys/resource.h>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

const std::string kCheckpoint = "step-00000020";

io::ModelSource sourceOf(const fs::path &base)
{
    return {base.extension() == ".gguf" ? io::ModelSource::Kind::Gguf
                                        : io::ModelSource::Kind::HfFolder,
            base,
            {}};
}

// run.json, the checkpoint's copy, state.json and checkpoints/latest.
fs::path writeRunSkeleton(const fs::path &run, const fs::path &base, const train::LoraConfig &lora)
{
    const auto checkpoint = run / "checkpoints" / kCheckpoint;
    fs::create_directories(checkpoint);
    train::TrainConfig config;
    config.model = base.string();
    config.dataset = "data.jsonl";
    config.lora = lora;
    train::writeTrainConfig(config, run / "run.json");
    fs::copy_file(run / "run.json", checkpoint / "run.json");
    test::writeBytes(checkpoint / "state.json",
                     R"({"format": "headroom-checkpoint", "version": 1, "step": 20, "epoch": 0,
                         "loss": 1.5, "eval_loss": 1.75})");
    test::writeBytes(run / "checkpoints" / "latest", kCheckpoint + "\n");
    return checkpoint;
}

// A LoRA run on `base` whose adapter has random, non-zero B (a trained adapter).
fs::path makeLoraRun(const fs::path &run, const fs::path &base,
                     const std::vector<std::string> &targets, int64_t r, double alpha, bool rslora)
{
    train::LoraConfig lora;
    lora.r = r;
    lora.alpha = alpha;
    lora.dropout = 0.0;
    lora.rslora = rslora;
    lora.targetModules = targets;
    const auto checkpoint = writeRunSkeleton(run, base, lora);
    auto lm = model::loadModel(sourceOf(base));
    at::manual_seed(7);
    lora::attachLora(*lm, {r, alpha, 0.0, rslora}, targets);
    for (auto &linear : lm->adaptableLinears())
        if (*linear.lora)
            (*linear.lora)->b = at::randn((*linear.lora)->b.sizes()) * 0.05;
    lora::savePeftAdapter(*lm, checkpoint / "adapter",
                          {base.string(), {r, alpha, 0.0, rslora}, targets});
    return run;
}

void expectOk(const test::ProcessResult &result)
{
    QVERIFY2(result.exitCode == 0, result.err.c_str());
}

// Runs the CLI expecting exit 2, `needles` in stderr and no `out` folder (nor
// a temporary sibling of it) left behind.
void expectRejected(const std::vector<std::string> &args, const std::vector<std::string> &needles,
                    const fs::path &out)
{
    const bool existed = fs::exists(out);
    auto result = test::runCli(args);
    QVERIFY2(result.exitCode == 2, qPrintable(QString("exit code %1, stderr: %2")
                                                  .arg(result.exitCode)
                                                  .arg(QString::fromStdString(result.err))));
    QVERIFY(result.err.starts_with("error: "));
    for (const auto &needle : needles)
        QVERIFY2(result.err.find(needle) != std::string::npos,
                 qPrintable(
                     QString("stderr lacks `%1`: %2")
                         .arg(QString::fromStdString(needle), QString::fromStdString(result.err))));
    if (!existed)
        QVERIFY2(!fs::exists(out), out.c_str());
    for (const auto &entry : fs::directory_iterator(out.parent_path()))
        QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos,
                 entry.path().c_str());
}

std::vector<std::string> tensorNames(const fs::path &folder)
{
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(folder))
        if (entry.path().extension() == ".safetensors") {
            const auto file = io::SafetensorsFile::open(entry.path());
            for (const auto &t : file.tensors())
                names.push_back(t.name);
        }
    return names;
}

// Loads `out` with transformers and compares with PeftModel(reference, adapter)
// (`reference` is the base itself, or the folder a GGUF was converted from
// where transformers cannot load that GGUF: its GPT-2 mapping drops
// n_positions),
// and AutoTokenizer(out) with the base's own tokenizer (transformers' GGUF
// conversion for a .gguf base). Prints one JSON object.
const char *kMergedCheck = R"(
import json, os, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel
base, adapter, out, reference_model = sys.argv[1:5]
def from_base(cls, path=base, **kw):
    if path.endswith(".gguf"):
        return cls.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path), **kw)
    return cls.from_pretrained(path, **kw)
merged = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
base_model = from_base(AutoModelForCausalLM, reference_model, dtype=torch.float32)
reference = PeftModel.from_pretrained(base_model, adapter).eval()
ids = torch.randint(0, merged.config.vocab_size, (2, 24), generator=torch.Generator().manual_seed(0))
with torch.no_grad():
    ours, theirs = merged(ids).logits.float(), reference(ids).logits.float()
result = {"diff": float((ours - theirs).abs().max()), "scale": float(theirs.abs().max())}
if os.path.exists(os.path.join(out, "tokenizer.json")):
    tok, ref = AutoTokenizer.from_pretrained(out), from_base(AutoTokenizer)
    texts = ["Hello world 123", "  spaces\tand\nnew lines ", "<|endoftext|> special", "\u00fcn\u00efc\u00f6d\u00e9 \U0001F600", "it" + chr(39) + "s 2024!!"]
    result["tokenizer_same"] = all(tok(t)["input_ids"] == ref(t)["input_ids"] for t in texts)
    result["decode_same"] = all(tok.decode(tok(t)["input_ids"]) == ref.decode(ref(t)["input_ids"]) for t in texts)
    chat = [{"role": "user", "content": "Hi there"}]
    result["chat_same"] = (ref.chat_template is None) == (tok.chat_template is None) and (
        ref.chat_template is None or tok.apply_chat_template(chat, tokenize=False) == ref.apply_chat_template(chat, tokenize=False))
print(json.dumps(result))
)";

nlohmann::json checkMerged(const fs::path &base, const fs::path &adapter, const fs::path &out,
                           const fs::path &reference)
{
    auto result = test::runPython(
        kMergedCheck, {base.string(), adapter.string(), out.string(), reference.string()});
    if (result.exitCode != 0)
        qWarning("%s", result.err.c_str());
    return result.exitCode == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
}

// Every file under `folder` (relative path) with its contents.
std::map<std::string, std::string> snapshot(const fs::path &folder)
{
    std::map<std::string, std::string> files;
    for (const auto &entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file())
            files[fs::relative(entry.path(), folder).string()] = test::readText(entry.path());
    return files;
}

// A full disk for the processes started while it lives: RLIMIT_FSIZE (no
// file may grow past `bytes`) with SIGXFSZ ignored, so that write() fails
// with EFBIG as it would with ENOSPC instead of killing the process. Both are
// inherited by the CLI that runCli starts; restored afterwards.
class FullDisk
{
public:
    explicit FullDisk(rlim_t bytes)
    {
        getrlimit(RLIMIT_FSIZE, &m_saved);
        const rlimit limited{bytes, m_saved.rlim_max};
        m_ok = setrlimit(RLIMIT_FSIZE, &limited) == 0;
        m_handler = std::signal(SIGXFSZ, SIG_IGN);
    }
    ~FullDisk()
    {
        setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_handler);
    }
    bool ok() const { return m_ok; }

private:
    rlimit m_saved{};
    void (*m_handler)(int) = SIG_DFL;
    bool m_ok = false;
};

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private slots:
    void peftExportLoadsInPeft()
    {
        const auto base = test::fixtureDir() / "models" / "llama_tokenizer";
        test::TempDir temp;
        const auto run =
            makeLoraRun(temp / "run", base, {"q_proj", "v_proj", "down_proj"}, 4, 8, false);
        const auto out = temp / "adapter-out";
        auto result = test::runCli(
            {"export", "--run", run.string(), "--format", "peft", "--out", out.string()});
        expectOk(result);
        QVERIFY2(result.out.find("adapter_model.safetensors") != std::string::npos,
                 result.out.c_str());
        const auto card = test::readText(out / "README.md");
        for (const char *needle : {"library_name: peft", "base_model: ", "trained with Headroom",
                                   "data.jsonl", "1.5000", "1.7500", "q_proj"})
            QVERIFY2(card.find(needle) != std::string::npos, needle);
        const auto config = nlohmann::json::parse(test::readText(out / "adapter_config.json"));
        QCOMPARE(config["base_model_name_or_path"].get<std::string>(), base.string());
        const auto adapterFile = io::SafetensorsFile::open(out / "adapter_model.safetensors");
        for (const auto &t : adapterFile.tensors())
            QVERIFY(t.dtype == io::DType::F32);

        const auto logits = temp / "logits.safetensors";
        expectOk(
            test::runCli({"score", base.string(), "--adapter", out.string(), "--text",
                          "Hello there, how are you today?", "--logits-out", logits.string()}));
        const char *script = R"(
import sys, torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
from safetensors.torch import load_file
model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32), sys.argv[2]).eval()
expected = load_file(sys.argv[3])
with torch.no_grad():
    logits = model(expected["input_ids"][None]).logits[0].float()
print(float((logits - expected["logits"]).abs().max()))
)";
        auto peft = test::runPython(script, {base.string(), out.string(), logits.string()});
        QVERIFY2(peft.exitCode == 0, peft.err.c_str());
        const double diff = std::stod(peft.out);
        qInfo("PEFT on the exported adapter vs score --adapter: max |Δ| = %.3g", diff);
        QVERIFY(diff <= 1e-4);
    }

    void mergedExportLoadsInTransformers_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QStringList>("targets");
        QTest::addColumn<bool>("rslora");
        QTest::addColumn<QString>("maxShard");
        QTest::addColumn<int>("shards");
        QTest::newRow("llama untied, tokenizer")
            << "models/llama_tokenizer" << QStringList{"q_proj", "v_proj", "down_proj"} << false
            << "5GB" << 1;
        QTest::newRow("llama sharded")
            << "models/llama_tokenizer" << QStringList{} << false << "60KB" << 0;
        QTest::newRow("llama tied")
            << "models/llama_gqa_tied" << QStringList{"q_proj", "o_proj"} << false << "5GB" << 1;
        QTest::newRow("gpt2 Conv1D tied") << "models/gpt2" << QStringList{} << true << "5GB" << 1;
        QTest::newRow("gguf llama")
            << "gguf/llama/model-f32.gguf" << QStringList{"q_proj", "k_proj", "v_proj", "down_proj"}
            << false << "5GB" << 1;
        QTest::newRow("gguf qwen2 (split regex)")
            << "gguf/qwen2/model-f32.gguf" << QStringList{"q_proj", "v_proj"} << false << "5GB"
            << 1;
        QTest::newRow("gguf gpt2")
            << "gguf/gpt2/model-f32.gguf" << QStringList{} << false << "5GB" << 1;
    }

    void mergedExportLoadsInTransformers()
    {
        QFETCH(QString, base);
        QFETCH(QStringList, targets);
        QFETCH(bool, rslora);
        QFETCH(QString, maxShard);
        QFETCH(int, shards);
        const auto basePath = test::fixtureDir() / base.toStdString();
        std::vector<std::string> targetList;
        for (const auto &t : targets)
            targetList.push_back(t.toStdString());
        test::TempDir temp;
        const auto run = makeLoraRun(temp / "run", basePath, targetList, 4, 8, rslora);
        const auto out = temp / "merged";
        auto result =
            test::runCli({"export", "--run", run.string(), "--format", "merged", "--dtype", "fp32",
                          "--max-shard-size", maxShard.toStdString(), "--out", out.string()});
        expectOk(result);
        qInfo("%s", result.out.c_str());

        const auto config = nlohmann::json::parse(test::readText(out / "config.json"));
        QCOMPARE(config["dtype"].get<std::string>(), std::string("float32"));
        const auto names = tensorNames(out);
        const bool tied = config.value("tie_word_embeddings", config["model_type"] == "gpt2");
        QCOMPARE(std::count(names.begin(), names.end(), "lm_head.weight"), tied ? 0L : 1L);
        const bool sharded = fs::exists(out / "model.safetensors.index.json");
        if (shards == 1) {
            QVERIFY(fs::exists(out / "model.safetensors"));
            QVERIFY(!sharded);
        } else {
            QVERIFY(sharded);
            const auto index =
                nlohmann::json::parse(test::readText(out / "model.safetensors.index.json"));
            QCOMPARE(index["weight_map"].size(), names.size());
            std::set<std::string> files;
            for (const auto &[name, file] : index["weight_map"].items())
                files.insert(file.get<std::string>());
            QVERIFY(files.size() > 1);
            for (size_t k = 1; k <= files.size(); ++k) {
                char expected[64];
                std::snprintf(expected, sizeof expected, "model-%05zu-of-%05zu.safetensors", k,
                              files.size());
                QVERIFY2(files.count(expected) && fs::exists(out / expected), expected);
            }
            QVERIFY(!fs::exists(out / "model.safetensors"));
        }
        QVERIFY(fs::exists(out / "README.md"));

        // f32 GGUF holds the source model's values exactly.
        const auto reference = base == "gguf/gpt2/model-f32.gguf"
                                   ? test::fixtureDir() / "gguf" / "gpt2" / "source"
                                   : basePath;
        const auto check =
            checkMerged(basePath, run / "checkpoints" / kCheckpoint / "adapter", out, reference);
        QVERIFY(!check.is_null());
        qInfo("merged vs PEFT: %s", check.dump().c_str());
        QVERIFY(check["diff"].get<double>() <= 1e-4);
        if (fs::exists(basePath / "tokenizer.json") || basePath.extension() == ".gguf") {
            QVERIFY2(check.contains("tokenizer_same"), "no tokenizer.json written");
            QVERIFY(check["tokenizer_same"].get<bool>());
            QVERIFY(check["decode_same"].get<bool>());
        }
    }

    // The built-in default model (SmolLM2, Q4_1 GGUF, `pre` smollm, chat
    // template): real tensor sizes across several shards, and the tokenizer
    // and chat template transformers builds from the same GGUF.
    void defaultModelMergedExport()
    {
        const char *model = std::getenv("HEADROOM_DEFAULT_MODEL");
        if (!model || !*model)
            QSKIP("HEADROOM_DEFAULT_MODEL is not set (scripts/test.sh sets it)");
        test::TempDir temp;
        const auto run = makeLoraRun(temp / "run", model, {"q_proj", "v_proj"}, 8, 16, false);
        const auto out = temp / "merged";
        expectOk(test::runCli({"export", "--run", run.string(), "--format", "merged", "--dtype",
                               "fp32", "--max-shard-size", "200MB", "--out", out.string()}));
        QVERIFY(fs::exists(out / "model.safetensors.index.json"));
        const auto check =
            checkMerged(model, run / "checkpoints" / kCheckpoint / "adapter", out, model);
        QVERIFY(!check.is_null());
        qInfo("default model, merged vs PEFT: %s", check.dump().c_str());
        // Logits reach ~30 here; fp32 sums in another order differ by ~1e-4.
        QVERIFY(check["diff"].get<double>() <= 1e-3);
        QVERIFY(check["tokenizer_same"].get<bool>());
        QVERIFY(check["decode_same"].get<bool>());
        QVERIFY(check["chat_same"].get<bool>());
    }

    // The real contract: runs written by `headroom-cli train` (LoRA and full
    // fine-tuning, a few CPU steps on the tiny trainable model) export, and
    // the results load in PEFT / transformers.
    void trainedRunsExport()
    {
        const auto fixtures = test::fixtureDir() / "train";
        const auto base = fixtures / "tiny_llama";
        test::TempDir temp;
        for (const bool lora : {true, false}) {
            const auto run = temp / (lora ? "lora-run" : "full-run");
            nlohmann::json config = {{"model", base.string()},
                                     {"dataset", (fixtures / "small.jsonl").string()},
                                     {"precision", "fp32"},
                                     {"device", "cpu"},
                                     {"max_steps", 3},
                                     {"epochs", nullptr},
                                     {"micro_batch_size", 2},
                                     {"grad_accum_steps", 1},
                                     {"warmup_steps", 0},
                                     {"learning_rate", 1e-2},
                                     {"save_every", 0},
                                     {"lora", {{"r", 4}, {"alpha", 8}, {"enabled", lora}}},
                                     {"output_dir", run.string()}};
            test::writeBytes(temp / "run.json", config.dump(2));
            auto trained =
                test::runCli({"train", "--config", (temp / "run.json").string(), "--json"});
            QVERIFY2(trained.exitCode == 0, trained.err.c_str());

            const auto merged = run.string() + "-merged";
            expectOk(test::runCli({"export", "--run", run.string(), "--format", "merged", "--dtype",
                                   "fp32", "--out", merged}));
            QVERIFY(fs::exists(fs::path(merged) / "tokenizer.json"));
            if (lora) {
                const auto adapter = run.string() + "-adapter";
                expectOk(test::runCli(
                    {"export", "--run", run.string(), "--format", "peft", "--out", adapter}));
                const auto check = checkMerged(base, adapter, merged, base);
                QVERIFY(!check.is_null());
                qInfo("trained LoRA run, merged vs PEFT: %s", check.dump().c_str());
                QVERIFY(check["diff"].get<double>() <= 1e-4);
                QVERIFY(check["tokenizer_same"].get<bool>());
                QVERIFY(check["chat_same"].get<bool>());
                continue;
            }
            // Full fine-tuning: the trained tensors are the exported ones.
            auto name = test::readText(run / "checkpoints" / "latest");
            name.erase(name.find_last_not_of('\n') + 1);
            auto trainedTensors =
                test::readSafetensors(run / "checkpoints" / name / "trainable.safetensors");
            auto exported = test::readSafetensors(fs::path(merged) / "model.safetensors");
            QVERIFY(!trainedTensors.empty());
            int compared = 0;
            for (const auto &[tensorName, tensor] : trainedTensors)
                if (exported.count(tensorName)) {
                    QVERIFY2(at::equal(exported.at(tensorName), tensor.to(at::kFloat)),
                             tensorName.c_str());
                    ++compared;
                }
            QVERIFY(compared + 1 >= int(trainedTensors.size())); // all but a tied lm_head
        }
    }

    void ggufDefaultsToBf16()
    {
        const auto base = test::fixtureDir() / "gguf" / "llama" / "model-q8_0.gguf";
        test::TempDir temp;
        const auto run = makeLoraRun(temp / "run", base, {"q_proj"}, 2, 4, false);
        expectOk(test::runCli({"export", "--run", run.string(), "--format", "merged", "--out",
                               (temp / "out").string()}));
        const auto config = nlohmann::json::parse(test::readText(temp / "out" / "config.json"));
        QCOMPARE(config["dtype"].get<std::string>(), std::string("bfloat16"));
        // Named: a range-for over .tensors() of a temporary file would dangle.
        const auto merged = io::SafetensorsFile::open(temp / "out" / "model.safetensors");
        for (const auto &t : merged.tensors())
            QVERIFY2(t.dtype == io::DType::BF16, t.name.c_str());
    }

    void fullFineTuningReplacesWeights()
    {
        const auto base = test::fixtureDir() / "models" / "llama_tokenizer";
        test::TempDir temp;
        const auto run = temp / "run";
        train::LoraConfig lora;
        lora.enabled = false;
        const auto checkpoint = writeRunSkeleton(run, base, lora);
        auto baseTensors = test::readSafetensors(base / "model.safetensors");
        std::map<std::string, at::Tensor> trained;
        for (const char *name : {"model.embed_tokens.weight", "model.layers.1.mlp.up_proj.weight"})
            trained[name] = (baseTensors.at(name).to(at::kFloat) + 0.25).contiguous();
        io::SafetensorsWriter writer;
        for (const auto &[name, tensor] : trained)
            writer.add(
                name, io::DType::F32, tensor.sizes().vec(),
                std::span(static_cast<const std::byte *>(tensor.data_ptr()), tensor.nbytes()));
        writer.write(checkpoint / "trainable.safetensors");

        const auto out = temp / "merged";
        expectRejected({"export", "--run", run.string(), "--format", "peft", "--out", out.string()},
                       {"trainable.safetensors", "--format merged"}, out);
        expectOk(test::runCli(
            {"export", "--run", run.string(), "--format", "merged", "--out", out.string()}));
        auto merged = test::readSafetensors(out / "model.safetensors");
        QCOMPARE(merged.size(), baseTensors.size());
        for (const auto &[name, tensor] : baseTensors) {
            const auto &expected = trained.count(name) ? trained.at(name) : tensor;
            QVERIFY2(at::equal(merged.at(name), expected.to(merged.at(name).scalar_type())),
                     name.c_str());
        }
        // The tokenizer travels with the model.
        QCOMPARE(test::readText(out / "tokenizer.json"), test::readText(base / "tokenizer.json"));
    }

    void badInputLeavesNothingBehind()
    {
        const auto base = test::fixtureDir() / "models" / "llama_tokenizer";
        test::TempDir temp;
        const auto out = temp / "out";

        // A run that never saved a checkpoint.
        const auto fresh = temp / "fresh";
        fs::create_directories(fresh);
        train::TrainConfig config;
        config.model = base.string();
        config.dataset = "data.jsonl";
        train::writeTrainConfig(config, fresh / "run.json");
        for (const char *format : {"peft", "merged"})
            expectRejected(
                {"export", "--run", fresh.string(), "--format", format, "--out", out.string()},
                {"checkpoints/latest"}, out);

        // A truncated adapter: the safetensors reader names the file.
        const auto run = makeLoraRun(temp / "run", base, {"q_proj"}, 4, 8, false);
        const auto adapterFile =
            run / "checkpoints" / kCheckpoint / "adapter" / "adapter_model.safetensors";
        const auto bytes = test::readText(adapterFile);
        test::writeBytes(adapterFile, bytes.substr(0, bytes.size() / 2));
        for (const char *format : {"peft", "merged"})
            expectRejected(
                {"export", "--run", run.string(), "--format", format, "--out", out.string()},
                {"adapter_model.safetensors"}, out);
        test::writeBytes(adapterFile, bytes);

        // An output folder with something in it is never touched.
        fs::create_directories(out);
        test::writeBytes(out / "keep.txt", "mine");
        for (const char *format : {"peft", "merged"})
            expectRejected(
                {"export", "--run", run.string(), "--format", format, "--out", out.string()},
                {out.filename().string(), "not empty"}, out);
        QCOMPARE(test::readText(out / "keep.txt"), std::string("mine"));
        QCOMPARE(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1L);

        // Bad option values.
        expectRejected({"export", "--run", run.string(), "--format", "merged", "--max-shard-size",
                        "lots", "--out", (temp / "other").string()},
                       {"--max-shard-size"}, temp / "other");
    }

    void fullDiskLeavesEarlierExportsIntact()
    {
        // Issue 8: a full disk during export. An earlier complete export of
        // each format is taken first; then the same export under a 4 KiB
        // file size limit fails on the first larger file (the weights).
        const auto base = test::fixtureDir() / "models" / "llama_tokenizer";
        test::TempDir temp;
        const auto run = makeLoraRun(temp / "run", base, {"q_proj", "v_proj"}, 4, 8, false);
        for (const std::string format : {"peft", "merged"}) {
            const auto earlier = temp / ("earlier-" + format);
            expectOk(test::runCli(
                {"export", "--run", run.string(), "--format", format, "--out", earlier.string()}));
            const auto before = snapshot(earlier);
            QVERIFY(!before.empty());

            const auto out = temp / ("full-" + format);
            test::ProcessResult result;
            {
                FullDisk disk(4096);
                QVERIFY(disk.ok());
                result = test::runCli(
                    {"export", "--run", run.string(), "--format", format, "--out", out.string()});
            }
            const std::string weights =
                format == "peft" ? "adapter_model.safetensors" : "model.safetensors";
            QVERIFY2(result.exitCode == 2, result.err.c_str());
            QVERIFY2(result.err.starts_with("error: ") &&
                         result.err.find(weights) != std::string::npos &&
                         result.err.find("write failed: File too large") != std::string::npos &&
                         result.err.find("nothing was written to `" + out.string() + "`") !=
                             std::string::npos,
                     result.err.c_str());
            // Nothing half-written: no output folder, no temporary sibling.
            QVERIFY2(!fs::exists(out), out.c_str());
            for (const auto &entry : fs::directory_iterator(temp.path()))
                QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos,
                         entry.path().c_str());
            // The earlier export is untouched, byte for byte.
            QVERIFY(snapshot(earlier) == before);
        }
    }
};

QTEST_APPLESS_MAIN(TestExport)
#include "tst_export.moc"
