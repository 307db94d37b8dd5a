// Fixture tensors through the engine's own safetensors reader.
#include "common/TensorFixtures.h"

#include "io/SafetensorsFile.h"

#include <ATen/CPUGeneratorImpl.h>

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

std::vector<at::Tensor> randomTensors(const std::vector<std::vector<int64_t>> &shapes,
                                      uint64_t seed)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    std::vector<at::Tensor> out;
    for (const auto &shape : shapes)
        out.push_back(at::randn(shape, gen, at::kFloat));
    return out;
}

std::vector<at::Tensor> clones(const std::vector<at::Tensor> &tensors)
{
    std::vector<at::Tensor> out;
    for (const auto &t : tensors)
        out.push_back(t.clone());
    return out;
}

} // namespace headroom::test
