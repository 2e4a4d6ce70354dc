// The SQLite store's issue reads and API-driven issue writes, as free functions on a connection.
//
// Contract
// - Read functions take any connection (the store passes a pooled reader); they implement the
//   Store methods of the same name (store/store.h states what each returns).
// - update_issue_status() and delete_issues() take the writer connection and must run inside a
//   write transaction the caller commits.
// - Search filters are compiled per request (store/issue_search.h) and prepared uncached.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace lt::sqlite {

IssueListPage list_issues(Connection& connection, const IssueListRequest& request);
std::optional<Issue> find_issue(Connection& connection, int64_t issue_id);
std::optional<Issue> find_issue_by_short_number(Connection& connection, int64_t project_id,
                                                int64_t short_number);
std::map<int64_t, std::vector<int64_t>> issue_series(Connection& connection,
                                                     const std::vector<int64_t>& issue_ids,
                                                     int64_t granularity, int64_t start,
                                                     size_t buckets);
std::vector<StoredEvent> list_issue_events(Connection& connection, int64_t issue_id, size_t limit,
                                           size_t offset, bool with_payload);
std::vector<StoredEvent> list_project_events(Connection& connection, int64_t project_id,
                                             size_t limit, size_t offset, bool with_payload);
std::optional<StoredEvent> pick_issue_event(Connection& connection, int64_t issue_id,
                                            Store::Pick pick);
std::optional<StoredEvent> find_event(Connection& connection, int64_t project_id,
                                      const std::string& event_id);
std::pair<std::optional<std::string>, std::optional<std::string>> neighbour_events(
    Connection& connection, int64_t issue_id, const std::string& event_id);
std::vector<TagKeyStat> issue_tag_keys(Connection& connection, int64_t issue_id, size_t top_values,
                                       const std::optional<std::string>& only_key);
std::vector<TagValueStat> issue_tag_values(Connection& connection, int64_t issue_id,
                                           const std::string& key, size_t limit, size_t offset);
std::vector<IssueActivity> issue_activity(Connection& connection, int64_t issue_id);

std::vector<Issue> update_issue_status(Connection& writer, const std::vector<int64_t>& issue_ids,
                                       const IssueStatusChange& change, double now);
size_t delete_issues(Connection& writer, const std::vector<int64_t>& issue_ids);

}  // namespace lt::sqlite
