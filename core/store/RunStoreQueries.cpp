// RunStore's reads: the list, one run, its steps, evaluations, checkpoints
// and exports. See RunStore.h.
#include "store/RunStoreImpl.h"

namespace headroom::store {

namespace {

constexpr const char *kRunColumns =
    "SELECT id, run_dir, name, model, dataset, config_json, status, created_at, updated_at,"
    " total_steps, last_step, message,"
    " (SELECT loss FROM steps WHERE run_id = runs.id ORDER BY step DESC LIMIT 1)"
    " FROM runs";

RunRecord readRun(const sqlite::Statement &row)
{
    RunRecord r;
    r.id = row.int64(0);
    r.runDir = row.text(1);
    r.name = row.text(2);
    r.model = row.text(3);
    r.dataset = row.text(4);
    r.configJson = row.text(5);
    r.status = parseRunStatus(row.text(6)).value_or(RunStatus::Interrupted);
    r.createdAt = row.text(7);
    r.updatedAt = row.text(8);
    r.totalSteps = row.int64(9);
    r.lastStep = row.int64(10);
    r.message = row.text(11);
    r.lastLoss = row.optionalReal(12);
    return r;
}

} // namespace

std::vector<RunRecord> RunStore::listRuns() const
{
    sqlite::Statement q(m->db, std::string(kRunColumns) + " ORDER BY created_at DESC, id DESC");
    std::vector<RunRecord> runs;
    while (q.next())
        runs.push_back(readRun(q));
    return runs;
}

std::optional<RunRecord> RunStore::run(int64_t runId) const
{
    sqlite::Statement q(m->db, std::string(kRunColumns) + " WHERE id = ?");
    q.bind(1, runId);
    std::optional<RunRecord> found;
    while (q.next())
        found = readRun(q);
    return found;
}

std::optional<int64_t> RunStore::findRun(const std::string &runDir) const
{
    sqlite::Statement q(m->db, "SELECT id FROM runs WHERE run_dir = ?");
    q.bind(1, normalizeRunDir(runDir));
    std::optional<int64_t> id;
    while (q.next())
        id = q.int64(0);
    return id;
}

std::vector<train::StepMetrics> RunStore::steps(int64_t runId) const
{
    sqlite::Statement q(m->db, "SELECT step, loss, lr, grad_norm, tokens_per_second, seconds,"
                               " epoch, tokens, mem_load, mem_forward, mem_backward,"
                               " mem_optimizer, mem_peak, mem_reserved,"
                               " (SELECT total_steps FROM runs WHERE id = ?1)"
                               " FROM steps WHERE run_id = ?1 ORDER BY step");
    q.bind(1, runId);
    std::vector<train::StepMetrics> out;
    while (q.next()) {
        train::StepMetrics s;
        s.step = q.int64(0);
        s.loss = q.real(1);
        s.learningRate = q.real(2);
        s.gradNorm = q.real(3);
        s.tokensPerSecond = q.real(4);
        s.seconds = q.real(5);
        s.epoch = q.real(6);
        s.tokens = q.int64(7);
        s.memory = {q.int64(8), q.int64(9), q.int64(10), q.int64(11), q.int64(12), q.int64(13)};
        s.totalSteps = q.int64(14);
        out.push_back(s);
    }
    return out;
}

std::vector<train::EvalMetrics> RunStore::evals(int64_t runId) const
{
    sqlite::Statement q(m->db, "SELECT step, loss FROM evals WHERE run_id = ? ORDER BY step");
    q.bind(1, runId);
    std::vector<train::EvalMetrics> out;
    while (q.next())
        out.push_back({q.int64(0), q.real(1), 0});
    return out;
}

std::vector<CheckpointRecord> RunStore::checkpoints(int64_t runId) const
{
    sqlite::Statement q(m->db,
                        "SELECT step, folder FROM checkpoints WHERE run_id = ? ORDER BY step");
    q.bind(1, runId);
    std::vector<CheckpointRecord> out;
    while (q.next())
        out.push_back({q.int64(0), q.text(1)});
    return out;
}

std::vector<ExportRecord> RunStore::exports(int64_t runId) const
{
    sqlite::Statement q(m->db, "SELECT format, path, created_at FROM exports WHERE run_id = ?"
                               " ORDER BY id");
    q.bind(1, runId);
    std::vector<ExportRecord> out;
    while (q.next())
        out.push_back({q.text(0), q.text(1), q.text(2)});
    return out;
}

} // namespace headroom::store
