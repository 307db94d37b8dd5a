// `headroom-cli generate MODEL --prompt P [--max-new-tokens N] [--temperature T]
// [--top-p P] [--seed S] [--chat]`: streams the continuation to stdout as it is
// produced. Temperature 0 is greedy decoding.
#include "CliSupport.h"
#include "Commands.h"
#include "model/TextGenerator.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace headroom::cli {

namespace {

struct GenerateOptions
{
    std::string model;
    std::string prompt;
    int64_t maxNewTokens = 128;
    double temperature = 0.0;
    double topP = 1.0;
    double repetitionPenalty = 1.0;
    uint64_t seed = 0;
    ComputeOptions compute;
    std::optional<std::string> adapter; // PEFT adapter folder
    bool json = false;
    bool chat = false;
    std::optional<std::string> chatFormat;
};

int runGenerate(const GenerateOptions &options)
{
    model::TextGeneratorOptions load;
    load.dtype = options.compute.dtype;
    load.attention = options.compute.attention;
    load.device = options.compute.device;
    load.adapter = options.adapter;
    load.prompt = options.chat ? model::PromptMode::Chat : model::PromptMode::Raw;
    load.chatFormat = options.chatFormat;
    model::TextGenerator generator(options.model, load);

    model::GenerationOptions sampling;
    sampling.maxNewTokens = options.maxNewTokens;
    sampling.temperature = options.temperature;
    sampling.topP = options.topP;
    sampling.repetitionPenalty = options.repetitionPenalty;
    sampling.seed = options.seed;
    // Pieces arrive as the text grows, never splitting a UTF-8 character.
    auto print = [&](const std::string &piece) {
        if (!options.json)
            std::cout << piece << std::flush;
    };
    const auto result = generator.run(options.prompt, sampling, print);
    if (options.json) {
        std::cout << nlohmann::json{{"prompt_ids", result.promptIds},
                                    {"ids", result.tokenIds},
                                    {"text", result.text}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << "\n";
    return 0;
}

} // namespace

Runner addGenerateCommand(CLI::App &app)
{
    auto options = std::make_shared<GenerateOptions>();
    auto *cmd =
        app.add_subcommand("generate", "Continue a prompt, streaming tokens as they are produced");
    cmd->add_option("MODEL", options->model, "Model folder, .gguf file, or cached repo id")
        ->required();
    cmd->add_option("--prompt", options->prompt, "Text to continue")->required();
    cmd->add_option("--max-new-tokens", options->maxNewTokens, "Upper bound on generated tokens")
        ->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--temperature", options->temperature, "0 = greedy")
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--repetition-penalty", options->repetitionPenalty,
                    "Divide the logits of tokens already seen by this (transformers' "
                    "repetition_penalty; 1 = off)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--top-p", options->topP, "Nucleus sampling mass in (0, 1]")
        ->check(CLI::Range(1e-9, 1.0));
    cmd->add_option("--seed", options->seed, "Seed of the sampler");
    options->compute.addTo(*cmd);
    cmd->add_option("--adapter", options->adapter,
                    "PEFT LoRA adapter folder to apply (adapter_config.json + "
                    "adapter_model.safetensors)");
    cmd->add_flag("--chat", options->chat,
                  "Send the prompt as a user turn in the model's chat format");
    cmd->add_option("--chat-format", options->chatFormat,
                    "Chat format to use instead of the model's template: chatml, llama3, llama2, "
                    "mistral, zephyr (implies --chat)");
    cmd->add_flag("--json", options->json,
                  "Print one JSON object with prompt ids, generated ids and text");
    return [options] { return runGenerate(*options); };
}

} // namespace headroom::cli
