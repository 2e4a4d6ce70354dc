// Issues (Sentry's "groups"): the value types shared by the pipeline, the store and the API.
//
// Contract
// - EventIssueFacts is everything the store needs from one error or default event to attach it
//   to an issue and keep the issue's aggregates (counts, users, tag values, releases). The
//   pipeline fills it (issues/summary.h + grouping/grouping.h); the store applies it.
// - Issue is one stored issue as the store returns it. Times are seconds since the epoch.
// - Short ids: "<PROJECT SLUG UPPERCASED>-<number in Crockford base32>" (WEB-1, WEB-1A); the
//   number is per project and starts at 1.
// - Substatus: "new" and "regressed" read as "ongoing" once they are 7 days old
//   (effective_substatus); ignored issues carry "archived_forever" or
//   "archived_until_condition_met".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt {

using TagPair = std::pair<std::string, std::string>;

struct EventIssueFacts {
    std::vector<std::string> hashes;  // every grouping hash, primary first (never empty)
    std::string grouping_config;      // e.g. "newstyle:2023-01-11"
    std::string type;                 // "error" or "default"
    std::string title;
    std::string culprit;
    std::string metadata_json;  // JSON object: {type, value, filename, function, ...} or {title}
    std::string level;
    std::string platform;
    std::string logger;
    std::string release;      // "" when the event has none
    std::string environment;  // "" when the event has none
    bool unhandled = false;
    std::vector<TagPair> tags;  // the event's tags (after normalization and derived tags)
    // Values searchable on the issue but not shown as tags: user.email, user.id,
    // user.username, user.ip, error.type, error.value, stack.filename, stack.function.
    std::vector<TagPair> search_fields;
    std::string user_key;  // "id:…", "email:…", "username:…" or "ip:…"; "" without a user
};

struct Issue {
    int64_t id = 0;
    int64_t project_id = 0;
    int64_t short_number = 0;
    std::string type;
    std::string title;
    std::string culprit;
    std::string metadata_json;
    std::string level;
    std::string platform;
    std::string logger;
    std::string status;               // unresolved | resolved | ignored
    std::string substatus;            // as stored; see effective_substatus
    double substatus_at = 0;          // when the substatus was set
    std::string status_details_json;  // JSON object, e.g. {"inNextRelease":true}
    double first_seen = 0;
    double last_seen = 0;
    int64_t times_seen = 0;
    int64_t user_count = 0;
    std::optional<std::string> first_release;
    std::optional<std::string> last_release;
    bool unhandled = false;
    std::string grouping_config;
};

constexpr double kSubstatusFreshSeconds = 7 * 24 * 3600.0;

// The substatus as of `now`: "new"/"regressed" older than 7 days become "ongoing"; resolved
// issues have none ("").
std::string effective_substatus(const Issue& issue, double now);

std::string short_id(std::string_view project_slug, int64_t short_number);
// The number of a short id of this project ("WEB-1A" -> 42; case-insensitive); nullopt when
// `text` is not one.
std::optional<int64_t> parse_short_id(std::string_view project_slug, std::string_view text);

// Sentry's default priority from the level: fatal/error high, warning medium, else low.
std::string_view priority_for_level(std::string_view level);

}  // namespace lt
