// The SQLite implementation of Store.
//
// One writer connection, guarded by a mutex, performs every write; up to kMaxReaders reader
// connections (opened on first use, `query_only`) serve reads concurrently with it, each read
// seeing the latest committed state (WAL snapshots are taken per statement). Nothing is cached
// above SQLite, so rows committed by another process (the CLI) are visible to the next read.
//
// Durability: journal_mode=WAL with synchronous=FULL, so a COMMIT is on disk when it returns.
// The pipeline releases spool segments right after committing past them; with NORMAL a power
// loss could drop those commits after their spool data was gone. FULL costs one fsync per
// pipeline batch (docs/design/storage.md has the numbers).
#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "core/compression.h"
#include "core/ids.h"
#include "core/time.h"
#include "store/sqlite/issue_queries.h"
#include "store/sqlite/issue_writer.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace lt {
namespace {

using sqlite::Connection;
using sqlite::decompress_payload;
using sqlite::Query;
using sqlite::Transaction;

constexpr size_t kMaxReaders = 4;

void configure(Connection& connection, bool writer) {
    // First, so that the pragmas below already wait for a lock held by another process.
    connection.exec("PRAGMA busy_timeout = 5000");
    if (writer) {
        auto mode = connection.query("PRAGMA journal_mode = WAL");
        if (!mode.step() || mode.column_text(0) != "wal") {
            throw std::runtime_error("SQLite database cannot use WAL journal mode");
        }
    } else {
        connection.exec("PRAGMA query_only = ON");
    }
    // See the durability note at the top of this file.
    connection.exec("PRAGMA synchronous = FULL");
    connection.exec("PRAGMA foreign_keys = ON");
    // Mapped pages count in RSS once per connection, so the window stays moderate.
    connection.exec("PRAGMA mmap_size = 33554432");
}

Organization read_organization(const Query& row) {
    return Organization{row.column_int64(0), row.column_text(1), row.column_text(2),
                        row.column_double(3)};
}

Project read_project(const Query& row) {
    return Project{row.column_int64(0), row.column_int64(1), row.column_text(2),
                   row.column_text(3),  row.column_text(4),  row.column_text(5),
                   row.column_double(6)};
}

// The organization whose `column` (slug or id) equals `key`.
template <typename Key>
std::optional<Organization> organization_where(Connection& connection, std::string_view column,
                                               const Key& key) {
    auto row = connection.query("SELECT id, slug, name, created_at FROM organizations WHERE " +
                                std::string(column) + " = ?");
    row.bind(1, key);
    if (!row.step()) return std::nullopt;
    return read_organization(row);
}

std::optional<Project> project_by_id(Connection& connection, int64_t project_id) {
    auto row = connection.query(
        "SELECT p.id, p.organization_id, o.slug, p.slug, p.name, p.platform, p.created_at "
        "FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE p.id = ?");
    row.bind(1, project_id);
    if (!row.step()) return std::nullopt;
    return read_project(row);
}

// Lists (token scopes, settings lists) are stored as one text joined by a separator their
// entries cannot contain.
std::string join_list(const std::vector<std::string>& entries, char separator, const char* what) {
    std::string joined;
    for (const std::string& entry : entries) {
        if (entry.find(separator) != std::string::npos) {
            throw std::invalid_argument(std::string(what) + " contains a separator: " + entry);
        }
        if (!joined.empty()) joined += separator;
        joined += entry;
    }
    return joined;
}

std::vector<std::string> split_list(const std::string& joined, char separator) {
    std::vector<std::string> entries;
    size_t start = 0;
    while (start < joined.size()) {
        size_t end = joined.find(separator, start);
        if (end == std::string::npos) end = joined.size();
        entries.push_back(joined.substr(start, end - start));
        start = end + 1;
    }
    return entries;
}

class SqliteStore final : public Store {
public:
    SqliteStore(std::filesystem::path path, const StoreOptions& options)
        : path_(std::move(path)), writer_(path_, true) {
        configure(writer_, true);
        sqlite::migrate(writer_, options);
    }

