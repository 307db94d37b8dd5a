// A Hugging Face model folder as save_pretrained writes it: where its config,
// tokenizer and weight files are. Each file is optional here; callers say what
// they require (a tokenizer-only folder is valid). Does not interpret configs.
#pragma once

#include "io/CheckpointIndex.h"
#include "io/JsonFile.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

namespace headroom::io {

class HfModelFolder
{
public:
    // Throws headroom::Error if `folder` is not a directory.
    static HfModelFolder open(const std::filesystem::path &folder);

    const std::filesystem::path &root() const { return m_root; }

    // Present files only; nullopt when absent.
    std::optional<std::filesystem::path> configJson() const { return existing("config.json"); }
    std::optional<std::filesystem::path> generationConfigJson() const
    {
        return existing("generation_config.json");
    }
    std::optional<std::filesystem::path> tokenizerJson() const
    {
        return existing("tokenizer.json");
    }
    std::optional<std::filesystem::path> tokenizerConfigJson() const
    {
        return existing("tokenizer_config.json");
    }
    std::optional<std::filesystem::path> specialTokensMapJson() const
    {
        return existing("special_tokens_map.json");
    }
    std::optional<std::filesystem::path> chatTemplateJinja() const
    {
        return existing("chat_template.jinja");
    }

    // config.json parsed; throws "<folder>: no config.json" when absent.
    nlohmann::json readConfig() const;
    bool hasTokenizer() const { return tokenizerJson().has_value(); }
    bool hasSafetensors() const { return CheckpointIndex::hasSafetensors(m_root); }
    // Opens the weights. A folder with only pickle checkpoints (pytorch_model.bin)
    // gets an error explaining why they are not loaded and how to convert.
    CheckpointIndex openWeights() const;

private:
    std::optional<std::filesystem::path> existing(const char *name) const;
    std::filesystem::path m_root;
};

} // namespace headroom::io
