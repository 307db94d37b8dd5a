// One LoRA adapter on one linear layer, exactly as Hugging Face PEFT defines
// it (SPECS.md §4): y = base(x) + B(A(dropout(x))) · scaling, A initialised
// Kaiming-uniform, B zero, scaling alpha/r or alpha/√r (rsLoRA). Holds only
// the two small matrices; attaching adapters to a model and the PEFT file
// format live in PeftAdapter.
#pragma once

#include <ATen/ATen.h>

namespace headroom::lora {

struct LoraSettings
{
    int64_t r = 16;
    double alpha = 32;
    double dropout = 0.0;
    bool rslora = false;
};

// alpha / r, or alpha / sqrt(r) with rsLoRA.
double loraScaling(const LoraSettings &settings);

struct LoraAdapter
{
    at::Tensor a; // lora_A.weight [r, in]
    at::Tensor b; // lora_B.weight [out, r]
    double scaling = 1.0;
    double dropout = 0.0;  // on the adapter's input only; the base sees x unchanged
    bool training = false; // dropout is active only while training

    // The adapter's contribution added to `baseOutput` [..., out] for input
    // x [..., in]: x is cast to A's dtype, the sum cast back to the base's
    // dtype, as PEFT's Linear.forward does (one autograd node: LoraFunction).
    at::Tensor addTo(const at::Tensor &baseOutput, const at::Tensor &x) const;

    // ΔW = B A · scaling [out, in], computed in fp32 (PEFT merges in fp32).
    at::Tensor deltaWeight() const;
};

// A fresh adapter as PEFT's init_lora_weights=True: A ~ U(−1/√in, 1/√in)
// (kaiming_uniform_ with a = √5), B = 0, so the model starts unchanged.
LoraAdapter createLoraAdapter(int64_t in, int64_t out, const LoraSettings &settings,
                              at::ScalarType dtype, const at::Device &device,
                              std::optional<at::Generator> generator = std::nullopt);

} // namespace headroom::lora
