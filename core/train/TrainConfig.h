// The run configuration: one plain struct that the GUI edits, the CLI reads
// and every run saves beside its results, converted to and from JSON in this
// one place and validated so that every bad field is reported at once (unknown
// keys included: a typo never passes silently). Torch-free and Qt-free.
// Deliberately does not resolve paths, open the model or the dataset, or check
// the config against a model (module names, r versus hidden size) or a device
// (is there a GPU, does it do bf16): those checks belong to the code that loads
// them.
#pragma once

#include "common/Error.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::train {

enum class DatasetFormat { Auto, Alpaca, Chat, Text, Completion };
enum class LrSchedule { Cosine, Linear, Constant };
enum class Precision { Bf16, Fp16, Fp32 };
enum class Quantization { None, Int8, Nf4 };
enum class Optimizer { AdamW, AdamW8bit };
enum class Attention { Sdpa, Eager };

// The JSON spelling of each value ("alpaca", "cosine", "bf16", "adamw8bit", ...).
std::string_view toString(DatasetFormat value);
std::string_view toString(LrSchedule value);
std::string_view toString(Precision value);
std::string_view toString(Quantization value);
std::string_view toString(Optimizer value);
std::string_view toString(Attention value);

// `device`: "auto" (the first CUDA device when there is one, else the CPU),
// "cpu", "cuda" (same as "cuda:0") or "cuda:N".
struct DeviceSpec
{
    enum class Kind { Auto, Cpu, Cuda };
    Kind kind = Kind::Auto;
    int index = 0; // CUDA device index; 0 unless kind is Cuda

    std::string toString() const; // "auto", "cpu", "cuda:N"
    bool operator==(const DeviceSpec &) const = default;
};
// Parses the syntax above; nullopt for anything else (for a CLI `--device`).
std::optional<DeviceSpec> parseDeviceSpec(std::string_view text);

struct LoraConfig
{
    // Off means full fine-tuning of every weight (not allowed on a quantized base).
    bool enabled = true;
    int64_t r = 16;        // the rank most LoRA / QLoRA recipes use
    double alpha = 32;     // scaling alpha / r = 2, the usual 2 × r convention
    double dropout = 0.05; // on the LoRA input only, as PEFT
    // Names of the linear modules to adapt (matched as PEFT does, against the
    // end of the module's dotted name: "q_proj", "mlp.down_proj"). Empty means
    // "all-linear", written so in JSON: every linear projection of the decoder
    // blocks (Llama: q/k/v/o_proj, gate/up/down_proj; GPT-2: c_attn, c_proj,
    // c_fc), never lm_head — as PEFT's "all-linear". QLoRA showed that adapting
    // all of them, not only q/v, is what matches full fine-tuning.
    std::vector<std::string> targetModules;
    bool rslora = false; // scale by alpha / sqrt(r) instead of alpha / r

    bool targetsAllLinear() const { return targetModules.empty(); }
    bool operator==(const LoraConfig &) const = default;
};

// Keys and defaults in the order of the JSON file. Paths and model names are
// kept exactly as written; whoever opens them resolves them.
struct TrainConfig
{
    // --- data
    std::string model;   // required: HF folder, .gguf file or a repo id in the HF cache
    std::string dataset; // required: .jsonl, .json, .csv, .tsv or .txt file
    DatasetFormat datasetFormat = DatasetFormat::Auto;
    // Fraction of samples held out for evaluation loss; 0 = none, so a small
    // dataset is not silently shrunk.
    double validationSplit = 0.0;
    // Longest sequence after tokenization; longer samples are truncated (and
    // counted). 2048 covers typical instruction data and is the common
    // SFT default.
    int64_t maxSeqLen = 2048;
    // Off by default: packing changes what a step sees (several samples per
    // row) and is worth it only for many short samples.
    bool packing = false;
    bool trainOnPrompt = false; // loss on the response only, as SFT recipes do
    // The first step uses the longest batch, so an out-of-memory shows at
    // step 1, not step 120.
    bool longestFirst = true;

