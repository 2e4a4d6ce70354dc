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
    {2, "issues", R"sql(
ALTER TABLE projects ADD COLUMN next_short_number INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN group_id INTEGER;
CREATE INDEX items_group ON items (group_id, timestamp) WHERE group_id IS NOT NULL;
CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    short_number INTEGER NOT NULL,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    culprit TEXT NOT NULL,
    metadata TEXT NOT NULL,
    level TEXT NOT NULL,
    platform TEXT NOT NULL,
    logger TEXT NOT NULL,
    status TEXT NOT NULL,
    substatus TEXT NOT NULL,
    substatus_at REAL NOT NULL,
    status_details TEXT NOT NULL,
    resolved_at REAL,
    resolved_in_release TEXT,
    ignore_until REAL,
    ignore_until_times_seen INTEGER,
    ignore_until_user_count INTEGER,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    times_seen INTEGER NOT NULL,
    user_count INTEGER NOT NULL,
    first_release TEXT,
    last_release TEXT,
    unhandled INTEGER NOT NULL,
    grouping_config TEXT NOT NULL,
    UNIQUE (project_id, short_number)
);
CREATE INDEX groups_last_seen ON groups (project_id, last_seen, id);
CREATE INDEX groups_first_seen ON groups (project_id, first_seen, id);
CREATE INDEX groups_times_seen ON groups (project_id, times_seen, id);
CREATE INDEX groups_user_count ON groups (project_id, user_count, id);
CREATE TABLE group_hashes (
    project_id INTEGER NOT NULL,
    hash TEXT NOT NULL,
    group_id INTEGER NOT NULL,
    PRIMARY KEY (project_id, hash)
) WITHOUT ROWID;
CREATE INDEX group_hashes_group ON group_hashes (group_id);
CREATE TABLE group_counts (
    group_id INTEGER NOT NULL,
    granularity INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (group_id, granularity, bucket)
) WITHOUT ROWID;
CREATE TABLE group_tag_values (
    group_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    visible INTEGER NOT NULL,
    times_seen INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (group_id, key, value)
) WITHOUT ROWID;
CREATE INDEX group_tag_values_lookup ON group_tag_values (key, value, group_id);
CREATE TABLE group_users (
    group_id INTEGER NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (group_id, user_key)
) WITHOUT ROWID;
CREATE TABLE group_activity (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX group_activity_group ON group_activity (group_id, created_at);
CREATE TABLE releases (
    project_id INTEGER NOT NULL,
    version TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (project_id, version)
) WITHOUT ROWID;
CREATE TABLE project_settings (
    project_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (project_id, key)
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
