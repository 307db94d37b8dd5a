// The validation grid; see EstimateGrid.h.
#include "EstimateGrid.h"

#include "io/DType.h"
#include "io/SafetensorsWriter.h"
#include "model/ModelConfig.h"
#include "train/Trainer.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace headroom::test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Every weight slot of the architecture with its shape, as the loader expects.
std::vector<std::pair<std::string, std::vector<int64_t>>> weightShapes(const model::ModelConfig &m)
{
    const int64_t h = m.hiddenSize, inter = m.intermediateSize, v = m.vocabSize;
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    if (m.family == model::Family::Gpt2) {
        out.push_back({"transformer.wte.weight", {v, h}});
        out.push_back({"transformer.wpe.weight", {m.maxPositions, h}});
        for (int64_t i = 0; i < m.numLayers; ++i) {
            const std::string p = "transformer.h." + std::to_string(i) + ".";
            out.push_back({p + "ln_1.weight", {h}});
            out.push_back({p + "ln_1.bias", {h}});
            out.push_back({p + "attn.c_attn.weight", {h, 3 * h}});
            out.push_back({p + "attn.c_attn.bias", {3 * h}});
            out.push_back({p + "attn.c_proj.weight", {h, h}});
            out.push_back({p + "attn.c_proj.bias", {h}});
            out.push_back({p + "ln_2.weight", {h}});
            out.push_back({p + "ln_2.bias", {h}});
            out.push_back({p + "mlp.c_fc.weight", {h, inter}});
            out.push_back({p + "mlp.c_fc.bias", {inter}});
            out.push_back({p + "mlp.c_proj.weight", {inter, h}});
            out.push_back({p + "mlp.c_proj.bias", {h}});
        }
        out.push_back({"transformer.ln_f.weight", {h}});
        out.push_back({"transformer.ln_f.bias", {h}});
        return out;
    }
    const int64_t q = m.numHeads * m.headDim, kv = m.numKvHeads * m.headDim;
    out.push_back({"model.embed_tokens.weight", {v, h}});
    for (int64_t i = 0; i < m.numLayers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        out.push_back({p + "input_layernorm.weight", {h}});
        out.push_back({p + "self_attn.q_proj.weight", {q, h}});
        out.push_back({p + "self_attn.k_proj.weight", {kv, h}});
        out.push_back({p + "self_attn.v_proj.weight", {kv, h}});
        out.push_back({p + "self_attn.o_proj.weight", {h, q}});
        out.push_back({p + "post_attention_layernorm.weight", {h}});
        out.push_back({p + "mlp.gate_proj.weight", {inter, h}});
        out.push_back({p + "mlp.up_proj.weight", {inter, h}});
        out.push_back({p + "mlp.down_proj.weight", {h, inter}});
    }
    out.push_back({"model.norm.weight", {h}});
    if (!m.tieWordEmbeddings)
        out.push_back({"lm_head.weight", {v, h}});
    return out;
}

// A Hugging Face folder: config.json, random fp32 model.safetensors, and a
// BPE tokenizer.json whose tokens are the 26 lower-case letters and the space (no merges,
// no pre-tokenizer): one token per character.
model::ModelConfig writeModel(const fs::path &folder, const json &config, uint64_t seed)
{
    fs::create_directories(folder);
    std::ofstream(folder / "config.json") << config.dump(2);
    auto parsed = model::parseModelConfig(config, (folder / "config.json").string());
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    std::vector<at::Tensor> keep;
    io::SafetensorsWriter writer;
    for (const auto &[name, shape] : weightShapes(parsed)) {
        at::Tensor t;
        if (name.find("ln") != std::string::npos || name.find("norm") != std::string::npos)
            t = name.ends_with(".bias") ? at::zeros(shape) : at::ones(shape);
        else
            t = at::randn(shape, gen) * 0.02;
        keep.push_back(t.contiguous());
        const auto &k = keep.back();
        writer.add(name, io::DType::F32, shape,
                   {static_cast<const std::byte *>(k.data_ptr()), static_cast<size_t>(k.nbytes())});
    }
    writer.write(folder / "model.safetensors");
    json vocab = json::object();
    for (int i = 0; i < 26; ++i)
        vocab[std::string(1, static_cast<char>('a' + i))] = i;
    vocab[" "] = 26;
    json tokenizer = {{"version", "1.0"},
                      {"added_tokens", json::array()},
                      {"normalizer", nullptr},
                      {"pre_tokenizer", nullptr},
                      {"post_processor", nullptr},
                      {"decoder", nullptr},
                      {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}}}};
    std::ofstream(folder / "tokenizer.json") << tokenizer.dump();
    return parsed;
}

