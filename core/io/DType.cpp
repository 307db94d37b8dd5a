// Name and size tables for DType. No parsing of anything but the name.
#include "io/DType.h"

#include "common/Error.h"

#include <string>

namespace headroom::io {

namespace {
struct DTypeRow
{
    DType type;
    std::string_view name;
    std::size_t size;
};

constexpr DTypeRow kRows[] = {
    {DType::BOOL, "BOOL", 1},       {DType::U8, "U8", 1},           {DType::I8, "I8", 1},
    {DType::F8_E5M2, "F8_E5M2", 1}, {DType::F8_E4M3, "F8_E4M3", 1}, {DType::I16, "I16", 2},
    {DType::U16, "U16", 2},         {DType::F16, "F16", 2},         {DType::BF16, "BF16", 2},
    {DType::I32, "I32", 4},         {DType::U32, "U32", 4},         {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},         {DType::I64, "I64", 8},         {DType::U64, "U64", 8},
};

const DTypeRow &row(DType type)
{
    for (const auto &r : kRows)
        if (r.type == type)
            return r;
    return kRows[0]; // unreachable: every enumerator has a row
}
} // namespace

std::string_view dtypeName(DType type)
{
    return row(type).name;
}

std::size_t dtypeSize(DType type)
{
    return row(type).size;
}

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (const auto &r : kRows)
        if (r.name == name)
            return r.type;
    return std::nullopt;
}

DType parseDType(std::string_view name)
{
    if (auto type = dtypeFromName(name))
        return *type;
    throw Error("unknown dtype `" + std::string(name) + "`");
}

} // namespace headroom::io
