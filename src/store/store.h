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
//   same item twice (an SDK retry, a replayed spool tail) stores it once. An item with issue
//   facts joins or opens an issue in the same commit, only when it was newly stored.
// - Several processes may open the same data directory (the CLI creates projects while a server
//   runs); lookups of keys and tokens always read committed state, so a new key works at once.
// - Schema migrations are versioned, forward-only, and run when the store opens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "issues/issue.h"
#include "issues/search_query.h"
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

// A project's processing settings, with Sentry's defaults (the names of Sentry's project
// settings API in comments). List entries never contain a newline.
struct ProjectSettings {
    bool data_scrubber = true;                  // dataScrubber
    bool data_scrubber_defaults = true;         // dataScrubberDefaults
    bool scrub_ip_addresses = false;            // scrubIPAddresses
    std::vector<std::string> sensitive_fields;  // sensitiveFields
    std::vector<std::string> safe_fields;       // safeFields
    std::string fingerprinting_rules;           // fingerprintingRules (rules text)
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
    // Set on error and default events: the event joins (or opens) an issue. Applied only when
    // the item is new (an SDK retry of a stored event counts nothing twice).
    std::optional<EventIssueFacts> issue;
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

// One stored event (or transaction) with where it belongs.
struct StoredEvent {
    int64_t project_id = 0;
    std::optional<int64_t> issue_id;
    std::string type;
    std::string event_id;
    double received_at = 0;
    double timestamp = 0;
    uint64_t raw_size = 0;
    std::string payload;  // decompressed
};

enum class IssueSort { last_seen, first_seen, times_seen, user_count };

// A position in an issue list (Sentry's cursor text "value:id:is_prev"): the sort value and id
// of the row the page starts after (or, for a previous page, before).
struct IssueCursor {
    double value = 0;
    int64_t id = 0;
    bool is_prev = false;
};

struct IssueListRequest {
    std::vector<int64_t> project_ids;  // issues of any of these projects; must not be empty
    SearchQuery query;
    std::vector<std::string> environments;  // issues seen in any of them; empty = all
    IssueSort sort = IssueSort::last_seen;
    size_t limit = 25;
    std::optional<IssueCursor> cursor;
    double now = 0;  // anchors substatus ageing
};

struct IssueListPage {
    std::vector<Issue> issues;  // in sort order (descending), ties by id descending
    int64_t hits = 0;           // how many issues match in total
    bool has_next = false;
    bool has_previous = false;
    IssueCursor next;
    IssueCursor previous;
};

// What a status update sets. Only `status` is required; the rest qualify it.
struct IssueStatusChange {
    std::string status;            // unresolved | resolved | ignored
    bool in_next_release = false;  // resolved: events from releases newer than the project's
                                   // latest one at this moment regress it
    std::optional<std::string> in_release;  // resolved: events from this release or newer regress
    std::optional<double> ignore_minutes;   // ignored: until this many minutes from now
    std::optional<int64_t> ignore_count;    // ignored: until this many more events
    std::optional<int64_t> ignore_user_count;  // ignored: until this many more users
};

struct IssueActivity {
    int64_t id = 0;
    int64_t issue_id = 0;
    std::string type;       // first_seen, set_regression, set_resolved, set_ignored, ...
    std::string data_json;  // JSON object
    double created_at = 0;
};

// A release as the events of a project reported it.
struct ReleaseSeen {
    std::string version;
    double first_seen = 0;
    double last_seen = 0;
};

struct TagValueStat {
    std::string key;
    std::string value;
    int64_t times_seen = 0;
    double first_seen = 0;
    double last_seen = 0;
};

struct TagKeyStat {
    std::string key;
    int64_t total_values = 0;              // events with this tag
    int64_t unique_values = 0;             // distinct values
    std::vector<TagValueStat> top_values;  // most frequent first
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
    virtual std::optional<Organization> find_organization(int64_t organization_id) = 0;
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

    // The project's settings; defaults for settings never set (and for unknown projects).
    // set_project_settings() throws std::invalid_argument when a list entry has a newline.
    virtual ProjectSettings project_settings(int64_t project_id) = 0;
    virtual void set_project_settings(int64_t project_id, const ProjectSettings& settings) = 0;

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

    // --- issues (grouping is applied by commit(); see StoredItem::issue) ---
    virtual IssueListPage list_issues(const IssueListRequest& request) = 0;
    virtual std::optional<Issue> find_issue(int64_t issue_id) = 0;
    virtual std::optional<Issue> find_issue_by_short_number(int64_t project_id,
                                                            int64_t short_number) = 0;
    // Event counts per bucket for each issue: `buckets` consecutive buckets of `granularity`
    // seconds (3600 or 86400) starting at `start` (a multiple of granularity).
    virtual std::map<int64_t, std::vector<int64_t>> issue_series(
        const std::vector<int64_t>& issue_ids, int64_t granularity, int64_t start,
        size_t buckets) = 0;
    // The issue's events, newest first (then by id), `offset` rows skipped.
    virtual std::vector<StoredEvent> list_issue_events(int64_t issue_id, size_t limit,
                                                       size_t offset, bool with_payload) = 0;
    // The project's error and default events, newest first (then by id), `offset` rows skipped.
    virtual std::vector<StoredEvent> list_project_events(int64_t project_id, size_t limit,
                                                         size_t offset, bool with_payload) = 0;
    enum class Pick { latest, oldest };
    virtual std::optional<StoredEvent> pick_issue_event(int64_t issue_id, Pick pick) = 0;
    // The event (or transaction) with this id in the project; nullopt when none.
    virtual std::optional<StoredEvent> find_event(int64_t project_id,
                                                  const std::string& event_id) = 0;
    // The ids of the events just before and after this one in its issue (by timestamp).
    virtual std::pair<std::optional<std::string>, std::optional<std::string>> neighbour_events(
        int64_t issue_id, const std::string& event_id) = 0;
    // The issue's visible tag keys (only `only_key` when given), each with its top values.
    virtual std::vector<TagKeyStat> issue_tag_keys(int64_t issue_id, size_t top_values,
                                                   const std::optional<std::string>& only_key) = 0;
    virtual std::vector<TagValueStat> issue_tag_values(int64_t issue_id, const std::string& key,
                                                       size_t limit, size_t offset) = 0;
    virtual std::vector<IssueActivity> issue_activity(int64_t issue_id) = 0;
    // When the project's events first and last carried this release; nullopt when never.
    virtual std::optional<ReleaseSeen> find_release(int64_t project_id,
                                                    const std::string& version) = 0;
    // Applies the change to every listed issue that exists and returns them updated. A status
    // change is recorded as activity.
    virtual std::vector<Issue> update_issue_status(const std::vector<int64_t>& issue_ids,
                                                   const IssueStatusChange& change, double now) = 0;
    // Deletes the issues with their events and aggregates; returns how many existed.
    virtual size_t delete_issues(const std::vector<int64_t>& issue_ids) = 0;
};

// Opens (creating if needed) the SQLite store at `path` and runs pending migrations. The parent
// directory must exist. Throws std::runtime_error with a clear message when the file cannot be
// used, including when its schema is newer than this binary knows. Every operation throws
// std::runtime_error on a database error (SQLITE_BUSY included, after waiting 5 s for a lock
// held by another process).
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path,
                                         const StoreOptions& options = {});

}  // namespace lt
