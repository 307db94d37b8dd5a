// Gradient (activation) checkpointing for one decoder block (DESIGN.md trap
// 2), the reentrant variant of torch.utils.checkpoint: `fn` runs under
// no-grad in forward, the autograd node keeps only its input tensors (and the
// non-tensor arguments `fn` captured), and backward re-runs `fn` with grad
// enabled on detached inputs and backpropagates through the recomputation.
// The CPU RNG state (and that of every CUDA device an input lives on) is saved
// before the forward and restored around the recomputation, so dropout draws
// the same masks; the RNG stream seen by the rest of the step is unchanged.
//
// Like reentrant checkpointing, the weights `fn` uses receive their gradient
// by accumulation into `.grad()` (Tensor::backward), not through
// torch::autograd::grad(). Deliberately not here: autocast-state replay, the
// KV cache (training does not use it), non-tensor outputs, several outputs.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <vector>

namespace headroom::train {

// inputs -> one output tensor. Capture everything else (layer index, cos, sin).
using CheckpointFn = std::function<at::Tensor(const std::vector<at::Tensor> &)>;

// Runs fn(inputs) keeping only `inputs` for backward. With grad mode off it
// simply calls fn. When no input requires grad (frozen embeddings with LoRA),
// the first floating input is replaced by an alias that does, so the node
// exists and the weights inside `fn` still get gradients (what transformers'
// enable_input_require_grads does). `preserveRngState` = false skips the RNG
// save/restore (only correct when fn draws no random numbers).
at::Tensor checkpoint(const CheckpointFn &fn, const std::vector<at::Tensor> &inputs,
                      bool preserveRngState = true);

// The common case of a block with one input x [B, T, H] -> [B, T, H].
at::Tensor checkpoint(const std::function<at::Tensor(const at::Tensor &)> &fn, const at::Tensor &x,
                      bool preserveRngState = true);

} // namespace headroom::train
