// The shared tiny training run; see TinyRun.h.
#include "common/TinyRun.h"

#include "common/TestSupport.h"

namespace headroom::test {

std::filesystem::path trainFixtures()
{
    return fixtureDir() / "train";
}

nlohmann::json tinyRunConfig(const std::filesystem::path &output)
{
    return {{"model", (trainFixtures() / "tiny_llama").string()},
            {"dataset", (trainFixtures() / "small.jsonl").string()},
            {"precision", "fp32"},
            {"device", "cpu"},
            {"max_steps", 4},
            {"epochs", nullptr},
            {"micro_batch_size", 2},
            {"grad_accum_steps", 1},
            {"warmup_steps", 0},
            {"learning_rate", 1e-3},
            {"save_every", 0},
            {"lora", {{"r", 8}, {"alpha", 16}}},
            {"output_dir", output.string()}};
}

} // namespace headroom::test
