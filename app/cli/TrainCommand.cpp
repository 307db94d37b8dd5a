// `headroom-cli train`: runs a TrainConfig (or resumes a run) with the same
// Trainer the GUI uses. With --json, stdout carries only JSON lines (one per
// optimizer step, one per evaluation, a last "finished" line); messages go to
// stderr. Exit codes: 0 finished, 2 bad config or data (nothing written),
// 3 training failed (the last checkpoint is kept), 130 stopped by Ctrl-C
// after saving a checkpoint.
//
// Several processes (data parallel): under torchrun or Slurm the launcher's
// environment (RANK, WORLD_SIZE, ...) is honoured by the trainer; --nproc N
// starts N local processes itself (LocalLauncher.h). Only rank 0 prints the
// setup and the step lines; every rank reports its own errors.
#include "Commands.h"
#include "LocalLauncher.h"
#include "common/Error.h"
#include "io/JsonFile.h"
#include "train/MetricsJson.h"
#include "train/Trainer.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

namespace headroom::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void onInterrupt(int)
{
    g_interrupted = 1;
}

std::string mebibytes(int64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.0f MiB", static_cast<double>(bytes) / (1 << 20));
    return text;
}

class CliObserver final : public train::TrainObserver
{
public:
    explicit CliObserver(bool json) : m_json(json) {}

    void onLog(train::LogLevel level, const std::string &text) override
    {
        std::cerr << (level == train::LogLevel::Warning ? "warning: " : "") << text << "\n";
    }

    void onStep(const train::StepMetrics &s) override
    {
        if (m_json) {
            std::cout << train::toJson(s).dump() << std::endl;
            return;
        }
        char line[256];
        std::snprintf(line, sizeof line,
                      "step %lld/%lld  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s  peak %s%s\n",
                      static_cast<long long>(s.step), static_cast<long long>(s.totalSteps), s.loss,
                      s.learningRate, s.gradNorm, s.tokensPerSecond,
                      mebibytes(s.memory.peak).c_str(),
                      s.skipped ? "  (skipped: fp16 overflow)" : "");
        std::cout << line << std::flush;
    }

    void onEval(const train::EvalMetrics &e) override
    {
        if (m_json)
            std::cout << train::toJson(e).dump() << std::endl;
        else
            std::cout << "eval at step " << e.step << ": loss " << e.loss << std::endl;
    }

    void onCheckpoint(int64_t step, const std::filesystem::path &folder) override
    {
        std::cerr << "checkpoint at step " << step << ": " << folder.string() << "\n";
    }

    void onFinished(const train::RunSummary &r) override
    {
        if (m_json) {
            std::cout << nlohmann::json{{"event", "finished"},
                                        {"steps", r.steps},
                                        {"stopped", r.stopped},
                                        {"output_dir", r.outputDir.string()},
                                        {"checkpoint", r.lastCheckpoint.string()}}
                             .dump()
                      << std::endl;
        } else {
            std::cout << (r.stopped ? "stopped" : "finished") << " after " << r.steps << " of "
                      << r.totalSteps << " steps; run folder " << r.outputDir.string() << std::endl;
        }
    }

private:
    bool m_json;
};

struct TrainOptions
{
    std::string config;
    std::string resume;
    bool json = false;
    // Overrides of the config file's keys (the same file for several models or datasets).
    std::optional<std::string> model, dataset, outputDir;
    std::optional<int64_t> maxSteps;
    int nproc = 1;
};

// The command line of each rank that --nproc starts: the same, less --nproc.
std::vector<std::string> rankArguments(const TrainOptions &options)
{
    std::vector<std::string> out{"train"};
    if (!options.config.empty())
        out.insert(out.end(), {"--config", options.config});
    if (!options.resume.empty())
        out.insert(out.end(), {"--resume", options.resume});
    if (options.json)
        out.push_back("--json");
    if (options.model)
        out.insert(out.end(), {"--model", *options.model});
    if (options.dataset)
        out.insert(out.end(), {"--dataset", *options.dataset});
    if (options.outputDir)
        out.insert(out.end(), {"--output-dir", *options.outputDir});
    if (options.maxSteps)
        out.insert(out.end(), {"--max-steps", std::to_string(*options.maxSteps)});
    return out;
}

