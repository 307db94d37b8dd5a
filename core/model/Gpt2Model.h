// GPT-2: learned absolute positions, pre-LayerNorm blocks with biases, fused
// q/k/v projection and `gelu_new`, Conv1D weights kept in their checkpoint
// layout [in, out] and applied with addmm as transformers does (SPECS.md §8.3).
#pragma once

#include "model/CausalLM.h"

namespace headroom::model {

// transformers' Conv1D: y = b + x W with W [in, out] (+ the LoRA update,
// whose A [r, in] and B [out, r] are ordinary Linear layouts, as in PEFT).
struct Conv1D
{
    at::Tensor weight; // [in, out]; undefined when quantized
    at::Tensor bias;   // [out]
    // A frozen quantized base, stored as a Linear's [out, in] (as bnb does
    // when transformers replaces Conv1D with Linear4bit).
    std::optional<quant::QuantizedWeight> quantized;
    std::shared_ptr<lora::LoraAdapter> lora;

    at::Tensor forward(const at::Tensor &x) const;
};

struct Gpt2Layer
{
    at::Tensor ln1Weight, ln1Bias; // ln_1 [H]
    Conv1D qkv;                    // attn.c_attn [H, 3H]
    Conv1D attnOut;                // attn.c_proj [H, H]
    at::Tensor ln2Weight, ln2Bias; // ln_2 [H]
    Conv1D fc;                     // mlp.c_fc [H, I]
    Conv1D proj;                   // mlp.c_proj [I, H]
};

class Gpt2Model final : public CausalLM
{
public:
    explicit Gpt2Model(const ModelConfig &config);

    at::Tensor forwardHidden(const at::Tensor &ids, KvCache *cache = nullptr,
                             const PackedLayout *packed = nullptr) override;
    at::Tensor logits(const at::Tensor &hidden) override;
    std::vector<WeightSlot> weightSlots() override;
    bool isIgnorableWeight(const std::string &name) const override;
    std::string canonicalWeightName(const std::string &name) const override;
    std::vector<AdaptableLinear> adaptableLinears() override;
    std::string lmHeadWeightName() const override;

    std::vector<Gpt2Layer> &layers() { return m_layers; }
    at::Tensor block(int64_t index, const at::Tensor &x, KvCache *cache, int64_t pastLength,
                     const at::Tensor &segments = {});

private:
    at::Tensor m_tokenEmbed;    // transformer.wte.weight [V, H]
    at::Tensor m_positionEmbed; // transformer.wpe.weight [P, H]
    std::vector<Gpt2Layer> m_layers;
    at::Tensor m_lnFWeight, m_lnFBias; // transformer.ln_f [H]
    at::Tensor m_lmHead;               // lm_head.weight [V, H]; unused when tied
};

} // namespace headroom::model
