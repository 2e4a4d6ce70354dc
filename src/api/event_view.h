// The Web API's view of one stored event: Sentry's event object (GET .../events/{id}/) built from
// the normalized event JSON the pipeline stores.
//
// Contract
// - render_event_view() returns one compact JSON object in Sentry's camelCase API shape: id,
//   eventID, groupID, projectID, size, title, message, type, platform, culprit, location,
//   metadata, dateCreated, dateReceived, tags, user, contexts, sdk, context (= extra), packages
//   (= modules), fingerprints (= hashes), groupingConfig, release, dist, errors, entries, _meta,
//   crashFile, userReport, sdkUpdates, resolvedWith, occurrence, nextEventID, previousEventID;
//   transactions also get startTimestamp, endTimestamp, measurements and breakdowns.
// - Every one of those keys is always present. Absent values are null, except where Sentry
//   returns an empty container ({} for metadata, contexts, context, packages; [] for tags,
//   fingerprints, errors, entries). Dates are RFC 3339 UTC with microseconds and "Z";
//   dateCreated is the event timestamp (else received_at), dateReceived is received_at.
// - `entries` are Sentry's interfaces in its display order: message, exception, stacktrace,
//   spans, threads, csp/hpkp/expectct/expectstaple, template, breadcrumbs, request, debugmeta;
//   each {"type", "data"}. Frames are camelCase (filename, absPath, module, package, platform,
//   instructionAddr, symbolAddr, function, rawFunction, symbol, context, lineNo, colNo, inApp,
//   trust, errors, lock, sourceLink, vars, and addrMode / symbolicatorStatus / isSentinel /
//   isPrefix / minGroupingLevel when set), `context` being [[lineno, line], ...], addresses
//   zero-padded to the longest of their stack trace and inApp false unless true. As in Sentry,
//   frame `data` is not shown; unlike Sentry, native function names are not trimmed.
// - `user` has exactly id, email, username, ip_address, name, geo, data; `sdk` name and version.
// - `title`, `culprit`, `location`, `metadata` are the stored ones (the issue summary writes
//   them). Without a stored title: Sentry's rule ("Type: value" of the last exception, the crash
//   frame's function for a synthetic one, the first line of the log message, the transaction
//   name, else "<unlabeled event>"; at most 100 characters, cut ones ending in "...").
//   `message` is logentry.formatted, else logentry.message, else "".
// - `tags` are sorted by key, "sentry:" prefixes removed; a `user` tag gains Sentry's `query`.
// - `release` is {"version": v} when the event has one: what Sentry returns for a release it has
//   no record of (LightTrace keeps no release records yet), else null.
// - `errors` are Sentry's {type, message, data}, data being the stored error minus `type`;
//   errors about breadcrumbs, extra and stack frames are hidden, as Sentry hides them.
// - `_meta` is Sentry's layout ({entries: {"<entry index>": {data}}, message, user, contexts,
//   sdk, context, packages, tags: {"<sorted tag index>": {key?, value?}}}) filled from the
//   stored `_meta` remarks, re-keyed to the view's field names, positions and context rows;
//   Sentry's "chunks" are not computed.
// - Never throws on odd input: fields of the wrong kind are skipped or shown as null. Reads only;
//   thread-safe for concurrent readers of one event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "event/json.h"

namespace lt {

struct EventViewContext {
    int64_t project_id = 0;
    std::optional<int64_t> group_id;  // issue id, when the event belongs to one
    double received_at = 0;           // seconds since epoch
    uint64_t size = 0;                // raw payload bytes
    std::optional<std::string> previous_event_id, next_event_id;
};

// Sentry's API event object for one stored (normalized) event, as compact JSON.
std::string render_event_view(const json::Value& stored_event, const EventViewContext& context);

}  // namespace lt
