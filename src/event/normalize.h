// Lenient, per-field normalization of an error or transaction event (Relay's NormalizeProcessor
// subset, protocol reference §4.1-4.8).
//
// Contract
// - normalize_event() never fails: a field of the wrong shape is coerced when the intent is clear
//   and dropped otherwise, and each drop or coercion of bad data appends
//   {"type", "name", "value"?} to the event's `errors` array (created when missing; a non-array
//   `errors` is replaced). `type` is one of invalid_data, invalid_attribute, value_too_long,
//   future_timestamp, past_timestamp, clock_drift; `name` is the dotted path of the field
//   ("tags.foo", "breadcrumbs.values.3.timestamp"; at most 256 characters); `value` is the original
//   value when it is a scalar whose text is at most 256 bytes. Well-formed SDK payloads gain no
//   errors.
// - The root must be an object (the caller guarantees it). Unknown fields are kept untouched.
// - Output shapes, after normalization:
//   - `event_id` = context.event_id. `type` is kept when it is `transaction` or another known
//     non-error type (csp, hpkp, expectct, expectstaple, nel, feedback, user_report_v2);
//     otherwise it is inferred: "error" when exception values exist, else "default".
//   - `platform` a string of [a-z0-9_-] (default "other"); `level` one of
//     debug/info/warning/error/fatal ("log" -> info, "critical" -> fatal, Python ints 10..50;
//     default "error", "info" for transactions; "warn" is rejected, as by Relay).
//   - `timestamp` (and `start_timestamp`, breadcrumb timestamps, span timestamps) are float
//     seconds since the epoch, as Sentry stores them. Accepted input: non-negative number, RFC 3339
//     string, or a date-time string without zone (UTC). A missing or invalid `timestamp` becomes
//     received_at. If sent_at is given and |received_at - sent_at| > 55 min, all of them are
//     shifted by received_at - sent_at (error clock_drift). Then a `timestamp` more than 60 s in
//     the future or 30 days in the past becomes received_at (start_timestamp moves with it).
//   - `exception`, `breadcrumbs`, `threads` are {"values": [objects...]}, from that form, a bare
//     array or a single object; empty ones are removed. Legacy `sentry.interfaces.*` keys move to
//     their modern names when those are absent (otherwise they are dropped with an error).
//     A top-level `stacktrace` moves into the only exception when it has none.
//   - `logentry` is an object with `formatted` (and the template `message`, `params`); a string
//     `logentry` or `message` becomes `formatted`; `message` + `params` are formatted (%s-style
//     and {}/{N} placeholders). At most 8192 characters (truncated).
//   - Tags, request headers, cookies and query_string are arrays of [key, value] string pairs
//     (Sentry's stored form: it keeps order and duplicates are resolved first-wins). Tag rules are
//     Relay's (§4.7); `server_name` and `site` become tags, reserved tags (release, dist, user,
//     filename, function) are removed, an `environment` tag fills a missing `environment`.
//   - Identifiers that fail validation are dropped: release (max 200, no control chars, '/' or
//     '\', not "", ".", "..", "latest"), dist ([a-zA-Z0-9_.-], max 64), environment (max 64, no
//     newline or '/'). Free text is truncated instead: logger (64, no newline), transaction and
//     culprit (200). There is no server-side `environment` default (SDKs send "production").
//   - user.ip_address / request.env.REMOTE_ADDR "{{auto}}" become client_ip; an IP in
//     REMOTE_ADDR fills a missing user.ip_address; javascript/cocoa/objc events without any IP
//     get client_ip. An empty client_ip removes "{{auto}}".
//   - Each context is an object whose `type` defaults to its key.
//   - Each exception's `mechanism` is normalized as normalize_mechanism.h says (`type` defaults
//     to "generic", legacy forms are converted, signal / errno / mach exception names filled).
// - Last, the size limits of trim.h apply (field lengths, databags such as extra, contexts,
//   request data and breadcrumb data, at most 250 frames per stack trace, the newest 1000
//   breadcrumbs; the breadcrumb limit applies first, so error names index the kept list). What
//   they cut is recorded in the root `_meta`, not in `errors`.
// - Not thread-safe per Document (it mutates the event); distinct Documents are independent.
#pragma once

#include <optional>
#include <string>

#include "event/json.h"

namespace lt {

struct NormalizeContext {
    double received_at = 0;         // seconds since the epoch
    std::optional<double> sent_at;  // the envelope header's sent_at, when given
    std::string client_ip;          // "" when unknown
    std::string event_id;           // the id the client was answered with (32 lowercase hex)
};

void normalize_event(json::Document& event, const NormalizeContext& context);

}  // namespace lt
