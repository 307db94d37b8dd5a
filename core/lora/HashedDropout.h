// Dropout whose mask is a pure function of (seed, element index): backward
// draws it again from the seed instead of keeping it. PEFT's nn.Dropout keeps
// an fp32 copy of the dropped input for A's gradient and, on the CPU, a second
// fp32 tensor of bernoulli noise — 8 bytes per input element per adapter —
// and ATen's bernoulli kernel is serial on non-Intel CPUs. Here the mask costs
// no memory and is drawn in parallel.
//
// Element i of a tensor of n elements is kept iff mix(mix(i ^ lo) ^ hi) >=
// round(p · 2^32), lo/hi the two 32-bit halves of the seed and mix the 32-bit
// integer hash x ^= x >> 16; x *= 0x45d9f3b; x ^= x >> 16; x *= 0x45d9f3b;
// x ^= x >> 16 (mod 2^32). Every product stays below 2^63, so the same
// function in ATen integer ops runs on any device and gives the same mask.
// Kept elements are scaled by 1 / (1 − p), as nn.Dropout.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace headroom::lora {

// A fresh seed from the CPU's default generator, whatever the device (no
// synchronisation; gradient checkpointing saves and restores that generator
// for every block, so a recomputed block draws the same seed again).
uint64_t drawDropoutSeed();

// x (any float dtype, any shape) -> `out` [same shape], contiguous: the
// cast and the dropout in one pass on the CPU (fp32 from any float dtype, bf16
// from bf16), the product computed in fp32 and rounded once. p in [0, 1).
at::Tensor hashedDropout(const at::Tensor &x, double p, uint64_t seed, at::ScalarType out);

// The same mask applied in place to a contiguous fp32 or bf16 tensor (the gradient).
void hashedDropoutInPlace(at::Tensor &values, double p, uint64_t seed);

// The multiplier itself, fp32 [sizes] of 0 and 1 / (1 − p), computed with ATen
// integer ops on `device` (the reference of the CPU loop, and the path of
// other devices).
at::Tensor hashedDropoutScale(at::IntArrayRef sizes, double p, uint64_t seed,
                              const at::Device &device);

} // namespace headroom::lora
