// RunStore's private state and the write helpers that RunStore.cpp and
// RunImport.cpp share. Internal to core/store.
#pragma once

#include "store/ProcessOwner.h"
#include "store/RunStore.h"
#include "store/Sqlite.h"

#include <functional>
#include <memory>

namespace headroom::store {

struct RunStore::Impl
{
    explicit Impl(const std::filesystem::path &file);

    sqlite::Database db;
    int version = 0;
    std::string journalMode;
    // Prepared once: the one statement that runs every step.
    std::unique_ptr<sqlite::Statement> insertStepStatement;

    // UPDATE runs SET <assignments>, updated_at = now WHERE id = ?1; `bind`
    // binds ?2... Throws when there is no such run.
    void touchRun(int64_t runId, const char *assignments,
                  const std::function<void(sqlite::Statement &)> &bind);
    void insertStep(int64_t runId, const train::StepMetrics &step);
    void insertEval(int64_t runId, const train::EvalMetrics &eval);
    void insertCheckpoint(int64_t runId, int64_t step, const std::string &folder);
    // Inserts the run or updates the row of the same run_dir (created_at
    // kept; an empty `createdAt` means now). Returns its id.
    int64_t upsertRun(const std::string &runDir, const std::string &configJson, RunStatus status,
                      int64_t totalSteps, int64_t lastStep, const std::string &message,
                      const ProcessOwner &owner, const std::string &createdAt);
    void truncateAfter(int64_t runId, int64_t step);
};

} // namespace headroom::store
