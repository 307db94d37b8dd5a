// LoRA on a whole model, in Hugging Face PEFT's terms: which linear modules a
// `target_modules` setting selects (SPECS.md §4.5), attaching fresh adapters,
// the PEFT adapter folder (adapter_config.json + adapter_model.safetensors,
// §4.6–4.7) written and read, and merging adapters into the base weights.
// Does not train (the trainer does) and writes no GGUF adapters.
#pragma once

#include "lora/LoraAdapter.h"
#include "model/CausalLM.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace headroom::lora {

// PEFT's matching: a module path matches a target name when it equals it or
// ends with "." + name. An empty list means "all-linear" (every decoder-block
// projection, never the LM head).
bool matchesTarget(const std::string &modulePath, const std::vector<std::string> &targets);

// Attaches a fresh adapter (B = 0, so outputs are unchanged) to every matching
// linear and returns their module paths. A target that matches nothing is an
// Error naming it and listing the module names the model has. Adapters are
// created in `dtype` on the model's device.
std::vector<std::string> attachLora(model::CausalLM &model, const LoraSettings &settings,
                                    const std::vector<std::string> &targets,
                                    at::ScalarType dtype = at::kFloat,
                                    std::optional<at::Generator> generator = std::nullopt);

// Puts every adapter in training (dropout on) or evaluation mode.
void setLoraTraining(model::CausalLM &model, bool training);

struct PeftAdapterInfo
{
    std::string baseModel; // base_model_name_or_path
    LoraSettings settings;
    std::vector<std::string> targets; // as written to target_modules (short names)
};

// Writes `folder`/adapter_config.json and adapter_model.safetensors atomically,
// keys `base_model.model.<module path>.lora_A.weight` / `lora_B.weight`.
void savePeftAdapter(model::CausalLM &model, const std::filesystem::path &folder,
                     const PeftAdapterInfo &info);

// Reads a PEFT LoRA adapter folder and attaches its adapters. Errors name the
// file and the field (unsupported peft_type, DoRA, shapes that do not fit).
PeftAdapterInfo loadPeftAdapter(model::CausalLM &model, const std::filesystem::path &folder);

// W += ΔW for every adapter (transposed for Conv1D), computed in fp32 and cast
// back to W's dtype, then removes the adapters.
void mergeLora(model::CausalLM &model);

} // namespace headroom::lora
