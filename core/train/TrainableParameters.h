// The tensors a run trains and their fp32 master copies. With LoRA these are
// the adapters' A and B (created in fp32, so the model computes with the
// master itself); in full fine-tuning every weight of the model, which then
// computes in bf16/fp16 while the optimizer updates an fp32 master copy —
// mixed precision with fp32 trainable parameters. Gradients of the compute
// copies are accumulated into fp32 master gradients after every micro-batch,
// so accumulation over many micro-batches does not round in bf16.
#pragma once

#include "model/CausalLM.h"

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace headroom::train {

struct TrainableParameter
{
    std::string name;   // PEFT module path + ".lora_A.weight", or the checkpoint name
    at::Tensor model;   // what the forward reads (requires grad)
    at::Tensor master;  // fp32; the same tensor as `model` when that is fp32
    bool decays = true; // weight decay applies (not to biases and norms, as transformers)

    bool hasSeparateMaster() const { return !model.is_same(master); }
};

class TrainableParameters
{
public:
    // LoRA: every attached adapter's A and B (the adapters must be fp32).
    static TrainableParameters loraOf(model::CausalLM &model);
    // Full fine-tuning: every weight slot; fp32 masters for lower-precision weights.
    static TrainableParameters allOf(model::CausalLM &model);
    // Any other set (tests); each `model` must be a leaf that requires grad.
    static TrainableParameters of(std::vector<TrainableParameter> params);

    const std::vector<TrainableParameter> &list() const { return m_params; }
    std::vector<at::Tensor> masters(bool decaying) const; // one weight-decay group
    int64_t numel() const;

    // After a micro-batch's backward: moves compute-copy gradients into the
    // fp32 master gradients (master.grad += model.grad) and drops them.
    void accumulateIntoMasters();
    // Divides every master gradient by `factor` (loss-scale removal).
    void unscaleGradients(double factor);
    // L2 norm of all master gradients together (fp32, on the host), NaN/Inf
    // when any gradient element is.
    double gradientNorm() const;
    // Multiplies every master gradient by `factor` (clipping).
    void scaleGradients(double factor);
    // After the optimizer step: compute copies take the new master values.
    void copyMastersToModel();
    // Drops the gradients; resident master gradients are zeroed in place instead.
    void zeroGradients();
    // The master gradients are views into buffers someone else owns
    // (GradientBuckets): from now on they are never dropped, only zeroed.
    void keepGradientsResident() { m_residentGradients = true; }

private:
    std::vector<TrainableParameter> m_params;
    bool m_residentGradients = false;
};

} // namespace headroom::train
