// Size limits on a normalized event, after Relay's TrimmingProcessor (relay-event-normalization
// trimming.rs) and the field limits of its event schema (protocol reference §4.6). Called by
// normalize_event(); nothing here drops an event, only parts of it.
//
// Contract
// - Strings with a limit (code points; the allowance is extra room before cutting): exception
//   type and module 256 (+20), value 8192 (+200); mechanism type and source 128, description
//   8192 (+200), help_link 256 (+40); frame function, raw_function, symbol 256 (+20), filename,
//   abs_path 256 (+40), lang, trust 128; stacktrace lang 128; breadcrumb type, category 128,
//   message 8192 (+200); request url 256 (+40), fragment 1024 (+100). A longer string keeps its
//   first `limit - 3` code points followed by "..."; user id, username and name 128, email 75.
// - Databags, each with a maximum depth and size (Relay's numbers): extra 7 / 256 KiB and each
//   extra value 7 / 16 KiB; each context 7 / 8 KiB; request.data, request.env, request.headers
//   7 / 8 KiB, request.cookies 5 / 2 KiB, request.query_string 3 / 1 KiB; breadcrumb data,
//   mechanism data and frame vars 5 / 2 KiB. Inside a bag, as Relay does:
//   - an array or object at the last allowed depth becomes its JSON text (a string), so deep or
//     self-similar nesting is kept as text instead of being lost;
//   - sizes are Relay's estimate: a string counts its bytes + 2, a number its digits, true 4,
//     false 5, null 4, an array or object 2 (its items count on their own), each item + 1; keys
//     do not count. Items are visited in order; once the bag (or an enclosing one) is used up
//     the remaining items of the array or object are cut; a string is cut to the room left in
//     the innermost bag (so one extra value may hold 16 KiB even when little of the 256 KiB
//     is left). A [name, value] pair of headers, cookies or query string is never split: a
//     half without room left becomes "..." (Relay's tuples). Frame vars sent as an array become
//     an object keyed "0", "1", ... A context's `type` is put back when the cut removed it.
// - Stack traces (exception, raw and thread stack traces, a top-level stacktrace): more than
//   250 frames keep the last 250 (the crashing end); beyond 50 frames the middle frames lose
//   vars, pre_context and post_context (system frames first, then in-app ones), as Relay does.
// - Breadcrumbs: more than kMaxBreadcrumbs keep the newest (the last ones).
// - Every cut is recorded in the root `_meta` (merged into an existing one), at the value's path
//   with array indexes as decimal keys, in Sentry's shape: a cut string gets
//   {"": {"rem": [["!limit", "s", start, end]], "len": original code points}} where start..end
//   is the "..." (an existing "len" is kept, being older); a cut array or object gets
//   {"": {"len": original item count}}. The removal of frame context by the 50-frame rule and
//   the stringification of deep values leave no remark (neither does Relay).
// - Strings of at most 3 code points are never cut, so trimming twice changes nothing more.
// - Work is linear in the event's size plus, for a container stringified at the depth limit, the
//   size of its text (the tree below it is as deep as the parser allowed).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "event/json.h"

namespace lt {

struct BagLimits {
    size_t max_depth;  // the bag itself is depth 0
    size_t max_bytes;  // Relay's size estimate, see above
};

inline constexpr BagLimits kBagSmall{3, 1024};
inline constexpr BagLimits kBagMedium{5, 2048};
inline constexpr BagLimits kBagLarge{7, 8192};
inline constexpr BagLimits kBagLarger{7, 16384};
inline constexpr BagLimits kBagMassive{7, 262144};

inline constexpr size_t kMaxFrames = 250;      // Relay: enforce_frame_hard_limit
inline constexpr size_t kFrameAllowance = 50;  // Relay: slim_frame_data
// Not a Relay rule (Relay only limits the event's bytes): SDKs keep 100 by default (the JS SDK
// at most 100); 10x that keeps every trail an SDK is configured to send in practice while a
// hostile 10k-crumb event stays small to store, list and render.
inline constexpr size_t kMaxBreadcrumbs = 1000;

// The cuts made to one event, written into its `_meta` at the end.
class TrimRemarks {
public:
    using Path = std::vector<std::string>;

    // A string cut to `kept` code points, the last three being "...", from `original` ones.
    void string_cut(const Path& path, size_t original_chars, size_t kept_chars);
    // An array or object cut from `original_length` items.
    void container_cut(const Path& path, size_t original_length);

    bool empty() const { return remarks_.empty(); }
    void write(json::Document& event) const;

private:
    struct Remark {
        Path path;
        size_t length;                                   // "len"
        std::optional<std::pair<size_t, size_t>> range;  // strings: the "..." in the new text
    };
    std::vector<Remark> remarks_;
};

// Keeps the newest kMaxBreadcrumbs of `breadcrumbs.values` (normalized: an array).
void limit_breadcrumbs(json::Document& event, TrimRemarks& remarks);

// All the other limits above, on a normalized event.
void trim_event(json::Document& event, TrimRemarks& remarks);

}  // namespace lt
