// Master weights and gradient bookkeeping; see TrainableParameters.h.
#include "train/TrainableParameters.h"

#include "common/Error.h"

#include <ATen/core/grad_mode.h>

#include <cmath>

namespace headroom::train {

TrainableParameters TrainableParameters::loraOf(model::CausalLM &model)
{
    TrainableParameters set;
    for (auto &linear : model.adaptableLinears()) {
        auto &adapter = *linear.lora;
        if (!adapter)
            continue;
        if (adapter->a.scalar_type() != at::kFloat)
            throw Error(linear.name + ": LoRA adapters are trained in fp32");
        adapter->a.requires_grad_(true);
        adapter->b.requires_grad_(true);
        // LoRA matrices get weight decay (PEFT + transformers' Trainer do).
        set.m_params.push_back({linear.name + ".lora_A.weight", adapter->a, adapter->a, true});
        set.m_params.push_back({linear.name + ".lora_B.weight", adapter->b, adapter->b, true});
    }
    if (set.m_params.empty())
        throw Error("LoRA is enabled but no adapter is attached");
    return set;
}

TrainableParameters TrainableParameters::allOf(model::CausalLM &model)
{
    TrainableParameters set;
    for (auto &slot : model.weightSlots()) {
        auto &tensor = *slot.tensor;
        if (!tensor.defined())
            throw Error(slot.name + ": a quantized weight cannot be fine-tuned; enable LoRA");
        tensor.requires_grad_(true);
        auto master = tensor.scalar_type() == at::kFloat
                          ? tensor
                          : tensor.detach().to(at::kFloat, false, /*copy=*/true);
        // transformers' Trainer: no decay for biases and normalisation weights (1-D).
        set.m_params.push_back({slot.name, tensor, master, tensor.dim() > 1});
    }
    return set;
}

TrainableParameters TrainableParameters::of(std::vector<TrainableParameter> params)
{
    TrainableParameters set;
    set.m_params = std::move(params);
    return set;
}

std::vector<at::Tensor> TrainableParameters::masters(bool decaying) const
{
    std::vector<at::Tensor> out;
    for (const auto &p : m_params)
        if (p.decays == decaying)
            out.push_back(p.master);
    return out;
}

int64_t TrainableParameters::numel() const
{
    int64_t n = 0;
    for (const auto &p : m_params)
        n += p.master.numel();
    return n;
}

void TrainableParameters::accumulateIntoMasters()
{
    at::NoGradGuard noGrad;
    for (auto &p : m_params) {
        if (!p.hasSeparateMaster() || !p.model.grad().defined())
            continue;
        auto grad = p.model.grad().to(at::kFloat); // a new fp32 tensor: the model is not fp32
        if (p.master.grad().defined())
            p.master.mutable_grad().add_(grad);
        else
            p.master.mutable_grad() = grad;
        p.model.mutable_grad().reset();
    }
}

void TrainableParameters::unscaleGradients(double factor)
{
    scaleGradients(1.0 / factor);
}

double TrainableParameters::gradientNorm() const
{
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> grads;
    for (const auto &p : m_params)
        if (p.master.grad().defined())
            grads.push_back(p.master.grad());
    if (grads.empty())
        return 0.0;
    auto norms = at::_foreach_norm(grads, 2); // per tensor, fp32
    return at::linalg_vector_norm(at::stack(norms), 2).item<double>();
}

void TrainableParameters::scaleGradients(double factor)
{
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> grads;
    for (const auto &p : m_params)
        if (p.master.grad().defined())
            grads.push_back(p.master.grad());
    if (!grads.empty() && factor != 1.0)
        at::_foreach_mul_(grads, at::Scalar(factor));
}

void TrainableParameters::copyMastersToModel()
{
    at::NoGradGuard noGrad;
    for (auto &p : m_params)
        if (p.hasSeparateMaster())
            p.model.copy_(p.master);
}

void TrainableParameters::zeroGradients()
{
    at::NoGradGuard noGrad;
    for (auto &p : m_params) {
        if (!m_residentGradients)
            p.master.mutable_grad().reset();
        else if (p.master.grad().defined())
            p.master.mutable_grad().zero_();
        if (p.hasSeparateMaster())
            p.model.mutable_grad().reset();
    }
}

} // namespace headroom::train
