// AdamW with torch.optim.AdamW semantics (decoupled weight decay p *= 1 - lr·wd,
// bias-corrected moments, fp32 state), run by ATen's fused multi-tensor kernel
// (`_fused_adamw_`, CPU and CUDA). Deliberately no amsgrad, no maximize, no
// capturable/graph mode and no mixed-dtype parameters: master params are fp32.
#pragma once

#include "optim/Optimizer.h"

namespace headroom::optim {

struct AdamWOptions
{
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 1e-2; // torch.optim.AdamW's default
};

class AdamW final : public Optimizer
{
public:
    // Every parameter must be a floating tensor; state matches its dtype and
    // device. Throws headroom::Error otherwise.
    AdamW(std::vector<at::Tensor> parameters, AdamWOptions options = {});

    const std::vector<at::Tensor> &parameters() const override { return m_params; }
    void step(double lr) override;
    int64_t stateBytes() const override;
    // Keys per parameter i: "i.step" (fp32 scalar, as torch), "i.exp_avg",
    // "i.exp_avg_sq".
    StateDict stateDict() const override;
    void loadStateDict(const StateDict &state) override;

    const AdamWOptions &options() const { return m_options; }

    // What stateBytes() adds for one parameter of `numel` elements, without
    // tensors (for the memory estimator): m and v in the parameter's dtype
    // plus the fp32 step scalar.
    static int64_t stateBytesFor(int64_t numel, int64_t elementSize = 4)
    {
        return 2 * numel * elementSize + 4;
    }

private:
    struct State
    {
        at::Tensor step; // fp32 scalar on the parameter's device (what the kernel reads)
        at::Tensor expAvg;
        at::Tensor expAvgSq;
    };

    std::vector<at::Tensor> m_params;
    std::vector<State> m_state; // step undefined until the parameter's first step
    AdamWOptions m_options;
};

} // namespace headroom::optim
