// Compiles a parsed issue search (issues/search_query.h, protocol §10.4) into one boolean SQL
// condition over `groups AS g`, to be AND-ed into a WHERE clause by the store.
//
// Contract
// - The result is a parenthesized-or-atomic condition without the WHERE keyword, with `?`
//   placeholders whose values are `params`, in order. Every value that comes from the query is
//   a parameter; only constants of this compiler are inlined. An empty query gives "1=1".
// - Engine-neutral SQL (SQLite and PostgreSQL): comparisons, LIKE ... ESCAPE '\', IN, EXISTS,
//   IS [NOT] NULL, lower(), AND / OR / NOT. Every piece is two-valued (never NULL), so a
//   negated filter is exactly the complement of the filter.
// - A filter whose key, type, operator or values the parser should have refused (say
//   `times_seen` typed as text, a list of dates, `is:bogus`) makes the whole condition "1=0";
//   nothing throws.
//
// Semantics
// - Filters are AND-ed; a list (`key:[a, b]`) matches when any value does; `!` negates a filter.
// - Tags and tag-like fields (release, environment, user.email, user.id, user.username,
//   user.ip, error.type, error.value, stack.filename, stack.function, transaction and every key
//   of kind tag) match when some event of the issue had that value:
//   g.id IN (SELECT t.group_id FROM group_tag_values t WHERE t.key = ? AND ...), visible or
//   not (an uncorrelated IN: the (key, value) index is read once per query, not once per
//   issue). A negated one is NOT IN: `!browser:Chrome` is the issues without any Chrome event,
//   as in Sentry. An empty value (`environment:""`) means "has no such tag", also inside a
//   list. `has:key` is the IN without a value match.
// - Values without wildcard compare exactly (case-sensitive). Wildcard patterns (`*` any run,
//   `\*` and `\\` a literal `*` and `\`) become lower(column) LIKE lower(?) ESCAPE '\' and so
//   match case-insensitively (ASCII only on SQLite); `%` and `_` in values are literal. In a
//   wildcard list a value without `*` still compares exactly.
// - `release:latest` and `first_release:latest` mean the project's release (table releases,
//   correlated on g.project_id) with the greatest first_seen, the greater version on a tie.
// - first_release compares g.first_release (NULL when unknown: it never equals a value and is
//   what `first_release:""` and `!has:first_release` match).
// - level, times_seen, first_seen, last_seen compare the g columns; a date `eq` is the
//   [start, end) interval the parser computed. event.timestamp is EXISTS an event (items i) of
//   the issue with that timestamp; negated, NOT EXISTS.
// - is: unresolved / resolved / ignored compare g.status. new and regressed are unresolved
//   issues with that substatus set less than 7 days ago (kSubstatusFreshSeconds); ongoing is
//   substatus ongoing, or new / regressed set at least 7 days ago (as effective_substatus).
//   archived_forever and archived_until_condition_met are ignored issues with that substatus.
//   LightTrace has no assignment, escalation, reprocessing, review inbox or issue links yet, so
//   is:assigned, is:for_review, is:linked, is:escalating, is:archived_until_escalating and
//   is:reprocessing match nothing, is:unassigned and is:unlinked everything; likewise
//   assigned:... and bookmarks:... match nothing (and has:assigned, has:bookmarks).
// - error.unhandled:true and error.handled:false match issues with an unhandled event
//   (g.unhandled = 1); error.unhandled:false and error.handled:true the others.
// - issue.category: only "error" exists (g.type error or default); other categories match
//   nothing. issue.priority maps to levels through priority_for_level (issues/issue.h).
// - message and free text: case-insensitive substring of g.title or g.culprit. A message value
//   with wildcards is used as a whole-string pattern (`message:Timeout*` = starts with).
//   Free text is one literal substring (all its words, single-spaced; `*` is not a wildcard).
// - has: on fields every issue has (level, times_seen, first_seen, last_seen, message,
//   issue.category, issue.priority, error.handled, error.unhandled) is true; has:event.timestamp
//   is "some event is still stored".
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "issues/search_query.h"

namespace lt {

using SqlValue = std::variant<int64_t, double, std::string>;

struct SqlCondition {
    std::string sql;
    std::vector<SqlValue> params;  // one per `?` in `sql`, in order
};

// `now_seconds` (seconds since the epoch) anchors substatus aging (is:new, is:ongoing, ...);
// relative dates were already resolved by the parser.
SqlCondition compile_issue_search(const SearchQuery& query, double now_seconds);

}  // namespace lt
