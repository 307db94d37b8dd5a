// The llama.cpp -> transformers direction of convert_hf_to_gguf.py for three
// architectures. Each architecture is a small table; anything not in the
// table is an error rather than a guess.
#include "io/GgufToHf.h"

#include "common/Error.h"
#include "io/GgufDequant.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numbers>

namespace headroom::io {

namespace {
enum class Family { Llama, Qwen2, Gpt2 };

std::optional<Family> familyOf(std::string_view arch)
{
    if (arch == "llama" || arch == "mistral")
        return Family::Llama;
    if (arch == "qwen2")
        return Family::Qwen2;
    if (arch == "gpt2")
        return Family::Gpt2;
    return std::nullopt;
}

Family requireFamily(const GgufFile &file)
{
    const auto arch = file.architecture();
    if (auto f = familyOf(arch))
        return *f;
    throwFileError(file.path(), "architecture `" + arch +
                                    "` is not supported (supported: llama, mistral, qwen2, gpt2)");
}

// "blk.N.rest" -> (N, rest)
bool splitBlock(std::string_view name, std::string &layer, std::string_view &rest)
{
    if (name.substr(0, 4) != "blk.")
        return false;
    const auto dot = name.find('.', 4);
    if (dot == std::string_view::npos || dot == 4)
        return false;
    layer = std::string(name.substr(4, dot - 4));
    if (!std::all_of(layer.begin(), layer.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    rest = name.substr(dot + 1);
    return true;
}

// "attn_q.weight" -> ("attn_q", ".weight")
std::pair<std::string_view, std::string_view> splitSuffix(std::string_view rest)
{
    const auto dot = rest.rfind('.');
    if (dot == std::string_view::npos)
        return {rest, {}};
    return {rest.substr(0, dot), rest.substr(dot)};
}

std::string shortestFloat32(double v)
{
    // The shortest decimal that reads back as the same float32, so 1e-6
    // stored as f32 becomes 1e-06 again rather than 9.999999974752427e-07.
    const float f = static_cast<float>(v);
    char buf[64];
    for (int precision = 1; precision <= 9; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(f));
        if (std::strtof(buf, nullptr) == f)
            break;
    }
    return buf;
}

double float32Value(double v)
{
    return std::strtod(shortestFloat32(v).c_str(), nullptr);
}

// Rebuilds llama3 rope scaling from the precomputed factors when they match
// the standard parameters (low 1, high 4, original context 8192).
std::optional<nlohmann::json> llama3Scaling(const GgufFile &file, double theta, int64_t rotDim)
{
    const auto *t = file.findTensor("rope_freqs.weight");
    if (!t || !canDequantize(t->type) || rotDim <= 0)
        return std::nullopt;
    const auto factors = dequantize(file, *t);
    if (static_cast<int64_t>(factors.size()) != rotDim / 2)
        return std::nullopt;
    const double factor = *std::max_element(factors.begin(), factors.end());
    const double low = 1, high = 4, old = 8192;
    for (int64_t i = 0; i < rotDim / 2; ++i) {
        const double invFreq = 1.0 / std::pow(theta, 2.0 * i / rotDim);
        const double wavelen = 2 * std::numbers::pi / invFreq;
        double expected = 1;
        if (wavelen > old / low) {
            expected = factor;
        } else if (wavelen >= old / high) {
            const double smooth = (old / wavelen - low) / (high - low);
            expected = 1 / ((1 - smooth) / factor + smooth);
        }
        if (std::fabs(expected - factors[i]) > 1e-3 * expected)
            return std::nullopt;
    }
    return nlohmann::json{{"rope_type", "llama3"},
                          {"factor", float32Value(factor)},
                          {"low_freq_factor", low},
                          {"high_freq_factor", high},
                          {"original_max_position_embeddings", static_cast<int64_t>(old)}};
}

// output.weight is only a copy of token_embd.weight (old GPT-2 converters).
bool outputRepeatsEmbedding(const GgufFile &file)
{
    const auto *out = file.findTensor("output.weight");
    const auto *emb = file.findTensor("token_embd.weight");
    if (!out)
        return true;
    return emb && out->type == emb->type && out->ne == emb->ne &&
           std::equal(out->bytes.begin(), out->bytes.end(), emb->bytes.begin(), emb->bytes.end());
}

std::optional<int64_t> vocabSize(const GgufFile &file, const std::string &arch)
{
    if (auto v = file.getInt(arch + ".vocab_size"))
        return v;
    if (const auto *tokens = file.find("tokenizer.ggml.tokens"))
        if (tokens->type == GgufValueType::ARRAY)
            return static_cast<int64_t>(tokens->items.size());
    if (const auto *emb = file.findTensor("token_embd.weight"); emb && emb->ne.size() == 2)
        return static_cast<int64_t>(emb->ne[1]);
    return std::nullopt;
}
} // namespace

std::optional<std::string> hfTensorName(std::string_view architecture, std::string_view name)
{
    const auto family = familyOf(architecture);
    if (!family)
        throw Error("GGUF architecture `" + std::string(architecture) + "` is not supported");
    std::string layer;
    std::string_view rest;
    if (*family == Family::Gpt2) {
        if (name == "token_embd.weight")
            return "transformer.wte.weight";
        if (name == "position_embd.weight")
            return "transformer.wpe.weight";
        if (name == "output.weight")
            return "lm_head.weight";
        if (name == "output_norm.weight" || name == "output_norm.bias")
            return "transformer.ln_f" + std::string(splitSuffix(name).second);
        if (!splitBlock(name, layer, rest))
            return std::nullopt;
        const auto [part, suffix] = splitSuffix(rest);
        static constexpr std::pair<std::string_view, std::string_view> table[] = {
            {"attn_norm", "ln_1"}, {"attn_qkv", "attn.c_attn"}, {"attn_output", "attn.c_proj"},
            {"ffn_norm", "ln_2"},  {"ffn_up", "mlp.c_fc"},      {"ffn_down", "mlp.c_proj"},
        };
        for (const auto &[g, h] : table)
            if (part == g)
                return "transformer.h." + layer + "." + std::string(h) + std::string(suffix);
        return std::nullopt;
    }
    if (name == "token_embd.weight")
        return "model.embed_tokens.weight";
    if (name == "output_norm.weight")
        return "model.norm.weight";
    if (name == "output.weight")
        return "lm_head.weight";
    if (!splitBlock(name, layer, rest))
        return std::nullopt;
    const auto [part, suffix] = splitSuffix(rest);
    static constexpr std::pair<std::string_view, std::string_view> table[] = {
        {"attn_norm", "input_layernorm"},    {"attn_q", "self_attn.q_proj"},
        {"attn_k", "self_attn.k_proj"},      {"attn_v", "self_attn.v_proj"},
        {"attn_output", "self_attn.o_proj"}, {"ffn_norm", "post_attention_layernorm"},
        {"ffn_gate", "mlp.gate_proj"},       {"ffn_up", "mlp.up_proj"},
        {"ffn_down", "mlp.down_proj"},
    };
    for (const auto &[g, h] : table)
        if (part == g)
            return "model.layers." + layer + "." + std::string(h) + std::string(suffix);
    return std::nullopt;
}

void unpermuteRows(std::vector<float> &data, int64_t rows, int64_t rowLength, int64_t nHead)
{
    if (nHead <= 0 || rows % nHead != 0 || (rows / nHead) % 2 != 0 ||
        static_cast<int64_t>(data.size()) != rows * rowLength)
        throw Error("cannot un-permute " + std::to_string(rows) + " rows into " +
                    std::to_string(nHead) + " heads");
    const int64_t headDim = rows / nHead, half = headDim / 2;
    std::vector<float> out(data.size());
    for (int64_t head = 0; head < nHead; ++head)
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t j = 0; j < half; ++j) {
                const int64_t from = head * headDim + 2 * j + h;  // GGUF (interleaved pairs)
                const int64_t to = head * headDim + h * half + j; // HF (two halves)
                std::copy_n(data.begin() + from * rowLength, rowLength,
                            out.begin() + to * rowLength);
            }
    data = std::move(out);
}

nlohmann::json configJsonFromGguf(const GgufFile &file)
{
    const auto family = requireFamily(file);
    const std::string arch = file.architecture();
    auto key = [&](const char *k) { return arch + "." + k; };
    nlohmann::json c;
    const auto vocab = vocabSize(file, arch);
    const int64_t hidden = file.requireInt(key("embedding_length"));
    const int64_t layers = file.requireInt(key("block_count"));
    const int64_t heads = file.requireInt(key("attention.head_count"));
    if (heads <= 0 || hidden <= 0 || layers <= 0)
        throwFileError(file.path(), "metadata: embedding_length, block_count and "
                                    "attention.head_count must be positive");
    const int64_t ffn = file.getInt(key("feed_forward_length")).value_or(4 * hidden);
    const auto context = file.getInt(key("context_length"));
    const bool tied = outputRepeatsEmbedding(file);

    if (family == Family::Gpt2) {
        c["model_type"] = "gpt2";
        c["architectures"] = {"GPT2LMHeadModel"};
        c["n_embd"] = hidden;
        c["n_layer"] = layers;
        c["n_head"] = heads;
        if (context)
            c["n_positions"] = *context;
        else if (const auto *wpe = file.findTensor("position_embd.weight");
                 wpe && wpe->ne.size() == 2)
            c["n_positions"] = static_cast<int64_t>(wpe->ne[1]);
        c["n_inner"] = ffn == 4 * hidden ? nlohmann::json() : nlohmann::json(ffn);
        c["layer_norm_epsilon"] =
            float32Value(file.getFloat(key("attention.layer_norm_epsilon")).value_or(1e-5));
        c["activation_function"] = "gelu_new";
    } else {
        c["model_type"] = family == Family::Qwen2 ? "qwen2" : "llama";
        c["architectures"] = {family == Family::Qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"};
        c["hidden_size"] = hidden;
        c["intermediate_size"] = ffn;
        c["num_hidden_layers"] = layers;
        c["num_attention_heads"] = heads;
        const int64_t kvHeads = file.getInt(key("attention.head_count_kv")).value_or(heads);
        c["num_key_value_heads"] = kvHeads;
        int64_t headDim = hidden / heads;
        if (auto k = file.getInt(key("attention.key_length")))
            headDim = *k;
        else if (auto r = file.getInt(key("rope.dimension_count")))
            headDim = *r;
        c["head_dim"] = headDim;
        c["hidden_act"] = "silu";
        c["rms_norm_eps"] =
            float32Value(file.getFloat(key("attention.layer_norm_rms_epsilon")).value_or(1e-6));
        const double theta = float32Value(file.getFloat(key("rope.freq_base")).value_or(10000.0));
        c["rope_theta"] = theta;
        nlohmann::json scaling;
        const auto type = file.getString(key("rope.scaling.type"));
        const auto factor = file.getFloat(key("rope.scaling.factor"));
        if (type == "linear" && factor) {
            scaling = {{"rope_type", "linear"}, {"factor", float32Value(*factor)}};
        } else if (type == "yarn" && factor) {
            scaling = {{"rope_type", "yarn"}, {"factor", float32Value(*factor)}};
            if (auto orig = file.getInt(key("rope.scaling.original_context_length")))
                scaling["original_max_position_embeddings"] = *orig;
        } else if (auto l3 = llama3Scaling(
                       file, theta, file.getInt(key("rope.dimension_count")).value_or(headDim))) {
            scaling = *l3;
        }
        c["rope_scaling"] = scaling; // null when none
        // transformers v5 reads rope_parameters; v4 reads rope_theta/rope_scaling.
        nlohmann::json parameters =
            scaling.is_null() ? nlohmann::json{{"rope_type", "default"}} : scaling;
        parameters["rope_theta"] = theta;
        c["rope_parameters"] = parameters;
        if (context)
            c["max_position_embeddings"] = *context;
        bool bias = family == Family::Qwen2;
        if (file.findTensor("blk.0.attn_q.bias"))
            bias = true;
        c["attention_bias"] = bias;
    }
    if (vocab)
        c["vocab_size"] = *vocab;
    c["tie_word_embeddings"] = tied;
    if (auto bos = file.getInt("tokenizer.ggml.bos_token_id"))
        c["bos_token_id"] = *bos;
    if (auto eos = file.getInt("tokenizer.ggml.eos_token_id"))
        c["eos_token_id"] = *eos;
    return c;
}

tok::GgufVocab vocabFromGguf(const GgufFile &file)
{
    tok::GgufVocab v;
    auto tokens = file.getStringArray("tokenizer.ggml.tokens");
    if (!tokens)
        throwFileError(file.path(), "no tokenizer: metadata `tokenizer.ggml.tokens` is missing");
    v.tokens = std::move(*tokens);
    v.model = file.getString("tokenizer.ggml.model").value_or("");
    v.pre = file.getString("tokenizer.ggml.pre").value_or("");
    if (auto scores = file.getFloatArray("tokenizer.ggml.scores"))
        v.scores.assign(scores->begin(), scores->end());
    if (auto types = file.getIntArray("tokenizer.ggml.token_type"))
        v.tokenTypes.assign(types->begin(), types->end());
    if (auto merges = file.getStringArray("tokenizer.ggml.merges"))
        v.merges = std::move(*merges);
    const auto n = v.tokens.size();
    if (!v.scores.empty() && v.scores.size() != n)
        throwFileError(file.path(), "metadata `tokenizer.ggml.scores` has " +
                                        std::to_string(v.scores.size()) + " entries for " +
                                        std::to_string(n) + " tokens");
    if (!v.tokenTypes.empty() && v.tokenTypes.size() != n)
        throwFileError(file.path(), "metadata `tokenizer.ggml.token_type` has " +
                                        std::to_string(v.tokenTypes.size()) + " entries for " +
                                        std::to_string(n) + " tokens");
    auto id = [&](const char *k) -> std::optional<int64_t> {
        auto value = file.getInt(k);
        if (value && (*value < 0 || static_cast<uint64_t>(*value) >= n))
            throwFileError(file.path(),
                           std::string("metadata `") + k + "` = " + std::to_string(*value) +
                               " is not a token id (" + std::to_string(n) + " tokens)");
        return value;
    };
    v.bosId = id("tokenizer.ggml.bos_token_id");
    v.eosId = id("tokenizer.ggml.eos_token_id");
    v.unkId = id("tokenizer.ggml.unknown_token_id");
    v.padId = id("tokenizer.ggml.padding_token_id");
    v.addBos = file.getBool("tokenizer.ggml.add_bos_token");
    v.addEos = file.getBool("tokenizer.ggml.add_eos_token");
    v.chatTemplate = file.getString("tokenizer.chat_template").value_or("");
    return v;
}

std::vector<HfTensorInfo> listHfTensors(const GgufFile &file)
{
    const auto family = requireFamily(file);
    const std::string arch = file.architecture();
    const bool skipOutput = file.findTensor("output.weight") && outputRepeatsEmbedding(file);
    std::vector<HfTensorInfo> list;
    for (const auto &t : file.tensors()) {
        if (t.name == "rope_freqs.weight" || (skipOutput && t.name == "output.weight"))
            continue;
        auto name = hfTensorName(arch, t.name);
        if (!name)
            throwFileError(file.path(), "tensor `" + t.name +
                                            "` has no Hugging Face equivalent for architecture `" +
                                            arch + "`");
        HfTensorInfo info{std::move(*name), t.shape(), &t, false};
        if (family == Family::Gpt2 && info.shape.size() == 2 && t.name.ends_with(".weight") &&
            (t.name.find(".attn_qkv.") != std::string::npos ||
             t.name.find(".attn_output.") != std::string::npos ||
             t.name.find(".ffn_up.") != std::string::npos ||
             t.name.find(".ffn_down.") != std::string::npos)) {
            // Conv1D stores [in, out]; the converter transposed it to [out, in].
            info.shape = {info.shape[1], info.shape[0]};
            info.transposed = true;
        }
        list.push_back(std::move(info));
    }
    return list;
}

void forEachHfTensor(const GgufFile &file, const std::function<void(HfTensor &&)> &callback)
{
    const auto family = requireFamily(file);
    const std::string arch = file.architecture();
    const int64_t heads =
        family == Family::Llama ? file.requireInt(arch + ".attention.head_count") : 0;
    const int64_t kvHeads = family == Family::Llama
                                ? file.getInt(arch + ".attention.head_count_kv").value_or(heads)
                                : 0;
    for (auto &info : listHfTensors(file)) {
        const auto &t = *info.source;
        HfTensor out;
        out.name = std::move(info.name);
        out.shape = t.shape();
        out.data = dequantize(file, t);
        const int64_t rows = out.shape.empty() ? 1 : out.shape[0];
        const int64_t rowLength = rows == 0 ? 0 : static_cast<int64_t>(out.data.size()) / rows;
        try {
            if (family == Family::Llama) {
                const auto [part, _] = splitSuffix(t.name);
                if (part.ends_with(".attn_q"))
                    unpermuteRows(out.data, rows, rowLength, heads);
                else if (part.ends_with(".attn_k"))
                    unpermuteRows(out.data, rows, rowLength, kvHeads);
            }
        } catch (const Error &e) {
            throwFileError(file.path(), "tensor `" + t.name + "`: " + e.what());
        }
        if (info.transposed) {
            // Conv1D: back to the Hugging Face layout [in, out].
            const int64_t r = out.shape[0], cols = out.shape[1];
            std::vector<float> transposed(out.data.size());
            for (int64_t i = 0; i < r; ++i)
                for (int64_t j = 0; j < cols; ++j)
                    transposed[j * r + i] = out.data[i * cols + j];
            out.data = std::move(transposed);
            out.shape = std::move(info.shape);
        }
        callback(std::move(out));
    }
}

} // namespace headroom::io
