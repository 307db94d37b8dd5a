// Builds a ready-to-run CausalLM from what the user pointed at: a Hugging
// Face folder (safetensors, possibly sharded) or a GGUF file (dequantized).
// Every weight is checked against the shape config.json implies; missing or
// unexpected tensors are errors naming the file. Never reads pickle files.
#pragma once

#include "io/ModelSource.h"
#include "model/CausalLM.h"

#include <memory>

namespace headroom::model {

struct LoadOptions
{
    at::ScalarType dtype = at::kFloat; // compute dtype of the weights
    at::Device device = at::kCPU;
    AttentionKernel attention = AttentionKernel::Sdpa;
};

// config.json (or its GGUF equivalent) only; no weights are read.
ModelConfig loadModelConfig(const io::ModelSource &source);

std::unique_ptr<CausalLM> loadModel(const io::ModelSource &source, const LoadOptions &options = {});

// "auto" (the first CUDA device when there is one, else the CPU) | "cpu" |
// "cuda" | "cuda:N"; an unavailable device is an Error saying what there is.
at::Device parseDevice(const std::string &name);

// "float32" | "fp32" | "bfloat16" | "bf16" | "float16" | "fp16" -> dtype; anything else is an
// Error.
at::ScalarType parseDtype(const std::string &name);

} // namespace headroom::model
