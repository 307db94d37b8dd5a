// A thin RAII layer over the SQLite C API for the run store: one connection,
// prepared statements and an IMMEDIATE transaction guard. Every failure
// becomes a headroom::Error "<database file>: <what>: <sqlite message>".
// Deliberately no query builder and no ORM: the SQL stays readable in
// RunStore.cpp. Internal to core/store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace headroom::store::sqlite {

class Database
{
public:
    // Opens or creates `file` (its folder is created too).
    explicit Database(const std::filesystem::path &file);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    sqlite3 *handle() const { return m_db; }
    const std::filesystem::path &file() const { return m_file; }

    // Runs one or more statements that return no rows the caller needs.
    void exec(const std::string &sql);
    // Throws "<file>: <what>: <the connection's last sqlite message>".
    [[noreturn]] void fail(const std::string &what) const;
    int64_t lastInsertId() const;
    int changes() const;

private:
    std::filesystem::path m_file;
    sqlite3 *m_db = nullptr;
};

class Statement
{
public:
    Statement(Database &db, const std::string &sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    // Parameters are 1-based, as in SQLite.
    Statement &bind(int index, int64_t value);
    Statement &bind(int index, double value);
    Statement &bind(int index, const std::string &value);
    Statement &bindNull(int index);

    // Advances to the next row: true while there is one. At the end the
    // statement is reset and its parameters cleared, ready for reuse.
    bool next();
    // Runs to completion (INSERT / UPDATE / DELETE) and resets.
    void run();

    int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::optional<double> optionalReal(int column) const;
    bool isNull(int column) const;

private:
    void reset();

    Database &m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

// BEGIN IMMEDIATE on construction (the write lock at once, so a busy database
// waits for the busy timeout instead of failing half-way); rolled back at
// destruction unless commit() ran.
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

private:
    Database &m_db;
    bool m_done = false;
};

} // namespace headroom::store::sqlite
