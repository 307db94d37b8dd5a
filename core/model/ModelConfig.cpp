// Parsing and validation of config.json into ModelConfig. Every problem is
// collected first and reported together, each naming its field, so a person
// fixes a broken config in one pass.
#include "model/ModelConfig.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace headroom::model {

namespace {

using nlohmann::json;

class FieldReader
{
public:
    FieldReader(const json &root, std::string source) : m_root(root), m_source(std::move(source)) {}

    void fail(const std::string &field, const std::string &what)
    {
        m_errors.push_back("field `" + field + "` " + what);
    }

    // The first of `names` that is present (aliases such as n_embd/hidden_size).
    const json *find(std::initializer_list<const char *> names, std::string *found = nullptr) const
    {
        for (const char *name : names) {
            auto it = m_root.find(name);
            if (it != m_root.end() && !it->is_null()) {
                if (found)
                    *found = name;
                return &*it;
            }
        }
        return nullptr;
    }

    std::optional<int64_t> optionalInt(std::initializer_list<const char *> names)
    {
        std::string name;
        const json *value = find(names, &name);
        if (!value)
            return std::nullopt;
        if (value->is_number_unsigned()) {
            if (value->get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max()))
                return static_cast<int64_t>(value->get<uint64_t>());
        } else if (value->is_number_integer()) {
            return value->get<int64_t>();
        } else if (value->is_number_float()) {
            // Range-check before converting: a double beyond int64 (1e40) is
            // undefined behaviour to cast (found by fuzz_model_config).
            const double d = value->get<double>();
            if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d))
                return static_cast<int64_t>(d);
        }
        fail(name, "must be an integer that fits 64 bits, found " + value->dump());
        return std::nullopt;
    }

    int64_t positiveInt(std::initializer_list<const char *> names,
                        std::optional<int64_t> fallback = {})
    {
        auto value = optionalInt(names);
        if (!value) {
            if (fallback)
                return *fallback;
            if (!find(names))
                fail(*names.begin(), "is missing");
            return 0;
        }
        if (*value <= 0) {
            fail(*names.begin(), "must be positive, found " + std::to_string(*value));
            return 0;
        }
        return *value;
    }

    double number(std::initializer_list<const char *> names, double fallback)
    {
        std::string name;
        const json *value = find(names, &name);
        if (!value)
            return fallback;
        if (!value->is_number()) {
            fail(name, "must be a number, found " + value->dump());
            return fallback;
        }
        return value->get<double>();
    }

    bool boolean(const char *name, bool fallback)
    {
        const json *value = find({name});
        if (!value)
            return fallback;
        if (!value->is_boolean()) {
            fail(name, "must be true or false, found " + value->dump());
            return fallback;
        }
        return value->get<bool>();
    }

    std::string string(const char *name, const std::string &fallback)
    {
        const json *value = find({name});
        if (!value)
            return fallback;
        if (!value->is_string()) {
            fail(name, "must be a string, found " + value->dump());
            return fallback;
        }
        return value->get<std::string>();
    }

    void throwIfFailed() const
    {
        if (m_errors.empty())
            return;
        std::ostringstream message;
        message << m_source << ": ";
        for (size_t i = 0; i < m_errors.size(); ++i)
            message << (i ? "; " : "") << m_errors[i];
        throw Error(message.str());
    }

private:
    const json &m_root;
    std::string m_source;
    std::vector<std::string> m_errors;
};

std::vector<int64_t> tokenIds(FieldReader &reader, const json &root, const char *name)
{
    auto it = root.find(name);
    if (it == root.end() || it->is_null())
        return {};
    if (it->is_number_integer())
        return {it->get<int64_t>()};
    if (it->is_array() &&
        std::all_of(it->begin(), it->end(), [](const json &v) { return v.is_number_integer(); }))
        return it->get<std::vector<int64_t>>();
    reader.fail(name, "must be a token id or a list of token ids, found " + it->dump());
    return {};
}

