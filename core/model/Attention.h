// Causal self-attention kernels over already-projected heads. Two paths:
// LibTorch's scaled-dot-product attention (flash / memory-efficient kernels
// on CUDA, never materialises the T×S score matrix there) and the eager path
// that materialises scores exactly as transformers' eager_attention_forward.
// Projections, RoPE and the KV cache live in the architectures.
#pragma once

#include <ATen/ATen.h>

#include <optional>
#include <string>

namespace headroom::model {

enum class AttentionKernel { Sdpa, Eager };

AttentionKernel parseAttentionKernel(const std::string &name); // "sdpa" | "eager"
const char *attentionKernelName(AttentionKernel kernel);

struct AttentionOptions
{
    AttentionKernel kernel = AttentionKernel::Sdpa;
    double scale = 0.0;     // multiplies q·kᵀ
    int64_t pastLength = 0; // cached keys before this call's queries
    std::optional<int64_t> slidingWindow;
    bool softmaxInFp32 = true; // Llama family: softmax in fp32; GPT-2 eager: input dtype
    double dropout = 0.0;      // attention-probability dropout (training only)
    // Packed rows: [B, T] int64 numbering the samples of each row; a token
    // attends only to earlier tokens of its own sample. Undefined: one
    // sequence per row. Training only (no KV cache).
    at::Tensor segments;
};

// q [B, Hq, T, D], k/v [B, Hkv, S, D] with S = pastLength + T and Hq a
// multiple of Hkv (grouped-query attention) -> [B, Hq, T, D].
at::Tensor causalAttention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                           const AttentionOptions &options);

} // namespace headroom::model
