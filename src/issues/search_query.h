// Parser for Sentry's issue search language (the `query` parameter of the issues API, protocol
// §10.4): pure syntax and validation into a flat list of AND-ed filters. No SQL here; a later
// step compiles the result. An empty query parses to no filters; applying a default query
// (`is:unresolved`) is the caller's business.
//
// Syntax, as Sentry documents it:
//   * Terms are separated by whitespace and all must hold (AND). Bare upper-case `OR` / `AND`
//     are rejected, as in Sentry's issue search (which has no boolean operators).
//   * `key:value`. A `!` before the key (`!key:value`) or a `!=` before the value
//     (`key:!=value`) negates the term; a `=` before the value is allowed and means nothing.
//   * Values end at whitespace unless quoted: `key:"a b"`. In values `\"` is a quote, `\\` a
//     backslash and `\*` a literal asterisk; other backslashes are kept as written. A quote
//     inside an unquoted value must be escaped.
//   * Lists `key:[a, b, "c d"]` match any of the values (op `in`); not allowed for dates,
//     booleans, `is:` and `has:`. An unquoted value starting with `[` is always a list.
//   * `*` in a text value is a wildcard: the filter gets `wildcard` and its values are patterns
//     in which `*` matches any run of characters and `\*`, `\\` stand for `*` and `\`. Values of
//     filters without `wildcard` are plain literals.
//   * Numeric keys (times_seen) take `>`, `>=`, `<`, `<=` and an optional k / m / b suffix
//     (thousand, million, billion): `times_seen:>1.5k`.
//   * Date keys (first_seen, last_seen, event.timestamp) take a relative time without operator,
//     `-24h` (within the last 24 hours: op ge now-24h) or `+7d` (older than 7 days: op le
//     now-7d), units m h d w; or an absolute ISO date / date-time (UTC unless it has an offset)
//     with or without operator. Without an operator a date matches that whole UTC day and a
//     date-time the interval [t - 5 min, t + 6 min), as in Sentry.
//   * `is:<status>`: unresolved, resolved, ignored (= archived, muted), reprocessing, the
//     substatuses new, ongoing, regressed, escalating, archived_until_escalating,
//     archived_until_condition_met, archived_forever, and assigned, unassigned, for_review,
//     linked, unlinked. The value is stored canonically (archived and muted become ignored).
//   * `has:<key>`: the field or tag is present.
//   * `tags[key]:value` is always a tag, even when the key names a field. Plain keys are
//     [A-Za-z0-9_.-]+; inside tags[...] `:` is allowed too. A key that is not a known field is a
//     tag (Sentry's custom tags), e.g. `server_name:web-8`, `browser.name:Chrome`.
//   * Anything that is not `key:value` is free text. All free-text words are joined with single
//     spaces into `free_text` (a quoted free-text term counts as one word, quotes removed).
// Keys are case-sensitive. Known fields (aliases -> canonical name, type):
//   level (enum fatal error warning info debug sample), release, environment,
//   firstRelease / first-release -> first_release, user.email, user.id, user.username, user.ip,
//   assigned, bookmarks, timesSeen -> times_seen (number), firstSeen / age -> first_seen (date),
//   lastSeen -> last_seen (date), event.timestamp (date), issue.category,
//   issue.priority (enum high medium low), error.handled, error.unhandled (bool: true false 1
//   0, any case), error.type, error.value, stack.filename, stack.function, message,
//   transaction. The canonical spellings are accepted as keys as well.
//
// Errors name the offending token and its 0-based byte offset in the query.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lt {

enum class SearchKeyKind { field, tag };

enum class SearchValueType { text, number, date, boolean, enumeration };

// No `!=`: every negation is `SearchFilter::negated`.
enum class SearchOp { eq, gt, ge, lt, le, in, has };

struct SearchFilter {
    std::string key;  // canonical field name, "is", or the tag key (without `tags[...]`)
    SearchKeyKind kind = SearchKeyKind::field;
    SearchValueType type = SearchValueType::text;
    SearchOp op = SearchOp::eq;
    bool negated = false;   // exclude what the rest of the filter matches
    bool wildcard = false;  // the values are patterns (see above)
    // Empty for `has`. Text: as searched for. Enum: the (canonical) value. Boolean: "true" or
    // "false". Number and date: the value as written, e.g. "1.5k", "-24h", "2024-01-31".
    std::vector<std::string> values;
    // Number: each value, k/m/b applied. Date, in seconds since the epoch: {instant} for gt ge
    // lt le; {start, end} of the half-open interval an eq matches. Empty for other types.
    std::vector<double> numbers;
};

struct SearchQuery {
    std::vector<SearchFilter> filters;  // in query order
    std::string free_text;              // "" when none
};

struct SearchQueryError {
    std::string message;  // e.g. `invalid value "abc" for times_seen: expected a number`
    size_t position = 0;  // byte offset of `token` in the query
    std::string token;
};

struct SearchQueryParse {
    std::optional<SearchQuery> query;  // set on success
    SearchQueryError error;            // meaningful when `query` is not set
};

// `now_seconds` (seconds since the epoch) anchors relative times like `-24h`.
SearchQueryParse parse_search_query(std::string_view query, double now_seconds);

}  // namespace lt