// Rope settings: transformers 5 nests everything in `rope_parameters`;
// 4.x has `rope_theta` beside `rope_scaling` (`rope_type`, or `type` in older files).
void parseRope(FieldReader &reader, const json &root, ModelConfig &config)
{
    const json *scaling = nullptr;
    std::string scalingField;
    for (const char *name : {"rope_parameters", "rope_scaling"}) {
        auto it = root.find(name);
        if (it != root.end() && !it->is_null()) {
            if (!it->is_object()) {
                reader.fail(name, "must be an object, found " + it->dump());
                return;
            }
            scaling = &*it;
            scalingField = name;
            break;
        }
    }
    config.ropeTheta = reader.number({"rope_theta"}, 10000.0);
    if (!scaling)
        return;
    if (auto theta = scaling->find("rope_theta"); theta != scaling->end()) {
        if (theta->is_number())
            config.ropeTheta = theta->get<double>();
        else
            reader.fail(scalingField + ".rope_theta", "must be a number");
    }
    std::string type = "default";
    for (const char *key : {"rope_type", "type"}) {
        if (auto it = scaling->find(key); it != scaling->end() && it->is_string()) {
            type = it->get<std::string>();
            break;
        }
    }
    auto num = [&](const char *key, double fallback) {
        auto it = scaling->find(key);
        if (it == scaling->end() || it->is_null())
            return fallback;
        if (!it->is_number()) {
            reader.fail(scalingField + "." + key, "must be a number, found " + it->dump());
            return fallback;
        }
        return it->get<double>();
    };
    config.rope.type = type;
    if (type == "default") {
        return;
    } else if (type == "linear") {
        config.rope.factor = num("factor", 0.0);
        if (config.rope.factor <= 0)
            reader.fail(scalingField + ".factor",
                        "must be a positive number for linear rope scaling");
    } else if (type == "llama3") {
        config.rope.factor = num("factor", 0.0);
        config.rope.lowFreqFactor = num("low_freq_factor", 1.0);
        config.rope.highFreqFactor = num("high_freq_factor", 4.0);
        const double original = num("original_max_position_embeddings", 8192);
        if (original >= 1 && original < 0x1p62 && original == std::trunc(original))
            config.rope.originalMaxPositions = static_cast<int64_t>(original);
        else
            reader.fail(scalingField + ".original_max_position_embeddings",
                        "must be a positive integer");
        if (config.rope.factor <= 0)
            reader.fail(scalingField + ".factor",
                        "must be a positive number for llama3 rope scaling");
        if (config.rope.highFreqFactor <= config.rope.lowFreqFactor)
            reader.fail(scalingField + ".high_freq_factor", "must be greater than low_freq_factor");
    } else {
        reader.fail(scalingField + ".rope_type",
                    "`" + type + "` is not supported (supported: default, linear, llama3)");
    }
}

void parseLlamaFamily(FieldReader &reader, const json &root, ModelConfig &config)
{
    config.family = Family::Llama;
    config.vocabSize = reader.positiveInt({"vocab_size"});
    config.hiddenSize = reader.positiveInt({"hidden_size"});
    config.intermediateSize = reader.positiveInt({"intermediate_size"});
    config.numLayers = reader.positiveInt({"num_hidden_layers"});
    config.numHeads = reader.positiveInt({"num_attention_heads"});
    config.numKvHeads = reader.positiveInt({"num_key_value_heads"}, config.numHeads);
    config.maxPositions = reader.positiveInt({"max_position_embeddings"}, 2048);
    config.normEps = reader.number({"rms_norm_eps"}, 1e-6);
    config.hiddenAct = reader.string("hidden_act", "silu");
    if (config.hiddenAct != "silu")
        reader.fail("hidden_act", "`" + config.hiddenAct + "` is not supported for " +
                                      config.modelType + " (supported: silu)");
    config.tieWordEmbeddings = reader.boolean("tie_word_embeddings", false);
    // Qwen2 hard-codes bias on q/k/v and none on o_proj, whatever `attention_bias` says.
    config.attentionBias = config.modelType != "qwen2" && reader.boolean("attention_bias", false);
    config.mlpBias = reader.boolean("mlp_bias", false);
    config.qkvBias = config.modelType == "qwen2";
    if (config.modelType == "mistral") {
        if (auto window = reader.optionalInt({"sliding_window"}))
            config.slidingWindow = *window;
    } else if (config.modelType == "qwen2" && reader.boolean("use_sliding_window", false)) {
        if (auto window = reader.optionalInt({"sliding_window"}))
            config.slidingWindow = *window;
    }
    parseRope(reader, root, config);
    auto headDim = reader.optionalInt({"head_dim"});
    if (headDim && *headDim > 0) {
        config.headDim = *headDim;
    } else if (config.numHeads > 0) {
        if (config.hiddenSize % config.numHeads != 0)
            reader.fail("hidden_size", "(" + std::to_string(config.hiddenSize) +
                                           ") must be divisible by `num_attention_heads` (" +
                                           std::to_string(config.numHeads) +
                                           ") when `head_dim` is absent");
        config.headDim = config.hiddenSize / config.numHeads;
    }
    if (config.headDim % 2 != 0)
        reader.fail("head_dim",
                    "must be even for rotary embeddings, found " + std::to_string(config.headDim));
    if (reader.number({"partial_rotary_factor"}, 1.0) != 1.0)
        reader.fail("partial_rotary_factor", "other than 1.0 is not supported");
}

