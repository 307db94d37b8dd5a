// `headroom-cli export --format peft`: a run's LoRA adapter as a PEFT adapter
// folder (adapter_config.json, adapter_model.safetensors in fp32, README.md
// model card) that PeftModel.from_pretrained loads. Full fine-tuning runs have
// no adapter and are refused with a pointer to the merged export.
#pragma once

#include "export/RunCheckpoint.h"

#include <filesystem>
#include <string>
#include <vector>

namespace headroom::exporting {

struct ExportSummary
{
    std::filesystem::path folder;
    std::vector<std::string> files; // names written, in order
    uint64_t tensorBytes = 0;
    std::size_t tensors = 0;
};

// Writes into a temporary sibling of `out` and renames it at the end; `out`
// must not exist or be empty. Throws headroom::Error naming the file at fault.
ExportSummary exportPeftAdapter(const RunCheckpoint &checkpoint, const std::filesystem::path &out);

} // namespace headroom::exporting
