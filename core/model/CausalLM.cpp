// Architecture registry and the weight-moving helpers shared by all models.
#include "model/CausalLM.h"

#include "common/Error.h"
#include "model/Gpt2Model.h"
#include "model/LlamaModel.h"

namespace headroom::model {

std::unique_ptr<CausalLM> createModel(const ModelConfig &config)
{
    if (config.family == Family::Gpt2)
        return std::make_unique<Gpt2Model>(config);
    return std::make_unique<LlamaModel>(config);
}

void CausalLM::to(at::ScalarType dtype, const at::Device &device)
{
    for (auto &slot : weightSlots())
        if (slot.tensor->defined())
            *slot.tensor = slot.tensor->to(device, dtype);
    // Adapters move with the model but keep their own dtype (often fp32 for training).
    for (auto &linear : adaptableLinears())
        if (auto &adapter = *linear.lora) {
            adapter->a = adapter->a.to(device);
            adapter->b = adapter->b.to(device);
        }
}

at::ScalarType CausalLM::dtype()
{
    return weightSlots().front().tensor->scalar_type();
}

at::Device CausalLM::device()
{
    return weightSlots().front().tensor->device();
}

} // namespace headroom::model
