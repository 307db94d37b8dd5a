// `headroom-cli score MODEL (--text T | --file F) [--dtype D] [--adapter DIR] [--logits-out F]
// [--json]`: mean negative log-likelihood per predicted token over all input lines.
#include "CliSupport.h"
#include "Commands.h"
#include "common/Error.h"
#include "io/SafetensorsWriter.h"
#include "lora/PeftAdapter.h"
#include "model/Scoring.h"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

namespace headroom::cli {

namespace {

struct ScoreOptions
{
    std::string model;
    std::optional<std::string> text, file;
    ComputeOptions compute;
    std::optional<std::string> adapter; // PEFT adapter folder
    std::optional<std::string> logitsOut;
    bool json = false;
};

void writeLogits(const std::string &path, const std::vector<int64_t> &ids, const at::Tensor &logits)
{
    auto contiguous = logits.to(at::kFloat).contiguous(); // [T, V]
    io::SafetensorsWriter writer;
    writer.add("input_ids", io::DType::I64, {static_cast<int64_t>(ids.size())},
               std::as_bytes(std::span(ids.data(), ids.size())));
    writer.add("logits", io::DType::F32, {contiguous.size(0), contiguous.size(1)},
               std::as_bytes(std::span(contiguous.data_ptr<float>(),
                                       static_cast<size_t>(contiguous.numel()))));
    writer.write(path);
}

int runScore(const ScoreOptions &options)
{
    auto inputs = readInputs(options.text, options.file);
    auto source = io::resolveModelSource(options.model);
    auto tokenizer = loadTokenizerFor(source);
    auto lm = loadModelFor(source, options.compute.dtype, options.compute.attention,
                           options.compute.device);
    if (options.adapter)
        lora::loadPeftAdapter(*lm, *options.adapter);
    double sumNll = 0;
    int64_t predicted = 0;
    bool first = true;
    for (const auto &input : inputs) {
        auto ids32 = tokenizer.encode(input, true);
        std::vector<int64_t> ids(ids32.begin(), ids32.end());
        at::Tensor logits;
        auto score = model::scoreSequence(*lm, ids, first && options.logitsOut ? &logits : nullptr);
        if (first && options.logitsOut)
            writeLogits(*options.logitsOut, ids, logits);
        first = false;
        sumNll += score.sumNll;
        predicted += score.predicted;
    }
    if (predicted == 0)
        throw Error("score: no line has two or more tokens, so nothing is predicted");
    const double mean = sumNll / static_cast<double>(predicted);
    if (options.json)
        std::cout << nlohmann::json{{"tokens", predicted}, {"mean_nll", mean}}.dump() << "\n";
    else
        std::cout << "tokens " << predicted << "\nmean NLL " << std::setprecision(6) << mean
                  << " (perplexity " << std::exp(mean) << ")\n";
    return 0;
}

} // namespace

Runner addScoreCommand(CLI::App &app)
{
    auto options = std::make_shared<ScoreOptions>();
    auto *cmd = app.add_subcommand("score", "Mean negative log-likelihood of text under the model");
    cmd->add_option("MODEL", options->model, "Model folder, .gguf file, or cached repo id")
        ->required();
    auto *text = cmd->add_option("--text", options->text, "Text to score");
    cmd->add_option("--file", options->file, "File with one input per line")->excludes(text);
    options->compute.addTo(*cmd);
    cmd->add_option("--adapter", options->adapter,
                    "PEFT LoRA adapter folder to apply (adapter_config.json + "
                    "adapter_model.safetensors)");
    cmd->add_option("--logits-out", options->logitsOut,
                    "Write input_ids (int64 [T]) and logits (fp32 [T, V]) of the first line to "
                    "this .safetensors file");
    cmd->add_flag("--json", options->json, "Print {\"tokens\": N, \"mean_nll\": x}");
    return [options] { return runScore(*options); };
}

} // namespace headroom::cli
