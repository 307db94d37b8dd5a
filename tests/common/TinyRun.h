// The run config the CLI training tests share: a short fp32 CPU LoRA run of
// the tiny chat Llama on small.jsonl (tests/fixtures/gen_train.py). Tests
// override the keys their point is about.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

namespace headroom::test {

// <fixtures>/train: tiny_llama/, small.jsonl, three.jsonl.
std::filesystem::path trainFixtures();

// 4 optimizer steps of micro-batch 2, no accumulation, no warm-up, lr 1e-3,
// LoRA r 8 / alpha 16 with the default dropout, no periodic checkpoints;
// `output` is the run folder.
nlohmann::json tinyRunConfig(const std::filesystem::path &output);

} // namespace headroom::test
