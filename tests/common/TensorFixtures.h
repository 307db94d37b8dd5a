// Reads tensors of a fixture .safetensors file into LibTorch tensors (copies,
// so the file can close), compares tensors with a readable report, and makes
// seeded random tensor sets.
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace headroom::test {

std::map<std::string, at::Tensor> readSafetensors(const std::filesystem::path &file);

// Largest |a - b| as a double (both cast to fp32).
double maxAbsDifference(const at::Tensor &a, const at::Tensor &b);

// max |a − b| / max |b|, in double precision.
double maxRelativeDifference(const at::Tensor &a, const at::Tensor &b);

// fp32 tensors of normal random values in `shapes`, from a CPU generator
// seeded with `seed`, so every run and device starts from the same values.
std::vector<at::Tensor> randomTensors(const std::vector<std::vector<int64_t>> &shapes,
                                      uint64_t seed);

// A deep copy of each tensor.
std::vector<at::Tensor> clones(const std::vector<at::Tensor> &tensors);

} // namespace headroom::test
