#include "store/sqlite/issue_queries.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#include "core/json_writer.h"
#include "core/time.h"
#include "store/issue_search.h"
#include "store/sqlite/rows.h"

namespace lt::sqlite {

namespace {

const char* sort_column(IssueSort sort) {
    switch (sort) {
        case IssueSort::first_seen:
            return "g.first_seen";
        case IssueSort::times_seen:
            return "g.times_seen";
        case IssueSort::user_count:
            return "g.user_count";
        case IssueSort::last_seen:
            break;
    }
    return "g.last_seen";
}

double sort_value(const Issue& issue, IssueSort sort) {
    switch (sort) {
        case IssueSort::first_seen:
            return issue.first_seen;
        case IssueSort::times_seen:
            return static_cast<double>(issue.times_seen);
        case IssueSort::user_count:
            return static_cast<double>(issue.user_count);
        case IssueSort::last_seen:
            break;
    }
    return issue.last_seen;
}

int64_t clamp_to_int64(size_t value) {
    return static_cast<int64_t>(
        std::min(value, static_cast<size_t>(std::numeric_limits<int64_t>::max())));
}

std::string placeholders(size_t count) {
    std::string text;
    for (size_t i = 0; i < count; ++i) text += i == 0 ? "?" : ", ?";
    return text;
}

// The WHERE clause of an issue list (without the cursor) and its parameters.
SqlCondition list_condition(const IssueListRequest& request) {
    SqlCondition where;
    where.sql = "g.project_id IN (" + placeholders(request.project_ids.size()) + ")";
    for (const int64_t project_id : request.project_ids) where.params.emplace_back(project_id);
    SqlCondition search = compile_issue_search(request.query, request.now);
    where.sql += " AND (" + search.sql + ")";
    for (SqlValue& value : search.params) where.params.push_back(std::move(value));
    if (!request.environments.empty()) {
        where.sql +=
            " AND g.id IN (SELECT e.group_id FROM group_tag_values e WHERE "
            "e.key = 'environment' AND e.value IN (" +
            placeholders(request.environments.size()) + "))";
        for (const std::string& environment : request.environments) {
            where.params.emplace_back(environment);
        }
    }
    return where;
}

void bind_all(Query& query, const std::vector<SqlValue>& params, int first = 1) {
    int index = first;
    for (const SqlValue& value : params) {
        std::visit([&](const auto& held) { query.bind(index, held); }, value);
        ++index;
    }
}

StoredEvent read_event(const Query& row, bool with_payload) {
    StoredEvent event;
    event.project_id = row.column_int64(0);
    if (!row.column_is_null(1)) event.issue_id = row.column_int64(1);
    event.type = row.column_text(2);
    event.event_id = row.column_text(3);
    event.received_at = row.column_double(4);
    event.timestamp = row.column_double(5);
    event.raw_size = static_cast<uint64_t>(row.column_int64(6));
    if (with_payload) event.payload = decompress_payload(row.column_blob(7));
    return event;
}

constexpr const char* kEventColumns =
    "project_id, group_id, type, event_id, received_at, timestamp, raw_size, payload";

void add_activity(Connection& writer, int64_t issue_id, std::string_view type,
                  const std::string& data_json, double now) {
    writer
        .query("INSERT INTO group_activity (group_id, type, data, created_at) VALUES (?, ?, ?, ?)")
        .bind(1, issue_id)
        .bind(2, type)
        .bind(3, data_json)
        .bind(4, now)
        .run();
}

std::optional<std::string> latest_release(Connection& writer, int64_t project_id) {
    auto row = writer.query(
        "SELECT version FROM releases WHERE project_id = ? ORDER BY first_seen DESC LIMIT 1");
    row.bind(1, project_id);
    if (!row.step()) return std::nullopt;
    return row.column_text(0);
}

}  // namespace

IssueListPage list_issues(Connection& connection, const IssueListRequest& request) {
    IssueListPage page;
    if (request.project_ids.empty()) return page;
    const SqlCondition where = list_condition(request);
    {
        auto count = connection.query_once("SELECT count(*) FROM groups g WHERE " + where.sql);
        bind_all(count, where.params);
        count.step();
        page.hits = count.column_int64(0);
    }
    const std::string column = sort_column(request.sort);
    const bool backwards = request.cursor && request.cursor->is_prev;
    std::string sql = std::string("SELECT ") + kIssueColumns + " FROM groups g WHERE " + where.sql;
    if (request.cursor) {
        const char* beyond = backwards ? " > " : " < ";
        sql += " AND (" + column + beyond + "? OR (" + column + " = ? AND g.id" + beyond + "?))";
    }
    sql += " ORDER BY " + column + (backwards ? " ASC, g.id ASC" : " DESC, g.id DESC");
    sql += " LIMIT ?";
    auto rows = connection.query_once(sql);
    bind_all(rows, where.params);
    int next_index = static_cast<int>(where.params.size()) + 1;
    if (request.cursor) {
        rows.bind(next_index, request.cursor->value);
        rows.bind(next_index + 1, request.cursor->value);
        rows.bind(next_index + 2, request.cursor->id);
        next_index += 3;
    }
    rows.bind(next_index, clamp_to_int64(request.limit + 1));
    while (rows.step()) page.issues.push_back(read_issue(rows));
    const bool more = page.issues.size() > request.limit;
    if (more) page.issues.resize(request.limit);
    if (backwards) std::reverse(page.issues.begin(), page.issues.end());
    page.has_next = backwards || more;
    page.has_previous = backwards ? more : request.cursor.has_value();
    if (!page.issues.empty()) {
        const Issue& first = page.issues.front();
        const Issue& last = page.issues.back();
        page.previous = {sort_value(first, request.sort), first.id, true};
        page.next = {sort_value(last, request.sort), last.id, false};
    } else if (request.cursor) {
        // An empty page: stepping back returns to where the cursor pointed.
        page.previous = {request.cursor->value, request.cursor->id, !backwards};
        page.next = *request.cursor;
    }
    return page;
}

std::optional<Issue> find_issue(Connection& connection, int64_t issue_id) {
    auto row =
        connection.query(std::string("SELECT ") + kIssueColumns + " FROM groups WHERE id = ?");
    row.bind(1, issue_id);
    if (!row.step()) return std::nullopt;
    return read_issue(row);
}

std::optional<Issue> find_issue_by_short_number(Connection& connection, int64_t project_id,
                                                int64_t short_number) {
    auto row = connection.query(std::string("SELECT ") + kIssueColumns +
                                " FROM groups WHERE project_id = ? AND short_number = ?");
    row.bind(1, project_id).bind(2, short_number);
    if (!row.step()) return std::nullopt;
    return read_issue(row);
}

std::map<int64_t, std::vector<int64_t>> issue_series(Connection& connection,
                                                     const std::vector<int64_t>& issue_ids,
                                                     int64_t granularity, int64_t start,
                                                     size_t buckets) {
    std::map<int64_t, std::vector<int64_t>> series;
    if (issue_ids.empty() || granularity <= 0) return series;
    for (const int64_t id : issue_ids) series[id].assign(buckets, 0);
    const int64_t end = start + granularity * clamp_to_int64(buckets);
    auto rows = connection.query_once(
        "SELECT group_id, bucket, count FROM group_counts WHERE granularity = ? AND bucket >= ? "
        "AND bucket < ? AND group_id IN (" +
        placeholders(issue_ids.size()) + ")");
    rows.bind(1, granularity).bind(2, start).bind(3, end);
    int index = 4;
    for (const int64_t id : issue_ids) rows.bind(index++, id);
    while (rows.step()) {
        const auto slot = static_cast<size_t>((rows.column_int64(1) - start) / granularity);
        series[rows.column_int64(0)][slot] += rows.column_int64(2);
    }
    return series;
}

namespace {

// One page of events; `sql` selects kEventColumns (payload only when ?4) with ?1 the id it
// filters on, ?2 the limit and ?3 the offset.
std::vector<StoredEvent> event_page(Connection& connection, std::string_view sql, int64_t id,
                                    size_t limit, size_t offset, bool with_payload) {
    auto rows = connection.query(sql);
    rows.bind(1, id)
        .bind(2, clamp_to_int64(limit))
        .bind(3, clamp_to_int64(offset))
        .bind(4, int64_t{with_payload});
    std::vector<StoredEvent> events;
    while (rows.step()) events.push_back(read_event(rows, with_payload));
    return events;
}

}  // namespace

std::vector<StoredEvent> list_issue_events(Connection& connection, int64_t issue_id, size_t limit,
                                           size_t offset, bool with_payload) {
    return event_page(connection,
                      "SELECT project_id, group_id, type, event_id, received_at, timestamp, "
                      "raw_size, CASE WHEN ?4 THEN payload END FROM items WHERE group_id = ?1 "
                      "ORDER BY timestamp DESC, id DESC LIMIT ?2 OFFSET ?3",
                      issue_id, limit, offset, with_payload);
}

std::vector<StoredEvent> list_project_events(Connection& connection, int64_t project_id,
                                             size_t limit, size_t offset, bool with_payload) {
    return event_page(connection,
                      "SELECT project_id, group_id, type, event_id, received_at, timestamp, "
                      "raw_size, CASE WHEN ?4 THEN payload END FROM items WHERE project_id = ?1 "
                      "AND type = 'event' ORDER BY received_at DESC, id DESC LIMIT ?2 OFFSET ?3",
                      project_id, limit, offset, with_payload);
}

std::optional<StoredEvent> pick_issue_event(Connection& connection, int64_t issue_id,
                                            Store::Pick pick) {
    auto row = connection.query(
        pick == Store::Pick::latest
            ? std::string("SELECT ") + kEventColumns +
                  " FROM items WHERE group_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1"
            : std::string("SELECT ") + kEventColumns +
                  " FROM items WHERE group_id = ? ORDER BY timestamp ASC, id ASC LIMIT 1");
    row.bind(1, issue_id);
    if (!row.step()) return std::nullopt;
    return read_event(row, true);
}

std::optional<StoredEvent> find_event(Connection& connection, int64_t project_id,
                                      const std::string& event_id) {
    if (event_id.empty()) return std::nullopt;
    auto row = connection.query(std::string("SELECT ") + kEventColumns +
                                " FROM items WHERE project_id = ? AND event_id = ? AND type IN "
                                "('event', 'transaction') ORDER BY ordinal, type LIMIT 1");
    row.bind(1, project_id).bind(2, event_id);
    if (!row.step()) return std::nullopt;
    return read_event(row, true);
}

std::pair<std::optional<std::string>, std::optional<std::string>> neighbour_events(
    Connection& connection, int64_t issue_id, const std::string& event_id) {
    std::pair<std::optional<std::string>, std::optional<std::string>> result;
    double timestamp = 0;
    int64_t row_id = 0;
    {
        auto row = connection.query(
            "SELECT timestamp, id FROM items WHERE group_id = ? AND event_id = ? LIMIT 1");
        row.bind(1, issue_id).bind(2, event_id);
        if (!row.step()) return result;
        timestamp = row.column_double(0);
        row_id = row.column_int64(1);
    }
    {
        auto older = connection.query(
            "SELECT event_id FROM items WHERE group_id = ?1 AND (timestamp < ?2 OR "
            "(timestamp = ?2 AND id < ?3)) ORDER BY timestamp DESC, id DESC LIMIT 1");
        older.bind(1, issue_id).bind(2, timestamp).bind(3, row_id);
        if (older.step()) result.first = older.column_text(0);
    }
    {
        auto newer = connection.query(
            "SELECT event_id FROM items WHERE group_id = ?1 AND (timestamp > ?2 OR "
            "(timestamp = ?2 AND id > ?3)) ORDER BY timestamp ASC, id ASC LIMIT 1");
        newer.bind(1, issue_id).bind(2, timestamp).bind(3, row_id);
        if (newer.step()) result.second = newer.column_text(0);
    }
    return result;
}

std::vector<TagValueStat> issue_tag_values(Connection& connection, int64_t issue_id,
                                           const std::string& key, size_t limit, size_t offset) {
    auto rows = connection.query(
        "SELECT value, times_seen, first_seen, last_seen FROM group_tag_values "
        "WHERE group_id = ? AND key = ? AND visible = 1 ORDER BY times_seen DESC, value "
        "LIMIT ? OFFSET ?");
    rows.bind(1, issue_id)
        .bind(2, key)
        .bind(3, clamp_to_int64(limit))
        .bind(4, clamp_to_int64(offset));
    std::vector<TagValueStat> values;
    while (rows.step()) {
        values.push_back({key, rows.column_text(0), rows.column_int64(1), rows.column_double(2),
                          rows.column_double(3)});
    }
    return values;
}

std::vector<TagKeyStat> issue_tag_keys(Connection& connection, int64_t issue_id, size_t top_values,
                                       const std::optional<std::string>& only_key) {
    std::vector<TagKeyStat> keys;
    {
        auto rows = connection.query(
            "SELECT key, sum(times_seen), count(*) FROM group_tag_values "
            "WHERE group_id = ?1 AND visible = 1 AND (?2 IS NULL OR key = ?2) "
            "GROUP BY key ORDER BY key");
        rows.bind(1, issue_id).bind_optional(2, only_key);
        while (rows.step()) {
            keys.push_back({rows.column_text(0), rows.column_int64(1), rows.column_int64(2), {}});
        }
    }
    for (TagKeyStat& key : keys) {
        key.top_values = issue_tag_values(connection, issue_id, key.key, top_values, 0);
    }
    return keys;
}

std::vector<IssueActivity> issue_activity(Connection& connection, int64_t issue_id) {
    auto rows = connection.query(
        "SELECT id, type, data, created_at FROM group_activity WHERE group_id = ? "
        "ORDER BY created_at DESC, id DESC");
    rows.bind(1, issue_id);
    std::vector<IssueActivity> activity;
    while (rows.step()) {
        activity.push_back({rows.column_int64(0), issue_id, rows.column_text(1),
                            rows.column_text(2), rows.column_double(3)});
    }
    return activity;
}

std::vector<Issue> update_issue_status(Connection& writer, const std::vector<int64_t>& issue_ids,
                                       const IssueStatusChange& change, double now) {
    std::vector<Issue> updated;
    for (const int64_t issue_id : issue_ids) {
        const std::optional<Issue> issue = find_issue(writer, issue_id);
        if (!issue) continue;
        std::string substatus;
        std::optional<std::string> resolved_in_release;
        std::optional<double> ignore_until;
        std::optional<int64_t> ignore_times_seen;
        std::optional<int64_t> ignore_user_count;
        const char* activity = "set_unresolved";
        JsonWriter details;
        JsonWriter activity_data;
        details.begin_object();
        activity_data.begin_object();
        if (change.status == "resolved") {
            activity = "set_resolved";
            if (change.in_release) {
                resolved_in_release = change.in_release;
                details.key("inRelease").value(*change.in_release);
                activity = "set_resolved_in_release";
                activity_data.key("version").value(*change.in_release);
            } else if (change.in_next_release) {
                resolved_in_release = latest_release(writer, issue->project_id);
                details.key("inNextRelease").value(true);
                activity = "set_resolved_in_release";
                activity_data.key("version").value("");
            }
        } else if (change.status == "ignored") {
            activity = "set_ignored";
            const bool conditional =
                change.ignore_minutes || change.ignore_count || change.ignore_user_count;
            substatus = conditional ? "archived_until_condition_met" : "archived_forever";
            if (change.ignore_minutes) {
                ignore_until = now + *change.ignore_minutes * 60;
                details.key("ignoreDuration").value(*change.ignore_minutes);
                details.key("ignoreUntil").value(format_rfc3339(*ignore_until));
                activity_data.key("ignoreDuration").value(*change.ignore_minutes);
            }
            if (change.ignore_count) {
                ignore_times_seen = issue->times_seen + *change.ignore_count;
                details.key("ignoreCount").value(*change.ignore_count);
                activity_data.key("ignoreCount").value(*change.ignore_count);
            }
            if (change.ignore_user_count) {
                ignore_user_count = issue->user_count + *change.ignore_user_count;
                details.key("ignoreUserCount").value(*change.ignore_user_count);
                activity_data.key("ignoreUserCount").value(*change.ignore_user_count);
            }
        } else {
            substatus = "ongoing";
        }
        details.end_object();
        activity_data.end_object();
        auto update = writer.query(
            "UPDATE groups SET status = ?, substatus = ?, substatus_at = ?, status_details = ?, "
            "resolved_at = ?, resolved_in_release = ?, ignore_until = ?, "
            "ignore_until_times_seen = ?, ignore_until_user_count = ? WHERE id = ?");
        const std::string details_json = details.take();
        update.bind(1, change.status).bind(2, substatus).bind(3, now).bind(4, details_json);
        if (change.status == "resolved") {
            update.bind(5, now);
        } else {
            update.bind_null(5);
        }
        update.bind_optional(6, resolved_in_release);
        update.bind_optional(7, ignore_until);
        update.bind_optional(8, ignore_times_seen);
        update.bind_optional(9, ignore_user_count);
        update.bind(10, issue_id).run();
        add_activity(writer, issue_id, activity, activity_data.take(), now);
        updated.push_back(*find_issue(writer, issue_id));
    }
    return updated;
}

size_t delete_issues(Connection& writer, const std::vector<int64_t>& issue_ids) {
    size_t deleted = 0;
    for (const int64_t issue_id : issue_ids) {
        writer.query("DELETE FROM groups WHERE id = ?").bind(1, issue_id).run();
        if (writer.changes() == 0) continue;
        ++deleted;
        for (const char* sql : {"DELETE FROM group_hashes WHERE group_id = ?",
                                "DELETE FROM group_counts WHERE group_id = ?",
                                "DELETE FROM group_tag_values WHERE group_id = ?",
                                "DELETE FROM group_users WHERE group_id = ?",
                                "DELETE FROM group_activity WHERE group_id = ?",
                                "DELETE FROM items WHERE group_id = ?"}) {
            writer.query(sql).bind(1, issue_id).run();
        }
    }
    return deleted;
}

}  // namespace lt::sqlite
