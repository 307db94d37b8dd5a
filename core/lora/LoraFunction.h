// The LoRA branch as one autograd node: y = base + scaling · dropout(x) Aᵀ Bᵀ,
// computed in the adapter's dtype (fp32 for trained adapters, as PEFT's
// autocast_adapter_dtype) and returned in the base output's dtype — the same
// arithmetic as PEFT's Linear.forward. What differs is what backward keeps:
// PEFT's graph holds an fp32 copy of x per adapter (a second fp32 tensor of
// noise with dropout on the CPU), so seven adapters per block keep up to
// 8 bytes per input element each. This node keeps x as it came (the layer's
// input, usually alive for other nodes anyway) and A's output [N, r]; the
// dropout mask is drawn again from its seed (HashedDropout) and the fp32
// cast is redone in backward.
#pragma once

#include <ATen/ATen.h>

namespace headroom::lora {

// baseOutput [..., out] (any float dtype), x [..., in], a [r, in], b [out, r].
// dropout in [0, 1): 0 outside training. Differentiable with respect to x,
// baseOutput, a and b.
at::Tensor loraAdd(const at::Tensor &baseOutput, const at::Tensor &x, const at::Tensor &a,
                   const at::Tensor &b, double scaling, double dropout);

} // namespace headroom::lora
