// The record of training runs that the GUI's Runs view reads: one SQLite file
// (the GUI keeps it at <AppDataLocation>/runs.sqlite) holding each run's
// config, status, timestamps, per-step loss and memory, evaluations,
// checkpoints and exports. WAL journal, foreign keys on, a busy timeout, a
// schema_version table and ordered migrations each in its own transaction
// (Schema.h). Every step is written in its own short transaction, so a killed
// process loses at most the step being written.
//
// Plain C++ over the SQLite C API: no Qt, no torch. Not thread-safe: one
// thread (the GUI's) uses one RunStore. Errors are headroom::Error naming the
// database file and carrying SQLite's message; a file that is not a database,
// or one written by a newer Headroom, is refused when opened.
#pragma once

#include "common/Error.h"
#include "train/TrainObserver.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::store {

// running: a process is training it now (or was, until markInterrupted finds
// that process gone); stopped: by the user, resumable from its checkpoint.
enum class RunStatus { Running, Finished, Stopped, Failed, Interrupted };
std::string_view toString(RunStatus status); // "running", "finished", ...
std::optional<RunStatus> parseRunStatus(std::string_view text);

struct RunRecord
{
    int64_t id = 0;
    std::string runDir;     // absolute and normalised: the key of a run
    std::string name;       // the run folder's name
    std::string model;      // as the config names it
    std::string dataset;    // as the config names it
    std::string configJson; // the run's resolved TrainConfig as JSON
    RunStatus status = RunStatus::Running;
    std::string createdAt; // UTC, "YYYY-MM-DDTHH:MM:SS.sssZ"
    std::string updatedAt;
    int64_t totalSteps = 0;
    int64_t lastStep = 0;
    std::string message;            // why it failed or was interrupted
    std::optional<double> lastLoss; // loss of the last recorded step
};

struct CheckpointRecord
{
    int64_t step = 0;
    std::string folder;
};

struct ExportRecord
{
    std::string format; // e.g. "peft", "merged"
    std::string path;
    std::string createdAt;
};

// The file is not a readable Headroom run database (not SQLite, or SQLite
// reports it corrupt): openRunStore sets such a file aside.
class DamagedRunStoreError : public Error
{
public:
    using Error::Error;
};

class RunStore
{
public:
    // Opens or creates `file` and brings its schema up to date. Throws
    // DamagedRunStoreError for a damaged file, Error for anything else (a
    // newer schema, no permission).
    explicit RunStore(const std::filesystem::path &file);
    ~RunStore();
    RunStore(const RunStore &) = delete;
    RunStore &operator=(const RunStore &) = delete;

    const std::filesystem::path &file() const;
    int schemaVersion() const;       // of the open database
    std::string journalMode() const; // "wal" once open

    // A run starts or resumes in `runDir`. A run already recorded for that
    // folder (a resume) keeps its row and loses its steps, evaluations and
    // checkpoints after `startStep`. The row is owned by this process until it
    // finishes or fails (see markInterrupted). Returns the run's id.
    int64_t recordRunStarted(const std::string &runDir, const std::string &configJson,
                             int64_t totalSteps, int64_t startStep);
    void recordStep(int64_t runId, const train::StepMetrics &step);
    void recordEval(int64_t runId, const train::EvalMetrics &eval);
    void recordCheckpoint(int64_t runId, int64_t step, const std::string &folder);
    // finished, or stopped when summary.stopped.
    void recordFinished(int64_t runId, const train::RunSummary &summary);
    void recordFailed(int64_t runId, const std::string &message);
    void recordExport(int64_t runId, const std::string &format, const std::string &path);

    // Runs still "running" whose recording process no longer exists (the app
    // was killed or crashed) become "interrupted". Returns how many changed.
    int markInterrupted();

    // Adds (or refreshes) a run folder written by the trainer — run.json,
    // metrics.jsonl, checkpoints/ — e.g. one `headroom-cli train` made.
    // Errors name the file and the line at fault. Returns the run's id.
    int64_t importRunFolder(const std::filesystem::path &runDir);

    // Forgets a run (its steps, evaluations, checkpoints and exports); the
    // run folder on disk is left alone.
    void deleteRun(int64_t runId);

    std::vector<RunRecord> listRuns() const; // newest first
    std::optional<RunRecord> run(int64_t runId) const;
    std::optional<int64_t> findRun(const std::string &runDir) const;
    std::vector<train::StepMetrics> steps(int64_t runId) const; // by step
    std::vector<train::EvalMetrics> evals(int64_t runId) const; // by step
    std::vector<CheckpointRecord> checkpoints(int64_t runId) const;
    std::vector<ExportRecord> exports(int64_t runId) const;

    // The key runs are recorded under: absolute, normalised, no trailing '/'.
    static std::string normalizeRunDir(const std::string &runDir);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace headroom::store
