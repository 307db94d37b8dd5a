// RunStore::importRunFolder: a run folder as the trainer writes it —
// run.json (the resolved config), metrics.jsonl (one JSON object per step or
// evaluation, see train/MetricsJson.h), checkpoints/step-NNNNNNNN/state.json
// — read into the store, so that runs made with headroom-cli (or recorded on
// another machine) appear in the Runs view. The folder is only read.
#include "common/Error.h"
#include "common/ReadFile.h"
#include "store/RunStoreImpl.h"
#include "train/MetricsJson.h"
#include "train/TrainConfig.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

namespace headroom::store {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

struct FolderMetrics
{
    std::vector<train::StepMetrics> steps;
    std::vector<train::EvalMetrics> evals;
};

FolderMetrics readMetrics(const fs::path &file)
{
    FolderMetrics out;
    std::ifstream in(file);
    if (!in)
        return out; // a run stopped before its first step has none
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        const auto json = Json::parse(line, nullptr, false);
        if (!json.is_object() || !json.contains("step") || !json["step"].is_number_integer())
            throwFileError(file, "line " + std::to_string(number) +
                                     ": not a metrics object with an integer `step`");
        try {
            if (train::isEvalLine(json)) {
                out.evals.push_back(train::evalFromJson(json));
                continue;
            }
            out.steps.push_back(train::stepFromJson(json));
        } catch (const Json::exception &e) {
            throwFileError(file, "line " + std::to_string(number) + ": " + e.what());
        }
    }
    return out;
}

struct FolderCheckpoint
{
    int64_t step = 0;
    int64_t totalSteps = 0;
    fs::path folder;
};

// Complete checkpoints only: the trainer renames a checkpoint into place
// after its state.json is written.
std::vector<FolderCheckpoint> readCheckpoints(const fs::path &runDir)
{
    std::vector<FolderCheckpoint> out;
    std::error_code ec;
    const auto root = runDir / "checkpoints";
    if (!fs::is_directory(root, ec))
        return out;
    for (const auto &entry : fs::directory_iterator(root, ec)) {
        const auto state = entry.path() / "state.json";
        if (!entry.is_directory() || !entry.path().filename().string().starts_with("step-") ||
            !fs::exists(state))
            continue;
        const auto json = Json::parse(readFile(state), nullptr, false);
        if (!json.is_object() || !json.contains("step") || !json["step"].is_number_integer())
            throwFileError(state, "no integer `step`");
        out.push_back(
            {json["step"].get<int64_t>(), json.value("total_steps", int64_t{0}), entry.path()});
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.step < b.step; });
    return out;
}

// When run.json was written, as the store writes times.
std::string timestampOf(const fs::path &file)
{
    std::error_code ec;
    const auto written = fs::last_write_time(file, ec);
    if (ec)
        return {};
    const auto time = std::chrono::system_clock::to_time_t(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(
            std::chrono::file_clock::to_sys(written)));
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
    return text;
}

} // namespace

int64_t RunStore::importRunFolder(const fs::path &runDirArgument)
{
    const auto runDir = fs::path(normalizeRunDir(runDirArgument.string()));
    if (!fs::is_directory(runDir))
        throwFileError(runDir, "not a folder");
    if (!fs::exists(runDir / "run.json"))
        throwFileError(runDir, "not a run folder: it has no run.json");
    if (const auto id = findRun(runDir.string())) {
        const auto existing = run(*id);
        sqlite::Statement owner(m->db, "SELECT owner_pid, owner_start FROM runs WHERE id = ?");
        owner.bind(1, *id);
        ProcessOwner who;
        while (owner.next())
            who = {owner.int64(0), owner.text(1)};
        if (existing && existing->status == RunStatus::Running && isAlive(who))
            throwFileError(runDir, "is being trained now; import it when the run has ended");
    }

    const auto config = train::readTrainConfig(runDir / "run.json"); // validates, names fields
    const auto metrics = readMetrics(runDir / "metrics.jsonl");
    const auto checkpoints = readCheckpoints(runDir);

    const int64_t lastStep = metrics.steps.empty() ? 0 : metrics.steps.back().step;
    int64_t totalSteps = config.maxSteps.value_or(lastStep);
    if (!checkpoints.empty() && checkpoints.back().totalSteps > 0)
        totalSteps = checkpoints.back().totalSteps;
    const int64_t doneSteps =
        std::max(lastStep, checkpoints.empty() ? int64_t{0} : checkpoints.back().step);
    const bool finished = totalSteps > 0 && doneSteps >= totalSteps;
    const auto status = finished ? RunStatus::Finished : RunStatus::Interrupted;
    const std::string message = finished ? std::string()
                                         : "imported: ended at step " + std::to_string(doneSteps) +
                                               " of " + std::to_string(totalSteps);

    sqlite::Transaction transaction(m->db);
    const auto id = m->upsertRun(runDir.string(), train::toJson(config).dump(), status, totalSteps,
                                 doneSteps, message, {}, timestampOf(runDir / "run.json"));
    m->truncateAfter(id, -1);
    for (auto step : metrics.steps) {
        step.totalSteps = totalSteps;
        m->insertStep(id, step);
    }
    for (const auto &eval : metrics.evals)
        m->insertEval(id, eval);
    for (const auto &checkpoint : checkpoints)
        m->insertCheckpoint(id, checkpoint.step, checkpoint.folder.string());
    transaction.commit();
    return id;
}

} // namespace headroom::store
