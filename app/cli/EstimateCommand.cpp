// `headroom-cli estimate --config run.json [--budget GB] [--gpu NAME] [--fit-data] [--json]`:
// the memory a run will need, per stage and per component, whether it fits,
// and what to change when it does not — from the model's config.json (or
// GGUF header) alone, no weights, in milliseconds. --calibrate first runs
// one probe step on this machine and stores a correction for the device.
#include "Commands.h"
#include "common/Error.h"
#include "data/PreparedDataset.h"
#include "io/ModelSource.h"
#include "memory/CalibrationProbe.h"
#include "memory/DeviceDetect.h"
#include "memory/FitAdvice.h"
#include "memory/GpuCatalog.h"
#include "memory/MemoryCalibration.h"
#include "model/ModelLoader.h"
#include "model/TokenizerLoader.h"
#include "train/DataOptionsOf.h"
#include "train/TrainConfig.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

namespace headroom::cli {

namespace {

struct EstimateOptions
{
    std::string config;
    std::optional<double> budgetGb;
    std::string gpu;
    bool json = false;
    bool calibrate = false;
    int nproc = 1; // data-parallel processes, as `train --nproc`
    bool fitData = false;
};

// --fit-data: the dataset tokenized as `train` will (same pipeline and
// settings); without packing, rows are never longer than the longest sample,
// so max_seq_len above it only inflates the estimate. Returns the longest
// sample, and lowers config.maxSeqLen to it when that is shorter.
int64_t fitMaxSeqLenToData(train::TrainConfig &config, const io::ModelSource &source)
{
    if (config.dataset.empty())
        throw Error("--fit-data needs `dataset` in the run config");
    const auto tokenizer = model::loadTokenizer(source);
    const auto prepared =
        data::prepareDataset(config.dataset, tokenizer, train::dataOptionsOf(config));
    const auto &lengths = prepared.summary.sampleLengths;
    if (lengths.empty())
        throw Error(config.dataset + ": no usable sample");
    const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
    if (!config.packing)
        config.maxSeqLen = std::clamp<int64_t>(longest, 2, config.maxSeqLen);
    return longest;
}

std::string describeRun(const train::TrainConfig &c)
{
    std::ostringstream out;
    if (c.lora.enabled)
        out << "LoRA r" << c.lora.r << " "
            << (c.lora.targetsAllLinear()
                    ? std::string("all-linear")
                    : std::to_string(c.lora.targetModules.size()) + " targets");
    else
        out << "full fine-tuning";
    if (c.quantization != train::Quantization::None)
        out << ", " << train::toString(c.quantization) << (c.doubleQuant ? " double-quant" : "")
            << " base";
    out << ", " << train::toString(c.precision) << ", " << train::toString(c.attention) << ", "
        << train::toString(c.optimizer) << (c.gradientCheckpointing ? ", checkpointing" : "")
        << ", micro-batch " << c.microBatchSize << " x " << c.maxSeqLen << " tokens, accumulation "
        << c.gradAccumSteps;
    return out.str();
}

nlohmann::json componentsJson(const memory::MemoryEstimate &e)
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto &c : e.components())
        out[c.key] = c.bytes;
    return out;
}

