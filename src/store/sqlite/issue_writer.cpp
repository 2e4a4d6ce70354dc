#include "store/sqlite/issue_writer.h"

#include <algorithm>
#include <cmath>

#include "core/json_writer.h"
#include "store/sqlite/rows.h"

namespace lt::sqlite {

namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

int64_t bucket_of(double timestamp, int64_t granularity) {
    return static_cast<int64_t>(std::floor(timestamp / static_cast<double>(granularity))) *
           granularity;
}

std::string release_data(const std::string& release) {
    JsonWriter json;
    json.begin_object().key("version");
    if (release.empty()) {
        json.null();
    } else {
        json.value(release);
    }
    json.end_object();
    return json.take();
}

}  // namespace

bool IssueWriter::insert_item(const StoredItem& item) {
    if (!item.issue || item.issue->hashes.empty()) return insert_row(item, std::nullopt) != 0;
    const EventIssueFacts& facts = *item.issue;
    std::optional<int64_t> issue_id = known_issue(item.project_id, facts);
    const int64_t row = insert_row(item, issue_id);
    if (row == 0) return false;  // already stored: an SDK retry counts nothing twice
    if (!issue_id) {
        issue_id = create_issue(item, facts);
        connection_.query("UPDATE items SET group_id = ? WHERE id = ?")
            .bind(1, *issue_id)
            .bind(2, row)
            .run();
    }
    add_hashes(item.project_id, *issue_id, facts);
    IssueState& issue = state(*issue_id);
    apply_lifecycle(issue, item, facts);
    account(issue, item, facts);
    return true;
}

