// Reads tensors of a fixture .safetensors file into LibTorch tensors (copies,
// so the file can close), and compares tensors with a readable report.
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <string>

namespace headroom::test {

std::map<std::string, at::Tensor> readSafetensors(const std::filesystem::path &file);

// Largest |a - b| as a double (both cast to fp32).
double maxAbsDifference(const at::Tensor &a, const at::Tensor &b);

// max |a − b| / max |b|, in double precision.
double maxRelativeDifference(const at::Tensor &a, const at::Tensor &b);

} // namespace headroom::test
