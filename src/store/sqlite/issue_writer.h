// Applies events to issues inside the pipeline's commit transaction (SQLite store only).
//
// Contract
// - One IssueWriter serves one commit: construct it inside the open write transaction, call
//   insert_item() for every item in batch order, then flush(). Nothing is written outside
//   that transaction, so a crash before the commit leaves no trace.
// - insert_item() inserts the item row (ON CONFLICT DO NOTHING on its event id) and, only when
//   it was new, attaches it to an issue: the issue of the first of its hashes already known in
//   the project, else a new issue (next short number of the project). Hashes the issue did not
//   have yet are added to it. Then the issue's lifecycle is applied: a resolved issue regresses
//   (unresolved/regressed, activity set_regression) unless its resolution covers the event's
//   release; an ignored issue whose condition is met becomes unresolved again (activity
//   set_unresolved).
// - Aggregates (times seen, first/last seen, first/last release, hourly and daily counts, tag
//   values with first/last seen, releases) are accumulated in memory per commit and written by
//   flush(): one row write per distinct key, not per event. Users affected are the exception:
//   each event's user is inserted at once (the insert says whether the user is new, and an
//   ignore-until-N-users condition needs the count as it grows).
// - The newest event (by timestamp) of an issue sets its title, culprit, metadata and level.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace lt::sqlite {

class IssueWriter {
public:
    explicit IssueWriter(Connection& connection) : connection_(connection) {}

    // Inserts the item (any type); returns false when it was already stored.
    bool insert_item(const StoredItem& item);
    void flush();

private:
    struct IssueState {
        Issue issue;
        std::optional<std::string> resolved_in_release;
        std::optional<double> ignore_until;
        std::optional<int64_t> ignore_until_times_seen;
        std::optional<int64_t> ignore_until_user_count;
    };
    struct TagAggregate {
        bool visible = false;
        int64_t times_seen = 0;
        double first_seen = 0;
        double last_seen = 0;
    };
    struct ReleaseAggregate {
        double first_seen = 0;
        double last_seen = 0;
    };

    int64_t insert_row(const StoredItem& item, std::optional<int64_t> issue_id);
    std::optional<int64_t> known_issue(int64_t project_id, const EventIssueFacts& facts);
    int64_t create_issue(const StoredItem& item, const EventIssueFacts& facts);
    void add_hashes(int64_t project_id, int64_t issue_id, const EventIssueFacts& facts);
    IssueState& state(int64_t issue_id);
    void apply_lifecycle(IssueState& state, const StoredItem& item, const EventIssueFacts& facts);
    bool release_covered(int64_t project_id, const std::string& release,
                         const std::string& boundary, bool inclusive);
    std::optional<double> release_first_seen(int64_t project_id, const std::string& version);
    void account(IssueState& state, const StoredItem& item, const EventIssueFacts& facts);
    void add_activity(int64_t issue_id, const char* type, const std::string& data_json, double at);

    Connection& connection_;
    std::map<std::pair<int64_t, std::string>, int64_t> hash_cache_;  // (project, hash) -> issue
    std::map<int64_t, IssueState> issues_;
    std::map<std::tuple<int64_t, int64_t, int64_t>, int64_t> counts_;  // (issue, gran, bucket)
    std::map<std::tuple<int64_t, std::string, std::string>, TagAggregate> tags_;
    std::map<std::pair<int64_t, std::string>, ReleaseAggregate> releases_;
};

}  // namespace lt::sqlite
