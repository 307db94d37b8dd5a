// Element types of safetensors tensors: names as written in the header and
// byte sizes. Does not convert between types (see GgufDequant for fp16/bf16).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace headroom::io {

// SPECS.md §5.2. Sub-byte and exotic newer dtypes (F4, F6_*, F8_E8M0, C64) are
// deliberately absent: a file that uses them is refused by name rather than
// misread.
enum class DType {
    BOOL,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
};

// Every value of DType, for tests and tables.
inline constexpr DType kAllDTypes[] = {
    DType::BOOL, DType::U8,  DType::I8,  DType::F8_E5M2, DType::F8_E4M3,
    DType::I16,  DType::U16, DType::F16, DType::BF16,    DType::I32,
    DType::U32,  DType::F32, DType::F64, DType::I64,     DType::U64,
};

std::string_view dtypeName(DType type);
std::size_t dtypeSize(DType type);

// nullopt for a name we do not know.
std::optional<DType> dtypeFromName(std::string_view name);
// Throws headroom::Error "unknown dtype `X`" (callers prefix the file and tensor).
DType parseDType(std::string_view name);

} // namespace headroom::io
