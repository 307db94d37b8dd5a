// A PEFT LoRA adapter folder read without a model (SPECS.md §4.6–4.7): the
// settings of adapter_config.json and, per adapted module, lora_A [r, in] and
// lora_B [out, r] as fp32 tensors. The one reader of adapter folders: the
// exporters copy or merge what it returns, loadPeftAdapter attaches it to a
// model. Refuses what neither can apply faithfully (DoRA, per-module ranks,
// extra trained modules, LoRA biases) and pickle adapters (they can run code).
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace headroom::lora {

struct AdapterModule
{
    at::Tensor a; // lora_A.weight [r, in], fp32
    at::Tensor b; // lora_B.weight [out, r], fp32
};

struct AdapterWeights
{
    nlohmann::json config; // adapter_config.json as written
    int64_t r = 0;
    double alpha = 0;
    bool rslora = false;
    bool fanInFanOut = false;
    double dropout = 0;               // lora_dropout
    std::string baseModel;            // base_model_name_or_path, "" when absent
    std::vector<std::string> targets; // target_modules when a list
    // Keyed by module path ("model.layers.0.self_attn.q_proj").
    std::map<std::string, AdapterModule> modules;

    // alpha / r, or alpha / sqrt(r) with rsLoRA (PEFT's scaling).
    double scaling() const;
};

// Throws headroom::Error naming adapter_config.json or adapter_model.safetensors
// and the field or tensor at fault (a truncated file is refused by the
// safetensors reader).
AdapterWeights readAdapterWeights(const std::filesystem::path &folder);

// "base_model.model.<path>.lora_A.weight" for module `path` and `which` "A"/"B".
std::string adapterTensorName(const std::string &modulePath, char which);

} // namespace headroom::lora
