// `headroom-cli demo [MODEL] [--dataset FILE]`: what the README's first
// command starts until the desktop app exists. Describes the model and lets
// it answer a question, streaming tokens; with a dataset it then fine-tunes
// the model on it with every memory-saving technique on (QLoRA: NF4 base with
// double quantization, LoRA, 8-bit AdamW, gradient checkpointing,
// accumulation), showing loss and measured memory per step, and answers the
// same question again with the trained adapter. Defaults to the built-in
// model ($HEADROOM_DEFAULT_MODEL).
#include "CliSupport.h"
#include "Commands.h"
#include "common/Error.h"
#include "io/ModelSource.h"
#include "model/TextGenerator.h"
#include "train/Trainer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>

namespace headroom::cli {

namespace {

struct DemoOptions
{
    std::string model;
    std::string question = "What is the capital of France? Answer in one sentence.";
    int64_t maxNewTokens = 64;
    std::string dataset;     // fine-tune on it when given
    int64_t trainSteps = 20; // optimizer steps of the demo fine-tune
    std::string runDir;      // where the demo run goes (default: a temporary folder)
    ComputeOptions compute;
};

void answer(model::TextGenerator &generator, const DemoOptions &options)
{
    std::cout << "> " << options.question
              << (generator.usesChatFormat() ? "" : "  (no chat template: plain continuation)")
              << "\n"
              << std::flush;
    model::GenerationOptions sampling;
    sampling.maxNewTokens = options.maxNewTokens;
    sampling.repetitionPenalty = 1.2; // greedy decoding of a 135M model loops without it
    const auto started = std::chrono::steady_clock::now();
    const auto result = generator.run(options.question, sampling, [](const std::string &piece) {
        std::cout << piece << std::flush;
    });
    std::chrono::duration<double> genTime = std::chrono::steady_clock::now() - started;
    const auto tokens = static_cast<double>(result.tokenIds.size());
    std::cout << std::fixed << std::setprecision(1) << "\n\n  " << result.tokenIds.size()
              << " tokens in " << genTime.count() << " s (" << tokens / genTime.count()
              << " tokens/s)\n\n"
              << std::defaultfloat;
}

class DemoProgress final : public train::TrainObserver
{
public:
    void onStep(const train::StepMetrics &s) override
    {
        std::printf("  step %3lld/%lld  loss %.3f  peak %.0f MiB  (%.1f s)\n",
                    static_cast<long long>(s.step), static_cast<long long>(s.totalSteps), s.loss,
                    static_cast<double>(s.memory.peak) / (1 << 20), s.seconds);
        std::fflush(stdout);
    }
};

// QLoRA on the dataset; returns the adapter folder of the last checkpoint.
std::filesystem::path fineTune(const std::string &model, const DemoOptions &options)
{
    train::TrainConfig config;
    config.model = model;
    config.dataset = options.dataset;
    config.maxSeqLen = 256;
    config.microBatchSize = 2;
    config.gradAccumSteps = 2;
    config.maxSteps = options.trainSteps;
    config.epochs.reset();
    config.learningRate = 1e-3; // a short run: a high LoRA rate shows the effect in 20 steps
    config.warmupSteps = 2;
    config.quantization = train::Quantization::Nf4;
    config.doubleQuant = true;
    config.optimizer = train::Optimizer::AdamW8bit;
    config.gradientCheckpointing = true;
    config.saveEvery = 0;
    config.device = *train::parseDeviceSpec(options.compute.device);
    config.outputDir = options.runDir.empty() ? (std::filesystem::temp_directory_path() /
                                                 ("headroom-demo-" + std::to_string(::getpid())))
                                                    .string()
                                              : options.runDir;
    train::Trainer trainer(config);
    const auto &setup = trainer.setup();
    std::cout << "Fine-tuning on " << std::filesystem::path(options.dataset).filename().string()
              << ": LoRA r" << config.lora.r << " on " << setup.quantizedModules
              << " NF4 projections (" << (setup.quantizedFromBytes >> 20) << " -> "
              << (setup.quantizedToBytes >> 20) << " MiB), 8-bit AdamW, gradient checkpointing, "
              << config.microBatchSize << " x " << config.gradAccumSteps << " sequences per step\n"
              << "  run folder " << config.outputDir << "\n";
    DemoProgress progress;
    auto summary = trainer.run(progress);
    std::cout << "\n";
    return summary.lastCheckpoint / "adapter";
}

int runDemo(const DemoOptions &options)
{
    std::string modelArgument = options.model;
    if (modelArgument.empty()) {
        const char *fallback = std::getenv("HEADROOM_DEFAULT_MODEL");
        if (!fallback)
            throw Error("demo: no MODEL given and $HEADROOM_DEFAULT_MODEL is not set "
                        "(scripts/setup.sh prints it)");
        modelArgument = fallback;
    }
    auto started = std::chrono::steady_clock::now();
    model::TextGeneratorOptions load;
    load.dtype = options.compute.dtype;
    load.attention = options.compute.attention;
    load.device = options.compute.device;
    model::TextGenerator generator(modelArgument, load);
    std::chrono::duration<double> loadTime = std::chrono::steady_clock::now() - started;
    const auto &config = generator.modelConfig();
    std::cout << std::fixed << std::setprecision(1) << "Headroom demo\n"
              << "  model       " << io::resolveModelSource(modelArgument).path.filename().string()
              << " (" << config.modelType << ", "
              << static_cast<double>(config.parameterCount()) / 1e6 << " M parameters, "
              << config.numLayers << " layers)\n"
              << "  loaded in   " << loadTime.count() << " s\n\n"
              << std::defaultfloat;
    answer(generator, options);
    if (options.dataset.empty())
        return 0;

    const auto adapter = fineTune(modelArgument, options);
    generator.loadAdapter(adapter.string());
    std::cout << "With the adapter trained just now:\n";
    answer(generator, options);
    return 0;
}

} // namespace

Runner addDemoCommand(CLI::App &app)
{
    auto options = std::make_shared<DemoOptions>();
    auto *cmd = app.add_subcommand(
        "demo", "Let the model answer a question; with --dataset, fine-tune it (QLoRA) and ask "
                "again (default: built-in model)");
    cmd->add_option("MODEL", options->model, "Model folder, .gguf file, or cached repo id");
    cmd->add_option("--question", options->question, "What to ask");
    cmd->add_option("--max-new-tokens", options->maxNewTokens, "Upper bound on generated tokens");
    cmd->add_option("--dataset", options->dataset,
                    "Fine-tune on this dataset (JSONL/JSON/CSV/TXT) between two answers");
    cmd->add_option("--train-steps", options->trainSteps, "Optimizer steps of the fine-tune")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--run-dir", options->runDir,
                    "Folder of the fine-tuning run (default: a new temporary folder)");
    options->compute.addTo(*cmd);
    return [options] { return runDemo(*options); };
}

} // namespace headroom::cli
