// Measured memory of each training technique on one model (by default the
// built-in SmolLM2-135M-Instruct: 30 layers, the reference shape):
// every configuration runs real optimizer steps through the Trainer on rows of
// exactly --seq tokens, and the counting CPU allocator (or CUDA allocator
// statistics) gives the bytes at each stage. Prints a table, the three
// directions the training issue asks for, and one JSON object per
// configuration with --json. Never part of the test pass/fail.
#include "train/Trainer.h"

#include <ATen/Parallel.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

struct Technique
{
    std::string name;
    std::function<void(train::TrainConfig &)> apply;
};

struct Measured
{
    train::StageMemory memory; // of the last step
    train::TrainSetup setup;
    double secondsPerStep = 0;
};

class LastStep final : public train::TrainObserver
{
public:
    void onStep(const train::StepMetrics &m) override { last = m; }
    train::StepMetrics last;
};

double mib(int64_t bytes)
{
    return static_cast<double>(bytes) / (1 << 20);
}

// Rows of plain text long enough to be cut at max_seq_len: every row has the same length.
void writeDataset(const fs::path &file, int rows)
{
    std::ofstream out(file);
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += "Headroom measures the memory of every stage of a training step. ";
    for (int i = 0; i < rows; ++i)
        out << nlohmann::json{{"text", std::to_string(i) + " " + text}}.dump() << "\n";
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"Peak memory per training technique (measured)"};
    std::string model =
        std::getenv("HEADROOM_DEFAULT_MODEL") ? std::getenv("HEADROOM_DEFAULT_MODEL") : "";
    std::string device = "cpu", precision = "bf16";
    int64_t seq = 512, steps = 2;
    bool json = false;
    app.add_option("--model", model, "Model (default: $HEADROOM_DEFAULT_MODEL)");
    app.add_option("--device", device);
    app.add_option("--precision", precision, "bf16 | fp16 | fp32");
    app.add_option("--seq", seq, "Tokens per row");
    app.add_option("--steps", steps, "Optimizer steps per configuration (the last is reported)");
    app.add_flag("--json", json);
    CLI11_PARSE(app, argc, argv);
    if (model.empty()) {
        std::cerr << "error: give --model or set HEADROOM_DEFAULT_MODEL\n";
        return 2;
    }
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));

    const fs::path work =
        fs::temp_directory_path() / ("headroom-bench-memory-" + std::to_string(::getpid()));
    fs::create_directories(work);
    writeDataset(work / "rows.jsonl", 8);

    auto lora = [](train::TrainConfig &c) { c.lora.enabled = true; };
    const std::vector<Technique> techniques = {
        {"full fine-tuning, AdamW", [](train::TrainConfig &c) { c.lora.enabled = false; }},
        {"full fine-tuning, AdamW 8-bit",
         [](train::TrainConfig &c) {
             c.lora.enabled = false;
             c.optimizer = train::Optimizer::AdamW8bit;
         }},
        {"LoRA r16", lora},
        {"LoRA + gradient checkpointing",
         [&](train::TrainConfig &c) {
             lora(c);
             c.gradientCheckpointing = true;
         }},
        {"LoRA + int8 base",
         [&](train::TrainConfig &c) {
             lora(c);
             c.quantization = train::Quantization::Int8;
         }},
        {"LoRA + NF4 base",
         [&](train::TrainConfig &c) {
             lora(c);
             c.quantization = train::Quantization::Nf4;
         }},
        {"LoRA + NF4 double quant",
         [&](train::TrainConfig &c) {
             lora(c);
             c.quantization = train::Quantization::Nf4;
             c.doubleQuant = true;
         }},
        {"QLoRA: NF4 + 8-bit + checkpointing",
         [&](train::TrainConfig &c) {
             lora(c);
             c.quantization = train::Quantization::Nf4;
             c.doubleQuant = true;
             c.optimizer = train::Optimizer::AdamW8bit;
             c.gradientCheckpointing = true;
         }},
    };

    std::map<std::string, Measured> results;
    std::printf("%-36s %9s %9s %9s %9s %9s %8s\n", "technique (MiB)", "load", "forward", "backward",
                "optimizer", "peak", "s/step");
    for (const auto &t : techniques) {
        train::TrainConfig c;
        c.model = model;
        c.dataset = (work / "rows.jsonl").string();
        c.datasetFormat = train::DatasetFormat::Text;
        c.maxSeqLen = seq;
        c.microBatchSize = 1;
        c.gradAccumSteps = 1;
        c.maxSteps = steps;
        c.epochs.reset();
        c.warmupSteps = 0;
        c.saveEvery = 0;
        c.device = *train::parseDeviceSpec(device);
        c.precision = precision == "fp32"   ? train::Precision::Fp32
                      : precision == "fp16" ? train::Precision::Fp16
                                            : train::Precision::Bf16;
        c.outputDir = (work / ("run-" + std::to_string(results.size()))).string();
        t.apply(c);
        train::Trainer trainer(c);
        LastStep observer;
        auto started = std::chrono::steady_clock::now();
        trainer.run(observer);
        Measured m;
        m.memory = observer.last.memory;
        m.setup = trainer.setup();
        m.secondsPerStep =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() /
            static_cast<double>(steps);
        results[t.name] = m;
        std::printf("%-36s %9.1f %9.1f %9.1f %9.1f %9.1f %8.1f\n", t.name.c_str(),
                    mib(m.memory.load), mib(m.memory.forward), mib(m.memory.backward),
                    mib(m.memory.optimizer), mib(m.memory.peak), m.secondsPerStep);
        if (json)
            std::cout << nlohmann::json{{"technique", t.name},
                                        {"load", m.memory.load},
                                        {"forward", m.memory.forward},
                                        {"backward", m.memory.backward},
                                        {"optimizer", m.memory.optimizer},
                                        {"peak", m.memory.peak},
                                        {"seconds_per_step", m.secondsPerStep}}
                             .dump()
                      << "\n";
        std::fflush(stdout);
    }
    fs::remove_all(work);

    // The three directions, from the measurements above.
    const auto &base = results.at("LoRA r16");
    const auto &nf4 = results.at("LoRA + NF4 base");
    const auto &ckpt = results.at("LoRA + gradient checkpointing");
    const auto &full = results.at("full fine-tuning, AdamW");
    const auto &full8 = results.at("full fine-tuning, AdamW 8-bit");
    // Projections in bf16 = what quantization replaced; measured NF4 bytes = the load difference.
    const double projBytes = static_cast<double>(nf4.setup.quantizedFromBytes);
    const double nf4Bytes = projBytes - static_cast<double>(base.memory.load - nf4.memory.load);
    // Saved activations: live at the end of the forward minus live after the step.
    auto activations = [](const Measured &m) {
        return static_cast<double>(m.memory.forward - m.memory.optimizer);
    };
    auto states = [](const Measured &m) {
        return static_cast<double>(m.memory.optimizer - m.memory.load);
    };
    const double nf4Ratio = nf4Bytes / projBytes;
    const double ckptFactor = activations(base) / activations(ckpt);
    const double stateRatio = states(full8) / states(full);
    std::printf("\nNF4 base weights: %.1f MiB vs %.1f MiB bf16 = %.3fx (want <= 0.3x) %s\n",
                nf4Bytes / (1 << 20), projBytes / (1 << 20), nf4Ratio,
                nf4Ratio <= 0.3 ? "ok" : "MISSED");
    std::printf("saved activations (%s): %.1f MiB without, %.1f MiB with checkpointing "
                "= %.1fx less (want >= 3x) %s\n",
                base.setup.modelDescription.c_str(), activations(base) / (1 << 20),
                activations(ckpt) / (1 << 20), ckptFactor, ckptFactor >= 3 ? "ok" : "MISSED");
    std::printf("optimizer states: %.1f MiB AdamW 8-bit vs %.1f MiB AdamW = %.3fx (want <= 0.3x) "
                "%s\n",
                states(full8) / (1 << 20), states(full) / (1 << 20), stateRatio,
                stateRatio <= 0.3 ? "ok" : "MISSED");
    return 0;
}