json llamaShape()
{
    return {{"model_type", "llama"},
            {"architectures", {"LlamaForCausalLM"}},
            {"vocab_size", 4096},
            {"hidden_size", 256},
            {"intermediate_size", 688},
            {"num_hidden_layers", 4},
            {"num_attention_heads", 8},
            {"num_key_value_heads", 4},
            {"max_position_embeddings", 1024},
            {"rms_norm_eps", 1e-5},
            {"rope_theta", 10000.0},
            {"tie_word_embeddings", true},
            {"torch_dtype", "float32"},
            {"hidden_act", "silu"}};
}

json gpt2Shape()
{
    return {{"model_type", "gpt2"},
            {"architectures", {"GPT2LMHeadModel"}},
            {"vocab_size", 4096},
            {"n_embd", 192},
            {"n_layer", 3},
            {"n_head", 6},
            {"n_positions", 512},
            {"n_inner", nullptr},
            {"layer_norm_epsilon", 1e-5},
            {"activation_function", "gelu_new"},
            {"torch_dtype", "float32"}};
}

} // namespace

std::vector<GridCase> makeEstimateGrid(const fs::path &work)
{
    const auto llama = writeModel(work / "llama", llamaShape(), 1);
    const auto gpt2 = writeModel(work / "gpt2", gpt2Shape(), 2);
    {
        std::ofstream data(work / "rows.jsonl");
        std::string text;
        for (int i = 0; i < 700; ++i)
            text += static_cast<char>('a' + (i * 7) % 26);
        for (int i = 0; i < 24; ++i)
            data << json{{"text", text}}.dump() << "\n";
    }

    using train::Attention;
    using train::Optimizer;
    using train::Quantization;
    struct Variant
    {
        std::string name;
        std::function<void(train::TrainConfig &)> apply;
    };
    auto batch = [](int64_t b, int64_t t, int64_t ga = 1) {
        return [=](train::TrainConfig &c) {
            c.microBatchSize = b;
            c.maxSeqLen = t;
            c.gradAccumSteps = ga;
        };
    };
    const std::vector<Variant> variants = {
        {"lora b2 t128", batch(2, 128)},
        {"lora ckpt b1 t192",
         [&](train::TrainConfig &c) {
             batch(1, 192)(c);
             c.gradientCheckpointing = true;
         }},
        {"lora int8 b2 t128",
         [&](train::TrainConfig &c) {
             batch(2, 128)(c);
             c.quantization = Quantization::Int8;
         }},
        {"lora nf4 b1 t256",
         [&](train::TrainConfig &c) {
             batch(1, 256)(c);
             c.quantization = Quantization::Nf4;
         }},
        {"qlora nf4-dq 8bit ckpt b2 t128",
         [&](train::TrainConfig &c) {
             batch(2, 128)(c);
             c.quantization = Quantization::Nf4;
             c.doubleQuant = true;
             c.optimizer = Optimizer::AdamW8bit;
             c.gradientCheckpointing = true;
         }},
        {"lora eager b2 t128",
         [&](train::TrainConfig &c) {
             batch(2, 128)(c);
             c.attention = Attention::Eager;
         }},
        {"lora q,v drop0 b4 t64 ga2",
         [&](train::TrainConfig &c) {
             batch(4, 64, 2)(c);
             c.lora.targetModules = {"q_proj", "v_proj"}; // GPT-2: c_attn
             c.lora.dropout = 0;
         }},
        {"full adamw b2 t128",
         [&](train::TrainConfig &c) {
             batch(2, 128)(c);
             c.lora.enabled = false;
         }},
        {"full adamw8bit b1 t256",
         [&](train::TrainConfig &c) {
             batch(1, 256)(c);
             c.lora.enabled = false;
             c.optimizer = Optimizer::AdamW8bit;
         }},
        {"full ckpt eager b2 t128 ga2",
         [&](train::TrainConfig &c) {
             batch(2, 128, 2)(c);
             c.lora.enabled = false;
             c.gradientCheckpointing = true;
             c.attention = Attention::Eager;
         }},
        {"lora fp32 nf4 eager b1 t192",
         [&](train::TrainConfig &c) {
             batch(1, 192)(c);
             c.precision = train::Precision::Fp32;
             c.quantization = Quantization::Nf4;
             c.attention = Attention::Eager;
         }},
        {"full fp32 8bit ckpt b2 t96",
         [&](train::TrainConfig &c) {
             batch(2, 96)(c);
             c.lora.enabled = false;
             c.precision = train::Precision::Fp32;
             c.optimizer = Optimizer::AdamW8bit;
             c.gradientCheckpointing = true;
         }},
    };

    std::vector<GridCase> cases;
    for (const auto &[shapeName, shape, folder] :
         {std::tuple{std::string("llama"), llama, work / "llama"},
          std::tuple{std::string("gpt2"), gpt2, work / "gpt2"}}) {
        for (const auto &v : variants) {
            train::TrainConfig c;
            c.model = folder.string();
            c.dataset = (work / "rows.jsonl").string();
            c.datasetFormat = train::DatasetFormat::Text;
            c.device = *train::parseDeviceSpec("cpu");
            c.maxSteps = 2;
            c.epochs.reset();
            c.warmupSteps = 0;
            c.saveEvery = 0;
            c.longestFirst = true;
            v.apply(c);
            if (shapeName == "gpt2" && !c.lora.targetModules.empty())
                c.lora.targetModules = {"c_attn"};
            GridCase g{shapeName + ": " + v.name, shape, c};
            cases.push_back(std::move(g));
        }
    }
    return cases;
}

