// A map of named tensors to and from one .safetensors file, for files that
// are ours (trainer checkpoints: trainable weights, optimizer states, RNG
// states). Writes atomically; reads into owned CPU tensors, so the file may
// close. Checkpoints of models are read by ModelLoader, not here.
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <string>

namespace headroom::model {

using NamedTensors = std::map<std::string, at::Tensor>;

// Any device, any layout; copies to contiguous CPU tensors to write.
void saveTensorFile(const std::filesystem::path &file, const NamedTensors &tensors);

// Errors name the file (missing, truncated, a dtype LibTorch cannot hold).
NamedTensors loadTensorFile(const std::filesystem::path &file);

} // namespace headroom::model
