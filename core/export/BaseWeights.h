// The base model's weights as the merged export walks them: names as
// transformers' save_pretrained writes them, shapes, file dtypes, listed up
// front (to plan shards) and then handed over one tensor at a time (so the
// whole model is never in memory). A Hugging Face folder is read from its
// memory-mapped safetensors; a GGUF file is dequantized tensor by tensor.
// Buffers that are not weights (GPT-2's attn.bias masks) and lm_head of a
// tied model are left out. Does not merge anything.
#pragma once

#include "io/DType.h"
#include "io/ModelSource.h"

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace headroom::exporting {

struct BaseTensor
{
    std::string name;           // Hugging Face name (transformer.h.0.attn.c_attn.weight)
    std::vector<int64_t> shape; // Hugging Face layout (GPT-2 Conv1D: [in, out])
    io::DType dtype;            // as stored (GGUF: F32 after dequantization)
};

// The name save_pretrained gives checkpoint tensor `name` of a `modelType`
// model; nullopt for buffers that are not weights (GPT-2 attention masks).
std::optional<std::string> savedWeightName(const std::string &name, const std::string &modelType);

class BaseWeights
{
public:
    static std::unique_ptr<BaseWeights> open(const io::ModelSource &source);
    virtual ~BaseWeights() = default;

    const std::vector<BaseTensor> &tensors() const { return m_tensors; }
    // config.json (for GGUF: the equivalent built from its metadata).
    const nlohmann::json &config() const { return m_config; }
    bool tiedEmbeddings() const;
    // The dtype an export keeps by default: the checkpoint's float dtype, or
    // bf16 for GGUF (its dequantized values would otherwise double in size).
    io::DType defaultDType() const { return m_defaultDType; }
    std::string modelType() const;

    // Calls `visit(index, tensor)` for every tensors()[index], in order. The
    // CPU tensor is valid only during the call (it may borrow the file).
    virtual void
    forEach(const std::function<void(std::size_t, const at::Tensor &)> &visit) const = 0;

protected:
    std::vector<BaseTensor> m_tensors;
    nlohmann::json m_config;
    io::DType m_defaultDType = io::DType::F32;
};

} // namespace headroom::exporting
