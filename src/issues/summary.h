// The issue-facing fields of one error or default event, derived as Sentry's event manager does
// (SENTRY src/sentry/eventtypes/{base,error}.py, culprit.py, event_manager.py, stacktraces/
// processing.py, interfaces/{contexts,exception}.py, plugins/sentry_urls; protocol reference §4,
// §10.2, §10.4).
//
// Contract
// - summarize_event() takes a normalized and scrubbed event of type error or default (the
//   pipeline calls it right before storing) and the event's grouping. It never throws on odd
//   input: fields of the wrong kind count as missing, and its work is linear in the event's size.
// - It writes into the event: `type` ("error" when exception.values is a non-empty array, else
//   "default"), `title`, `culprit`, `metadata` (an object), `location` (string or null), the
//   derived `tags`, and from the grouping `hashes`, `grouping_config` {id} and, when a
//   server-side fingerprint rule matched, `_fingerprint_info` {matched_rule {text}}. Nothing
//   else changes.
// - Error events: the main exception is the one grouping names (an exception group reduced to
//   one member: grouping.main_exception_id), else the last one. metadata = {value (≤1024 chars),
//   type (≤128, "Error" when missing; left out when mechanism.synthetic), filename, function (of
//   the crash frame: the last in-app frame whose function is set and not <redacted>/<unknown>, else
//   the last such frame, of the main exception's stacktrace, else the top-level one, else the
//   only thread's), display_title_with_tree_label (true for native/mobile platforms, false
//   otherwise)}. title = "type: first line of value (≤100 chars)", or type alone without value,
//   "<untitled>" if that is empty; for a synthetic exception, the
//   first line of its value when the event has a logentry (a message sent with a stack, as
//   JavaScript SDKs do), else the crash function (else "<unknown>"). location =
//   metadata.filename.
// - Default events: metadata = {title}; title = logentry.formatted (else logentry.message),
//   stripped, then its first line, ≤100 chars, else "<unlabeled event>"; location null.
// - Both: metadata.in_app_frame_mix ("in-app-only", "system-only" or "mixed") when any stacktrace
//   (exceptions', top-level, threads', and their raw ones) has frames; frames without in_app
//   count as system frames.
// - culprit: the event's own `culprit`, else `transaction`, else (not when the last exception is
//   synthetic) the culprit of the last in-app frame, else of the last frame, of the last
//   exception stacktrace with frames (the top-level stacktrace when the event has no
//   exceptions): "module-or-filename in
//   function" ("function(module-or-filename)" for javascript/node frames, the function alone for
//   native/cocoa/objc; "?" for a missing function), else request.url; ≤200 chars. Truncation
//   everywhere is Sentry's: longer texts keep N-3 characters (code points) plus "...".
// - Tags, as Sentry's set_tag (a derived tag replaces any tag of that key, moved to the end; values
//   ≤200 chars): level; logger, environment, transaction when set; release; dist (with a
//   release); user ("id:", "username:", "email:" or "ip:" + the first of user.id, username,
//   email, valid ip_address); url (request.url without query and fragment) only when the event
//   has no url tag; mechanism and handled ("yes"/"no") from the FIRST exception's mechanism, as
//   Sentry's Exception interface does; and per context, named by its key and chosen by its type:
//   browser/runtime/os = "name version" (name alone for browser/os without a version; runtime
//   needs both) unless the context carries that field already, plus .name; os.rooted; device =
//   model, device.family; app.device = device_app_hash; gpu.name, gpu.vendor; monitor.id,
//   monitor.slug. Values are stripped of surrounding whitespace; empty ones are skipped. The
//   release, dist and user tags are stored under the names Sentry's API shows for its internal
//   sentry:release, sentry:dist and sentry:user.
// - For javascript events, frame filenames are read without their URL query (Sentry strips it
//   before grouping), in metadata, culprit and search fields alike.
// - The returned facts copy the grouping, the derived fields and every [string, string] tag.
//   unhandled: any exception's mechanism.handled is false. search_fields: user.email, user.id,
//   user.username, user.ip; error.type and error.value (≤200 chars) of the first 64 exceptions;
//   stack.filename and stack.function of the main exception's frames, crash side first, at most
//   16 distinct values each. user_key is the user tag's value ("" without one).
// - A matching server-side fingerprint rule's title (grouping.title_override) replaces the
//   title of both kinds of event; metadata keeps the title derived before it.
// - Not done here: JavaScript source processing (module names from URLs), C++/C# function name
//   trimming, Relay's OS/runtime raw_description parsing, and setting in_app=false on frames
//   without in_app.
#pragma once

#include "event/json.h"
#include "grouping/grouping.h"
#include "issues/issue.h"

namespace lt {

// Fills the event's derived fields in place and returns the facts for issue grouping.
EventIssueFacts summarize_event(json::Document& event, const GroupingResult& grouping);

// The title summarize_event derives, for an event stored without one: the last exception is the
// main one and no fingerprint rule's title applies. "<unlabeled event>" for a non-object.
std::string event_title(const json::Value& event);

}  // namespace lt