    // --- length and batch
    int64_t microBatchSize = 1; // fits the smallest GPU; accumulation makes the batch
    int64_t gradAccumSteps = 8; // effective batch 8 sequences, a usual SFT batch
    // Exactly one of these drives the length of the run; setting both is an
    // error. In JSON the one not in use is null. Default: one epoch.
    std::optional<int64_t> maxSteps;    // optimizer steps
    std::optional<double> epochs = 1.0; // passes over the training split; may be fractional

    // --- optimisation
    // The LoRA / QLoRA standard; full fine-tuning usually wants about 2e-5.
    double learningRate = 2e-4;
    LrSchedule lrSchedule = LrSchedule::Cosine;
    // Linear warm-up in optimizer steps; the trainer caps it at the run's length.
    int64_t warmupSteps = 10;
    double weightDecay = 0.0; // decoupled (AdamW); LoRA recipes use 0
    double maxGradNorm = 1.0; // clip the global gradient norm; 0 = no clipping
    uint64_t seed = 42;       // data order, LoRA initialisation, dropout
    Optimizer optimizer = Optimizer::AdamW;

    // --- numerics and memory
    // Compute dtype; trainable parameters and optimizer states stay fp32.
    Precision precision = Precision::Bf16;
    DeviceSpec device;
    Quantization quantization = Quantization::None; // of the frozen base weights
    bool doubleQuant = false;                       // quantize the NF4 block scales too (nf4 only)
    LoraConfig lora;
    bool gradientCheckpointing = false; // recompute each decoder block in backward
    Attention attention = Attention::Sdpa;

    // --- evaluation and output
    // Optimizer steps between evaluations on the validation split; 0 = only
    // at the end of the run. Needs validation_split > 0 when not 0.
    int64_t evalEvery = 0;
    // Optimizer steps between checkpoints; 0 = only on stop and at the end.
    // LoRA checkpoints are small, so a crash costs at most 100 steps.
    int64_t saveEvery = 100;
    std::string outputDir = "output";

    bool operator==(const TrainConfig &) const = default;
};

// One problem with one field: `path` is the JSON path ("lora.r").
struct FieldError
{
    std::string path;
    std::string reason;
    bool operator==(const FieldError &) const = default;
};

// Thrown by parseTrainConfig, readTrainConfig and writeTrainConfig. what() is
// "<source>: `<path>`: <reason>", or with several errors "<source>: N problems"
// followed by one "  `<path>`: <reason>" line each; errors() lets the GUI mark
// each field.
class TrainConfigError : public Error
{
public:
    TrainConfigError(const std::string &source, std::vector<FieldError> errors);
    const std::vector<FieldError> &errors() const { return m_errors; }

private:
    std::vector<FieldError> m_errors;
};

// Value ranges and cross-field rules of a struct (e.g. one the GUI edited);
// empty when the config is valid. Type errors and unknown keys cannot occur in
// a struct, so parseTrainConfig reports those itself.
std::vector<FieldError> validateTrainConfig(const TrainConfig &config);

// Missing keys take their defaults; `source` (a file name) prefixes messages.
// Throws TrainConfigError listing every bad field.
TrainConfig parseTrainConfig(const nlohmann::json &json, const std::string &source);

// Every key, defaults resolved, so that a saved run is reproducible.
nlohmann::json toJson(const TrainConfig &config);

// Reads with file / line / column for JSON syntax errors and refuses duplicate
// keys (io::readJsonFile), then parses.
TrainConfig readTrainConfig(const std::filesystem::path &file);

// Validates, then writes toJson (keys in the struct's order) atomically: the
// file is either the old one or the complete new one.
void writeTrainConfig(const TrainConfig &config, const std::filesystem::path &file);

} // namespace headroom::train