void parseGpt2(FieldReader &reader, const json &root, ModelConfig &config)
{
    config.family = Family::Gpt2;
    config.vocabSize = reader.positiveInt({"vocab_size"});
    config.hiddenSize = reader.positiveInt({"n_embd", "hidden_size"});
    config.numLayers = reader.positiveInt({"n_layer", "num_hidden_layers"});
    config.numHeads = reader.positiveInt({"n_head", "num_attention_heads"});
    config.numKvHeads = config.numHeads;
    config.maxPositions = reader.positiveInt({"n_positions", "max_position_embeddings"}, 1024);
    auto inner = reader.optionalInt({"n_inner"});
    // 4 × an absurd n_embd would overflow; the size limits below refuse
    // n_embd itself (0 here keeps n_inner out of that message).
    config.intermediateSize = inner && *inner > 0 ? *inner
                              : config.hiddenSize <= kMaxModelSizes.hiddenSize
                                  ? 4 * config.hiddenSize
                                  : 0;
    config.normEps = reader.number({"layer_norm_epsilon"}, 1e-5);
    config.hiddenAct = reader.string("activation_function", "gelu_new");
    if (config.hiddenAct != "gelu_new" && config.hiddenAct != "gelu_pytorch_tanh")
        reader.fail("activation_function",
                    "`" + config.hiddenAct + "` is not supported (supported: gelu_new)");
    config.tieWordEmbeddings = reader.boolean("tie_word_embeddings", true);
    config.attentionBias = true;
    config.mlpBias = true;
    config.scaleAttnByInverseLayerIdx = reader.boolean("scale_attn_by_inverse_layer_idx", false);
    if (!reader.boolean("scale_attn_weights", true))
        reader.fail("scale_attn_weights", "false is not supported");
    if (reader.boolean("reorder_and_upcast_attn", false))
        reader.fail("reorder_and_upcast_attn", "true is not supported");
    if (config.numHeads > 0 && config.hiddenSize % config.numHeads != 0)
        reader.fail("n_embd", "(" + std::to_string(config.hiddenSize) +
                                  ") must be divisible by `n_head` (" +
                                  std::to_string(config.numHeads) + ")");
    config.headDim = config.numHeads > 0 ? config.hiddenSize / config.numHeads : 0;
}

} // namespace

const std::vector<std::string> &supportedModelTypes()
{
    static const std::vector<std::string> types{"gpt2", "llama", "mistral", "qwen2"};
    return types;
}