// The config file with the command line's overrides, validated as one.
train::TrainConfig readConfig(const TrainOptions &options)
{
    auto json = io::readJsonFile(options.config);
    if (!json.is_object())
        throw Error(options.config + ": a run config is a JSON object");
    if (options.model)
        json["model"] = *options.model;
    if (options.dataset)
        json["dataset"] = *options.dataset;
    if (options.outputDir)
        json["output_dir"] = *options.outputDir;
    if (options.maxSteps) {
        json["max_steps"] = *options.maxSteps;
        json["epochs"] = nullptr;
    }
    return train::parseTrainConfig(json, options.config);
}

int runTrain(const TrainOptions &options)
{
    if (options.nproc > 1) {
        if (std::getenv("RANK") || std::getenv("WORLD_SIZE"))
            throw Error("--nproc starts its own processes; it cannot run under a launcher that "
                        "already set RANK / WORLD_SIZE");
        return launchLocalProcesses(options.nproc, rankArguments(options));
    }
    CliObserver observer(options.json);
    std::unique_ptr<train::Trainer> trainer;
    if (!options.resume.empty())
        trainer = train::Trainer::resume(options.resume, &observer);
    else
        trainer = std::make_unique<train::Trainer>(readConfig(options), &observer);
    const auto &setup = trainer->setup();
    if (setup.worldSize > 1)
        std::cerr << "rank " << setup.rank << " of " << setup.worldSize << " on " << setup.device
                  << "\n";
    if (setup.rank == 0)
        std::cerr << "model: " << setup.modelDescription << " on " << setup.device << "\n"
                  << "trainable: " << setup.trainableParameters << " parameters\n"
                  << "data: " << setup.datasetSummary << "\n"
                  << "steps: " << setup.totalSteps
                  << (setup.startStep > 0
                          ? " (resuming after step " + std::to_string(setup.startStep) + ")"
                          : std::string())
                  << "\n";

    // Ctrl-C asks for a stop; the trainer finishes the micro-step and saves.
    std::stop_source stop;
    std::atomic<bool> done{false};
    auto previous = std::signal(SIGINT, onInterrupt);
    std::thread watcher([&] {
        while (!done) {
            if (g_interrupted) {
                stop.request_stop();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    int code = 0;
    try {
        auto summary = trainer->run(observer, stop.get_token());
        code = summary.stopped ? 130 : 0;
    } catch (const train::TrainingError &e) {
        std::cerr << "error: training failed: " << e.what() << "\n";
        code = 3;
    }
    done = true;
    watcher.join();
    std::signal(SIGINT, previous);
    return code;
}

} // namespace

Runner addTrainCommand(CLI::App &app)
{
    auto options = std::make_shared<TrainOptions>();
    auto *cmd = app.add_subcommand(
        "train", "Fine-tune a model as a run config describes, or resume a run.\n"
                 "Exit 0 finished, 2 bad config or data (nothing written), 3 training failed "
                 "(last checkpoint kept), 130 stopped by Ctrl-C (checkpoint saved).");
    auto *config = cmd->add_option("--config", options->config, "Run config (JSON)");
    auto *resume = cmd->add_option("--resume", options->resume,
                                   "Run folder to continue from its last checkpoint");
    config->excludes(resume);
    resume->excludes(config);
    cmd->add_flag("--json", options->json, "One JSON line per step on stdout");
    cmd->add_option("--model", options->model, "Override the config's model")->excludes(resume);
    cmd->add_option("--dataset", options->dataset, "Override the config's dataset")
        ->excludes(resume);
    cmd->add_option("--output-dir", options->outputDir, "Override the config's output_dir")
        ->excludes(resume);
    cmd->add_option("--max-steps", options->maxSteps, "Override the run length (optimizer steps)")
        ->excludes(resume);
    cmd->add_option("--nproc", options->nproc,
                    "Train with N local processes (data parallel; see README)")
        ->check(CLI::Range(1, 1024));
    cmd->callback([cmd] {
        if (cmd->count("--config") + cmd->count("--resume") != 1)
            throw CLI::RequiredError("--config or --resume");
    });
    return [options] { return runTrain(*options); };
}

} // namespace headroom::cli
