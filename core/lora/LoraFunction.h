// The LoRA branch as one autograd node: y = base + scaling · dropout(x) Aᵀ Bᵀ,
// returned in the base output's dtype. With fp32 activations this is PEFT's
// Linear.forward to the last bit. With bf16 / fp16 activations the two small
// matmuls run in that dtype with fp32 accumulation, as they do under
// torch.autocast (Trainer's bf16=True), where PEFT's default casts x up to the
// fp32 adapter: on the CPU those skinny fp32 products and casts were a sixth
// of a LoRA step; A and B themselves and their gradients stay fp32.
// What also differs is what backward keeps:
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
