// LoRA forward, merge delta and PEFT initialisation.
#include "lora/LoraAdapter.h"

#include "common/Error.h"
#include "lora/LoraFunction.h"

#include <cmath>

namespace headroom::lora {

double loraScaling(const LoraSettings &settings)
{
    const double r = static_cast<double>(settings.r);
    return settings.rslora ? settings.alpha / std::sqrt(r) : settings.alpha / r;
}

at::Tensor LoraAdapter::addTo(const at::Tensor &baseOutput, const at::Tensor &x) const
{
    return loraAdd(baseOutput, x, a, b, scaling, training ? dropout : 0.0);
}

at::Tensor LoraAdapter::deltaWeight() const
{
    return at::matmul(b.to(at::kFloat), a.to(at::kFloat)) * scaling; // [out, in]
}

LoraAdapter createLoraAdapter(int64_t in, int64_t out, const LoraSettings &settings,
                              at::ScalarType dtype, const at::Device &device,
                              std::optional<at::Generator> generator)
{
    if (settings.r <= 0)
        throw Error("LoRA rank r must be positive, got " + std::to_string(settings.r));
    LoraAdapter adapter;
    // kaiming_uniform_(a=√5) on [r, in]: gain √(2/(1+5)), bound gain·√(3/fan_in) = 1/√in.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    adapter.a = at::empty({settings.r, in}, at::TensorOptions().dtype(at::kFloat));
    adapter.a.uniform_(-bound, bound, generator);
    adapter.a = adapter.a.to(device, dtype);
    adapter.b = at::zeros({out, settings.r}, at::TensorOptions().dtype(dtype).device(device));
    adapter.scaling = loraScaling(settings);
    adapter.dropout = settings.dropout;
    return adapter;
}

} // namespace headroom::lora
