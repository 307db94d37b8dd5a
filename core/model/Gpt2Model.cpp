// GPT-2 forward pass following transformers' modeling_gpt2.py.
#include "model/Gpt2Model.h"

#include "common/Error.h"
#include "model/Layers.h"

#include <cmath>

namespace headroom::model {

at::Tensor Conv1D::forward(const at::Tensor &x) const
{
    if (quantized) {
        auto y = quant::quantizedLinear(x, *quantized, bias);
        return lora ? lora->addTo(y, x) : y;
    }
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(1);
    auto y = at::addmm(bias, x.reshape({-1, x.size(-1)}), weight).view(sizes);
    return lora ? lora->addTo(y, x) : y;
}

Gpt2Model::Gpt2Model(const ModelConfig &config)
    : CausalLM(config), m_layers(static_cast<size_t>(config.numLayers))
{}

at::Tensor Gpt2Model::forwardHidden(const at::Tensor &ids, KvCache *cache,
                                    const PackedLayout *packed)
{
    if (packed && cache)
        throw Error("packed rows cannot use a KV cache");
    const int64_t past = cache ? cache->length() : 0;
    const int64_t tokens = ids.size(1);
    if (past + tokens > m_config.maxPositions)
        throw Error("GPT-2 has learned positions for " + std::to_string(m_config.maxPositions) +
                    " tokens; the input needs " + std::to_string(past + tokens));
    auto positions = packed ? packed->positions
                            : at::arange(past, past + tokens,
                                         at::TensorOptions().dtype(at::kLong).device(ids.device()));
    const at::Tensor segments = packed ? packed->segments : at::Tensor();
    auto x =
        at::embedding(m_tokenEmbed, ids) + at::embedding(m_positionEmbed, positions); // [B, T, H]
    // Captured by value: a checkpointing runner calls the block again in backward.
    for (int64_t i = 0; i < static_cast<int64_t>(m_layers.size()); ++i)
        x = runBlock([this, i, cache, past, segments](
                         const at::Tensor &in) { return block(i, in, cache, past, segments); },
                     x);
    if (cache)
        cache->advance(tokens);
    return layerNorm(x, m_lnFWeight, m_lnFBias, m_config.normEps);
}

at::Tensor Gpt2Model::block(int64_t index, const at::Tensor &x, KvCache *cache, int64_t pastLength,
                            const at::Tensor &segments)
{
    const auto &layer = m_layers[static_cast<size_t>(index)];
    const int64_t batch = x.size(0), tokens = x.size(1), heads = m_config.numHeads,
                  headDim = m_config.headDim;
    const int64_t hidden = m_config.hiddenSize;

    auto h = layerNorm(x, layer.ln1Weight, layer.ln1Bias, m_config.normEps);
    auto qkv = layer.qkv.forward(h).split(hidden, 2);                      // 3 × [B, T, H]
    auto q = qkv[0].view({batch, tokens, heads, headDim}).transpose(1, 2); // [B, Hd, T, D]
    auto k = qkv[1].view({batch, tokens, heads, headDim}).transpose(1, 2);
    auto v = qkv[2].view({batch, tokens, heads, headDim}).transpose(1, 2);
    if (cache)
        std::tie(k, v) = cache->append(index, k, v); // [B, Hd, S, D]

    AttentionOptions options;
    options.kernel = m_attention;
    options.scale = 1.0 / std::sqrt(static_cast<double>(headDim));
    if (m_config.scaleAttnByInverseLayerIdx)
        options.scale /= static_cast<double>(index + 1);
    options.pastLength = pastLength;
    options.softmaxInFp32 = false; // GPT-2's eager softmax runs in the activation dtype
    options.segments = segments;
    auto attended =
        causalAttention(q, k, v, options).transpose(1, 2).reshape({batch, tokens, hidden});
    auto residual = x + layer.attnOut.forward(attended);

    auto m = layerNorm(residual, layer.ln2Weight, layer.ln2Bias, m_config.normEps);
    auto mlp =
        layer.proj.forward(at::gelu(layer.fc.forward(m), "tanh")); // gelu_new = tanh approximation
    return residual + mlp;
}

std::string Gpt2Model::lmHeadWeightName() const
{
    return m_config.tieWordEmbeddings ? "transformer.wte.weight" : "lm_head.weight";
}

at::Tensor Gpt2Model::logits(const at::Tensor &hidden)
{
    return at::linear(hidden, m_config.tieWordEmbeddings ? m_tokenEmbed : m_lmHead);
}

std::vector<WeightSlot> Gpt2Model::weightSlots()
{
    const int64_t h = m_config.hiddenSize, inter = m_config.intermediateSize;
    std::vector<WeightSlot> slots;
    slots.push_back({"transformer.wte.weight", {m_config.vocabSize, h}, &m_tokenEmbed});
    slots.push_back({"transformer.wpe.weight", {m_config.maxPositions, h}, &m_positionEmbed});
    for (size_t i = 0; i < m_layers.size(); ++i) {
        auto &layer = m_layers[i];
        const std::string p = "transformer.h." + std::to_string(i) + ".";
        slots.push_back({p + "ln_1.weight", {h}, &layer.ln1Weight});
        slots.push_back({p + "ln_1.bias", {h}, &layer.ln1Bias});
        slots.push_back({p + "attn.c_attn.weight", {h, 3 * h}, &layer.qkv.weight});
        slots.push_back({p + "attn.c_attn.bias", {3 * h}, &layer.qkv.bias});
        slots.push_back({p + "attn.c_proj.weight", {h, h}, &layer.attnOut.weight});
        slots.push_back({p + "attn.c_proj.bias", {h}, &layer.attnOut.bias});
        slots.push_back({p + "ln_2.weight", {h}, &layer.ln2Weight});
        slots.push_back({p + "ln_2.bias", {h}, &layer.ln2Bias});
        slots.push_back({p + "mlp.c_fc.weight", {h, inter}, &layer.fc.weight});
        slots.push_back({p + "mlp.c_fc.bias", {inter}, &layer.fc.bias});
        slots.push_back({p + "mlp.c_proj.weight", {inter, h}, &layer.proj.weight});
        slots.push_back({p + "mlp.c_proj.bias", {h}, &layer.proj.bias});
    }
    slots.push_back({"transformer.ln_f.weight", {h}, &m_lnFWeight});
    slots.push_back({"transformer.ln_f.bias", {h}, &m_lnFBias});
    if (!m_config.tieWordEmbeddings)
        slots.push_back({"lm_head.weight", {m_config.vocabSize, h}, &m_lmHead});
    return slots;
}

std::vector<AdaptableLinear> Gpt2Model::adaptableLinears()
{
    const int64_t h = m_config.hiddenSize, inter = m_config.intermediateSize;
    std::vector<AdaptableLinear> linears;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        auto &layer = m_layers[i];
        const std::string p = "transformer.h." + std::to_string(i) + ".";
        linears.push_back({p + "attn.c_attn", h, 3 * h, true, &layer.qkv.weight, &layer.qkv.lora,
                           &layer.qkv.quantized});
        linears.push_back({p + "attn.c_proj", h, h, true, &layer.attnOut.weight,
                           &layer.attnOut.lora, &layer.attnOut.quantized});
        linears.push_back({p + "mlp.c_fc", h, inter, true, &layer.fc.weight, &layer.fc.lora,
                           &layer.fc.quantized});
        linears.push_back({p + "mlp.c_proj", inter, h, true, &layer.proj.weight, &layer.proj.lora,
                           &layer.proj.quantized});
    }
    return linears;
}

std::string Gpt2Model::canonicalWeightName(const std::string &name) const
{
    // Hub checkpoints (gpt2, distilgpt2) omit the `transformer.` prefix.
    if (name.starts_with("transformer.") || name.starts_with("lm_head."))
        return name;
    return "transformer." + name;
}

bool Gpt2Model::isIgnorableWeight(const std::string &name) const
{
    // Causal-mask buffers of old checkpoints.
    return name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") ||
           (m_config.tieWordEmbeddings && name == "lm_head.weight");
}

} // namespace headroom::model
