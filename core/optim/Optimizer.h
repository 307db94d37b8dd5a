// The optimizer interface the trainer sees: fp32 master parameters with
// gradients, one step per call with the learning rate of the schedule, the
// bytes its state holds (for the memory estimator) and its state as named
// tensors (for checkpoints). Deliberately no learning-rate schedule, no
// gradient clipping or scaling and no parameter groups: the trainer owns those.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace headroom::optim {

// Checkpoint form of an optimizer's state: "<parameter index>.<field>" -> tensor.
using StateDict = std::map<std::string, at::Tensor>;

class Optimizer
{
public:
    virtual ~Optimizer() = default;

    // The parameters in the order given at construction (the indices of the
    // state dict). Tensors share storage with the caller's.
    virtual const std::vector<at::Tensor> &parameters() const = 0;

    // One update of every parameter that has a gradient; parameters without a
    // gradient (undefined grad) are skipped and their step count stays.
    virtual void step(double lr) = 0;

    // Drops the gradients (set to undefined, as torch's set_to_none=True).
    void zeroGrad()
    {
        for (const auto &p : parameters())
            p.mutable_grad().reset();
    }

    // Bytes of every state tensor currently allocated (state is created lazily
    // at a parameter's first step, as torch does).
    virtual int64_t stateBytes() const = 0;

    // Copies of the state tensors (CPU or the parameters' device, as stored).
    virtual StateDict stateDict() const = 0;
    // Replaces the state; throws headroom::Error naming the key at fault when
    // a tensor is missing or has the wrong shape or dtype.
    virtual void loadStateDict(const StateDict &state) = 0;
};

} // namespace headroom::optim
