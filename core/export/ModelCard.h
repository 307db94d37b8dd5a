// README.md model cards for exported runs, with the YAML front matter the
// Hugging Face Hub and PEFT read (`library_name`, `base_model`, tags) and what
// a reader needs to judge the result: base model, dataset, LoRA settings,
// steps, final and evaluation loss. Plain text; writes no file.
#pragma once

#include "export/RunCheckpoint.h"

#include <nlohmann/json.hpp>
#include <string>

namespace headroom::exporting {

// `libraryName` is "peft" for adapters, "transformers" for merged models.
// `adapterConfig` (adapter_config.json of a LoRA run, else null) is where the
// LoRA settings are read: it describes the weights actually exported.
std::string modelCard(const RunCheckpoint &checkpoint, const std::string &libraryName,
                      const std::string &what, const nlohmann::json &adapterConfig = nullptr);

} // namespace headroom::exporting