    Organization ensure_organization(const std::string& slug, const std::string& name) override {
        std::lock_guard lock(writer_mutex_);
        Transaction transaction(writer_);
        const double now = now_seconds();
        writer_
            .query(
                "INSERT INTO organizations (slug, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (slug) DO NOTHING")
            .bind(1, slug)
            .bind(2, name)
            .bind(3, now)
            .run();
        std::optional<Organization> organization = organization_where(writer_, "slug", slug);
        transaction.commit();
        if (!organization) throw std::logic_error("organization missing after insert: " + slug);
        return *organization;
    }

    std::optional<Organization> find_organization(const std::string& slug) override {
        Reader reader(*this);
        return organization_where(reader.connection(), "slug", slug);
    }

    std::optional<Organization> find_organization(int64_t organization_id) override {
        Reader reader(*this);
        return organization_where(reader.connection(), "id", organization_id);
    }

    std::vector<Organization> list_organizations() override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT id, slug, name, created_at FROM organizations ORDER BY id");
        std::vector<Organization> organizations;
        while (row.step()) organizations.push_back(read_organization(row));
        return organizations;
    }

    std::optional<Project> create_project(int64_t organization_id, const std::string& slug,
                                          const std::string& name) override {
        std::lock_guard lock(writer_mutex_);
        Transaction transaction(writer_);
        const double now = now_seconds();
        writer_
            .query(
                "INSERT INTO projects (organization_id, slug, name, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (organization_id, slug) DO NOTHING")
            .bind(1, organization_id)
            .bind(2, slug)
            .bind(3, name)
            .bind(4, now)
            .run();
        if (writer_.changes() == 0) return std::nullopt;
        std::optional<Project> project = project_by_id(writer_, writer_.last_insert_rowid());
        transaction.commit();
        return project;
    }

