// The one mapping between safetensors element types (io::DType) and LibTorch
// scalar types, for every reader and writer of tensors. Does not convert data.
#pragma once

#include "io/DType.h"

#include <c10/core/ScalarType.h>

#include <string>

namespace headroom::model {

// Throws headroom::Error "<where>: dtype X has no LibTorch equivalent" for
// types LibTorch cannot hold (unsigned 16/32/64-bit, fp8 variants).
c10::ScalarType scalarTypeOf(io::DType dtype, const std::string &where);

// Throws headroom::Error "<where>: dtype X cannot be saved" for types
// safetensors has no name for here.
io::DType fileDTypeOf(c10::ScalarType type, const std::string &where);

} // namespace headroom::model
