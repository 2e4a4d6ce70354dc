#include "store/sqlite/migrations.h"

#include <chrono>
#include <stdexcept>
#include <string>

#include "core/time.h"

namespace lt::sqlite {
namespace {

// Items carry no foreign key to projects: the pipeline must never wedge on a batch because a
// project vanished, and the check would cost a lookup per row on the hottest write.
constexpr Migration kMigrations[] = {
    {1, "base schema", R"sql(
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    slug TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    platform TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    UNIQUE (organization_id, slug)
);
CREATE TABLE project_keys (
    public_key TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);
CREATE INDEX project_keys_project ON project_keys (project_id);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_sha256 TEXT UNIQUE NOT NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    scopes TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE pipeline_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    segment INTEGER NOT NULL,
    offset INTEGER NOT NULL
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    event_id TEXT,
    ordinal INTEGER NOT NULL,
    received_at REAL NOT NULL,
    timestamp REAL NOT NULL,
    raw_size INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE UNIQUE INDEX items_event ON items (project_id, event_id, type, ordinal);
CREATE INDEX items_received ON items (project_id, received_at);
CREATE TABLE item_drops (
    project_id INTEGER NOT NULL,
    item_type TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, item_type, reason)
) WITHOUT ROWID;
)sql"},
};

int current_version(Connection& connection) {
    {
        auto exists = connection.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
        if (!exists.step()) return 0;
    }
    auto version = connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
    version.step();
    return static_cast<int>(version.column_int64(0));
}

void refuse_newer(int version) {
    const int known = migrations().back().version;
    if (version > known) {
        throw std::runtime_error("database schema version " + std::to_string(version) +
                                 " is newer than this LightTrace supports (" +
                                 std::to_string(known) + "); upgrade LightTrace to open it");
    }
}

// While alive, announces the migration once it has been running for a second (through the
// SQLite progress handler, which also fires inside one long statement).
class SlowWatch {
public:
    SlowWatch(Connection& connection, const StoreOptions& options, const Migration& migration)
        : connection_(connection), options_(options), migration_(migration) {
        sqlite3_progress_handler(connection_.handle(), 100000, &SlowWatch::check, this);
    }
    ~SlowWatch() {
        sqlite3_progress_handler(connection_.handle(), 0, nullptr, nullptr);
        if (announced_) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
            report("done in " + std::to_string(took.count()) + " s");
        }
    }
    SlowWatch(const SlowWatch&) = delete;
    SlowWatch& operator=(const SlowWatch&) = delete;

private:
    static int check(void* self) {
        auto& watch = *static_cast<SlowWatch*>(self);
        if (!watch.announced_ &&
            std::chrono::steady_clock::now() - watch.start_ > std::chrono::seconds(1)) {
            watch.announced_ = true;
            watch.report("running ...");
        }
        return 0;
    }
    void report(const std::string& what) const {
        if (options_.progress) {
            options_.progress("migration " + std::to_string(migration_.version) + ": " +
                              migration_.name + " " + what);
        }
    }

    Connection& connection_;
    const StoreOptions& options_;
    const Migration& migration_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    bool announced_ = false;
};

}  // namespace

std::span<const Migration> migrations() {
    return kMigrations;
}

void migrate(Connection& connection, const StoreOptions& options) {
    int version = current_version(connection);
    refuse_newer(version);
    for (const Migration& migration : migrations()) {
        if (migration.version <= version) continue;
        Transaction transaction(connection);
        connection.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)");
        // Re-read under the write lock: another process may have migrated meanwhile.
        version = current_version(connection);
        refuse_newer(version);
        if (migration.version <= version) continue;
        {
            SlowWatch watch(connection, options, migration);
            connection.exec(migration.sql);
            connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                .bind(1, int64_t{migration.version})
                .bind(2, now_seconds())
                .run();
            transaction.commit();
        }
        version = migration.version;
    }
}

}  // namespace lt::sqlite
