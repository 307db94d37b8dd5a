// A run folder's checkpoint as the exporters see it: which checkpoint
// (`checkpoints/latest` or one named), its state.json, the run config it was
// trained with, and where its trained weights are (a PEFT adapter folder for
// LoRA runs, trainable.safetensors for full fine-tuning). Reads only small
// files; does not open the weights or the base model. Torch-free.
#pragma once

#include "train/TrainConfig.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace headroom::exporting {

struct RunCheckpoint
{
    enum class Kind { Lora, Full };

    std::filesystem::path runDir; // the run folder (holds run.json, checkpoints/)
    std::filesystem::path folder; // the checkpoint folder (holds state.json)
    std::string name;             // e.g. "step-00000020"
    train::TrainConfig config;    // the checkpoint's run.json (or the run's)
    int64_t step = 0;             // optimizer steps done
    int64_t epoch = 0;
    std::optional<double> loss;     // mean loss of the last optimizer step
    std::optional<double> evalLoss; // null until an evaluation ran
    Kind kind = Kind::Lora;
    // Kind::Lora: the adapter folder; Kind::Full: trainable.safetensors.
    std::filesystem::path weights;
};

// `run` is a run folder (its newest complete checkpoint is read, or the one
// `checkpoint` names: a folder name under checkpoints/ or a path to a
// checkpoint folder), or itself a checkpoint folder. Throws headroom::Error
// naming the file at fault: no checkpoints/latest, latest naming a missing
// folder, a missing or malformed state.json / run.json, neither adapter/ nor
// trainable.safetensors.
RunCheckpoint openRunCheckpoint(const std::filesystem::path &run,
                                const std::optional<std::string> &checkpoint = std::nullopt);

} // namespace headroom::exporting
