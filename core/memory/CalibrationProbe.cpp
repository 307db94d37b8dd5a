// The calibration probe; see CalibrationProbe.h.
#include "memory/CalibrationProbe.h"

#include "memory/DeviceDetect.h"
#include "train/Trainer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace headroom::memory {

namespace fs = std::filesystem;

namespace {

class LastStep final : public train::TrainObserver
{
public:
    void onStep(const train::StepMetrics &m) override { last = m; }
    train::StepMetrics last;
};

struct TempFolder
{
    fs::path path;
    TempFolder()
        : path(fs::temp_directory_path() / ("headroom-calibration-" + std::to_string(::getpid())))
    {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempFolder()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

} // namespace

Calibration runCalibrationProbe(const train::TrainConfig &config, const model::ModelConfig &model)
{
    TempFolder work;
    // Every row longer than max_seq_len with any tokenizer: at least one token per word.
    static const char *kWords[] = {"memory", "the",   "of",  "step",  "a",  "probe",
                                   "layer",  "token", "and", "model", "to", "batch"};
    std::mt19937 random(7);
    const int64_t rows = 2 * config.microBatchSize * config.gradAccumSteps;
    {
        std::ofstream out(work.path / "rows.jsonl");
        for (int64_t r = 0; r < rows; ++r) {
            std::string text;
            for (int64_t w = 0; w < 2 * config.maxSeqLen + 16; ++w)
                text += std::string(kWords[random() % std::size(kWords)]) + " ";
            out << nlohmann::json{{"text", text}}.dump() << "\n";
        }
    }
    train::TrainConfig probe = config;
    probe.dataset = (work.path / "rows.jsonl").string();
    probe.datasetFormat = train::DatasetFormat::Text;
    probe.packing = false;
    probe.validationSplit = 0;
    probe.evalEvery = 0;
    probe.maxSteps = 2;
    probe.epochs.reset();
    probe.saveEvery = 0;
    probe.outputDir = (work.path / "run").string();

    train::Trainer trainer(probe);
    LastStep observer;
    trainer.run(observer);

    DeviceInfo device = detectDevice(config.device);
    device.calibrated = false;
    device.correction = 1.0;
    Calibration c;
    c.device = device.name;
    c.measuredPeak = observer.last.memory.peak;
    c.estimatedPeak = estimateMemory(model, probe, device).peak;
    return c;
}

} // namespace headroom::memory
