// Issue grouping compatible with Sentry's default grouping config `newstyle:2023-01-11` (SENTRY
// src/sentry/grouping/{component,variants,utils}.py, strategies/{newstyle,message}.py; reference
// docs: sentry-protocol.md §8). Teams moving from Sentry expect the same errors in the same issues.
//
// Contract:
// * compute_grouping(event) takes a normalized event (src/event/normalize.h) and returns every hash
//   the event produces (lowercase MD5 hex, primary first, no duplicates) and the variant that
//   produced the primary one. The event is only read.
// * Fingerprint: a `fingerprint` array of strings other than one single `{{ default }}` entry
//   (any whitespace inside the braces) replaces default grouping. Entries that are exactly one
//   `{{ variable }}` resolve as in Sentry (transaction, message, type/error.type,
//   value/error.value, function/stack.function, path/stack.abs_path, stack.filename,
//   module/stack.module, package/stack.package, level, logger, tags.NAME; missing values become
//   `<no-transaction>`, `<no-type>`, `<no-value-for-tag-NAME>`, ...; unknown variables stay as
//   written). Stack variables read the crash frame: the last in-app frame, else the last frame,
//   of the last exception's stacktrace, else of event.stacktrace, else of the only thread.
//   Without `{{ default }}`: one hash, md5 of the resolved entries (variant "custom-fingerprint").
//   With it ("hybrid"): each contributing default variant hashes the entries with `{{ default }}`
//   replaced by that variant's values (variant names as in default grouping).
// * Default grouping: the first strategy of chained-exception, threads (exactly one thread, with a
//   stacktrace), stacktrace (event.stacktrace) and message (logentry.message, else
//   logentry.formatted, normalized with normalize_message_for_grouping) that contributes wins.
//   Exception and stacktrace strategies produce an "app" variant (only in_app == true frames
//   contribute) and a "system" variant (all frames); a variant without a contributing stacktrace is
//   dropped when the other one has one. The message strategy produces the "default" variant.
//   Hashes are ordered app, default, system. A variant's hash is md5 over the values of its
//   contributing leaf components in tree order (md5.update per value, no separators).
// * Frames (frame:v1): module wins over filename (basename of `filename`, lowercased, ?query and
//   #fragment cut), then function, then context-line for javascript/node/python/php/ruby
//   (whitespace collapsed, dropped when longer than 120 characters); URL origins, anonymous and
//   native-code JavaScript frames, recursion (a frame equal to the previous one) and the
//   platform quirks of Sentry's frame strategy are applied as there.
// * Nothing contributes: the "fallback" variant, md5 of no values
//   (d41d8cd98f00b204e9800998ecf8427e).
// * Not implemented: server-side fingerprint rules, stack trace rules (enhancements: in_app is
//   taken as the event says), exception groups (all exceptions are chained), the template/CSP
//   strategies, C++/C# function name trimming; filenames are lowercased in ASCII only.
#pragma once

#include <string>
#include <vector>

#include "event/json.h"

namespace lt {

struct GroupingResult {
    std::string config_id = "newstyle:2023-01-11";
    std::vector<std::string> hashes;  // every hash the event produces, primary first
    // "custom-fingerprint", "app", "system", "default" or "fallback".
    std::string primary_variant;
};

GroupingResult compute_grouping(const json::Value& event);

}  // namespace lt
