// Base weights from a Hugging Face folder or a GGUF file (see BaseWeights.h).
#include "export/BaseWeights.h"

#include "common/Error.h"
#include "io/GgufFile.h"
#include "io/GgufToHf.h"
#include "io/HfModelFolder.h"
#include "model/TensorDType.h"

#include <algorithm>

namespace headroom::exporting {

// GPT-2 checkpoints from the Hub name weights without the `transformer.`
// prefix save_pretrained writes, and carry causal-mask buffers.
std::optional<std::string> savedWeightName(const std::string &name, const std::string &modelType)
{
    if (modelType != "gpt2")
        return name;
    if (name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias"))
        return std::nullopt;
    if (name.starts_with("transformer.") || name.starts_with("lm_head."))
        return name;
    return "transformer." + name;
}

namespace {

class HfBaseWeights : public BaseWeights
{
public:
    explicit HfBaseWeights(const std::filesystem::path &folder)
        : m_folder(io::HfModelFolder::open(folder)), m_index(m_folder.openWeights())
    {
        m_config = m_folder.readConfig();
        const bool tied = tiedEmbeddings();
        const auto type = modelType();
        // File order (shard by shard, by offset): the base's own state-dict
        // order, and sequential reads of the mapping.
        std::vector<io::CheckpointTensor> all;
        for (const auto &[name, tensor] : m_index.tensors())
            all.push_back(tensor);
        auto fileIndex = [&](const io::SafetensorsFile *file) {
            const auto &files = m_index.files();
            return std::find_if(files.begin(), files.end(),
                                [&](const auto &f) { return f.get() == file; }) -
                   files.begin();
        };
        std::stable_sort(all.begin(), all.end(), [&](const auto &a, const auto &b) {
            const auto fa = fileIndex(a.file), fb = fileIndex(b.file);
            return fa != fb ? fa < fb : a.info->offset < b.info->offset;
        });
        uint64_t bestBytes = 0;
        std::map<io::DType, uint64_t> floatBytes;
        for (const auto &tensor : all) {
            auto name = savedWeightName(tensor.info->name, type);
            if (!name || (tied && *name == "lm_head.weight"))
                continue;
            m_tensors.push_back({*name, tensor.info->shape, tensor.info->dtype});
            m_sources.push_back(tensor);
            const auto scalar =
                model::scalarTypeOf(tensor.info->dtype, tensor.file->path().string());
            if (at::isFloatingType(scalar))
                floatBytes[tensor.info->dtype] += tensor.info->bytes.size();
        }
        // The dtype most of the weights are stored in.
        for (const auto &[dtype, bytes] : floatBytes)
            if (bytes > bestBytes) {
                bestBytes = bytes;
                m_defaultDType = dtype;
            }
    }

    void forEach(const std::function<void(std::size_t, const at::Tensor &)> &visit) const override
    {
        for (std::size_t i = 0; i < m_sources.size(); ++i) {
            const auto &source = m_sources[i];
            const auto type = model::scalarTypeOf(source.info->dtype, source.file->path().string());
            const auto tensor = at::from_blob(const_cast<std::byte *>(source.info->bytes.data()),
                                              source.info->shape, at::TensorOptions().dtype(type));
            visit(i, tensor);
        }
    }

private:
    io::HfModelFolder m_folder;
    io::CheckpointIndex m_index;
    std::vector<io::CheckpointTensor> m_sources; // parallel to m_tensors
};

class GgufBaseWeights : public BaseWeights
{
public:
    explicit GgufBaseWeights(const std::filesystem::path &file) : m_file(io::GgufFile::open(file))
    {
        m_config = io::configJsonFromGguf(m_file);
        m_defaultDType = io::DType::BF16;
        const bool tied = tiedEmbeddings();
        for (const auto &info : io::listHfTensors(m_file)) {
            m_keep.push_back(!(tied && info.name == "lm_head.weight"));
            if (m_keep.back())
                m_tensors.push_back({info.name, info.shape, io::DType::F32});
        }
    }

    void forEach(const std::function<void(std::size_t, const at::Tensor &)> &visit) const override
    {
        std::size_t listed = 0, kept = 0;
        io::forEachHfTensor(m_file, [&](io::HfTensor &&tensor) {
            if (!m_keep.at(listed++))
                return;
            const auto index = kept++;
            if (tensor.name != m_tensors.at(index).name)
                throwFileError(m_file.path(),
                               "tensor order changed while reading `" + tensor.name + "`");
            visit(index, at::from_blob(tensor.data.data(), tensor.shape, at::kFloat));
        });
    }

private:
    io::GgufFile m_file;
    std::vector<bool> m_keep; // per listHfTensors entry
};

} // namespace

bool BaseWeights::tiedEmbeddings() const
{
    if (auto it = m_config.find("tie_word_embeddings"); it != m_config.end() && it->is_boolean())
        return it->get<bool>();
    return modelType() == "gpt2"; // GPT2Config ties by default; Llama/Qwen2 configs do not
}

std::string BaseWeights::modelType() const
{
    if (auto it = m_config.find("model_type"); it != m_config.end() && it->is_string())
        return it->get<std::string>();
    return {};
}

std::unique_ptr<BaseWeights> BaseWeights::open(const io::ModelSource &source)
{
    if (source.kind == io::ModelSource::Kind::Gguf)
        return std::make_unique<GgufBaseWeights>(source.path);
    return std::make_unique<HfBaseWeights>(source.path);
}

} // namespace headroom::exporting
