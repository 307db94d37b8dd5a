// The live memory estimate: a pure function of the model's shape
// (model::ModelConfig), the run (train::TrainConfig) and the device that
// predicts, without a tensor, the bytes the trainer's memory probe will
// measure at each stage of a steady optimizer step (StageMemory: after load,
// after the last micro-batch's forward, after its backward, after the
// optimizer step, and the step's peak), broken down by component. The
// formulas restate what *our* engine allocates (TrainingSession, Trainer,
// ChunkedLoss, LoraAdapter, QuantizedLinear, the optimizers); every term
// names the code it mirrors. Validated against the counting allocator by
// tests/core/memory/tst_memory_estimate.cpp. Plain C++: no torch, no Qt, so
// the GUI recomputes it on every toggle (a few microseconds).
//
// Deliberately not here: reading files (the caller parses config.json),
// variable-length data (rows are assumed to be max_seq_len tokens, the
// longest batch comes first anyway) and packing's per-sample masks.
// Evaluation and merged export are estimated by simpler rules, not validated.
#pragma once

#include "model/ModelConfig.h"
#include "train/TrainConfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace headroom::memory {

// The device the run is planned for. CPU: tensor bytes only (the counting
// allocator's view). CUDA: adds the context and the caching allocator's slack.
struct DeviceInfo
{
    enum class Kind { Cpu, Cuda };
    Kind kind = Kind::Cpu;
    std::string name = "cpu"; // "NVIDIA GeForce RTX 4090", "cpu"
    int64_t totalBytes = 0;   // 0 = unknown
    int64_t freeBytes = 0;    // free now (detected devices only; 0 = unknown)
    int64_t usedByOthers = 0; // other processes' memory on a detected GPU
    bool detected = false;    // measured on this machine, not from the table
    // A per-device factor on the estimated tensor bytes from a probe step
    // (MemoryCalibration); 1 and uncalibrated by default.
    double correction = 1.0;
    bool calibrated = false;

    bool isCuda() const { return kind == Kind::Cuda; }
};

enum class Stage { Load, Forward, Backward, Optimizer };
const char *stageName(Stage stage); // "load", "forward", "backward", "optimizer"

// One line of the breakdown, in bytes.
struct MemoryComponent
{
    std::string key;  // JSON key, e.g. "optimizer_states"
    std::string name; // for people: "optimizer states (AdamW, fp32 m and v)"
    int64_t bytes = 0;
};

struct MemoryEstimate
{
    // --- components (bytes)
    int64_t baseWeights = 0;      // frozen or trained weights in the compute dtype (not quantized)
    int64_t quantizedWeights = 0; // packed int8/NF4 projections + their quantization constants
    int64_t loraParameters = 0;   // fp32 LoRA A and B
    int64_t masterWeights = 0;    // fp32 masters of full fine-tuning (0 when computing in fp32)
    int64_t gradients = 0;        // fp32 gradients of the trainable parameters
    int64_t optimizerStates = 0;  // AdamW m, v (+ 8-bit absmax, code books, step counters)
    int64_t activations = 0;      // tensors saved for backward (all layers, attention scores aside)
    int64_t attentionScores = 0;  // eager attention's saved [B, heads, T, T] probabilities
    int64_t logitsAndLoss = 0;    // the chunked loss's largest transient ([chunk, V] logits, fp32)
    int64_t backwardScratch = 0;  // the largest transient during backward (loss, one layer's grads)
    int64_t dequantScratch = 0;   // one quantized projection dequantized to the compute dtype
    int64_t optimizerScratch = 0; // temporaries of the optimizer step (8-bit chunk buffers)
    int64_t batch = 0;            // token ids and labels of the micro-batches
    int64_t cudaContext = 0;      // CUDA context and library workspaces (GPU only, not tensors)
    int64_t allocatorSlack = 0;   // caching-allocator rounding and fragmentation (GPU only)

    // Several processes (data parallel, train::GradientBuckets): the fp32
    // gradients are the all-reduce buckets, allocated with the model and held
    // for the whole run, so `gradients` counts in every stage; the reduction
    // itself works in place and needs no device memory of its own.
    bool gradientsResident = false;

    // --- stages, as train::StageMemory measures them (tensor bytes)
    int64_t load = 0;
    int64_t forward = 0;
    int64_t backward = 0;
    int64_t optimizer = 0;
    int64_t peak = 0;
    Stage peakStage = Stage::Forward; // the stage in which the peak happens
    // What the device must hold: peak + context + slack (= peak on the CPU).
    int64_t devicePeak = 0;
    // Not validated by the grid (rules from the code, for planning):
    int64_t evaluation = 0;  // peak of an evaluation pass during the run (no graph)
    int64_t exportMerge = 0; // host bytes of `export --format merged` (one shard + one delta)

    // --- facts
    int64_t parameters = 0;          // weights of the model, tied embeddings once
    int64_t trainableParameters = 0; // LoRA A/B, or every weight
    int64_t tokensPerMicroBatch = 0; // micro_batch_size × max_seq_len
    bool checkpointed = false;
    bool calibrated = false;
    double correction = 1.0;

    // Data-parallel processes (the estimate is per process) and the
    // micro-batches each runs per optimizer step: ceil(grad_accum_steps / processes).
    int processes = 1;
    int64_t microBatchesPerProcess = 1;

    int64_t stage(Stage s) const;
    std::vector<MemoryComponent> components() const;
};

// The estimate for a steady optimizer step (the second and later: optimizer
// states exist) on rows of config.maxSeqLen tokens. Throws headroom::Error
// for a shape it cannot reason about (zero sizes, unsupported family).
// `processes` > 1: the bytes of ONE of that many data-parallel processes
// (each holds the model, the trainable parameters and optimizer states and
// runs micro-batches of micro_batch_size rows; the Trainer gives rank r the
// step's micro-batches i with i % processes == r), plus the gradient
// all-reduce bucket. The total over the processes is processes × devicePeak.
MemoryEstimate estimateMemory(const model::ModelConfig &model, const train::TrainConfig &config,
                              const DeviceInfo &device = {}, int processes = 1);

// Names of the adaptable projections of one decoder block of `model`
// (Llama: self_attn.q_proj ..., GPT-2: attn.c_attn ...) matched against
// LoRA target names as PEFT does; "all-linear" when `targets` is empty.
bool loraTargets(const std::vector<std::string> &targets, const std::string &moduleName);

} // namespace headroom::memory