int runEstimate(const EstimateOptions &options)
{
    auto config = train::readTrainConfig(options.config);
    if (auto errors = train::validateTrainConfig(config); !errors.empty())
        throw train::TrainConfigError(options.config, std::move(errors));
    const auto source = io::resolveModelSource(config.model);
    const auto modelConfig = model::loadModelConfig(source);
    const int64_t maxSeqLen = config.maxSeqLen;
    std::optional<int64_t> longestSample;
    if (options.fitData)
        longestSample = fitMaxSeqLenToData(config, source);

    memory::DeviceInfo device;
    if (!options.gpu.empty()) {
        auto gpu = memory::findGpu(options.gpu);
        if (!gpu) {
            std::string known;
            for (const auto &g : memory::gpuCatalog())
                known += "\n  " + g.name + " (" + std::to_string(g.memoryGiB) + " GB)";
            throw Error("--gpu `" + options.gpu + "`: not in the GPU table; known cards:" + known);
        }
        device = memory::plannedDevice(*gpu);
    } else {
        device = memory::detectDevice(config.device);
    }
    if (options.calibrate) {
        if (device.detected || !device.isCuda()) {
            auto result = memory::runCalibrationProbe(config, modelConfig);
            memory::storeCalibration(result);
        } else {
            throw Error(
                "--calibrate measures this machine's device; it cannot be combined with --gpu");
        }
    }
    memory::applyStoredCalibration(device);

    int64_t budget = memory::defaultBudget(device);
    if (options.budgetGb) {
        if (!(*options.budgetGb > 0) || !std::isfinite(*options.budgetGb))
            throw Error("--budget must be a positive number of GB");
        budget = static_cast<int64_t>(*options.budgetGb * 1e9);
    }

    // With --nproc every figure is per process (each on its own device and budget).
    const auto estimate = memory::estimateMemory(modelConfig, config, device, options.nproc);
    const auto advice = memory::adviseFit(modelConfig, config, device, budget, options.nproc);

    if (options.json) {
        nlohmann::json advices = nlohmann::json::array();
        for (const auto &change : advice.changes)
            advices.push_back({{"change", change.key},
                               {"text", change.description},
                               {"saving", change.saving},
                               {"cost", change.cost},
                               {"fits_alone", change.fitsAlone}});
        nlohmann::json out = {
            {"stages",
             {{"load", estimate.load},
              {"forward", estimate.forward},
              {"backward", estimate.backward},
              {"optimizer", estimate.optimizer}}},
            {"peak", estimate.peak},
            {"evaluation", estimate.evaluation},
            {"export_merge", estimate.exportMerge},
            {"peak_stage", memory::stageName(estimate.peakStage)},
            {"device_peak", estimate.devicePeak},
            {"components", componentsJson(estimate)},
            {"budget", budget},
            {"fits", advice.fits},
            {"advice", advices},
            {"device",
             {{"name", device.name},
              {"kind", device.isCuda() ? "cuda" : "cpu"},
              {"total", device.totalBytes},
              {"free", device.freeBytes},
              {"used_by_others", device.usedByOthers},
              {"detected", device.detected}}},
            {"processes", options.nproc},
            {"total_device_peak", estimate.devicePeak * options.nproc},
            {"calibrated", estimate.calibrated},
            {"correction", estimate.correction},
            {"parameters", estimate.parameters},
            {"trainable_parameters", estimate.trainableParameters},
            {"max_seq_len", config.maxSeqLen},
        };
        if (longestSample)
            out["longest_sample"] = *longestSample;
        if (advice.autoFit && !advice.fits)
            out["auto_fit"] = {{"changes", advice.autoFitChanges},
                               {"device_peak", advice.autoFitEstimate->devicePeak},
                               {"config", train::toJson(*advice.autoFit)}};
        else
            out["auto_fit"] = nullptr;
        std::cout << out.dump(2) << "\n";
        return 0;
    }

    auto gb = [](int64_t b) { return memory::formatBytes(b); };
    std::cout << "model      " << modelConfig.modelType << ", " << modelConfig.numLayers
              << " layers, hidden " << modelConfig.hiddenSize << ", " << std::fixed
              << std::setprecision(1) << static_cast<double>(estimate.parameters) / 1e6
              << " M parameters (" << static_cast<double>(estimate.trainableParameters) / 1e6
              << " M trained)\n"
              << "run        " << describeRun(config)
              << (options.nproc > 1 ? "; per process of " + std::to_string(options.nproc) +
                                          " data-parallel processes, together " +
                                          gb(estimate.devicePeak * options.nproc)
                                    : std::string())
              << "\n";
    if (longestSample)
        std::cout << "data       longest sample " << *longestSample << " tokens"
                  << (config.packing ? "; packed rows fill max_seq_len, so it stays " +
                                           std::to_string(config.maxSeqLen)
                      : config.maxSeqLen < maxSeqLen
                          ? "; rows estimated at " + std::to_string(config.maxSeqLen) +
                                " instead of max_seq_len " + std::to_string(maxSeqLen) +
                                " (set it in the config to train the same way)"
                          : std::string("; no shorter than max_seq_len"))
                  << "\n";
    std::cout << "device     " << device.name << " (" << gb(device.totalBytes)
              << (device.detected ? ", detected" : ", planned") << "; "
              << (estimate.calibrated ? "calibrated x" + std::to_string(estimate.correction)
                                      : std::string("not calibrated"))
              << ")\n\n";
    std::cout << "stage (tensor bytes)\n";
    for (auto stage : {memory::Stage::Load, memory::Stage::Forward, memory::Stage::Backward,
                       memory::Stage::Optimizer})
        std::cout << "  " << std::left << std::setw(12) << memory::stageName(stage) << std::right
                  << std::setw(10) << gb(estimate.stage(stage)) << "\n";
    std::cout << "  " << std::left << std::setw(12) << "peak" << std::right << std::setw(10)
              << gb(estimate.peak) << "  (during " << memory::stageName(estimate.peakStage)
              << ")\n";
    if (estimate.devicePeak != estimate.peak)
        std::cout << "  " << std::left << std::setw(12) << "on device" << std::right
                  << std::setw(10) << gb(estimate.devicePeak) << "  (+ CUDA context "
                  << gb(estimate.cudaContext) << ", allocator slack " << gb(estimate.allocatorSlack)
                  << ")\n";
    std::cout << "  " << std::left << std::setw(12) << "evaluation" << std::right << std::setw(10)
              << gb(estimate.evaluation) << "  (validation pass during the run)\n"
              << "  " << std::left << std::setw(12) << "merge" << std::right << std::setw(10)
              << gb(estimate.exportMerge) << "  (host memory of a merged export)\n";
    std::cout << "\ncomponents\n";
    for (const auto &c : estimate.components())
        if (c.bytes > 0)
            std::cout << "  " << std::left << std::setw(38) << c.name << std::right << std::setw(10)
                      << gb(c.bytes) << "\n";
    std::cout << "\n"
              << (advice.fits ? "fits" : "does not fit") << " the budget of " << gb(budget) << "\n";
    if (!advice.changes.empty()) {
        std::cout << "\nchanges that save memory (cheapest first)\n";
        for (const auto &change : advice.changes)
            std::cout << "  - " << change.description << (change.fitsAlone ? "  [fits]" : "")
                      << "\n";
    }
    if (!advice.fits) {
        if (advice.autoFit) {
            std::cout << "\nauto-fit: ";
            for (size_t i = 0; i < advice.autoFitChanges.size(); ++i)
                std::cout << (i ? " + " : "") << advice.autoFitChanges[i];
            std::cout << " -> " << gb(advice.autoFitEstimate->devicePeak) << "\n";
        } else {
            std::cout << "\nauto-fit: no combination of techniques fits " << gb(budget)
                      << "; use a smaller model or max_seq_len\n";
        }
    }
    return 0;
}

} // namespace

Runner addEstimateCommand(CLI::App &app)
{
    auto options = std::make_shared<EstimateOptions>();
    auto *cmd = app.add_subcommand(
        "estimate", "Memory a training run needs, per stage and component, and how to make it fit");
    cmd->add_option("--config", options->config, "Run config (JSON, as `train` reads)")->required();
    cmd->add_option("--budget", options->budgetGb,
                    "Memory budget in GB (default: the device's free memory)");
    cmd->add_option("--gpu", options->gpu, "Plan for a GPU from the table, e.g. \"RTX 4090\"");
    cmd->add_option("--nproc", options->nproc,
                    "Data-parallel processes, as `train --nproc`: every figure is per process")
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("--fit-data", options->fitData,
                  "Tokenize the config's dataset as `train` does and estimate unpacked rows at "
                  "its longest sample when that is shorter than max_seq_len");
    cmd->add_flag("--json", options->json, "Print one JSON object (bytes)");
    cmd->add_flag("--calibrate", options->calibrate,
                  "Run one probe step on this machine first and store a correction for the device");
    return [options] { return runEstimate(*options); };
}

} // namespace headroom::cli
