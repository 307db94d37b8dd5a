// Llama-family forward pass, line for line with transformers' LlamaModel /
// MistralModel / Qwen2Model so that logits agree to rounding.
#include "model/LlamaModel.h"

#include "common/Error.h"

#include <cmath>

namespace headroom::model {

LlamaModel::LlamaModel(const ModelConfig &config)
    : CausalLM(config), m_layers(static_cast<size_t>(config.numLayers)), m_rotary(config)
{}

at::Tensor LlamaModel::forwardHidden(const at::Tensor &ids, KvCache *cache,
                                     const PackedLayout *packed)
{
    if (packed && cache)
        throw Error("packed rows cannot use a KV cache");
    const int64_t past = cache ? cache->length() : 0;
    const int64_t tokens = ids.size(1);
    auto x = at::embedding(m_embed, ids); // [B, T, H]
    auto positions = packed ? packed->positions
                            : at::arange(past, past + tokens,
                                         at::TensorOptions().dtype(at::kLong).device(ids.device()));
    auto [cos, sin] = m_rotary.cosSin(positions, x.scalar_type()); // [T, D] or [B, T, D]
    const at::Tensor segments = packed ? packed->segments : at::Tensor();
    // Captured by value: a checkpointing runner calls the block again in backward.
    for (int64_t i = 0; i < static_cast<int64_t>(m_layers.size()); ++i)
        x = runBlock(
            [this, i, cos, sin, cache, past, segments](const at::Tensor &in) {
                return block(i, in, cos, sin, cache, past, segments);
            },
            x);
    if (cache)
        cache->advance(tokens);
    return rmsNorm(x, m_norm, m_config.normEps);
}

at::Tensor LlamaModel::block(int64_t index, const at::Tensor &x, const at::Tensor &cos,
                             const at::Tensor &sin, KvCache *cache, int64_t pastLength,
                             const at::Tensor &segments)
{
    const auto &layer = m_layers[static_cast<size_t>(index)];
    const int64_t batch = x.size(0), tokens = x.size(1), headDim = m_config.headDim;

    // Attention: h = x + o(attn(rope(q), rope(k), v)).
    auto h = rmsNorm(x, layer.inputNorm, m_config.normEps);
    auto q = layer.q.forward(h)
                 .view({batch, tokens, m_config.numHeads, headDim})
                 .transpose(1, 2); // [B, Hq, T, D]
    auto k = layer.k.forward(h)
                 .view({batch, tokens, m_config.numKvHeads, headDim})
                 .transpose(1, 2); // [B, Hkv, T, D]
    auto v = layer.v.forward(h)
                 .view({batch, tokens, m_config.numKvHeads, headDim})
                 .transpose(1, 2); // [B, Hkv, T, D]
    q = RotaryEmbedding::apply(q, cos, sin);
    k = RotaryEmbedding::apply(k, cos, sin);
    if (cache)
        std::tie(k, v) = cache->append(index, k, v); // [B, Hkv, S, D]

    AttentionOptions options;
    options.kernel = m_attention;
    options.scale = 1.0 / std::sqrt(static_cast<double>(headDim));
    options.pastLength = pastLength;
    options.slidingWindow = m_config.slidingWindow;
    options.segments = segments;
    auto attended = causalAttention(q, k, v, options); // [B, Hq, T, D]
    attended = attended.transpose(1, 2).reshape(
        {batch, tokens, m_config.numHeads * headDim}); // [B, T, Hq·D]
    auto residual = x + layer.o.forward(attended);

    // MLP: out = h + down(silu(gate(h)) · up(h)).
    auto m = rmsNorm(residual, layer.postAttentionNorm, m_config.normEps);
    auto mlp =
        layer.down.forward(at::silu(layer.gate.forward(m)) * layer.up.forward(m)); // [B, T, H]
    return residual + mlp;
}

std::string LlamaModel::lmHeadWeightName() const
{
    return m_config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
}

at::Tensor LlamaModel::logits(const at::Tensor &hidden)
{
    return at::linear(hidden, m_config.tieWordEmbeddings ? m_embed : m_lmHead); // [..., V]
}

std::vector<WeightSlot> LlamaModel::weightSlots()
{
    const int64_t h = m_config.hiddenSize, inter = m_config.intermediateSize;
    const int64_t qOut = m_config.numHeads * m_config.headDim,
                  kvOut = m_config.numKvHeads * m_config.headDim;
    std::vector<WeightSlot> slots;
    slots.push_back({"model.embed_tokens.weight", {m_config.vocabSize, h}, &m_embed});
    for (size_t i = 0; i < m_layers.size(); ++i) {
        auto &layer = m_layers[i];
        const std::string p = "model.layers." + std::to_string(i) + ".";
        const bool qkvBias = m_config.attentionBias || m_config.qkvBias;
        slots.push_back({p + "input_layernorm.weight", {h}, &layer.inputNorm});
        slots.push_back({p + "self_attn.q_proj.weight", {qOut, h}, &layer.q.weight});
        slots.push_back({p + "self_attn.k_proj.weight", {kvOut, h}, &layer.k.weight});
        slots.push_back({p + "self_attn.v_proj.weight", {kvOut, h}, &layer.v.weight});
        slots.push_back({p + "self_attn.o_proj.weight", {h, qOut}, &layer.o.weight});
        if (qkvBias) {
            slots.push_back({p + "self_attn.q_proj.bias", {qOut}, &layer.q.bias});
            slots.push_back({p + "self_attn.k_proj.bias", {kvOut}, &layer.k.bias});
            slots.push_back({p + "self_attn.v_proj.bias", {kvOut}, &layer.v.bias});
        }
        if (m_config.attentionBias)
            slots.push_back({p + "self_attn.o_proj.bias", {h}, &layer.o.bias});
        slots.push_back({p + "post_attention_layernorm.weight", {h}, &layer.postAttentionNorm});
        slots.push_back({p + "mlp.gate_proj.weight", {inter, h}, &layer.gate.weight});
        slots.push_back({p + "mlp.up_proj.weight", {inter, h}, &layer.up.weight});
        slots.push_back({p + "mlp.down_proj.weight", {h, inter}, &layer.down.weight});
        if (m_config.mlpBias) {
            slots.push_back({p + "mlp.gate_proj.bias", {inter}, &layer.gate.bias});
            slots.push_back({p + "mlp.up_proj.bias", {inter}, &layer.up.bias});
            slots.push_back({p + "mlp.down_proj.bias", {h}, &layer.down.bias});
        }
    }
    slots.push_back({"model.norm.weight", {h}, &m_norm});
    if (!m_config.tieWordEmbeddings)
        slots.push_back({"lm_head.weight", {m_config.vocabSize, h}, &m_lmHead});
    return slots;
}

std::vector<AdaptableLinear> LlamaModel::adaptableLinears()
{
    const int64_t h = m_config.hiddenSize, inter = m_config.intermediateSize;
    const int64_t qOut = m_config.numHeads * m_config.headDim;
    const int64_t kvOut = m_config.numKvHeads * m_config.headDim;
    std::vector<AdaptableLinear> linears;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        auto &l = m_layers[i];
        const std::string p = "model.layers." + std::to_string(i) + ".";
        linears.push_back(
            {p + "self_attn.q_proj", h, qOut, false, &l.q.weight, &l.q.lora, &l.q.quantized});
        linears.push_back(
            {p + "self_attn.k_proj", h, kvOut, false, &l.k.weight, &l.k.lora, &l.k.quantized});
        linears.push_back(
            {p + "self_attn.v_proj", h, kvOut, false, &l.v.weight, &l.v.lora, &l.v.quantized});
        linears.push_back(
            {p + "self_attn.o_proj", qOut, h, false, &l.o.weight, &l.o.lora, &l.o.quantized});
        linears.push_back({p + "mlp.gate_proj", h, inter, false, &l.gate.weight, &l.gate.lora,
                           &l.gate.quantized});
        linears.push_back(
            {p + "mlp.up_proj", h, inter, false, &l.up.weight, &l.up.lora, &l.up.quantized});
        linears.push_back({p + "mlp.down_proj", inter, h, false, &l.down.weight, &l.down.lora,
                           &l.down.quantized});
    }
    return linears;
}

bool LlamaModel::isIgnorableWeight(const std::string &name) const
{
    // Old checkpoints store the rotary cache; tied models may still carry lm_head.
    return name.ends_with("rotary_emb.inv_freq") ||
           (m_config.tieWordEmbeddings && name == "lm_head.weight");
}

} // namespace headroom::model
