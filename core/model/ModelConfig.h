// The architecture hyper-parameters of a causal language model, as a plain
// struct parsed from a Hugging Face config.json (transformers 4.x `rope_theta`
// + `rope_scaling`, 5.x `rope_parameters`, and the older `rope_scaling.type`).
// Torch-free so the estimator and the GUI can use it. Does not read files:
// the caller passes parsed JSON and the name to blame in messages.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace headroom::model {

enum class Family { Llama, Gpt2 };

struct RopeScaling
{
    std::string type = "default"; // default | linear | llama3
    double factor = 1.0;
    double lowFreqFactor = 1.0;          // llama3
    double highFreqFactor = 4.0;         // llama3
    int64_t originalMaxPositions = 8192; // llama3
};

// Upper limits on config.json sizes, far above any real model (the largest
// today: hidden 16384-25600, intermediate 53248-73728, 126 layers, 128 heads,
// head_dim 256, vocabularies of 262144, 10M positions). They keep every
// product of sizes (parameterCount, the memory estimate's tensor sizes) well
// inside int64 and turn a config of 10^5 layers into an error naming the field.
struct ModelSizeLimits
{
    int64_t vocabSize = int64_t(1) << 24;        // 16777216
    int64_t hiddenSize = int64_t(1) << 17;       // 131072
    int64_t intermediateSize = int64_t(1) << 20; // 1048576
    int64_t numLayers = 4096;
    int64_t numHeads = 4096; // query and key/value heads
    int64_t headDim = 1024;
    int64_t maxPositions = int64_t(1) << 27; // 134217728
};
inline constexpr ModelSizeLimits kMaxModelSizes{};

struct ModelConfig
{
    std::string modelType; // config.json `model_type`: llama, mistral, qwen2, gpt2
    Family family = Family::Llama;
    int64_t vocabSize = 0;
    int64_t hiddenSize = 0;
    int64_t intermediateSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKvHeads = 0;
    int64_t headDim = 0;
    int64_t maxPositions = 0;
    double normEps = 1e-6;
    double ropeTheta = 10000.0;
    RopeScaling rope;
    bool tieWordEmbeddings = false;
    bool attentionBias = false; // q/k/v/o bias (Llama `attention_bias`)
    bool qkvBias = false;       // q/k/v bias only (Qwen2)
    bool mlpBias = false;
    std::optional<int64_t> slidingWindow; // Mistral: keys older than this are masked
    std::string hiddenAct = "silu";       // silu | gelu_new
    std::string torchDtype = "float32";   // dtype of the checkpoint weights
    std::optional<int64_t> bosTokenId;
    std::vector<int64_t> eosTokenIds;
    std::optional<int64_t> padTokenId;
    // GPT-2 only.
    bool scaleAttnByInverseLayerIdx = false;

    int64_t kvGroups() const { return numHeads / numKvHeads; }
    // Number of weights the model holds, tied embeddings counted once.
    int64_t parameterCount() const;
};

// Parses and validates; `source` (e.g. "models/x/config.json") prefixes every
// message. Throws headroom::Error listing every bad field at once.
ModelConfig parseModelConfig(const nlohmann::json &config, const std::string &source);

// The model_type values this engine implements, for messages and the GUI.
const std::vector<std::string> &supportedModelTypes();

} // namespace headroom::model
