// Model card text for exported runs (see ModelCard.h).
#include "export/ModelCard.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace headroom::exporting {

namespace {

std::string number(std::optional<double> value)
{
    if (!value)
        return "not measured";
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", *value);
    return text;
}

// A YAML scalar that stays a string whatever the model name holds (JSON
// strings are valid YAML).
std::string yamlString(const std::string &text)
{
    return nlohmann::json(text).dump();
}

} // namespace

std::string modelCard(const RunCheckpoint &checkpoint, const std::string &libraryName,
                      const std::string &what, const nlohmann::json &adapterConfig)
{
    const auto &config = checkpoint.config;
    const auto &lora = config.lora;
    std::ostringstream card;
    card << "---\n"
         << "base_model: " << yamlString(config.model) << "\n"
         << "library_name: " << libraryName << "\n"
         << "tags:\n"
         << "- headroom\n";
    if (checkpoint.kind == RunCheckpoint::Kind::Lora)
        card << "- lora\n";
    card << "---\n\n"
         << "# " << what << "\n\n"
         << "Fine-tuned from `" << config.model << "` and trained with Headroom.\n\n"
         << "| | |\n|---|---|\n"
         << "| base model | `" << config.model << "` |\n"
         << "| dataset | `" << std::filesystem::path(config.dataset).filename().string() << "` |\n"
         << "| method | "
         << (checkpoint.kind == RunCheckpoint::Kind::Lora ? "LoRA" : "full fine-tuning") << " |\n";
    if (checkpoint.kind == RunCheckpoint::Kind::Lora) {
        auto r = lora.r;
        auto alpha = lora.alpha, dropout = lora.dropout;
        auto rslora = lora.rslora;
        auto targetList = lora.targetModules;
        if (adapterConfig.is_object()) {
            r = adapterConfig.value("r", r);
            alpha = adapterConfig.value("lora_alpha", alpha);
            dropout = adapterConfig.value("lora_dropout", dropout);
            rslora = adapterConfig.value("use_rslora", rslora);
            if (auto it = adapterConfig.find("target_modules"); it != adapterConfig.end())
                targetList = it->is_array() ? it->get<std::vector<std::string>>()
                                            : std::vector<std::string>{it->dump()};
        }
        std::string targets;
        for (const auto &t : targetList)
            targets += (targets.empty() ? "" : ", ") + t;
        card << "| LoRA r / alpha / dropout | " << r << " / " << alpha << " / " << dropout
             << (rslora ? " (rsLoRA)" : "") << " |\n"
             << "| target modules | " << (targets.empty() ? "all-linear" : targets) << " |\n";
    }
    card << "| checkpoint | `" << checkpoint.name << "` |\n"
         << "| optimizer steps | " << checkpoint.step << " |\n"
         << "| final training loss | " << number(checkpoint.loss) << " |\n"
         << "| evaluation loss | " << number(checkpoint.evalLoss) << " |\n"
         << "| learning rate | " << config.learningRate << " |\n"
         << "| max sequence length | " << config.maxSeqLen << " |\n"
         << "| precision | " << train::toString(config.precision) << " |\n"
         << "| quantization | " << train::toString(config.quantization) << " |\n"
         << "| seed | " << config.seed << " |\n";
    return card.str();
}

} // namespace headroom::exporting
