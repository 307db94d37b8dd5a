// Forward-pass throughput (tokens/s) of a model shape with random weights, the
// C++ half of bench/peers/compare_forward.py. Prints one JSON object so the
// driver can put it beside transformers' figure measured in the same run.
#include "model/CausalLM.h"
#include "model/ModelLoader.h"

#include <ATen/Parallel.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

using namespace headroom;

int main(int argc, char **argv)
{
    CLI::App app{"Forward throughput of a randomly initialised model shape"};
    std::string configPath, dtypeName = "fp32", attention = "sdpa";
    int64_t seq = 512, batch = 1;
    int warmup = 2, reps = 5, threads = static_cast<int>(std::thread::hardware_concurrency());
    app.add_option("--config", configPath, "config.json of the model shape")->required();
    app.add_option("--dtype", dtypeName, "fp32 | bf16 | fp16");
    app.add_option("--attention", attention, "sdpa | eager");
    app.add_option("--seq", seq);
    app.add_option("--batch", batch);
    app.add_option("--warmup", warmup);
    app.add_option("--reps", reps);
    app.add_option("--threads", threads);
    CLI11_PARSE(app, argc, argv);

    at::set_num_threads(threads);
    std::ifstream in(configPath);
    auto config = model::parseModelConfig(nlohmann::json::parse(in), configPath);
    auto lm = model::createModel(config);
    at::manual_seed(0);
    const auto dtype = model::parseDtype(dtypeName);
    for (auto &slot : lm->weightSlots()) {
        // Norm weights start at one, everything else small and random, as at initialisation.
        const bool isNorm = slot.name.find("norm") != std::string::npos ||
                            slot.name.find("ln_") != std::string::npos;
        *slot.tensor =
            isNorm ? at::ones(slot.shape, at::kFloat) : at::randn(slot.shape, at::kFloat) * 0.02;
        *slot.tensor = slot.tensor->to(dtype);
    }
    lm->finishLoading();
    lm->setAttentionKernel(model::parseAttentionKernel(attention));

    at::InferenceMode inference;
    auto ids = at::randint(0, config.vocabSize, {batch, seq}, at::kLong);
    std::vector<double> seconds;
    for (int i = 0; i < warmup + reps; ++i) {
        auto start = std::chrono::steady_clock::now();
        auto logits = lm->forward(ids);
        (void)logits.sum().item<float>();
        std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        if (i >= warmup)
            seconds.push_back(elapsed.count());
    }
    auto sorted = seconds;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    nlohmann::json result = {
        {"impl", "headroom"},     {"dtype", dtypeName},
        {"attention", attention}, {"seq", seq},
        {"batch", batch},         {"threads", threads},
        {"seconds", seconds},     {"tokens_per_s", static_cast<double>(batch * seq) / median}};
    std::cout << result.dump() << "\n";
    return 0;
}
