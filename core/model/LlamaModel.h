// The Llama family: Llama 2/3/3.x, Mistral, Qwen2/2.5, SmolLM/SmolLM2,
// TinyLlama. Pre-norm decoder with RMSNorm, RoPE, grouped-query attention and
// a SwiGLU MLP (SPECS.md §8.1–8.2). Tensor names are the checkpoint names.
#pragma once

#include "model/CausalLM.h"
#include "model/Layers.h"
#include "model/RotaryEmbedding.h"

namespace headroom::model {

struct LlamaLayer
{
    at::Tensor inputNorm; // input_layernorm.weight [H]
    Linear q, k, v, o;    // self_attn.{q,k,v,o}_proj: [Hq·D, H], [Hkv·D, H] ×2, [H, Hq·D]
    at::Tensor postAttentionNorm; // post_attention_layernorm.weight [H]
    Linear gate, up, down;        // mlp.{gate,up}_proj [I, H], down_proj [H, I]
};

class LlamaModel final : public CausalLM
{
public:
    explicit LlamaModel(const ModelConfig &config);

    at::Tensor forwardHidden(const at::Tensor &ids, KvCache *cache = nullptr,
                             const PackedLayout *packed = nullptr) override;
    at::Tensor logits(const at::Tensor &hidden) override;
    std::vector<WeightSlot> weightSlots() override;
    bool isIgnorableWeight(const std::string &name) const override;
    std::vector<AdaptableLinear> adaptableLinears() override;
    std::string lmHeadWeightName() const override;

    std::vector<LlamaLayer> &layers() { return m_layers; }

    // One decoder block: x [B, T, H] -> [B, T, H]; cos/sin [T, D] ([B, T, D]
    // for packed rows, with segments [B, T]).
    at::Tensor block(int64_t index, const at::Tensor &x, const at::Tensor &cos,
                     const at::Tensor &sin, KvCache *cache, int64_t pastLength,
                     const at::Tensor &segments = {});

private:
    at::Tensor m_embed; // model.embed_tokens.weight [V, H]
    std::vector<LlamaLayer> m_layers;
    at::Tensor m_norm;   // model.norm.weight [H]
    at::Tensor m_lmHead; // lm_head.weight [V, H]; unused when tied
    RotaryEmbedding m_rotary;
};

} // namespace headroom::model
