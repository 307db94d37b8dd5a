// Dynamic loss scaling for fp16 compute, as torch.amp.GradScaler: the loss
// is multiplied by `scale` before backward so small fp16 gradients do not
// flush to zero; gradients are divided by it before the optimizer step. A
// step whose gradients overflowed (Inf/NaN) is skipped and the scale halved;
// after `growthInterval` clean steps it doubles. bf16 and fp32 need none of
// this (scale stays 1, enabled = false).
#pragma once

#include <cstdint>

namespace headroom::train {

class LossScaler
{
public:
    explicit LossScaler(bool enabled) : m_enabled(enabled), m_scale(enabled ? 65536.0 : 1.0) {}

    bool enabled() const { return m_enabled; }
    double scale() const { return m_scale; }

    // After a step's gradients were checked: grows or backs off the scale.
    void update(bool gradientsFinite);

    // Checkpoint state.
    int64_t cleanSteps() const { return m_cleanSteps; }
    void restore(double scale, int64_t cleanSteps)
    {
        m_scale = scale;
        m_cleanSteps = cleanSteps;
    }

    static constexpr int64_t kGrowthInterval = 2000; // GradScaler defaults
    static constexpr double kMinScale = 1.0 / 65536.0;

private:
    bool m_enabled;
    double m_scale;
    int64_t m_cleanSteps = 0;
};

} // namespace headroom::train
