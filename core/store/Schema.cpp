// See Schema.h. Append migrations; never edit one that has shipped.
#include "store/Schema.h"

#include "common/Error.h"

#include <array>
#include <string>

namespace headroom::store {

namespace {

// kMigrations[i] takes a database from version i to version i + 1.
const std::array<const char *, kSchemaVersion> kMigrations = {
    // 1: runs and what they produced.
    R"sql(
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    run_dir     TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    model       TEXT NOT NULL DEFAULT '',
    dataset     TEXT NOT NULL DEFAULT '',
    config_json TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL CHECK (status IN
                    ('running', 'finished', 'stopped', 'failed', 'interrupted')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    total_steps INTEGER NOT NULL DEFAULT 0,
    last_step   INTEGER NOT NULL DEFAULT 0,
    message     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE steps (
    run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step              INTEGER NOT NULL,
    loss              REAL,
    lr                REAL,
    grad_norm         REAL,
    tokens_per_second REAL,
    seconds           REAL,
    epoch             REAL,
    tokens            INTEGER,
    mem_load          INTEGER,
    mem_forward       INTEGER,
    mem_backward      INTEGER,
    mem_optimizer     INTEGER,
    mem_peak          INTEGER,
    mem_reserved      INTEGER,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE evals (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step   INTEGER NOT NULL,
    loss   REAL,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE checkpoints (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step   INTEGER NOT NULL,
    folder TEXT NOT NULL,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE exports (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    format     TEXT NOT NULL,
    path       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX exports_by_run ON exports(run_id);
)sql",
    // 2: which process is recording a running run, so that a run left
    // 'running' by a killed process can be told from one still training.
    R"sql(
ALTER TABLE runs ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN owner_start TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_by_status ON runs(status);
)sql",
};

} // namespace

int readSchemaVersion(sqlite::Database &db)
{
    sqlite::Statement query(db, "SELECT coalesce(max(version), 0) FROM schema_version");
    int version = 0;
    while (query.next())
        version = static_cast<int>(query.int64(0));
    return version;
}

int migrate(sqlite::Database &db)
{
    db.exec("CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    int version = readSchemaVersion(db);
    if (version > kSchemaVersion)
        throwFileError(db.file(), "written by a newer version of Headroom (schema version " +
                                      std::to_string(version) + "; this version reads up to " +
                                      std::to_string(kSchemaVersion) +
                                      "); update Headroom or choose another file");
    while (version < kSchemaVersion) {
        sqlite::Transaction transaction(db);
        // Re-read inside the write lock: another process may have migrated
        // between our read and our lock.
        const int current = readSchemaVersion(db);
        if (current == version) {
            db.exec(kMigrations[static_cast<size_t>(version)]);
            sqlite::Statement record(db, "INSERT INTO schema_version (version, applied_at) "
                                         "VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
            record.bind(1, int64_t{version + 1}).run();
        }
        transaction.commit();
        version = readSchemaVersion(db);
    }
    return version;
}

} // namespace headroom::store
