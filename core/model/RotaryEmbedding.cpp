// RoPE frequencies and rotation; formulas from transformers'
// modeling_rope_utils.py (_compute_default/linear/llama3_parameters).
#include "model/RotaryEmbedding.h"

#include <cmath>
#include <numbers>

namespace headroom::model {

namespace {

// inv_freq[i] = 1 / theta^(2i / D), computed as transformers does: the
// exponent from an int64 arange cast to fp32, the power in fp32.
at::Tensor defaultInverseFrequencies(int64_t dim, double theta)
{
    auto exponents = at::arange(0, dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(dim);
    return 1.0 / at::pow(theta, exponents);
}

at::Tensor llama3InverseFrequencies(at::Tensor invFreq, const RopeScaling &scaling)
{
    const double oldContext = static_cast<double>(scaling.originalMaxPositions);
    const double lowWavelength = oldContext / scaling.lowFreqFactor;
    const double highWavelength = oldContext / scaling.highFreqFactor;
    auto wavelength = 2 * std::numbers::pi / invFreq;
    // Long wavelengths are slowed by `factor`; short ones kept; between, blended.
    auto scaled = at::where(wavelength > lowWavelength, invFreq / scaling.factor, invFreq);
    auto smooth = (oldContext / wavelength - scaling.lowFreqFactor) /
                  (scaling.highFreqFactor - scaling.lowFreqFactor);
    auto smoothed = (1 - smooth) * scaled / scaling.factor + smooth * scaled;
    auto isMedium = (wavelength >= highWavelength).logical_and(wavelength <= lowWavelength);
    return at::where(isMedium, smoothed, scaled);
}

} // namespace

RotaryEmbedding::RotaryEmbedding(const ModelConfig &config)
{
    m_invFreq = defaultInverseFrequencies(config.headDim, config.ropeTheta);
    if (config.rope.type == "linear")
        m_invFreq = m_invFreq / config.rope.factor;
    else if (config.rope.type == "llama3")
        m_invFreq = llama3InverseFrequencies(m_invFreq, config.rope);
}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::cosSin(const at::Tensor &positions,
                                                          at::ScalarType dtype) const
{
    auto invFreq = m_invFreq.to(positions.device());
    auto freqs = positions.to(at::kFloat).unsqueeze(-1) * invFreq; // [(B,) T, D/2]
    auto angles = at::cat({freqs, freqs}, -1);                     // [(B,) T, D]
    return {angles.cos().to(dtype), angles.sin().to(dtype)};
}

at::Tensor RotaryEmbedding::apply(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin)
{
    const int64_t half = x.size(-1) / 2;
    auto rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1); // rotate_half
    if (cos.dim() == 3) // per-row positions [B, T, D] (packed rows) -> [B, 1, T, D]
        return x * cos.unsqueeze(1) + rotated * sin.unsqueeze(1);
    return x * cos + rotated * sin; // cos/sin [T, D] broadcast over [B, H, T, D]
}

} // namespace headroom::model
