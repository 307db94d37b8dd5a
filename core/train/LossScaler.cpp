// GradScaler's update rule; see LossScaler.h.
#include "train/LossScaler.h"

namespace headroom::train {

void LossScaler::update(bool gradientsFinite)
{
    if (!m_enabled)
        return;
    if (!gradientsFinite) {
        m_scale *= 0.5;
        m_cleanSteps = 0;
        return;
    }
    if (++m_cleanSteps == kGrowthInterval) {
        m_scale *= 2.0;
        m_cleanSteps = 0;
    }
}

} // namespace headroom::train
