// Checkpoint folders; see TrainCheckpoint.h.
#include "train/TrainCheckpoint.h"

#include "common/AtomicFile.h"
#include "common/ChecksumManifest.h"
#include "common/Error.h"
#include "io/JsonFile.h"
#include "lora/PeftAdapter.h"
#include "model/TensorFile.h"

#include <ATen/Context.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace headroom::train {

namespace fs = std::filesystem;

namespace {

const std::string kPeftPrefix = "base_model.model.";
const char *const kOptimizerGroups[] = {"decay.", "plain."};

std::string folderName(int64_t step)
{
    char name[32];
    std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
    return name;
}

// The generators whose state decides dropout: the CPU's and the training device's.
std::vector<at::Device> rngDevices(const at::Device &device)
{
    std::vector<at::Device> devices{at::kCPU};
    if (!device.is_cpu())
        devices.push_back(device);
    return devices;
}

void copyInto(const at::Tensor &target, const at::Tensor &value, const std::string &where)
{
    if (!value.defined() || value.sizes() != target.sizes())
        throw Error(where + ": missing or of the wrong shape");
    at::NoGradGuard noGrad;
    target.detach().copy_(value);
}

void removeOldCheckpoints(const fs::path &dir)
{
    std::set<std::string> names; // step-NNNNNNNN sorts by step
    for (const auto &entry : fs::directory_iterator(dir))
        if (entry.is_directory() && entry.path().filename().string().starts_with("step-") &&
            entry.path().extension() != ".partial")
            names.insert(entry.path().filename().string());
    while (names.size() > static_cast<size_t>(kKeptCheckpoints)) {
        fs::remove_all(dir / *names.begin());
        names.erase(names.begin());
    }
}

// Test-only fault injection (tests/interop/tst_train_faults.cpp): with
// HEADROOM_TEST_CRASH_IN_CHECKPOINT set to exactly the step being saved, the
// process SIGKILLs itself after the weights and optimizer files are written
// and before state.json, the manifest and the rename: a crash in the middle
// of a checkpoint. Unset, or any other value, does nothing.
void crashHereIfTestAsks(int64_t step)
{
    const char *value = std::getenv("HEADROOM_TEST_CRASH_IN_CHECKPOINT");
    if (value && std::to_string(step) == value)
        ::raise(SIGKILL);
}

} // namespace

model::NamedTensors captureRngStates(const at::Device &device)
{
    model::NamedTensors states;
    for (const auto &d : rngDevices(device)) {
        auto gen = at::globalContext().defaultGenerator(d);
        std::lock_guard<std::mutex> lock(gen.mutex());
        states[d.str()] = gen.get_state();
    }
    return states;
}

void restoreRngStates(const model::NamedTensors &states)
{
    for (const auto &[name, state] : states) {
        const at::Device device(name);
        auto gen = at::globalContext().defaultGenerator(device);
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(state);
    }
}

fs::path saveCheckpoint(TrainingSession &s, const fs::path &runDir)
{
    const fs::path dir = runDir / "checkpoints";
    const std::string name = folderName(s.stepsDone);
    const fs::path partial = dir / (name + ".partial");
    fs::remove_all(partial);
    fs::create_directories(partial);

    writeTrainConfig(s.config, partial / "run.json");
    if (s.config.lora.enabled) {
        lora::PeftAdapterInfo info;
        info.baseModel = s.config.model;
        info.settings = {s.config.lora.r, s.config.lora.alpha, s.config.lora.dropout,
                         s.config.lora.rslora};
        info.targets = s.config.lora.targetModules;
        lora::savePeftAdapter(*s.model, partial / "adapter", info);
    } else {
        model::NamedTensors weights;
        for (const auto &p : s.params.list())
            weights[p.name] = p.master;
        model::saveTensorFile(partial / "trainable.safetensors", weights);
    }
    model::NamedTensors optimizer;
    const auto optimizers =
        std::vector<optim::Optimizer *>{s.decayOptimizer.get(), s.plainOptimizer.get()};
    for (size_t g = 0; g < optimizers.size(); ++g)
        if (optimizers[g])
            for (const auto &[key, tensor] : optimizers[g]->stateDict())
                optimizer[kOptimizerGroups[g] + key] = tensor;
    model::saveTensorFile(partial / "optimizer.safetensors", optimizer);
    model::saveTensorFile(partial / "rng.safetensors", captureRngStates(s.device));
    crashHereIfTestAsks(s.stepsDone);

    nlohmann::json state = {
        {"format", "headroom-checkpoint"},
        {"version", 1},
        {"step", s.stepsDone},
        {"total_steps", s.setup.totalSteps},
        {"micro_batches_done", s.microBatchesDone()},
        {"epoch", static_cast<double>(s.microBatchesDone()) /
                      static_cast<double>(s.setup.microBatchesPerEpoch)},
        {"loss", s.lastLoss},
        {"eval_loss", s.lastEvalLoss ? nlohmann::json(*s.lastEvalLoss) : nlohmann::json(nullptr)},
        {"loss_scale", s.scaler.scale()},
        {"loss_scale_clean_steps", s.scaler.cleanSteps()},
        {"checksums", kChecksumManifestName},
    };
    writeFileAtomically(partial / "state.json", state.dump(2) + "\n");
    // Last: the SHA-256 of every file, verified by loadCheckpoint. Then make
    // the folder's entries durable before it is renamed into place, and the
    // rename durable before `latest` names it.
    writeChecksumManifest(partial);
    if (s.config.lora.enabled)
        fsyncDirectory(partial / "adapter");
    fsyncDirectory(partial);

    const fs::path folder = dir / name;
    fs::remove_all(folder);
    fs::rename(partial, folder);
    fsyncDirectory(dir);
    writeFileAtomically(dir / "latest", name + "\n");
    removeOldCheckpoints(dir);
    return folder;
}

