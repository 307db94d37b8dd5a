// `headroom-cli demo [MODEL]`: what the README's first command starts until
// the desktop app exists — describes the model, then answers a question with
// it, streaming tokens. Defaults to the built-in model ($HEADROOM_DEFAULT_MODEL).
#include "CliSupport.h"
#include "Commands.h"
#include "common/Error.h"
#include "model/Generation.h"

#include <chrono>
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
    ComputeOptions compute;
};

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
    auto source = io::resolveModelSource(modelArgument);
    auto started = std::chrono::steady_clock::now();
    auto tokenizer = loadTokenizerFor(source);
    auto lm = loadModelFor(source, options.compute.dtype, options.compute.attention,
                           options.compute.device);
    std::chrono::duration<double> loadTime = std::chrono::steady_clock::now() - started;
    const auto &config = lm->config();
    std::cout << std::fixed << std::setprecision(1) << "Headroom demo\n"
              << "  model       " << source.path.filename().string() << " (" << config.modelType
              << ", " << static_cast<double>(config.parameterCount()) / 1e6 << " M parameters, "
              << config.numLayers << " layers)\n"
              << "  loaded in   " << loadTime.count() << " s\n\n"
              << std::defaultfloat;

    const bool chat = !tokenizer.chatTemplate().empty();
    auto prompt = promptIds(tokenizer, options.question, chat);
    std::cout << "> " << options.question
              << (chat ? "" : "  (no chat template: plain continuation)") << "\n"
              << std::flush;
    model::SamplingOptions sampling;
    sampling.maxNewTokens = options.maxNewTokens;
    if (auto eos = tokenizer.eosId())
        sampling.stopIds.push_back(*eos);
    for (auto id : config.eosTokenIds)
        sampling.stopIds.push_back(id);
    for (auto id : chatStopIds(tokenizer))
        sampling.stopIds.push_back(id);

    TokenStreamer streamer(tokenizer, std::cout);
    started = std::chrono::steady_clock::now();
    model::generate(*lm, prompt, sampling, [&](int64_t token) {
        streamer.add(token);
        return true;
    });
    streamer.finish();
    std::chrono::duration<double> genTime = std::chrono::steady_clock::now() - started;
    std::cout << std::fixed << std::setprecision(1) << "\n\n  " << streamer.tokens().size()
              << " tokens in " << genTime.count() << " s ("
              << static_cast<double>(streamer.tokens().size()) / genTime.count() << " tokens/s)\n";
    return 0;
}

} // namespace

Runner addDemoCommand(CLI::App &app)
{
    auto options = std::make_shared<DemoOptions>();
    auto *cmd = app.add_subcommand(
        "demo", "Describe the model and let it answer a question (default: built-in model)");
    cmd->add_option("MODEL", options->model, "Model folder, .gguf file, or cached repo id");
    cmd->add_option("--question", options->question, "What to ask");
    cmd->add_option("--max-new-tokens", options->maxNewTokens, "Upper bound on generated tokens");
    options->compute.addTo(*cmd);
    return [options] { return runDemo(*options); };
}

} // namespace headroom::cli