ModelConfig parseModelConfig(const json &root, const std::string &source)
{
    if (!root.is_object())
        throw Error(source + ": expected a JSON object");
    FieldReader reader(root, source);
    ModelConfig config;
    auto type = root.find("model_type");
    if (type == root.end() || !type->is_string())
        throw Error(source +
                    ": field `model_type` is missing (supported: gpt2, llama, mistral, qwen2)");
    config.modelType = type->get<std::string>();
    const auto &supported = supportedModelTypes();
    if (std::find(supported.begin(), supported.end(), config.modelType) == supported.end())
        throw Error(source + ": model_type `" + config.modelType +
                    "` is not supported (supported: gpt2, llama, mistral, qwen2)");

    if (config.modelType == "gpt2")
        parseGpt2(reader, root, config);
    else
        parseLlamaFamily(reader, root, config);

    if (config.numKvHeads > 0 && config.numHeads > 0 && config.numHeads % config.numKvHeads != 0)
        reader.fail("num_key_value_heads", "(" + std::to_string(config.numKvHeads) +
                                               ") must divide `num_attention_heads` (" +
                                               std::to_string(config.numHeads) + ")");
    // Upper limits (ModelConfig.h): a type-valid but absurd size is refused
    // here, naming the field, before anything multiplies it.
    const bool gpt2 = config.family == Family::Gpt2;
    const struct
    {
        const char *field;
        int64_t value, max;
    } limits[] = {
        {"vocab_size", config.vocabSize, kMaxModelSizes.vocabSize},
        {gpt2 ? "n_embd" : "hidden_size", config.hiddenSize, kMaxModelSizes.hiddenSize},
        {gpt2 ? "n_inner" : "intermediate_size", config.intermediateSize,
         kMaxModelSizes.intermediateSize},
        {gpt2 ? "n_layer" : "num_hidden_layers", config.numLayers, kMaxModelSizes.numLayers},
        {gpt2 ? "n_head" : "num_attention_heads", config.numHeads, kMaxModelSizes.numHeads},
        {"num_key_value_heads", config.numKvHeads, kMaxModelSizes.numHeads},
        {"head_dim", config.headDim, kMaxModelSizes.headDim},
        {gpt2 ? "n_positions" : "max_position_embeddings", config.maxPositions,
         kMaxModelSizes.maxPositions},
    };
    for (const auto &limit : limits)
        if (limit.value > limit.max)
            reader.fail(limit.field, "is " + std::to_string(limit.value) + ", over the limit of " +
                                         std::to_string(limit.max) + " (allowed: 1 to " +
                                         std::to_string(limit.max) + ")");
    if (config.normEps <= 0)
        reader.fail(config.family == Family::Gpt2 ? "layer_norm_epsilon" : "rms_norm_eps",
                    "must be positive");
    config.torchDtype = reader.string("torch_dtype", reader.string("dtype", "float32"));
    if (auto bos = reader.optionalInt({"bos_token_id"}))
        config.bosTokenId = *bos;
    config.eosTokenIds = tokenIds(reader, root, "eos_token_id");
    if (auto pad = reader.optionalInt({"pad_token_id"}))
        config.padTokenId = *pad;
    reader.throwIfFailed();
    return config;
}

int64_t ModelConfig::parameterCount() const
{
    const int64_t h = hiddenSize, v = vocabSize, l = numLayers;
    int64_t perLayer = 0;
    int64_t outside = v * h + (tieWordEmbeddings ? 0 : v * h);
    if (family == Family::Gpt2) {
        perLayer = 2 * 2 * h           // ln_1, ln_2
                   + h * 3 * h + 3 * h // c_attn
                   + h * h + h         // attn c_proj
                   + h * intermediateSize + intermediateSize + intermediateSize * h + h;
        outside += maxPositions * h + 2 * h; // wpe, ln_f
    } else {
        const int64_t q = numHeads * headDim, kv = numKvHeads * headDim;
        perLayer = 2 * h + h * (q + 2 * kv) + q * h + 3 * h * intermediateSize;
        if (attentionBias)
            perLayer += q + 2 * kv + h;
        else if (qkvBias)
            perLayer += q + 2 * kv;
        if (mlpBias)
            perLayer += 2 * intermediateSize + h;
        outside += h; // final norm
    }
    return outside + l * perLayer;
}

} // namespace headroom::model
