// Locating and reading a run's checkpoint (see RunCheckpoint.h).
#include "export/RunCheckpoint.h"

#include "common/ChecksumManifest.h"
#include "common/Error.h"
#include "io/JsonFile.h"
#include "train/RunFolder.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace headroom::exporting {

namespace fs = std::filesystem;

namespace {

void readState(const fs::path &stateFile, RunCheckpoint &out)
{
    if (!fs::exists(stateFile))
        throwFileError(stateFile, "missing: not a complete checkpoint");
    const auto state = io::readJsonFile(stateFile);
    if (!state.is_object())
        throwFileError(stateFile, "must hold a JSON object");
    auto require = [&](const char *key) -> const nlohmann::json & {
        if (!state.contains(key))
            throwFileError(stateFile, std::string("field `") + key + "` is missing");
        return state.at(key);
    };
    if (require("format") != "headroom-checkpoint")
        throwFileError(stateFile, "field `format` must be \"headroom-checkpoint\", found " +
                                      state.at("format").dump());
    if (!require("version").is_number_integer() || state.at("version").get<int64_t>() != 1)
        throwFileError(stateFile, "field `version` " + state.at("version").dump() +
                                      " is not supported (supported: 1)");
    if (!require("step").is_number_integer() || state.at("step").get<int64_t>() < 0)
        throwFileError(stateFile, "field `step` must be a non-negative integer");
    out.step = state.at("step").get<int64_t>();
    if (auto it = state.find("epoch"); it != state.end() && it->is_number())
        out.epoch = static_cast<int64_t>(it->get<double>());
    auto optionalNumber = [&](const char *key) -> std::optional<double> {
        auto it = state.find(key);
        if (it == state.end() || it->is_null())
            return std::nullopt;
        if (!it->is_number())
            throwFileError(stateFile, std::string("field `") + key +
                                          "` must be a number or null, found " + it->dump());
        return it->get<double>();
    };
    out.loss = optionalNumber("loss");
    out.evalLoss = optionalNumber("eval_loss");
}

} // namespace

RunCheckpoint openRunCheckpoint(const fs::path &run, const std::optional<std::string> &checkpoint)
{
    if (!fs::is_directory(run))
        throwFileError(run, "not a folder");
    RunCheckpoint out;
    if (fs::exists(run / "state.json") && !checkpoint) {
        // A checkpoint folder itself: <run>/checkpoints/<name>.
        out.folder = run;
        out.runDir = run.parent_path().parent_path();
    } else {
        out.runDir = run;
        if (!checkpoint) {
            out.folder = train::latestCheckpoint(run);
        } else {
            const fs::path named = *checkpoint;
            out.folder = named.has_parent_path() || fs::exists(named / "state.json")
                             ? named
                             : run / "checkpoints" / named;
            if (!fs::is_directory(out.folder))
                throwFileError(out.folder, "no such checkpoint folder");
        }
    }
    out.folder = fs::absolute(out.folder).lexically_normal();
    out.name = out.folder.filename().string();
    // A torn or bit-flipped checkpoint must not be exported.
    if (hasChecksumManifest(out.folder))
        verifyChecksumManifest(out.folder);
    readState(out.folder / "state.json", out);

    // The checkpoint's own copy of the config describes its weights; the
    // run's is the fallback for checkpoints that do not carry one.
    auto config = out.folder / "run.json";
    if (!fs::exists(config))
        config = out.runDir / "run.json";
    if (!fs::exists(config))
        throwFileError(out.folder / "run.json", "missing (and no run.json in the run folder)");
    out.config = train::readTrainConfig(config);

    const auto adapter = out.folder / "adapter";
    const auto trainable = out.folder / "trainable.safetensors";
    if (fs::is_directory(adapter)) {
        out.kind = RunCheckpoint::Kind::Lora;
        out.weights = adapter;
    } else if (fs::exists(trainable)) {
        out.kind = RunCheckpoint::Kind::Full;
        out.weights = trainable;
    } else {
        throwFileError(out.folder, "holds neither adapter/ (LoRA run) nor trainable.safetensors "
                                   "(full fine-tuning run): the checkpoint is incomplete");
    }
    return out;
}

} // namespace headroom::exporting
