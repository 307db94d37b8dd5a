// See RunStore.h. Import of run folders lives in RunImport.cpp.
#include "store/RunStore.h"

#include "common/Error.h"
#include "store/ProcessOwner.h"
#include "store/RunStoreImpl.h"
#include "store/Schema.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

namespace headroom::store {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStatusNames[] = {"running", "finished", "stopped", "failed",
                                             "interrupted"};

// The model and dataset a config names, for the list; empty when the JSON is
// not an object with those strings (the config is kept verbatim either way).
std::pair<std::string, std::string> modelAndDataset(const std::string &configJson)
{
    const auto json = nlohmann::json::parse(configJson, nullptr, false);
    if (!json.is_object())
        return {};
    auto text = [&](const char *key) {
        const auto it = json.find(key);
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    return {text("model"), text("dataset")};
}

} // namespace

std::string_view toString(RunStatus status)
{
    return kStatusNames[static_cast<size_t>(status)];
}

std::optional<RunStatus> parseRunStatus(std::string_view text)
{
    for (size_t i = 0; i < std::size(kStatusNames); ++i)
        if (kStatusNames[i] == text)
            return static_cast<RunStatus>(i);
    return std::nullopt;
}

RunStore::Impl::Impl(const fs::path &file) : db(file)
{
    // The first statement that reads the file: a file that is not a database
    // fails here, with SQLite's "file is not a database".
    try {
        db.exec("PRAGMA foreign_keys = ON");
        sqlite3_busy_timeout(db.handle(), 5000);
        sqlite::Statement wal(db, "PRAGMA journal_mode = WAL");
        while (wal.next())
            journalMode = wal.text(0);
        db.exec("PRAGMA synchronous = NORMAL"); // durable enough with WAL, and fast
        // A torn or overwritten page shows here rather than in the middle
        // of a training run.
        sqlite::Statement check(db, "PRAGMA quick_check");
        std::string verdict;
        while (check.next())
            verdict += (verdict.empty() ? "" : "; ") + check.text(0);
        if (verdict != "ok")
            throw DamagedRunStoreError(file.string() +
                                       ": the run database is damaged (SQLite: " + verdict + ")");
        version = migrate(db);
    } catch (const DamagedRunStoreError &) {
        throw;
    } catch (const Error &) {
        const int code = sqlite3_errcode(db.handle());
        if (code == SQLITE_NOTADB)
            throw DamagedRunStoreError(
                file.string() + ": not a Headroom run database (SQLite: file is not a database)");
        if (code == SQLITE_CORRUPT)
            throw DamagedRunStoreError(file.string() + ": the run database is damaged (SQLite: " +
                                       sqlite3_errmsg(db.handle()) + ")");
        throw;
    }
}

void RunStore::Impl::touchRun(int64_t runId, const char *assignments,
                              const std::function<void(sqlite::Statement &)> &bind)
{
    sqlite::Statement update(db, std::string("UPDATE runs SET ") + assignments +
                                     ", updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                                     " WHERE id = ?1");
    update.bind(1, runId);
    if (bind)
        bind(update);
    update.run();
    if (db.changes() == 0)
        throwFileError(db.file(), "no run with id " + std::to_string(runId));
}

void RunStore::Impl::insertStep(int64_t runId, const train::StepMetrics &s)
{
    auto &q = insertStepStatement;
    if (!q)
        q = std::make_unique<sqlite::Statement>(
            db, "INSERT OR REPLACE INTO steps (run_id, step, loss, lr, grad_norm,"
                " tokens_per_second, seconds, epoch, tokens, mem_load, mem_forward,"
                " mem_backward, mem_optimizer, mem_peak, mem_reserved)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    q->bind(1, runId).bind(2, s.step).bind(3, s.loss).bind(4, s.learningRate);
    q->bind(5, s.gradNorm).bind(6, s.tokensPerSecond).bind(7, s.seconds).bind(8, s.epoch);
    q->bind(9, s.tokens).bind(10, s.memory.load).bind(11, s.memory.forward);
    q->bind(12, s.memory.backward).bind(13, s.memory.optimizer).bind(14, s.memory.peak);
    q->bind(15, s.memory.reserved).run();
}

void RunStore::Impl::insertEval(int64_t runId, const train::EvalMetrics &e)
{
    sqlite::Statement q(db, "INSERT OR REPLACE INTO evals (run_id, step, loss) VALUES (?, ?, ?)");
    q.bind(1, runId).bind(2, e.step).bind(3, e.loss).run();
}

void RunStore::Impl::insertCheckpoint(int64_t runId, int64_t step, const std::string &folder)
{
    sqlite::Statement q(
        db, "INSERT OR REPLACE INTO checkpoints (run_id, step, folder) VALUES (?, ?, ?)");
    q.bind(1, runId).bind(2, step).bind(3, folder).run();
}

int64_t RunStore::Impl::upsertRun(const std::string &runDir, const std::string &configJson,
                                  RunStatus status, int64_t totalSteps, int64_t lastStep,
                                  const std::string &message, const ProcessOwner &owner,
                                  const std::string &createdAt)
{
    const auto [model, dataset] = modelAndDataset(configJson);
    sqlite::Statement q(
        db, "INSERT INTO runs (run_dir, name, model, dataset, config_json, status, created_at,"
            " updated_at, total_steps, last_step, message, owner_pid, owner_start)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
            "  coalesce(?7, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
            "  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?8, ?9, ?10, ?11, ?12)"
            " ON CONFLICT (run_dir) DO UPDATE SET model = ?3, dataset = ?4, config_json = ?5,"
            "  status = ?6, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
            "  total_steps = ?8, last_step = ?9, message = ?10, owner_pid = ?11,"
            "  owner_start = ?12"
            " RETURNING id");
    q.bind(1, runDir).bind(2, fs::path(runDir).filename().string()).bind(3, model);
    q.bind(4, dataset).bind(5, configJson).bind(6, std::string(toString(status)));
    if (createdAt.empty())
        q.bindNull(7);
    else
        q.bind(7, createdAt);
    q.bind(8, totalSteps).bind(9, lastStep).bind(10, message).bind(11, owner.pid);
    q.bind(12, owner.start);
    int64_t id = 0;
    while (q.next())
        id = q.int64(0);
    return id;
}

void RunStore::Impl::truncateAfter(int64_t runId, int64_t step)
{
    for (const char *table : {"steps", "evals", "checkpoints"}) {
        sqlite::Statement q(db,
                            std::string("DELETE FROM ") + table + " WHERE run_id = ? AND step > ?");
        q.bind(1, runId).bind(2, step).run();
    }
}

RunStore::RunStore(const fs::path &file) : m(std::make_unique<Impl>(file)) {}

RunStore::~RunStore() = default;

const fs::path &RunStore::file() const
{
    return m->db.file();
}

int RunStore::schemaVersion() const
{
    return m->version;
}

std::string RunStore::journalMode() const
{
    return m->journalMode;
}

std::string RunStore::normalizeRunDir(const std::string &runDir)
{
    auto path = fs::absolute(fs::path(runDir)).lexically_normal();
    if (!path.has_filename() && path.has_parent_path() && path != path.root_path())
        path = path.parent_path();
    return path.string();
}

int64_t RunStore::recordRunStarted(const std::string &runDir, const std::string &configJson,
                                   int64_t totalSteps, int64_t startStep)
{
    sqlite::Transaction transaction(m->db);
    const auto id = m->upsertRun(normalizeRunDir(runDir), configJson, RunStatus::Running,
                                 totalSteps, startStep, {}, currentProcess(), {});
    m->truncateAfter(id, startStep);
    transaction.commit();
    return id;
}

void RunStore::recordStep(int64_t runId, const train::StepMetrics &step)
{
    sqlite::Transaction transaction(m->db);
    m->insertStep(runId, step);
    m->touchRun(runId, "last_step = max(last_step, ?2), total_steps = max(total_steps, ?3)",
                [&](sqlite::Statement &q) { q.bind(2, step.step).bind(3, step.totalSteps); });
    transaction.commit();
}

void RunStore::recordEval(int64_t runId, const train::EvalMetrics &eval)
{
    sqlite::Transaction transaction(m->db);
    m->insertEval(runId, eval);
    m->touchRun(runId, "message = message", nullptr);
    transaction.commit();
}

void RunStore::recordCheckpoint(int64_t runId, int64_t step, const std::string &folder)
{
    sqlite::Transaction transaction(m->db);
    m->insertCheckpoint(runId, step, folder);
    m->touchRun(runId, "message = message", nullptr);
    transaction.commit();
}

void RunStore::recordFinished(int64_t runId, const train::RunSummary &summary)
{
    const auto status = summary.stopped ? RunStatus::Stopped : RunStatus::Finished;
    m->touchRun(runId, "status = ?2, last_step = ?3, total_steps = ?4, message = ''",
                [&](sqlite::Statement &q) {
                    q.bind(2, std::string(toString(status))).bind(3, summary.steps);
                    q.bind(4, summary.totalSteps);
                });
}

void RunStore::recordFailed(int64_t runId, const std::string &message)
{
    m->touchRun(runId, "status = 'failed', message = ?2",
                [&](sqlite::Statement &q) { q.bind(2, message); });
}

void RunStore::recordExport(int64_t runId, const std::string &format, const std::string &path)
{
    sqlite::Statement q(m->db, "INSERT INTO exports (run_id, format, path, created_at)"
                               " VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    q.bind(1, runId).bind(2, format).bind(3, path).run();
}

int RunStore::markInterrupted()
{
    struct Candidate
    {
        int64_t id;
        ProcessOwner owner;
    };
    std::vector<Candidate> gone;
    const auto self = currentProcess();
    sqlite::Statement query(m->db,
                            "SELECT id, owner_pid, owner_start FROM runs WHERE status = 'running'");
    while (query.next()) {
        const ProcessOwner owner{query.int64(1), query.text(2)};
        const bool ours = owner.pid == self.pid && owner.start == self.start;
        if (!ours && !isAlive(owner))
            gone.push_back({query.int64(0), owner});
    }
    for (const auto &run : gone)
        m->touchRun(run.id,
                    "status = 'interrupted', message = 'the process recording the run "
                    "ended without finishing it (killed or crashed)'",
                    nullptr);
    return static_cast<int>(gone.size());
}

void RunStore::deleteRun(int64_t runId)
{
    sqlite::Statement q(m->db, "DELETE FROM runs WHERE id = ?");
    q.bind(1, runId).run();
}

} // namespace headroom::store
