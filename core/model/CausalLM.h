// The interface every architecture implements: token ids in, hidden states
// and logits out, with an optional KV cache; named weight slots through which
// loaders fill it. One file per architecture implements it (LlamaModel,
// Gpt2Model); `createModel` picks one from the config's model_type.
#pragma once

#include "lora/LoraAdapter.h"
#include "model/Attention.h"
#include "model/KvCache.h"
#include "model/ModelConfig.h"
#include "quant/QuantizedLinear.h"

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace headroom::model {

// A named weight the model expects, with the shape implied by config.json.
struct WeightSlot
{
    std::string name; // Hugging Face checkpoint name, e.g. model.layers.0.self_attn.q_proj.weight
    std::vector<int64_t> shape;
    at::Tensor *tensor;
};

// A linear projection of a decoder block that can carry a LoRA adapter.
struct AdaptableLinear
{
    std::string name;         // module path, e.g. model.layers.0.self_attn.q_proj
    int64_t in = 0, out = 0;  // features
    bool fanInFanOut = false; // GPT-2 Conv1D: weight stored [in, out]
    at::Tensor *weight;       // undefined once the base is quantized
    std::shared_ptr<lora::LoraAdapter> *lora;
    std::optional<quant::QuantizedWeight> *quantized; // [out, in] even for Conv1D
};

// Runs one decoder block `block` (x [B, T, H] -> [B, T, H]) on x. The
// trainer's gradient checkpointing wraps every block through this hook.
using BlockFn = std::function<at::Tensor(const at::Tensor &)>;
using BlockRunner = std::function<at::Tensor(const BlockFn &block, const at::Tensor &x)>;

// Several samples packed into each row: positions restart at 0 for every
// sample and attention never crosses a sample boundary.
struct PackedLayout
{
    at::Tensor positions; // [B, T] int64
    at::Tensor segments;  // [B, T] int64, the sample number within the row
};

class CausalLM
{
public:
    virtual ~CausalLM() = default;

    const ModelConfig &config() const { return m_config; }

    // ids [B, T] int64 -> final hidden states [B, T, H] (after the last norm).
    // With a cache, positions continue from cache->length() and it is advanced.
    // `packed` (training, no cache) gives per-row positions and sample boundaries.
    virtual at::Tensor forwardHidden(const at::Tensor &ids, KvCache *cache = nullptr,
                                     const PackedLayout *packed = nullptr) = 0;

    // hidden [..., H] -> logits [..., V] in the model's dtype.
    virtual at::Tensor logits(const at::Tensor &hidden) = 0;

    at::Tensor forward(const at::Tensor &ids, KvCache *cache = nullptr)
    {
        return logits(forwardHidden(ids, cache));
    }

    // Every weight the checkpoint must provide (tied lm_head excluded).
    virtual std::vector<WeightSlot> weightSlots() = 0;

    // Checkpoint names that are known but carry nothing we use (mask buffers, rotary caches).
    virtual bool isIgnorableWeight(const std::string &name) const = 0;

    // Maps a checkpoint name spelled another way (e.g. GPT-2 Hub files without
    // the `transformer.` prefix) to the slot name; returns the input otherwise.
    virtual std::string canonicalWeightName(const std::string &name) const { return name; }

    // Every linear projection of the decoder blocks (never the LM head), in
    // layer order: what LoRA's "all-linear" adapts.
    virtual std::vector<AdaptableLinear> adaptableLinears() = 0;

    // Called after all slots were filled (ties embeddings, moves caches).
    virtual void finishLoading() {}

    // The slot name of the weight logits() multiplies by: lm_head.weight, or
    // the token embedding when tied. What the chunked loss must differentiate
    // in full fine-tuning.
    virtual std::string lmHeadWeightName() const = 0;

    // Every decoder block of forwardHidden then runs as runner(block, x);
    // an empty runner calls the block directly.
    void setBlockRunner(BlockRunner runner) { m_blockRunner = std::move(runner); }

    void setAttentionKernel(AttentionKernel kernel) { m_attention = kernel; }
    AttentionKernel attentionKernel() const { return m_attention; }

    // Casts and moves every weight.
    void to(at::ScalarType dtype, const at::Device &device);
    at::ScalarType dtype();
    at::Device device();

protected:
    explicit CausalLM(ModelConfig config) : m_config(std::move(config)) {}
    at::Tensor runBlock(const BlockFn &block, const at::Tensor &x) const
    {
        return m_blockRunner ? m_blockRunner(block, x) : block(x);
    }

    ModelConfig m_config;
    AttentionKernel m_attention = AttentionKernel::Sdpa;
    BlockRunner m_blockRunner;
};

// An empty (unfilled) model of the architecture named by config.modelType.
std::unique_ptr<CausalLM> createModel(const ModelConfig &config);

} // namespace headroom::model
