#include "store/sqlite/sqlite.h"

#include <stdexcept>

namespace lt::sqlite {

void fail(sqlite3* db, std::string_view context) {
    std::string message(context);
    message += ": ";
    message += db ? sqlite3_errmsg(db) : "out of memory";
    throw std::runtime_error(message);
}

Query::~Query() {
    if (owned_) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "sqlite bind");
    return *this;
}

Query& Query::bind(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(db_, "sqlite bind");
    return *this;
}

// A null data pointer would bind SQL NULL; an empty view must bind an empty value.
Query& Query::bind(int index, std::string_view text) {
    const char* data = text.data() ? text.data() : "";
    if (sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8) !=
        SQLITE_OK) {
        fail(db_, "sqlite bind");
    }
    return *this;
}

Query& Query::bind_blob(int index, std::string_view bytes) {
    const char* data = bytes.data() ? bytes.data() : "";
    if (sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_STATIC) != SQLITE_OK) {
        fail(db_, "sqlite bind");
    }
    return *this;
}

Query& Query::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "sqlite bind");
    return *this;
}

bool Query::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string context = "sqlite step (";
    context += sqlite3_sql(stmt_);
    context += ")";
    fail(db_, context);
}

void Query::run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
}

int64_t Query::column_int64(int index) const {
    return sqlite3_column_int64(stmt_, index);
}

double Query::column_double(int index) const {
    return sqlite3_column_double(stmt_, index);
}

bool Query::column_is_null(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::string Query::column_text(int index) const {
    const unsigned char* text = sqlite3_column_text(stmt_, index);
    if (!text) return {};
    const int size = sqlite3_column_bytes(stmt_, index);
    return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::string_view Query::column_blob(int index) const {
    const void* data = sqlite3_column_blob(stmt_, index);
    if (!data) return {};
    const int size = sqlite3_column_bytes(stmt_, index);
    return std::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
}

Connection::Connection(const std::filesystem::path& path, bool create) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (create) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string message = "cannot open SQLite database " + path.string() + ": " +
                              (db_ ? sqlite3_errmsg(db_) : "out of memory");
        sqlite3_close_v2(db_);
        throw std::runtime_error(message);
    }
}

Connection::~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

void Connection::exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail(db_, std::string("sqlite exec (") + sql + ")");
    }
}

Query Connection::query(std::string_view sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
            fail(db_, "sqlite prepare (" + std::string(sql) + ")");
        }
        found = statements_.emplace(std::string(sql), stmt).first;
    }
    return Query(found->second, db_);
}

Query Connection::query_once(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), 0, &stmt, nullptr) !=
        SQLITE_OK) {
        fail(db_, "sqlite prepare (" + std::string(sql) + ")");
    }
    return Query(stmt, db_, /*owned=*/true);
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
    connection_.query("BEGIN IMMEDIATE").run();
}

Transaction::~Transaction() {
    if (!done_ && !sqlite3_get_autocommit(connection_.handle())) {
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    connection_.query("COMMIT").run();
    done_ = true;
}

}  // namespace lt::sqlite
