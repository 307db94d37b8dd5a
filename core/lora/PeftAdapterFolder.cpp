// Reading a PEFT adapter folder without a model (see PeftAdapterFolder.h).
#include "lora/PeftAdapterFolder.h"

#include "common/Error.h"
#include "io/JsonFile.h"
#include "io/SafetensorsFile.h"
#include "model/TensorDType.h"

#include <cmath>

namespace headroom::lora {

namespace {

const std::string kPrefix = "base_model.model.";
const std::string kSuffixA = ".lora_A.weight";
const std::string kSuffixB = ".lora_B.weight";

void parseConfig(const std::filesystem::path &file, AdapterWeights &out)
{
    const auto &config = out.config;
    if (!config.is_object())
        throwFileError(file, "must hold a JSON object");
    auto field = [&](const char *key) -> const nlohmann::json & {
        if (!config.contains(key))
            throwFileError(file, std::string("field `") + key + "` is missing");
        return config.at(key);
    };
    auto isSet = [&](const char *key) {
        auto it = config.find(key);
        return it != config.end() && !it->is_null() && !(it->is_boolean() && !it->get<bool>()) &&
               !(it->is_object() && it->empty()) && !(it->is_array() && it->empty()) &&
               !(it->is_string() && *it == "none");
    };
    if (field("peft_type") != "LORA")
        throwFileError(file, "peft_type " + config.at("peft_type").dump() +
                                 " is not supported (supported: LORA)");
    for (const char *key : {"use_dora", "rank_pattern", "alpha_pattern", "modules_to_save",
                            "lora_bias", "layer_replication"})
        if (isSet(key))
            throwFileError(file, std::string("field `") + key + "` " + config.at(key).dump() +
                                     " is not supported");
    if (config.contains("bias") && config["bias"] != "none")
        throwFileError(file, "field `bias` " + config["bias"].dump() +
                                 " is not supported (supported: \"none\")");
    if (!field("r").is_number_integer() || config.at("r").get<int64_t>() <= 0)
        throwFileError(file, "field `r` must be a positive integer");
    if (!field("lora_alpha").is_number())
        throwFileError(file, "field `lora_alpha` must be a number");
    out.r = config.at("r").get<int64_t>();
    out.alpha = config.at("lora_alpha").get<double>();
    if (auto it = config.find("use_rslora"); it != config.end() && it->is_boolean())
        out.rslora = it->get<bool>();
    if (auto it = config.find("fan_in_fan_out"); it != config.end() && it->is_boolean())
        out.fanInFanOut = it->get<bool>();
    if (auto it = config.find("lora_dropout"); it != config.end() && it->is_number())
        out.dropout = it->get<double>();
    if (auto it = config.find("base_model_name_or_path"); it != config.end() && it->is_string())
        out.baseModel = it->get<std::string>();
    if (auto it = config.find("target_modules"); it != config.end() && it->is_array())
        for (const auto &target : *it)
            if (target.is_string())
                out.targets.push_back(target.get<std::string>());
}

} // namespace

double AdapterWeights::scaling() const
{
    return rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
}

std::string adapterTensorName(const std::string &modulePath, char which)
{
    return kPrefix + modulePath + (which == 'A' ? kSuffixA : kSuffixB);
}

AdapterWeights readAdapterWeights(const std::filesystem::path &folder)
{
    AdapterWeights out;
    const auto configFile = folder / "adapter_config.json";
    const auto weightsFile = folder / "adapter_model.safetensors";
    if (!std::filesystem::exists(weightsFile) &&
        std::filesystem::exists(folder / "adapter_model.bin"))
        throwFileError(folder / "adapter_model.bin",
                       "pickle adapters are not loaded (they can run code); save the adapter with "
                       "safe_serialization=True");
    out.config = io::readJsonFile(configFile);
    parseConfig(configFile, out);
    if (!std::filesystem::exists(weightsFile))
        throwFileError(weightsFile, "missing");
    const auto file = io::SafetensorsFile::open(weightsFile);
    for (const auto &tensor : file.tensors()) {
        const auto &name = tensor.name;
        const bool isA = name.ends_with(kSuffixA), isB = name.ends_with(kSuffixB);
        if (!name.starts_with(kPrefix) || !(isA || isB) ||
            name.size() <= kPrefix.size() + kSuffixA.size())
            throwFileError(weightsFile, "tensor `" + name +
                                            "` is not a LoRA weight (expected "
                                            "base_model.model.<module>.lora_A/lora_B.weight)");
        const auto path =
            name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffixA.size());
        const auto type = model::scalarTypeOf(tensor.dtype, weightsFile.string());
        if (!at::isFloatingType(type) || tensor.shape.size() != 2)
            throwFileError(weightsFile, "tensor `" + name + "` must be a 2-D float matrix");
        if ((isA ? tensor.shape[0] : tensor.shape[1]) != out.r)
            throwFileError(weightsFile, "tensor `" + name + "` does not have rank r = " +
                                            std::to_string(out.r) + " (adapter_config.json)");
        // Owned copy in fp32 (the mapping closes with `file`), as PEFT merges in fp32.
        auto value = at::from_blob(const_cast<std::byte *>(tensor.bytes.data()), tensor.shape,
                                   at::TensorOptions().dtype(type))
                         .to(at::kFloat, /*non_blocking=*/false, /*copy=*/true);
        (isA ? out.modules[path].a : out.modules[path].b) = value;
    }
    if (out.modules.empty())
        throwFileError(weightsFile, "holds no LoRA weights");
    for (const auto &[path, module] : out.modules)
        if (!module.a.defined() || !module.b.defined())
            throwFileError(weightsFile, "`" + path + "` has only one of lora_A and lora_B");
    return out;
}

} // namespace headroom::lora
