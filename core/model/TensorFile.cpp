// Named tensors <-> safetensors; see TensorFile.h.
#include "model/TensorFile.h"

#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/TensorDType.h"

#include <vector>

namespace headroom::model {

void saveTensorFile(const std::filesystem::path &file, const NamedTensors &tensors)
{
    std::vector<at::Tensor> keepAlive; // the writer borrows the bytes
    io::SafetensorsWriter writer;
    for (const auto &[name, tensor] : tensors) {
        auto cpu = tensor.detach().to(at::kCPU).contiguous();
        keepAlive.push_back(cpu);
        writer.add(name, fileDTypeOf(cpu.scalar_type(), file.string()), cpu.sizes().vec(),
                   std::span(static_cast<const std::byte *>(cpu.data_ptr()), cpu.nbytes()));
    }
    writer.write(file);
}

NamedTensors loadTensorFile(const std::filesystem::path &file)
{
    auto st = io::SafetensorsFile::open(file);
    NamedTensors out;
    for (const auto &info : st.tensors()) {
        const auto type = scalarTypeOf(info.dtype, file.string());
        // Copy: the mapping closes with `st`.
        out[info.name] = at::from_blob(const_cast<std::byte *>(info.bytes.data()), info.shape,
                                       at::TensorOptions().dtype(type))
                             .clone();
    }
    return out;
}

} // namespace headroom::model
