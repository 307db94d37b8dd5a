// `headroom-cli export --format merged`: the base model with the run's
// training applied, as a Hugging Face model folder that
// AutoModelForCausalLM.from_pretrained loads: config.json, model.safetensors
// (or shards + model.safetensors.index.json), tokenizer and generation files,
// README.md. LoRA runs are merged as PEFT's merge_and_unload (W += B·A·scaling
// in fp32, transposed for GPT-2 Conv1D); full fine-tuning runs replace the
// trained weights. Works shard by shard: only one output shard's tensors are
// ever in memory, next to the memory-mapped base.
#pragma once

#include "export/PeftExport.h"
#include "export/RunCheckpoint.h"
#include "export/ShardPlan.h"
#include "io/DType.h"

#include <functional>
#include <optional>

namespace headroom::exporting {

struct MergedExportOptions
{
    // Of the floating-point weights; default: the base's (bf16 for GGUF bases).
    std::optional<io::DType> dtype;
    uint64_t maxShardBytes = kDefaultMaxShardBytes;
    // Called after each tensor is computed (done of total), for a progress
    // bar; from the exporting thread.
    std::function<void(std::size_t done, std::size_t total)> onProgress;
};

struct MergedExportSummary : ExportSummary
{
    io::DType dtype = io::DType::F32;
    std::size_t shards = 0;
    std::string tokenizerNote; // why no tokenizer was written, when none was
};

// Writes into a temporary sibling of `out` and renames it at the end; `out`
// must not exist or be empty. Everything is validated (adapter against base
// shapes) before the first shard is computed.
MergedExportSummary exportMergedModel(const RunCheckpoint &checkpoint,
                                      const std::filesystem::path &out,
                                      const MergedExportOptions &options = {});

} // namespace headroom::exporting
