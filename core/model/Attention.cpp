// SDPA and eager causal attention with grouped-query heads.
#include "model/Attention.h"

#include "common/Error.h"

#include <limits>

namespace headroom::model {

AttentionKernel parseAttentionKernel(const std::string &name)
{
    if (name == "sdpa")
        return AttentionKernel::Sdpa;
    if (name == "eager")
        return AttentionKernel::Eager;
    throw Error("attention `" + name + "` is not supported (supported: sdpa, eager)");
}

const char *attentionKernelName(AttentionKernel kernel)
{
    return kernel == AttentionKernel::Sdpa ? "sdpa" : "eager";
}

namespace {

// Boolean mask [T, S] (packed rows: [B, 1, T, S]), true where query t
// (absolute position past + t) may attend key s. Undefined when plain causal
// masking (or none) suffices.
at::Tensor buildMask(int64_t queries, int64_t keys, const AttentionOptions &options,
                     const at::Device &device)
{
    const bool window = options.slidingWindow && keys > *options.slidingWindow;
    const bool packed = options.segments.defined();
    if (options.pastLength == 0 && !window && !packed)
        return {};
    if (queries == 1 && !window)
        return {};
    auto opts = at::TensorOptions().dtype(at::kLong).device(device);
    auto queryPos =
        at::arange(options.pastLength, options.pastLength + queries, opts).unsqueeze(1); // [T, 1]
    auto keyPos = at::arange(0, keys, opts).unsqueeze(0);                                // [1, S]
    auto allowed = keyPos <= queryPos;
    if (window)
        allowed = allowed.logical_and(queryPos - keyPos < *options.slidingWindow);
    if (packed) {
        const auto &seg = options.segments;                            // [B, T]
        auto same = seg.unsqueeze(2) == seg.unsqueeze(1);              // [B, T, T]
        allowed = allowed.unsqueeze(0).logical_and(same).unsqueeze(1); // [B, 1, T, T]
    }
    return allowed;
}

// The most negative finite value of `type` (torch.finfo(dtype).min), which
// transformers adds at masked positions: -inf would make a fully masked row NaN.
double lowestFinite(at::ScalarType type)
{
    switch (type) {
    case at::kHalf:
        return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    case at::kBFloat16:
        return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    case at::kDouble:
        return std::numeric_limits<double>::lowest();
    default:
        return std::numeric_limits<float>::lowest();
    }
}

// [B, Hkv, S, D] -> [B, Hkv·groups, S, D], kv head h serving queries h·groups … (transformers'
// repeat_kv).
at::Tensor repeatKv(const at::Tensor &x, int64_t groups)
{
    if (groups == 1)
        return x;
    auto sizes = x.sizes();
    return x.unsqueeze(2)
        .expand({sizes[0], sizes[1], groups, sizes[2], sizes[3]})
        .reshape({sizes[0], sizes[1] * groups, sizes[2], sizes[3]});
}

at::Tensor eagerAttention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                          const AttentionOptions &options, const at::Tensor &mask)
{
    const int64_t groups = q.size(1) / k.size(1);
    auto keys = repeatKv(k, groups);
    auto values = repeatKv(v, groups);
    auto scores = at::matmul(q, keys.transpose(2, 3)) * options.scale; // [B, Hq, T, S]
    const int64_t queries = q.size(2), total = k.size(2);
    at::Tensor allowed = mask;
    if (!allowed.defined() && queries > 1) {
        auto opts = at::TensorOptions().dtype(at::kLong).device(q.device());
        allowed = at::arange(0, total, opts).unsqueeze(0) <=
                  at::arange(total - queries, total, opts).unsqueeze(1);
    }
    if (allowed.defined())
        scores = scores.masked_fill(allowed.logical_not(), lowestFinite(scores.scalar_type()));
    at::Tensor probabilities = options.softmaxInFp32
                                   ? at::softmax(scores, -1, at::kFloat).to(q.scalar_type())
                                   : at::softmax(scores, -1);
    if (options.dropout > 0)
        probabilities = at::dropout(probabilities, options.dropout, /*train=*/true);
    return at::matmul(probabilities, values); // [B, Hq, T, D]
}

} // namespace

at::Tensor causalAttention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                           const AttentionOptions &options)
{
    const int64_t queries = q.size(2), keys = k.size(2);
    auto mask = buildMask(queries, keys, options, q.device());
    if (options.kernel == AttentionKernel::Eager)
        return eagerAttention(q, k, v, options, mask);

    const bool isCausal = !mask.defined() && queries > 1;
    const bool grouped = q.size(1) != k.size(1);
    return at::scaled_dot_product_attention(
        q, k, v, mask.defined() ? std::optional<at::Tensor>(mask) : std::nullopt, options.dropout,
        isCausal, options.scale, grouped);
}

} // namespace headroom::model
