// PEFT-compatible LoRA adapters on CausalLM models.
#include "lora/PeftAdapter.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "io/JsonFile.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/TensorDType.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace headroom::lora {

namespace {

const std::string kPrefix = "base_model.model.";

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
        for (const auto &[suffix, tensor] :
             {std::pair{".lora_A.weight", adapter->a}, std::pair{".lora_B.weight", adapter->b}}) {
            auto cpu = tensor.detach().to(at::kCPU).contiguous();
            keepAlive.push_back(cpu);
            writer.add(kPrefix + linear.name + suffix,
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
    const auto configPath = folder / "adapter_config.json";
    const auto weightsPath = folder / "adapter_model.safetensors";
    if (!std::filesystem::exists(weightsPath) &&
        std::filesystem::exists(folder / "adapter_model.bin"))
        throw Error((folder / "adapter_model.bin").string() +
                    ": pickle adapters are not loaded (they can run code); save the adapter with "
                    "safe_serialization=True");
    auto config = io::readJsonFile(configPath);
    const auto where = configPath.string();
    auto field = [&](const char *key) -> const nlohmann::json & {
        if (!config.contains(key))
            throw Error(where + ": field `" + key + "` is missing");
        return config.at(key);
    };
    if (field("peft_type") != "LORA")
        throw Error(where + ": peft_type `" + field("peft_type").dump() +
                    "` is not supported (supported: LORA)");
    if (config.contains("use_dora") && config["use_dora"].is_boolean() &&
        config["use_dora"].get<bool>())
        throw Error(where + ": use_dora true (DoRA) is not supported");
    for (const char *key : {"rank_pattern", "alpha_pattern"})
        if (config.contains(key) && config[key].is_object() && !config[key].empty())
            throw Error(where + ": field `" + std::string(key) +
                        "` with per-module values is not supported");
    if (config.contains("modules_to_save") && !config["modules_to_save"].is_null() &&
        !config["modules_to_save"].empty())
        throw Error(where +
                    ": field `modules_to_save` (fully trained extra modules) is not supported");
    PeftAdapterInfo info;
    if (!field("r").is_number_integer() || field("r").get<int64_t>() <= 0)
        throw Error(where + ": field `r` must be a positive integer");
    if (!field("lora_alpha").is_number())
        throw Error(where + ": field `lora_alpha` must be a number");
    info.settings.r = config["r"].get<int64_t>();
    info.settings.alpha = config["lora_alpha"].get<double>();
    auto optional = [&](const char *key) -> const nlohmann::json * {
        auto it = config.find(key);
        return it == config.end() || it->is_null() ? nullptr : &*it;
    };
    if (auto *v = optional("use_rslora"); v && v->is_boolean())
        info.settings.rslora = v->get<bool>();
    if (auto *v = optional("lora_dropout"); v && v->is_number())
        info.settings.dropout = v->get<double>();
    if (auto *v = optional("base_model_name_or_path"); v && v->is_string())
        info.baseModel = v->get<std::string>();
    if (config.contains("target_modules") && config["target_modules"].is_array())
        info.targets = config["target_modules"].get<std::vector<std::string>>();
    const double scaling = loraScaling(info.settings);

    auto file = io::SafetensorsFile::open(weightsPath);
    std::map<std::string, model::AdaptableLinear> byName;
    for (const auto &linear : model.adaptableLinears())
        byName.emplace(linear.name, linear);
    std::map<std::string, std::pair<at::Tensor, at::Tensor>> found;
    for (const auto &tensor : file.tensors()) {
        const auto &name = tensor.name;
        std::string path;
        bool isA = false;
        if (name.starts_with(kPrefix) && name.ends_with(".lora_A.weight")) {
            path = name.substr(kPrefix.size(),
                               name.size() - kPrefix.size() - std::string(".lora_A.weight").size());
            isA = true;
        } else if (name.starts_with(kPrefix) && name.ends_with(".lora_B.weight")) {
            path = name.substr(kPrefix.size(),
                               name.size() - kPrefix.size() - std::string(".lora_B.weight").size());
        }
        if (path.empty() || !byName.count(path))
            throw Error(weightsPath.string() + ": tensor `" + name +
                        "` is not a LoRA weight of a linear module of this " +
                        model.config().modelType + " model");
        const auto &linear = byName.at(path);
        const std::vector<int64_t> expected =
            isA ? std::vector<int64_t>{info.settings.r, linear.in}
                : std::vector<int64_t>{linear.out, info.settings.r};
        if (tensor.shape != expected)
            throw Error(weightsPath.string() + ": tensor `" + name +
                        "` has the wrong shape for r = " + std::to_string(info.settings.r) +
                        " on `" + path + "`");
        const auto type = model::scalarTypeOf(tensor.dtype, weightsPath.string());
        if (!at::isFloatingType(type))
            throw Error(weightsPath.string() + ": tensor `" + name + "` must hold floats, found " +
                        std::string(io::dtypeName(tensor.dtype)));
        // Own the bytes (the file closes), in fp32 as PEFT upcasts half-precision adapters.
        auto value = at::from_blob(const_cast<std::byte *>(tensor.bytes.data()), tensor.shape,
                                   at::TensorOptions().dtype(type))
                         .to(at::kFloat, /*non_blocking=*/false, /*copy=*/true);
        (isA ? found[path].first : found[path].second) = value;
    }
    if (found.empty())
        throw Error(weightsPath.string() + ": no LoRA weights");
    const auto device = model.device();
    for (auto &[path, pair] : found) {
        if (!pair.first.defined() || !pair.second.defined())
            throw Error(weightsPath.string() + ": `" + path +
                        "` has only one of lora_A and lora_B");
        auto adapter = std::make_shared<LoraAdapter>();
        adapter->a = pair.first.to(device);
        adapter->b = pair.second.to(device);
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