    std::optional<Project> find_project(const std::string& organization_slug,
                                        const std::string& project_slug) override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT p.id, p.organization_id, o.slug, p.slug, p.name, p.platform, p.created_at "
            "FROM projects p JOIN organizations o ON o.id = p.organization_id "
            "WHERE o.slug = ? AND p.slug = ?");
        row.bind(1, organization_slug).bind(2, project_slug);
        if (!row.step()) return std::nullopt;
        return read_project(row);
    }

    std::vector<Project> list_projects(int64_t organization_id) override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT p.id, p.organization_id, o.slug, p.slug, p.name, p.platform, p.created_at "
            "FROM projects p JOIN organizations o ON o.id = p.organization_id "
            "WHERE p.organization_id = ? ORDER BY p.id");
        row.bind(1, organization_id);
        std::vector<Project> projects;
        while (row.step()) projects.push_back(read_project(row));
        return projects;
    }

    std::string create_key(int64_t project_id) override {
        const std::string public_key = random_hex(16);
        std::lock_guard lock(writer_mutex_);
        const double now = now_seconds();
        writer_
            .query(
                "INSERT INTO project_keys (public_key, project_id, active, created_at) "
                "VALUES (?, ?, 1, ?)")
            .bind(1, public_key)
            .bind(2, project_id)
            .bind(3, now)
            .run();
        return public_key;
    }

    std::vector<ProjectKey> list_keys(int64_t project_id) override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT public_key, project_id, active FROM project_keys WHERE project_id = ? "
            "ORDER BY rowid");
        row.bind(1, project_id);
        std::vector<ProjectKey> keys;
        while (row.step()) {
            keys.push_back({row.column_text(0), row.column_int64(1), row.column_int64(2) != 0});
        }
        return keys;
    }

    std::optional<ProjectKey> find_key(const std::string& public_key) override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT public_key, project_id, active FROM project_keys WHERE public_key = ?");
        row.bind(1, public_key);
        if (!row.step()) return std::nullopt;
        return ProjectKey{row.column_text(0), row.column_int64(1), row.column_int64(2) != 0};
    }

    std::string create_token(int64_t organization_id,
                             const std::vector<std::string>& scopes) override {
        const std::string token = "sntryu_" + random_hex(32);
        const std::string hash = sha256_hex(token);
        const std::string joined = join_list(scopes, ',', "token scope");
        std::lock_guard lock(writer_mutex_);
        const double now = now_seconds();
        writer_
            .query(
                "INSERT INTO api_tokens (token_sha256, organization_id, scopes, created_at) "
                "VALUES (?, ?, ?, ?)")
            .bind(1, hash)
            .bind(2, organization_id)
            .bind(3, joined)
            .bind(4, now)
            .run();
        return token;
    }

    std::optional<ApiToken> find_token(const std::string& token) override {
        const std::string hash = sha256_hex(token);
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT id, organization_id, scopes FROM api_tokens WHERE token_sha256 = ?");
        row.bind(1, hash);
        if (!row.step()) return std::nullopt;
        return ApiToken{row.column_int64(0), row.column_int64(1),
                        split_list(row.column_text(2), ',')};
    }

    std::optional<std::string> get_setting(const std::string& key) override {
        Reader reader(*this);
        auto row = reader.connection().query("SELECT value FROM settings WHERE key = ?");
        row.bind(1, key);
        if (!row.step()) return std::nullopt;
        return row.column_text(0);
    }

    void set_setting(const std::string& key, const std::string& value) override {
        std::lock_guard lock(writer_mutex_);
        writer_
            .query(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(1, key)
            .bind(2, value)
            .run();
    }

    SpoolPosition read_cursor() override {
        Reader reader(*this);
        auto row =
            reader.connection().query("SELECT segment, offset FROM pipeline_cursor WHERE id = 1");
        if (!row.step()) return SpoolPosition{1, 0};
        return SpoolPosition{static_cast<uint64_t>(row.column_int64(0)),
                             static_cast<uint64_t>(row.column_int64(1))};
    }

    void commit(const WriteBatch& batch) override {
        std::lock_guard lock(writer_mutex_);
        Transaction transaction(writer_);
        sqlite::IssueWriter issues(writer_);
        for (const StoredItem& item : batch.items) issues.insert_item(item);
        issues.flush();
        {
            auto upsert = writer_.query(
                "INSERT INTO item_drops (project_id, item_type, reason, count) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (project_id, item_type, reason) "
                "DO UPDATE SET count = count + excluded.count");
            for (const DropCount& drop : batch.drops) {
                upsert.bind(1, drop.project_id)
                    .bind(2, drop.item_type)
                    .bind(3, drop.reason)
                    .bind(4, drop.count)
                    .run();
            }
        }
        writer_
            .query(
                "INSERT INTO pipeline_cursor (id, segment, offset) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, "
                "offset = excluded.offset")
            .bind(1, static_cast<int64_t>(batch.cursor.segment))
            .bind(2, static_cast<int64_t>(batch.cursor.offset))
            .run();
        transaction.commit();
    }

    std::optional<std::string> find_item_payload(int64_t project_id, const std::string& event_id,
                                                 const std::string& type) override {
        if (event_id.empty()) return std::nullopt;
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT payload FROM items WHERE project_id = ? AND event_id = ? AND type = ? "
            "ORDER BY ordinal LIMIT 1");
        row.bind(1, project_id).bind(2, event_id).bind(3, type);
        if (!row.step()) return std::nullopt;
        return decompress_payload(row.column_blob(0));
    }

    std::vector<ItemSummary> list_items(int64_t project_id, const std::string& type, size_t limit,
                                        bool with_payload) override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT type, event_id, ordinal, received_at, timestamp, raw_size, "
            "CASE WHEN ?3 THEN payload END FROM items "
            "WHERE project_id = ?1 AND (?4 = '' OR type = ?4) "
            "ORDER BY received_at DESC, id DESC LIMIT ?2");
        const auto max = static_cast<size_t>(std::numeric_limits<int64_t>::max());
        row.bind(1, project_id)
            .bind(2, static_cast<int64_t>(std::min(limit, max)))
            .bind(3, static_cast<int64_t>(with_payload))
            .bind(4, type);
        std::vector<ItemSummary> items;
        while (row.step()) {
            ItemSummary& item = items.emplace_back();
            item.type = row.column_text(0);
            item.event_id = row.column_text(1);
            item.ordinal = static_cast<int>(row.column_int64(2));
            item.received_at = row.column_double(3);
            item.timestamp = row.column_double(4);
            item.raw_size = static_cast<uint64_t>(row.column_int64(5));
            if (with_payload) item.payload = decompress_payload(row.column_blob(6));
        }
        return items;
    }

    std::vector<DropCount> list_drops() override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT project_id, item_type, reason, count FROM item_drops "
            "ORDER BY project_id, item_type, reason");
        std::vector<DropCount> drops;
        while (row.step()) {
            drops.push_back(
                {row.column_int64(0), row.column_text(1), row.column_text(2), row.column_int64(3)});
        }
        return drops;
    }

    ProjectSettings project_settings(int64_t project_id) override {
        Reader reader(*this);
        auto rows = reader.connection().query(
            "SELECT key, value FROM project_settings WHERE project_id = ?");
        rows.bind(1, project_id);
        ProjectSettings settings;
        while (rows.step()) {
            const std::string key = rows.column_text(0);
            std::string value = rows.column_text(1);
            if (key == "data_scrubber") settings.data_scrubber = value == "1";
            if (key == "data_scrubber_defaults") settings.data_scrubber_defaults = value == "1";
            if (key == "scrub_ip_addresses") settings.scrub_ip_addresses = value == "1";
            if (key == "sensitive_fields") settings.sensitive_fields = split_list(value, '\n');
            if (key == "safe_fields") settings.safe_fields = split_list(value, '\n');
            if (key == "fingerprinting_rules") settings.fingerprinting_rules = std::move(value);
        }
        return settings;
    }

    void set_project_settings(int64_t project_id, const ProjectSettings& settings) override {
        const std::pair<const char*, std::string> values[] = {
            {"data_scrubber", settings.data_scrubber ? "1" : "0"},
            {"data_scrubber_defaults", settings.data_scrubber_defaults ? "1" : "0"},
            {"scrub_ip_addresses", settings.scrub_ip_addresses ? "1" : "0"},
            {"sensitive_fields", join_list(settings.sensitive_fields, '\n', "sensitive field")},
            {"safe_fields", join_list(settings.safe_fields, '\n', "safe field")},
            {"fingerprinting_rules", settings.fingerprinting_rules},
        };
        std::lock_guard lock(writer_mutex_);
        Transaction transaction(writer_);
        auto upsert = writer_.query(
            "INSERT INTO project_settings (project_id, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT DO UPDATE SET value = excluded.value");
        for (const auto& [key, value] : values) {
            upsert.bind(1, project_id).bind(2, std::string_view(key)).bind(3, value).run();
        }
        transaction.commit();
    }

    IssueListPage list_issues(const IssueListRequest& request) override {
        Reader reader(*this);
        return sqlite::list_issues(reader.connection(), request);
    }

    std::optional<Issue> find_issue(int64_t issue_id) override {
        Reader reader(*this);
        return sqlite::find_issue(reader.connection(), issue_id);
    }

    std::optional<Issue> find_issue_by_short_number(int64_t project_id,
                                                    int64_t short_number) override {
        Reader reader(*this);
        return sqlite::find_issue_by_short_number(reader.connection(), project_id, short_number);
    }

    std::map<int64_t, std::vector<int64_t>> issue_series(const std::vector<int64_t>& issue_ids,
                                                         int64_t granularity, int64_t start,
                                                         size_t buckets) override {
        Reader reader(*this);
        return sqlite::issue_series(reader.connection(), issue_ids, granularity, start, buckets);
    }

    std::vector<StoredEvent> list_issue_events(int64_t issue_id, size_t limit, size_t offset,
                                               bool with_payload) override {
        Reader reader(*this);
        return sqlite::list_issue_events(reader.connection(), issue_id, limit, offset,
                                         with_payload);
    }

    std::vector<StoredEvent> list_project_events(int64_t project_id, size_t limit, size_t offset,
                                                 bool with_payload) override {
        Reader reader(*this);
        return sqlite::list_project_events(reader.connection(), project_id, limit, offset,
                                           with_payload);
    }

    std::optional<StoredEvent> pick_issue_event(int64_t issue_id, Pick pick) override {
        Reader reader(*this);
        return sqlite::pick_issue_event(reader.connection(), issue_id, pick);
    }

    std::optional<StoredEvent> find_event(int64_t project_id,
                                          const std::string& event_id) override {
        Reader reader(*this);
        return sqlite::find_event(reader.connection(), project_id, event_id);
    }

    std::pair<std::optional<std::string>, std::optional<std::string>> neighbour_events(
        int64_t issue_id, const std::string& event_id) override {
        Reader reader(*this);
        return sqlite::neighbour_events(reader.connection(), issue_id, event_id);
    }

    std::vector<TagKeyStat> issue_tag_keys(int64_t issue_id, size_t top_values,
                                           const std::optional<std::string>& only_key) override {
        Reader reader(*this);
        return sqlite::issue_tag_keys(reader.connection(), issue_id, top_values, only_key);
    }

    std::vector<TagValueStat> issue_tag_values(int64_t issue_id, const std::string& key,
                                               size_t limit, size_t offset) override {
        Reader reader(*this);
        return sqlite::issue_tag_values(reader.connection(), issue_id, key, limit, offset);
    }

    std::optional<ReleaseSeen> find_release(int64_t project_id,
                                            const std::string& version) override {
        Reader reader(*this);
        auto row = reader.connection().query(
            "SELECT first_seen, last_seen FROM releases WHERE project_id = ? AND version = ?");
        row.bind(1, project_id).bind(2, version);
        if (!row.step()) return std::nullopt;
        return ReleaseSeen{version, row.column_double(0), row.column_double(1)};
    }

    std::vector<IssueActivity> issue_activity(int64_t issue_id) override {
        Reader reader(*this);
        return sqlite::issue_activity(reader.connection(), issue_id);
    }

    std::vector<Issue> update_issue_status(const std::vector<int64_t>& issue_ids,
                                           const IssueStatusChange& change, double now) override {
        std::lock_guard lock(writer_mutex_);
        Transaction transaction(writer_);
        std::vector<Issue> updated = sqlite::update_issue_status(writer_, issue_ids, change, now);
        transaction.commit();
        return updated;
    }

    size_t delete_issues(const std::vector<int64_t>& issue_ids) override {
        std::lock_guard lock(writer_mutex_);
        Transaction transaction(writer_);
        const size_t deleted = sqlite::delete_issues(writer_, issue_ids);
        transaction.commit();
        return deleted;
    }