void loadCheckpoint(TrainingSession &s, const fs::path &folder)
{
    const auto statePath = folder / "state.json";
    // Every file against its SHA-256 before any is trusted. Checkpoints
    // written before the manifest existed have no "checksums" field.
    if (hasChecksumManifest(folder))
        verifyChecksumManifest(folder);
    const auto state = io::readJsonFile(statePath);
    if (state.contains("checksums") && !hasChecksumManifest(folder))
        throw Error((folder / kChecksumManifestName).string() +
                    ": missing, but state.json says the checkpoint has one");
    auto field = [&](const char *key) -> const nlohmann::json & {
        if (!state.contains(key))
            throw Error(statePath.string() + ": field `" + key + "` is missing");
        return state.at(key);
    };
    if (field("format") != "headroom-checkpoint" || field("version") != 1)
        throw Error(statePath.string() + ": not a version-1 Headroom checkpoint");
    try {
        s.stepsDone = field("step").get<int64_t>();
        s.lastLoss = field("loss").get<double>();
        if (!field("eval_loss").is_null())
            s.lastEvalLoss = field("eval_loss").get<double>();
        s.scaler.restore(field("loss_scale").get<double>(),
                         field("loss_scale_clean_steps").get<int64_t>());
    } catch (const nlohmann::json::exception &e) {
        throw Error(statePath.string() + ": " + e.what());
    }

    // Trainable weights into the tensors the optimizers already hold.
    if (s.config.lora.enabled) {
        const auto file = folder / "adapter" / "adapter_model.safetensors";
        auto tensors = model::loadTensorFile(file);
        for (const auto &p : s.params.list())
            copyInto(p.master, tensors[kPeftPrefix + p.name],
                     file.string() + ": tensor `" + kPeftPrefix + p.name + "`");
    } else {
        const auto file = folder / "trainable.safetensors";
        auto tensors = model::loadTensorFile(file);
        for (const auto &p : s.params.list())
            copyInto(p.master, tensors[p.name], file.string() + ": tensor `" + p.name + "`");
    }
    s.params.copyMastersToModel();

    const auto optimizerFile = folder / "optimizer.safetensors";
    auto optimizer = model::loadTensorFile(optimizerFile);
    const auto optimizers =
        std::vector<optim::Optimizer *>{s.decayOptimizer.get(), s.plainOptimizer.get()};
    for (size_t g = 0; g < optimizers.size(); ++g) {
        if (!optimizers[g])
            continue;
        optim::StateDict dict;
        const std::string prefix = kOptimizerGroups[g];
        for (const auto &[key, tensor] : optimizer)
            if (key.starts_with(prefix))
                dict[key.substr(prefix.size())] = tensor.to(s.device);
        try {
            optimizers[g]->loadStateDict(dict);
        } catch (const Error &e) {
            throw Error(optimizerFile.string() + ": " + e.what());
        }
    }

    const auto rngFile = folder / "rng.safetensors";
    auto rng = model::loadTensorFile(rngFile);
    for (const auto &device : rngDevices(s.device))
        if (!rng.count(device.str()))
            throw Error(rngFile.string() + ": no RNG state for " + device.str());
    try {
        restoreRngStates(rng);
    } catch (const c10::Error &e) {
        throw Error(rngFile.string() + ": " + e.what_without_backtrace());
    }
    s.lastCheckpoint = folder;
    s.setup.startStep = s.stepsDone;
}

} // namespace headroom::train
