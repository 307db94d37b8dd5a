// GGUF tensor data to float32 for the block formats in SPECS.md §7.2 (F32,
// F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K), plus the reference Q8_0/Q4_0
// quantizers and F16/BF16 packing for tests and export. Does not implement
// K-quant quantization (scale search) or the IQ formats.
#pragma once

#include "io/GgufFile.h"

#include <cstddef>
#include <span>
#include <vector>

namespace headroom::io {

bool canDequantize(uint32_t ggmlType);

// Decodes `dst.size()` elements (a multiple of the type's block size) from
// `src` (exactly the bytes of those blocks). Throws headroom::Error for an
// unsupported type or mismatched sizes.
void dequantizeInto(uint32_t ggmlType, std::span<const std::byte> src, std::span<float> dst);

// The whole tensor; errors are "<file>: tensor `x`: type Q5_K is not supported ...".
std::vector<float> dequantize(const GgufFile &file, const GgufTensorInfo &tensor);

// Reference quantizers of ggml-quants.c / gguf-py quants.py. `values.size()`
// must be a multiple of 32 (throws otherwise).
std::vector<std::byte> quantizeQ8_0(std::span<const float> values);
std::vector<std::byte> quantizeQ4_0(std::span<const float> values);
std::vector<std::byte> packF16(std::span<const float> values);
std::vector<std::byte> packBF16(std::span<const float> values);
std::vector<std::byte> packF32(std::span<const float> values);

} // namespace headroom::io
