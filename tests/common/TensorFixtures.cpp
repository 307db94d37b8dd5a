// Fixture tensors through the engine's own safetensors reader.
#include "common/TensorFixtures.h"

#include "io/SafetensorsFile.h"

#include <stdexcept>

namespace headroom::test {

std::map<std::string, at::Tensor> readSafetensors(const std::filesystem::path &file)
{
    auto st = io::SafetensorsFile::open(file);
    std::map<std::string, at::Tensor> tensors;
    for (const auto &info : st.tensors()) {
        at::ScalarType type;
        switch (info.dtype) {
        case io::DType::F32:
            type = at::kFloat;
            break;
        case io::DType::BF16:
            type = at::kBFloat16;
            break;
        case io::DType::F16:
            type = at::kHalf;
            break;
        case io::DType::I64:
            type = at::kLong;
            break;
        case io::DType::I32:
            type = at::kInt;
            break;
        case io::DType::U8:
            type = at::kByte;
            break;
        case io::DType::I8:
            type = at::kChar;
            break;
        case io::DType::BOOL:
            type = at::kBool;
            break;
        default:
            throw std::runtime_error(file.string() + ": fixture dtype not handled");
        }
        tensors[info.name] = at::from_blob(const_cast<std::byte *>(info.bytes.data()), info.shape,
                                           at::TensorOptions().dtype(type))
                                 .clone();
    }
    return tensors;
}

double maxAbsDifference(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

double maxRelativeDifference(const at::Tensor &a, const at::Tensor &b)
{
    const double scale = std::max(b.abs().max().item<double>(), 1e-30);
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() / scale;
}

} // namespace headroom::test
