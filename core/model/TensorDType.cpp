// io::DType <-> c10::ScalarType.
#include "model/TensorDType.h"

#include "common/Error.h"

namespace headroom::model {

c10::ScalarType scalarTypeOf(io::DType dtype, const std::string &where)
{
    switch (dtype) {
    case io::DType::F32:
        return c10::kFloat;
    case io::DType::F16:
        return c10::kHalf;
    case io::DType::BF16:
        return c10::kBFloat16;
    case io::DType::F64:
        return c10::kDouble;
    case io::DType::I8:
        return c10::kChar;
    case io::DType::U8:
        return c10::kByte;
    case io::DType::I16:
        return c10::kShort;
    case io::DType::I32:
        return c10::kInt;
    case io::DType::I64:
        return c10::kLong;
    case io::DType::BOOL:
        return c10::kBool;
    default:
        throw Error(where + ": dtype " + std::string(io::dtypeName(dtype)) +
                    " has no LibTorch equivalent");
    }
}

io::DType fileDTypeOf(c10::ScalarType type, const std::string &where)
{
    switch (type) {
    case c10::kFloat:
        return io::DType::F32;
    case c10::kHalf:
        return io::DType::F16;
    case c10::kBFloat16:
        return io::DType::BF16;
    case c10::kDouble:
        return io::DType::F64;
    case c10::kChar:
        return io::DType::I8;
    case c10::kByte:
        return io::DType::U8;
    case c10::kShort:
        return io::DType::I16;
    case c10::kInt:
        return io::DType::I32;
    case c10::kLong:
        return io::DType::I64;
    case c10::kBool:
        return io::DType::BOOL;
    default:
        throw Error(where + ": dtype " + std::string(c10::toString(type)) + " cannot be saved");
    }
}

} // namespace headroom::model
