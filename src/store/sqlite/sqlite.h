// A thin RAII layer over the SQLite C API, private to the SQLite store.
//
// Contract
// - Connection owns one sqlite3 handle and a cache of prepared statements keyed by SQL text.
//   A Connection is not thread-safe: exactly one thread uses it at a time (the store guards the
//   writer with a mutex and hands reader connections out one per caller). Handles are opened
//   with SQLITE_OPEN_NOMUTEX for that reason.
// - query(sql) returns a Query on the cached statement; the Query resets the statement and
//   clears its bindings when it goes out of scope, which also ends the implicit read
//   transaction of a SELECT. At most one Query per statement text may be alive at a time.
// - Text and blob parameters are bound with SQLITE_STATIC (no copy): the bound bytes must stay
//   alive until the Query is destroyed. Binding a temporary std::string does not compile.
// - Every failure throws std::runtime_error carrying the context and sqlite3_errmsg; that
//   includes SQLITE_BUSY once the connection's busy timeout has run out.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace lt::sqlite {

class Query {
public:
    // An owned statement is finalized by the destructor; a cached one is reset.
    Query(sqlite3_stmt* stmt, sqlite3* db, bool owned = false)
        : stmt_(stmt), db_(db), owned_(owned) {}
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    // Parameters are 1-based, as in SQL.
    Query& bind(int index, int64_t value);
    Query& bind(int index, double value);
    Query& bind(int index, std::string_view text);
    Query& bind(int index, std::string&& text) = delete;  // would dangle: SQLITE_STATIC
    Query& bind_blob(int index, std::string_view bytes);
    Query& bind_null(int index);
    // NULL when empty, the value otherwise (an optional string must outlive the Query too).
    template <typename T>
    Query& bind_optional(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }

    // Advances; true when a row is available, false when the statement is done.
    bool step();
    // Runs the statement to completion, discarding rows, and resets it so it can run again;
    // bindings are kept until rebound.
    void run();

    // Columns are 0-based. Text and blob views are valid until the next step() or destruction.
    int64_t column_int64(int index) const;
    double column_double(int index) const;
    bool column_is_null(int index) const;
    std::string column_text(int index) const;
    std::string_view column_blob(int index) const;

private:
    sqlite3_stmt* stmt_;
    sqlite3* db_;
    bool owned_;
};

class Connection {
public:
    // Opens the file read-write; `create` also creates it when missing.
    Connection(const std::filesystem::path& path, bool create);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Executes one or more SQL statements that return nothing of interest (PRAGMAs, DDL).
    void exec(const char* sql);
    Query query(std::string_view sql);
    // A statement prepared for this one use and not cached: for SQL built per request (search
    // filters), which would otherwise grow the cache without bound.
    Query query_once(std::string_view sql);
    int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

// BEGIN IMMEDIATE on construction (takes the database write lock, waiting up to the busy
// timeout); ROLLBACK on destruction unless commit() ran.
class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& connection_;
    bool done_ = false;
};

// Throws std::runtime_error("<context>: <sqlite3_errmsg(db)>").
[[noreturn]] void fail(sqlite3* db, std::string_view context);

}  // namespace lt::sqlite
