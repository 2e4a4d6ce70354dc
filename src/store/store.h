// The Store interface: everything LightTrace keeps, behind one engine-neutral API.
//
// Contract
// - One Store object is shared by the whole process and is thread-safe. Writes are serialized
//   through a single writer connection; reads use their own connections and never wait for a
//   write to commit (SQLite WAL).
// - commit() applies one WriteBatch in one transaction, together with the spool position it
//   covers; read_cursor() returns the last committed position. That pairing is what makes
//   pipeline processing exactly-once across crashes.
// - Items carrying an event id are unique per (project, event id, type, ordinal): applying the
//   same item twice (an SDK retry, a replayed spool tail) stores it once.
// - Several processes may open the same data directory (the CLI creates projects while a server
//   runs); lookups of keys and tokens always read committed state, so a new key works at once.
// - Schema migrations are versioned, forward-only, and run when the store opens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spool/spool.h"

namespace lt {

struct Organization {
    int64_t id = 0;
    std::string slug;
    std::string name;
    double created_at = 0;
};

struct Project {
    int64_t id = 0;
    int64_t organization_id = 0;
    std::string organization_slug;
    std::string slug;
    std::string name;
    std::string platform;
    double created_at = 0;
};

struct ProjectKey {
    std::string public_key;  // 32 lowercase hex
    int64_t project_id = 0;
    bool active = true;
};

struct ApiToken {
    int64_t id = 0;
    int64_t organization_id = 0;
    std::vector<std::string> scopes;
};

// One envelope item (or legacy store event) as the pipeline keeps it.
struct StoredItem {
    int64_t project_id = 0;
    std::string type;      // envelope item type, e.g. "event", "transaction", "session"
    std::string event_id;  // 32 hex, or "" when the item has none
    int ordinal = 0;       // index among items of this type in its envelope
    double received_at = 0;
    double timestamp = 0;  // the item's own time when it has one, else received_at
    uint64_t raw_size = 0;
    std::string payload_zstd;  // zstd-compressed payload (JSON for JSON item types)
};

// How many items of a type were dropped for a reason (counted, never silently lost).
struct DropCount {
    int64_t project_id = 0;
    std::string item_type;
    std::string reason;
    int64_t count = 0;
};

struct WriteBatch {
    std::vector<StoredItem> items;
    std::vector<DropCount> drops;
    SpoolPosition cursor;  // the spool position this batch brings the store up to
};

struct ItemSummary {
    std::string type;
    std::string event_id;
    int ordinal = 0;
    double received_at = 0;
    double timestamp = 0;
    uint64_t raw_size = 0;
    std::string payload;  // decompressed, only when asked for
};

struct StoreOptions {
    // Called with a one-line progress message while long migrations run.
    std::function<void(const std::string&)> progress;
};

class Store {
public:
    virtual ~Store() = default;

    // --- organizations, projects, keys, tokens ---
    // Returns the organization with this slug, creating it (with `name`) if missing.
    virtual Organization ensure_organization(const std::string& slug, const std::string& name) = 0;
    virtual std::optional<Organization> find_organization(const std::string& slug) = 0;
    virtual std::vector<Organization> list_organizations() = 0;
    // nullopt if the slug is taken in that organization; throws if the organization does not
    // exist. Project ids are numeric and start at 1 (they appear in DSNs).
    virtual std::optional<Project> create_project(int64_t organization_id, const std::string& slug,
                                                  const std::string& name) = 0;
    virtual std::optional<Project> find_project(const std::string& organization_slug,
                                                const std::string& project_slug) = 0;
    virtual std::vector<Project> list_projects(int64_t organization_id) = 0;
    // Creates a new active key for the project and returns its public key.
    virtual std::string create_key(int64_t project_id) = 0;
    virtual std::vector<ProjectKey> list_keys(int64_t project_id) = 0;
    virtual std::optional<ProjectKey> find_key(const std::string& public_key) = 0;
    // Creates a token ("sntryu_" + 64 hex) and returns it in clear text; only its SHA-256 is
    // stored. Scopes must not contain ',' (std::invalid_argument otherwise).
    virtual std::string create_token(int64_t organization_id,
                                     const std::vector<std::string>& scopes) = 0;
    virtual std::optional<ApiToken> find_token(const std::string& token) = 0;

    // --- settings (small key/value facts such as the public URL) ---
    virtual std::optional<std::string> get_setting(const std::string& key) = 0;
    virtual void set_setting(const std::string& key, const std::string& value) = 0;

    // --- pipeline ---
    virtual SpoolPosition read_cursor() = 0;
    virtual void commit(const WriteBatch& batch) = 0;

    // --- reading back ---
    // The decompressed payload of the project's item with this event id and type (the lowest
    // ordinal when several match); nullopt when none or event_id is empty. Throws if the stored
    // payload is corrupt.
    virtual std::optional<std::string> find_item_payload(int64_t project_id,
                                                         const std::string& event_id,
                                                         const std::string& type) = 0;
    // Items received for a project, newest first; `type` "" means every type. Payloads are
    // decompressed into the summaries only when `with_payload` is set.
    virtual std::vector<ItemSummary> list_items(int64_t project_id, const std::string& type,
                                                size_t limit, bool with_payload) = 0;
    virtual std::vector<DropCount> list_drops() = 0;
};

// Opens (creating if needed) the SQLite store at `path` and runs pending migrations. The parent
// directory must exist. Throws std::runtime_error with a clear message when the file cannot be
// used, including when its schema is newer than this binary knows. Every operation throws
// std::runtime_error on a database error (SQLITE_BUSY included, after waiting 5 s for a lock
// held by another process).
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path,
                                         const StoreOptions& options = {});

}  // namespace lt
