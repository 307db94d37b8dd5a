// Weight loading: safetensors through io::CheckpointIndex (zero-copy views of
// the mapping, converted once to the compute dtype) and GGUF through
// io::GgufToHf (dequantized tensor by tensor, names mapped back to HF).
#include "model/ModelLoader.h"

#include "common/Error.h"
#include "common/ShapeText.h"
#include "io/GgufFile.h"
#include "io/GgufToHf.h"
#include "io/HfModelFolder.h"
#include "model/TensorDType.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace headroom::model {

namespace {

// Fills the model's slots from (name -> tensor) pairs delivered one by one.
class SlotFiller
{
public:
    SlotFiller(CausalLM &model, std::string source, const LoadOptions &options)
        : m_model(model), m_source(std::move(source)), m_options(options)
    {
        for (auto &slot : model.weightSlots())
            m_slots.emplace(slot.name, slot);
    }

    bool wants(const std::string &name) const
    {
        return m_slots.count(m_model.canonicalWeightName(name)) > 0;
    }

    // A checkpoint tensor no slot takes: fine if known to be useless, else reported.
    void skip(const std::string &checkpointName)
    {
        if (!m_model.isIgnorableWeight(m_model.canonicalWeightName(checkpointName)))
            m_unexpected.push_back(checkpointName);
    }

    // `origin` (the file holding the tensor) is named in messages when given.
    void fill(const std::string &checkpointName, const at::Tensor &tensor,
              const std::string &origin = {})
    {
        const auto &where = origin.empty() ? m_source : origin;
        const auto name = m_model.canonicalWeightName(checkpointName);
        auto it = m_slots.find(name);
        if (it == m_slots.end()) {
            skip(checkpointName);
            return;
        }
        auto &slot = it->second;
        if (tensor.sizes() != at::IntArrayRef(slot.shape))
            throw Error(where + ": tensor `" + checkpointName + "` has shape " +
                        shapeText(tensor.sizes()) + " but config.json implies " +
                        shapeText(slot.shape));
        if (!at::is_floating_point(tensor))
            throw Error(where + ": tensor `" + checkpointName + "` has integer dtype " +
                        std::string(c10::toString(tensor.scalar_type())) +
                        " (quantized checkpoints are loaded from GGUF, not from safetensors)");
        *slot.tensor =
            tensor.to(m_options.device, m_options.dtype, /*non_blocking=*/false, /*copy=*/true);
        m_filled.insert(name);
    }

    void finish()
    {
        std::vector<std::string> missing;
        for (const auto &[name, slot] : m_slots)
            if (!m_filled.count(name))
                missing.push_back(name);
        auto list = [](const std::vector<std::string> &names) {
            std::string text;
            for (size_t i = 0; i < names.size() && i < 5; ++i)
                text += (i ? ", `" : "`") + names[i] + "`";
            if (names.size() > 5)
                text += " and " + std::to_string(names.size() - 5) + " more";
            return text;
        };
        if (!missing.empty())
            throw Error(m_source + ": missing " + std::to_string(missing.size()) +
                        " weight(s) the " + m_model.config().modelType +
                        " config requires: " + list(missing));
        if (!m_unexpected.empty())
            throw Error(m_source + ": " + std::to_string(m_unexpected.size()) +
                        " tensor(s) this engine does not know for model_type `" +
                        m_model.config().modelType + "`: " + list(m_unexpected));
        m_model.finishLoading();
    }

private:
    CausalLM &m_model;
    std::string m_source;
    LoadOptions m_options;
    std::map<std::string, WeightSlot> m_slots;
    std::set<std::string> m_filled;
    std::vector<std::string> m_unexpected;
};

void loadSafetensorsWeights(const io::HfModelFolder &folder, CausalLM &model,
                            const LoadOptions &options)
{
    auto checkpoint = folder.openWeights();
    SlotFiller filler(model, folder.root().string(), options);
    for (const auto &[name, entry] : checkpoint.tensors()) {
        if (!filler.wants(name)) {
            filler.skip(name);
            continue;
        }
        const auto &info = *entry.info;
        auto type =
            scalarTypeOf(info.dtype, entry.file->path().string() + ": tensor `" + name + "`");
        // Borrow the mapped bytes; fill() copies them into the compute dtype.
        auto view = at::from_blob(const_cast<std::byte *>(info.bytes.data()), info.shape,
                                  at::TensorOptions().dtype(type));
        filler.fill(name, view, entry.file->path().string());
    }
    filler.finish();
}

void loadGgufWeights(const io::GgufFile &file, CausalLM &model, const LoadOptions &options)
{
    SlotFiller filler(model, file.path().string(), options);
    io::forEachHfTensor(file, [&](io::HfTensor &&tensor) {
        filler.fill(tensor.name, at::from_blob(tensor.data.data(), tensor.shape,
                                               at::TensorOptions().dtype(at::kFloat)));
    });
    filler.finish();
}

} // namespace

at::Device parseDevice(const std::string &name)
{
    const int gpus = at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
    if (name == "auto")
        return gpus > 0 ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    if (name == "cpu")
        return at::kCPU;
    if (name == "cuda" || name.starts_with("cuda:")) {
        int index = 0;
        if (name.size() > 5) {
            const auto digits = name.substr(5);
            if (digits.empty() || digits.size() > 3 ||
                digits.find_first_not_of("0123456789") != std::string::npos)
                throw Error("device `" + name + "`: expected cuda:N with N a device number");
            index = std::stoi(digits);
        }
        if (gpus == 0)
            throw Error("device `" + name + "`: no CUDA device is available on this machine" +
                        (at::detail::getCUDAHooks().hasCUDART()
                             ? ""
                             : " (this LibTorch has no CUDA support)"));
        if (index >= gpus)
            throw Error("device `" + name + "`: this machine has " + std::to_string(gpus) +
                        " CUDA device(s), numbered from 0");
        return {at::kCUDA, static_cast<at::DeviceIndex>(index)};
    }
    throw Error("device `" + name + "` is not supported (supported: auto, cpu, cuda, cuda:N)");
}

at::ScalarType parseDtype(const std::string &name)
{
    if (name == "float32" || name == "fp32")
        return at::kFloat;
    if (name == "bfloat16" || name == "bf16")
        return at::kBFloat16;
    if (name == "float16" || name == "fp16")
        return at::kHalf;
    throw Error("dtype `" + name + "` is not supported (supported: fp32, bf16, fp16)");
}

ModelConfig loadModelConfig(const io::ModelSource &source)
{
    if (source.kind == io::ModelSource::Kind::Gguf) {
        auto file = io::GgufFile::open(source.path);
        return parseModelConfig(io::configJsonFromGguf(file), source.path.string());
    }
    auto folder = io::HfModelFolder::open(source.path);
    auto configPath = folder.configJson();
    if (!configPath)
        throw Error(source.path.string() +
                    ": no config.json (a model folder needs config.json and *.safetensors)");
    return parseModelConfig(folder.readConfig(), configPath->string());
}

std::unique_ptr<CausalLM> loadModel(const io::ModelSource &source, const LoadOptions &options)
{
    std::unique_ptr<CausalLM> model;
    if (source.kind == io::ModelSource::Kind::Gguf) {
        auto file = io::GgufFile::open(source.path);
        model = createModel(parseModelConfig(io::configJsonFromGguf(file), source.path.string()));
        loadGgufWeights(file, *model, options);
    } else {
        model = createModel(loadModelConfig(source));
        loadSafetensorsWeights(io::HfModelFolder::open(source.path), *model, options);
    }
    model->setAttentionKernel(options.attention);
    return model;
}

} // namespace headroom::model
