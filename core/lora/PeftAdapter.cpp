// PEFT-compatible LoRA adapters on CausalLM models.
#include "lora/PeftAdapter.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/ShapeText.h"
#include "io/SafetensorsWriter.h"
#include "lora/PeftAdapterFolder.h"
#include "model/TensorDType.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace headroom::lora {

namespace {

std::string lastComponent(const std::string &path)
{
    const auto dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

} // namespace

bool matchesTarget(const std::string &modulePath, const std::vector<std::string> &targets)
{
    if (targets.empty())
        return true;
    for (const auto &target : targets)
        if (modulePath == target || modulePath.ends_with("." + target))
            return true;
    return false;
}

std::vector<std::string> attachLora(model::CausalLM &model, const LoraSettings &settings,
                                    const std::vector<std::string> &targets, at::ScalarType dtype,
                                    std::optional<at::Generator> generator)
{
    auto linears = model.adaptableLinears();
    for (const auto &target : targets) {
        const bool used = std::any_of(linears.begin(), linears.end(), [&](const auto &l) {
            return matchesTarget(l.name, {target});
        });
        if (!used) {
            std::set<std::string> names;
            for (const auto &l : linears)
                names.insert(lastComponent(l.name));
            std::string list;
            for (const auto &n : names)
                list += (list.empty() ? "" : ", ") + n;
            throw Error("lora.target_modules: `" + target + "` matches no linear module of this " +
                        model.config().modelType + " model (its modules: " + list + ")");
        }
    }
    const auto device = model.device();
    std::vector<std::string> attached;
    for (auto &linear : linears) {
        if (!matchesTarget(linear.name, targets))
            continue;
        *linear.lora = std::make_shared<LoraAdapter>(
            createLoraAdapter(linear.in, linear.out, settings, dtype, device, generator));
        attached.push_back(linear.name);
    }
    return attached;
}

void setLoraTraining(model::CausalLM &model, bool training)
{
    for (auto &linear : model.adaptableLinears())
        if (*linear.lora)
            (*linear.lora)->training = training;
}

void savePeftAdapter(model::CausalLM &model, const std::filesystem::path &folder,
                     const PeftAdapterInfo &info)
{
    std::vector<at::Tensor> keepAlive;
    io::SafetensorsWriter writer;
    std::set<std::string> shortNames;
    bool fanInFanOut = false;
    for (const auto &linear : model.adaptableLinears()) {
        const auto &adapter = *linear.lora;
        if (!adapter)
            continue;
        shortNames.insert(lastComponent(linear.name));
        fanInFanOut = fanInFanOut || linear.fanInFanOut;
        for (const auto &[which, tensor] :
             {std::pair{'A', adapter->a}, std::pair{'B', adapter->b}}) {
            auto cpu = tensor.detach().to(at::kCPU).contiguous();
            keepAlive.push_back(cpu);
            writer.add(adapterTensorName(linear.name, which),
                       model::fileDTypeOf(cpu.scalar_type(), folder.string()), cpu.sizes().vec(),
                       std::span(static_cast<const std::byte *>(cpu.data_ptr()), cpu.nbytes()));
        }
    }
    if (shortNames.empty())
        throw Error(folder.string() + ": the model has no LoRA adapter to save");
    std::filesystem::create_directories(folder);
    const std::vector<std::string> targets =
        info.targets.empty() ? std::vector<std::string>(shortNames.begin(), shortNames.end())
                             : info.targets;
    // The full default-filled field set PEFT itself writes, keys sorted (json objects are).
    nlohmann::json config = {
        {"alpha_pattern", nlohmann::json::object()},
        {"auto_mapping", nullptr},
        {"base_model_name_or_path", info.baseModel},
        {"bias", "none"},
        {"fan_in_fan_out", fanInFanOut},
        {"inference_mode", true},
        {"init_lora_weights", true},
        {"layer_replication", nullptr},
        {"layers_pattern", nullptr},
        {"layers_to_transform", nullptr},
        {"loftq_config", nlohmann::json::object()},
        {"lora_alpha", info.settings.alpha},
        {"lora_dropout", info.settings.dropout},
        {"megatron_config", nullptr},
        {"megatron_core", "megatron.core"},
        {"modules_to_save", nullptr},
        {"peft_type", "LORA"},
        {"r", info.settings.r},
        {"rank_pattern", nlohmann::json::object()},
        {"revision", nullptr},
        {"target_modules", targets},
        {"task_type", "CAUSAL_LM"},
        {"use_dora", false},
        {"use_rslora", info.settings.rslora},
    };
    writer.write(folder / "adapter_model.safetensors");
    writeFileAtomically(folder / "adapter_config.json", config.dump(2) + "\n");
}

PeftAdapterInfo loadPeftAdapter(model::CausalLM &model, const std::filesystem::path &folder)
{
    auto files = readAdapterWeights(folder); // checks the config, the ranks and the dtypes
    const auto weightsPath = (folder / "adapter_model.safetensors").string();
    PeftAdapterInfo info;
    info.baseModel = files.baseModel;
    info.targets = files.targets;
    info.settings.r = files.r;
    info.settings.alpha = files.alpha;
    info.settings.rslora = files.rslora;
    info.settings.dropout = files.dropout;

    std::map<std::string, model::AdaptableLinear> byName;
    for (const auto &linear : model.adaptableLinears())
        byName.emplace(linear.name, linear);
    for (const auto &[path, module] : files.modules) {
        if (!byName.count(path))
            throw Error(weightsPath + ": tensor `" + adapterTensorName(path, 'A') +
                        "` is not a LoRA weight of a linear module of this " +
                        model.config().modelType + " model");
        const auto &linear = byName.at(path);
        if (module.a.size(1) != linear.in || module.b.size(0) != linear.out)
            throw Error(weightsPath + ": `" + path + "` has lora_A " + shapeText(module.a.sizes()) +
                        " and lora_B " + shapeText(module.b.sizes()) +
                        ", which do not fit the module's [" + std::to_string(linear.out) + ", " +
                        std::to_string(linear.in) + "] weight with r = " + std::to_string(files.r));
    }
    const double scaling = loraScaling(info.settings);
    const auto device = model.device();
    for (auto &[path, module] : files.modules) {
        auto adapter = std::make_shared<LoraAdapter>();
        adapter->a = module.a.to(device); // fp32, as PEFT upcasts half-precision adapters
        adapter->b = module.b.to(device);
        adapter->scaling = scaling;
        adapter->dropout = info.settings.dropout;
        *byName.at(path).lora = adapter;
    }
    return info;
}

void mergeLora(model::CausalLM &model)
{
    for (auto &linear : model.adaptableLinears()) {
        auto &adapter = *linear.lora;
        if (!adapter)
            continue;
        if (*linear.quantized)
            throw Error(linear.name + ": cannot merge LoRA into a quantized base weight; "
                                      "merge into the full-precision base instead");
        auto delta = adapter->deltaWeight(); // [out, in] fp32
        if (linear.fanInFanOut)
            delta = delta.t();
        auto &weight = *linear.weight;
        weight = (weight.to(at::kFloat) + delta.to(weight.device())).to(weight.scalar_type());
        adapter.reset();
    }
}

} // namespace headroom::lora
