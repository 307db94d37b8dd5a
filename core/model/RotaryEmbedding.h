// Rotary position embedding (RoPE) as transformers computes it: inverse
// frequencies for the default, `linear` and `llama3` scalings, angles in fp32,
// cos/sin cast to the activation dtype, half-split rotation (rotate_half).
// Not the interleaved-pair (GPT-J / llama.cpp NORM) form.
#pragma once

#include "model/ModelConfig.h"

#include <ATen/ATen.h>

namespace headroom::model {

class RotaryEmbedding
{
public:
    RotaryEmbedding() = default;
    explicit RotaryEmbedding(const ModelConfig &config);

    // positions [T] (or [B, T] for packed rows; int64) -> {cos, sin}, each
    // [T, D] (or [B, T, D]) in `dtype` on positions' device.
    std::pair<at::Tensor, at::Tensor> cosSin(const at::Tensor &positions,
                                             at::ScalarType dtype) const;

    // x [B, H, T, D] with cos/sin [T, D] or [B, T, D]: x·cos + rotate_half(x)·sin.
    static at::Tensor apply(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin);

    const at::Tensor &inverseFrequencies() const { return m_invFreq; }

private:
    at::Tensor m_invFreq; // [D/2] fp32, CPU
};

} // namespace headroom::model