private:
    // A reader connection borrowed from the pool for one call; waits while all are in use.
    class Reader {
    public:
        explicit Reader(SqliteStore& store) : store_(store), connection_(store.acquire_reader()) {}
        ~Reader() { store_.release_reader(std::move(connection_)); }
        Reader(const Reader&) = delete;
        Reader& operator=(const Reader&) = delete;
        Connection& connection() { return *connection_; }

    private:
        SqliteStore& store_;
        std::unique_ptr<Connection> connection_;
    };

    std::unique_ptr<Connection> acquire_reader() {
        std::unique_lock lock(readers_mutex_);
        reader_free_.wait(lock,
                          [&] { return !idle_readers_.empty() || open_readers_ < kMaxReaders; });
        if (!idle_readers_.empty()) {
            std::unique_ptr<Connection> connection = std::move(idle_readers_.back());
            idle_readers_.pop_back();
            return connection;
        }
        ++open_readers_;
        lock.unlock();
        try {
            auto connection = std::make_unique<Connection>(path_, false);
            configure(*connection, false);
            return connection;
        } catch (...) {
            lock.lock();
            --open_readers_;
            reader_free_.notify_one();
            throw;
        }
    }

    void release_reader(std::unique_ptr<Connection> connection) {
        {
            std::lock_guard lock(readers_mutex_);
            idle_readers_.push_back(std::move(connection));
        }
        reader_free_.notify_one();
    }

    const std::filesystem::path path_;

    std::mutex writer_mutex_;
    Connection writer_;

    std::mutex readers_mutex_;
    std::condition_variable reader_free_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
    size_t open_readers_ = 0;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path,
                                         const StoreOptions& options) {
    return std::make_unique<SqliteStore>(path, options);
}

}  // namespace lt
