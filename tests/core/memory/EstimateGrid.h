// The estimator's validation grid, shared by tests/core/memory/tst_memory_estimate
// and bench/estimate_grid: two small random-weight models (a Llama shape with
// grouped-query attention and a GPT-2 shape), written as Hugging Face folders
// with a one-character-per-token tokenizer, a dataset of `text` rows longer
// than any max_seq_len (so every row is cut to exactly max_seq_len tokens),
// and configurations that switch each technique on and off. Each case runs
// real Trainer steps; the last step's StageMemory is compared with
// memory::estimateMemory.
#pragma once

#include "memory/MemoryEstimate.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <string>
#include <vector>

namespace headroom::test {

struct GridCase
{
    std::string name;
    model::ModelConfig model;
    train::TrainConfig config;
};

struct GridResult
{
    GridCase c;
    train::StageMemory measured;
    memory::MemoryEstimate estimate;
    double seconds = 0;
};

// Writes the models and the dataset under `work` and returns the cases.
std::vector<GridCase> makeEstimateGrid(const std::filesystem::path &work);

// Runs 2 optimizer steps of the case (output under `work`) and estimates it.
GridResult runGridCase(const GridCase &c, const std::filesystem::path &work);

// (estimate - measured) / measured.
double relativeError(int64_t estimate, int64_t measured);

// One line per case: stage values in MiB, estimate / measured / error.
std::string gridHeader();
std::string gridLine(const GridResult &r);

} // namespace headroom::test
