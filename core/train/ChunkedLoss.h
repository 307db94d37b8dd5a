// The causal-LM loss of transformers' ForCausalLMLoss (SPECS.md §8.1), computed
// in chunks of positions so that the [B, T, V] logits tensor, its fp32 copy and
// its gradient never exist at once (DESIGN.md trap 7). A custom autograd
// function keeps only the hidden states and the target indices. With a frozen
// head (LoRA) the forward also computes the hidden states' gradient chunk by
// chunk while each chunk's logits exist and keeps it ([B·T, H]), so the head's
// matmul runs once; with a trained head backward recomputes each chunk's
// logits and writes the gradients of the hidden states and of the head's
// trainable tensors chunk by chunk.
//
// It returns the *sum* over target tokens and their count, not a mean: the
// trainer divides by the target-token count of all micro-batches of the
// optimizer step (trap 3, transformers' `num_items_in_batch` path). It
// deliberately does no label smoothing, no z-loss and no normalisation.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <vector>

namespace headroom::train {

inline constexpr int64_t kIgnoreIndex = -100;

// hidden [..., H] -> logits [..., V]; e.g. CausalLM::logits.
using LmHead = std::function<at::Tensor(const at::Tensor &)>;

struct LossSum
{
    at::Tensor sum;           // [] fp32: Σ cross-entropy over target tokens, differentiable
    int64_t targetTokens = 0; // tokens that had a target (labels after the shift != -100)
};

struct ChunkedLossOptions
{
    // Target positions per chunk; the loss's transient peak is about
    // chunk·V·(4 + 4 + dtype) bytes: 194 MB at 128 for Qwen2's 151,936-row
    // head in bf16, where 1024 took 1.5 GB and, with gradient checkpointing,
    // most of the step's peak. 128 rows still keep the head's matmul efficient.
    // memory::estimateMemory assumes this value.
    int64_t chunkTokens = 128;
};

// labels [B, T] aligned with the ids: the number of tokens ForCausalLMLoss
// counts after shifting left by one (the first position of each row never is
// a target). Sum it over the micro-batches of a step to get num_items_in_batch.
int64_t countTargetTokens(const at::Tensor &labels);

// hidden [B, T, H] (the final hidden states, after the last norm), labels
// [B, T] int64 aligned with the ids (-100 = ignored). `headTensors` are the
// tensors `head` reads that may need a gradient (lm_head.weight, or the tied
// embedding); frozen ones may be passed or left out. The hidden states and
// those tensors receive exact gradients; positions without a target get zero.
LossSum chunkedCausalLmLoss(const at::Tensor &hidden, const at::Tensor &labels, const LmHead &head,
                            const std::vector<at::Tensor> &headTensors,
                            const ChunkedLossOptions &options = {});

// The reference: the same sum from full logits [B, T, V] (any dtype, upcast to
// fp32 as transformers does). Materialises everything; for tests and for
// scoring short inputs.
LossSum fullCausalLmLoss(const at::Tensor &logits, const at::Tensor &labels);

} // namespace headroom::train