int64_t IssueWriter::insert_row(const StoredItem& item, std::optional<int64_t> issue_id) {
    // ON CONFLICT DO NOTHING rather than INSERT OR IGNORE: only the uniqueness of
    // (project, event id, type, ordinal) may skip a row; a NOT NULL violation throws.
    auto insert = connection_.query(
        "INSERT INTO items (project_id, type, event_id, ordinal, received_at, timestamp, "
        "raw_size, payload, group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    insert.bind(1, item.project_id).bind(2, item.type);
    if (item.event_id.empty()) {
        insert.bind_null(3);
    } else {
        insert.bind(3, item.event_id);
    }
    insert.bind(4, int64_t{item.ordinal})
        .bind(5, item.received_at)
        .bind(6, item.timestamp)
        .bind(7, static_cast<int64_t>(item.raw_size))
        .bind_blob(8, item.payload_zstd);
    insert.bind_optional(9, issue_id);
    insert.run();
    return connection_.changes() == 0 ? 0 : connection_.last_insert_rowid();
}

std::optional<int64_t> IssueWriter::known_issue(int64_t project_id, const EventIssueFacts& facts) {
    for (const std::string& hash : facts.hashes) {
        const auto key = std::make_pair(project_id, hash);
        if (const auto cached = hash_cache_.find(key); cached != hash_cache_.end()) {
            return cached->second;
        }
        auto row = connection_.query(
            "SELECT group_id FROM group_hashes WHERE project_id = ? AND hash = ?");
        row.bind(1, project_id).bind(2, hash);
        if (row.step()) {
            const int64_t issue_id = row.column_int64(0);
            hash_cache_.emplace(key, issue_id);
            return issue_id;
        }
    }
    return std::nullopt;
}

int64_t IssueWriter::create_issue(const StoredItem& item, const EventIssueFacts& facts) {
    int64_t short_number = 0;
    {
        auto next = connection_.query(
            "UPDATE projects SET next_short_number = next_short_number + 1 WHERE id = ? "
            "RETURNING next_short_number - 1");
        next.bind(1, item.project_id);
        if (next.step()) short_number = next.column_int64(0);
    }
    if (short_number == 0) {
        // The project row is gone (deleted while its events were in the spool): number the
        // issue after the project's highest one so short ids stay unique.
        auto highest = connection_.query(
            "SELECT coalesce(max(short_number), 0) + 1 FROM groups WHERE project_id = ?");
        highest.bind(1, item.project_id);
        highest.step();
        short_number = highest.column_int64(0);
    }
    const std::optional<std::string> release =
        facts.release.empty() ? std::nullopt : std::optional(facts.release);
    auto insert = connection_.query(
        "INSERT INTO groups (project_id, short_number, type, title, culprit, metadata, level, "
        "platform, logger, status, substatus, substatus_at, status_details, first_seen, "
        "last_seen, times_seen, user_count, first_release, last_release, unhandled, "
        "grouping_config) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'unresolved', 'new', ?10, "
        "'{}', ?10, ?10, 0, 0, ?11, ?11, ?12, ?13)");
    insert.bind(1, item.project_id)
        .bind(2, short_number)
        .bind(3, facts.type)
        .bind(4, facts.title)
        .bind(5, facts.culprit)
        .bind(6, facts.metadata_json)
        .bind(7, facts.level)
        .bind(8, facts.platform)
        .bind(9, facts.logger)
        .bind(10, item.timestamp);
    insert.bind_optional(11, release);
    insert.bind(12, int64_t{facts.unhandled}).bind(13, facts.grouping_config).run();
    const int64_t issue_id = connection_.last_insert_rowid();
    add_activity(issue_id, "first_seen", "{}", item.timestamp);
    return issue_id;
}

void IssueWriter::add_hashes(int64_t project_id, int64_t issue_id, const EventIssueFacts& facts) {
    for (const std::string& hash : facts.hashes) {
        const auto key = std::make_pair(project_id, hash);
        if (hash_cache_.contains(key)) continue;
        // A hash already owned by another issue stays there (the event joined the first known).
        connection_
            .query(
                "INSERT INTO group_hashes (project_id, hash, group_id) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING")
            .bind(1, project_id)
            .bind(2, hash)
            .bind(3, issue_id)
            .run();
        auto owner = connection_.query(
            "SELECT group_id FROM group_hashes WHERE project_id = ? AND hash = ?");
        owner.bind(1, project_id).bind(2, hash);
        owner.step();
        hash_cache_.emplace(key, owner.column_int64(0));
    }
}

IssueWriter::IssueState& IssueWriter::state(int64_t issue_id) {
    if (const auto found = issues_.find(issue_id); found != issues_.end()) return found->second;
    auto row = connection_.query(std::string("SELECT ") + kIssueColumns +
                                 ", resolved_in_release, ignore_until, ignore_until_times_seen, "
                                 "ignore_until_user_count FROM groups WHERE id = ?");
    row.bind(1, issue_id);
    if (!row.step()) throw std::logic_error("issue vanished inside a transaction");
    IssueState loaded;
    loaded.issue = read_issue(row);
    constexpr int kExtra = kIssueColumnCount;
    if (!row.column_is_null(kExtra)) loaded.resolved_in_release = row.column_text(kExtra);
    if (!row.column_is_null(kExtra + 1)) loaded.ignore_until = row.column_double(kExtra + 1);
    if (!row.column_is_null(kExtra + 2)) {
        loaded.ignore_until_times_seen = row.column_int64(kExtra + 2);
    }
    if (!row.column_is_null(kExtra + 3)) {
        loaded.ignore_until_user_count = row.column_int64(kExtra + 3);
    }
    return issues_.emplace(issue_id, std::move(loaded)).first->second;
}

std::optional<double> IssueWriter::release_first_seen(int64_t project_id,
                                                      const std::string& version) {
    std::optional<double> first;
    auto row =
        connection_.query("SELECT first_seen FROM releases WHERE project_id = ? AND version = ?");
    row.bind(1, project_id).bind(2, version);
    if (row.step()) first = row.column_double(0);
    if (const auto pending = releases_.find({project_id, version}); pending != releases_.end()) {
        first = std::min(first.value_or(pending->second.first_seen), pending->second.first_seen);
    }
    return first;
}

// Whether an event from `release` stays within a resolution bounded by `boundary`: releases
// first seen before the boundary (and the boundary itself unless `inclusive`) are covered.
bool IssueWriter::release_covered(int64_t project_id, const std::string& release,
                                  const std::string& boundary, bool inclusive) {
    if (release == boundary) return !inclusive;
    const std::optional<double> event_first = release_first_seen(project_id, release);
    const std::optional<double> boundary_first = release_first_seen(project_id, boundary);
    if (!event_first) return false;    // never seen before: newer than any resolution
    if (!boundary_first) return true;  // the fixing release has not shipped yet
    return *event_first < *boundary_first;
}

void IssueWriter::apply_lifecycle(IssueState& state, const StoredItem& item,
                                  const EventIssueFacts& facts) {
    Issue& issue = state.issue;
    if (issue.status == "resolved") {
        bool covered = false;
        if (state.resolved_in_release && !facts.release.empty()) {
            const bool next_release =
                issue.status_details_json.find("inNextRelease") != std::string::npos;
            covered = release_covered(item.project_id, facts.release, *state.resolved_in_release,
                                      /*inclusive=*/!next_release);
        } else if (state.resolved_in_release) {
            covered = true;  // an event without a release cannot show the fix failed
        }
        if (covered) return;
        issue.status = "unresolved";
        issue.substatus = "regressed";
        issue.substatus_at = item.timestamp;
        issue.status_details_json = "{}";
        state.resolved_in_release.reset();
        add_activity(issue.id, "set_regression", release_data(facts.release), item.received_at);
        return;
    }
    if (issue.status == "ignored") {
        const bool time_up = state.ignore_until && item.received_at >= *state.ignore_until;
        const bool count_up =
            state.ignore_until_times_seen && issue.times_seen + 1 >= *state.ignore_until_times_seen;
        const bool users_up =
            state.ignore_until_user_count && issue.user_count >= *state.ignore_until_user_count;
        if (!time_up && !count_up && !users_up) return;
        issue.status = "unresolved";
        issue.substatus = "ongoing";
        issue.substatus_at = item.timestamp;
        issue.status_details_json = "{}";
        state.ignore_until.reset();
        state.ignore_until_times_seen.reset();
        state.ignore_until_user_count.reset();
        add_activity(issue.id, "set_unresolved", R"({"reason":"ignore_condition_met"})",
                     item.received_at);
    }
}

void IssueWriter::account(IssueState& state, const StoredItem& item, const EventIssueFacts& facts) {
    Issue& issue = state.issue;
    const double at = item.timestamp;
    ++issue.times_seen;
    issue.first_seen = std::min(issue.first_seen, at);
    if (at >= issue.last_seen) {
        issue.last_seen = at;
        issue.title = facts.title;
        issue.culprit = facts.culprit;
        issue.metadata_json = facts.metadata_json;
        issue.level = facts.level;
        if (!facts.release.empty()) issue.last_release = facts.release;
    }
    if (!issue.first_release && !facts.release.empty()) issue.first_release = facts.release;
    issue.unhandled = issue.unhandled || facts.unhandled;
    if (!facts.user_key.empty()) {
        connection_
            .query(
                "INSERT INTO group_users (group_id, user_key) VALUES (?, ?) ON CONFLICT DO "
                "NOTHING")
            .bind(1, issue.id)
            .bind(2, facts.user_key)
            .run();
        issue.user_count += connection_.changes();
        // A user count condition of an ignored issue is checked against the count so far.
        if (issue.status == "ignored" && state.ignore_until_user_count &&
            issue.user_count >= *state.ignore_until_user_count) {
            apply_lifecycle(state, item, facts);
        }
    }
    ++counts_[{issue.id, kHour, bucket_of(at, kHour)}];
    ++counts_[{issue.id, kDay, bucket_of(at, kDay)}];
    auto add_tag = [&](const TagPair& tag, bool visible) {
        TagAggregate& aggregate = tags_[{issue.id, tag.first, tag.second}];
        if (aggregate.times_seen == 0) {
            aggregate.first_seen = at;
            aggregate.last_seen = at;
        }
        aggregate.visible = aggregate.visible || visible;
        ++aggregate.times_seen;
        aggregate.first_seen = std::min(aggregate.first_seen, at);
        aggregate.last_seen = std::max(aggregate.last_seen, at);
    };
    for (const TagPair& tag : facts.tags) add_tag(tag, true);
    for (const TagPair& field : facts.search_fields) add_tag(field, false);
    if (!facts.release.empty()) {
        auto [release, inserted] = releases_.try_emplace({item.project_id, facts.release});
        if (inserted) {
            release->second = {at, at};
        } else {
            release->second.first_seen = std::min(release->second.first_seen, at);
            release->second.last_seen = std::max(release->second.last_seen, at);
        }
    }
}

void IssueWriter::add_activity(int64_t issue_id, const char* type, const std::string& data_json,
                               double at) {
    connection_
        .query("INSERT INTO group_activity (group_id, type, data, created_at) VALUES (?, ?, ?, ?)")
        .bind(1, issue_id)
        .bind(2, std::string_view(type))
        .bind(3, data_json)
        .bind(4, at)
        .run();
}

void IssueWriter::flush() {
    {
        auto update = connection_.query(
            "UPDATE groups SET title = ?, culprit = ?, metadata = ?, level = ?, status = ?, "
            "substatus = ?, substatus_at = ?, status_details = ?, first_seen = ?, last_seen = ?, "
            "times_seen = ?, user_count = ?, first_release = ?, last_release = ?, unhandled = ?, "
            "resolved_in_release = ?, ignore_until = ?, ignore_until_times_seen = ?, "
            "ignore_until_user_count = ? WHERE id = ?");
        for (const auto& [issue_id, state] : issues_) {
            const Issue& issue = state.issue;
            update.bind(1, issue.title)
                .bind(2, issue.culprit)
                .bind(3, issue.metadata_json)
                .bind(4, issue.level)
                .bind(5, issue.status)
                .bind(6, issue.substatus)
                .bind(7, issue.substatus_at)
                .bind(8, issue.status_details_json)
                .bind(9, issue.first_seen)
                .bind(10, issue.last_seen)
                .bind(11, issue.times_seen)
                .bind(12, issue.user_count);
            update.bind_optional(13, issue.first_release);
            update.bind_optional(14, issue.last_release);
            update.bind(15, int64_t{issue.unhandled});
            update.bind_optional(16, state.resolved_in_release);
            update.bind_optional(17, state.ignore_until);
            update.bind_optional(18, state.ignore_until_times_seen);
            update.bind_optional(19, state.ignore_until_user_count);
            update.bind(20, issue_id).run();
        }
    }
    {
        auto upsert = connection_.query(
            "INSERT INTO group_counts (group_id, granularity, bucket, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET count = count + excluded.count");
        for (const auto& [key, count] : counts_) {
            const auto& [issue_id, granularity, bucket] = key;
            upsert.bind(1, issue_id).bind(2, granularity).bind(3, bucket).bind(4, count).run();
        }
    }
    {
        auto upsert = connection_.query(
            "INSERT INTO group_tag_values (group_id, key, value, visible, times_seen, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "visible = max(visible, excluded.visible), "
            "times_seen = times_seen + excluded.times_seen, "
            "first_seen = min(first_seen, excluded.first_seen), "
            "last_seen = max(last_seen, excluded.last_seen)");
        for (const auto& [key, aggregate] : tags_) {
            const auto& [issue_id, tag_key, tag_value] = key;
            upsert.bind(1, issue_id)
                .bind(2, tag_key)
                .bind(3, tag_value)
                .bind(4, int64_t{aggregate.visible})
                .bind(5, aggregate.times_seen)
                .bind(6, aggregate.first_seen)
                .bind(7, aggregate.last_seen)
                .run();
        }
    }
    {
        auto upsert = connection_.query(
            "INSERT INTO releases (project_id, version, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), "
            "last_seen = max(last_seen, excluded.last_seen)");
        for (const auto& [key, release] : releases_) {
            upsert.bind(1, key.first)
                .bind(2, key.second)
                .bind(3, release.first_seen)
                .bind(4, release.last_seen)
                .run();
        }
    }
}

}  // namespace lt::sqlite