namespace {

class LastStep final : public train::TrainObserver
{
public:
    void onStep(const train::StepMetrics &m) override { last = m; }
    train::StepMetrics last;
};

} // namespace

GridResult runGridCase(const GridCase &c, const fs::path &work)
{
    GridResult r;
    r.c = c;
    static int run = 0;
    r.c.config.outputDir = (work / ("run-" + std::to_string(run++))).string();
    r.estimate = memory::estimateMemory(c.model, c.config);
    const auto start = std::chrono::steady_clock::now();
    {
        train::Trainer trainer(r.c.config);
        LastStep observer;
        trainer.run(observer);
        r.measured = observer.last.memory;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

double relativeError(int64_t estimate, int64_t measured)
{
    if (measured == 0)
        return estimate == 0 ? 0.0 : 1.0;
    return static_cast<double>(estimate - measured) / static_cast<double>(measured);
}

std::string gridHeader()
{
    char line[256];
    std::snprintf(line, sizeof line, "%-38s %-21s %-21s %-21s %-21s %-21s %s",
                  "case (MiB est/meas err%)", "load", "forward", "backward", "optimizer", "peak",
                  "peak stage");
    return line;
}

std::string gridLine(const GridResult &r)
{
    auto cell = [](int64_t e, int64_t m) {
        char text[64];
        std::snprintf(text, sizeof text, "%6.2f/%6.2f %+5.1f", static_cast<double>(e) / (1 << 20),
                      static_cast<double>(m) / (1 << 20), 100.0 * relativeError(e, m));
        return std::string(text);
    };
    const auto &e = r.estimate;
    const auto &m = r.measured;
    char line[512];
    std::snprintf(line, sizeof line, "%-38s %-21s %-21s %-21s %-21s %-21s %s", r.c.name.c_str(),
                  cell(e.load, m.load).c_str(), cell(e.forward, m.forward).c_str(),
                  cell(e.backward, m.backward).c_str(), cell(e.optimizer, m.optimizer).c_str(),
                  cell(e.peak, m.peak).c_str(), memory::stageName(e.peakStage));
    return line;
}

} // namespace headroom::test
