// Issue grouping compatible with Sentry's default grouping config `newstyle:2023-01-11` (SENTRY
// src/sentry/grouping/{component,variants,utils}.py, strategies/{newstyle,message}.py; reference
// docs: sentry-protocol.md §8). Teams moving from Sentry expect the same errors in the same issues.
//
// Contract:
// * compute_grouping(event, rules) takes a normalized event (src/event/normalize.h) and returns
//   every hash the event produces (lowercase MD5 hex, primary first, no duplicates) and the variant
//   that produced the primary one. The event is only read.
// * Server-side fingerprint rules (fingerprint_rules.h): when `rules` is given and one matches,
//   its fingerprint replaces the event's `fingerprint` (even one the SDK sent) and is then used
//   exactly like it (variables, `{{ default }}`; an empty one means default grouping).
//   fingerprint_rule is the rule as Sentry prints it; its title attribute, with every
//   `{{ variable }}` resolved as below (not parameterized; unknown ones and `{{ default }}` become
//   `<unrecognized-variable-NAME>`), is title_override.
// * Fingerprint: a `fingerprint` array of strings other than one single `{{ default }}` entry
//   (any whitespace inside the braces) replaces default grouping. Entries that are exactly one
//   `{{ variable }}` resolve as in Sentry (transaction, message, type/error.type,
//   value/error.value, function/stack.function, path/stack.abs_path, stack.filename,
//   module/stack.module, package/stack.package, level, logger, tags.NAME; missing values become
//   `<no-transaction>`, `<no-type>`, `<no-value-for-tag-NAME>`, ...; unknown variables stay as
//   written; `{{ message }}` is parameterized). Stack variables read the crash frame: the last
//   in-app frame, else the last frame, of the last exception's stacktrace, else of
//   event.stacktrace, else of the only thread.
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
// * Exception groups (Sentry's RFC 0079 filter): when every exception has a unique
//   mechanism.exception_id, none is its own parent (parent_id) and the one with id 0 exists, only
//   the "top-level" exceptions count: the first non-group (mechanism.is_exception_group) ones
//   found below the root through groups, sorted by type descending and deduplicated where
//   neighbours have identical components (values, contribution, the reason a value was changed or
//   ignored). One left: it and its chain of first children (children are in reverse event order),
//   and main_exception_id is its exception_id. Several: one of each, then the root. Otherwise (and
//   for platform python with an SDK version 3.x, cycles, no top-level exception) all exceptions
//   are chained in event order. So an SDK's cause chain with ids (JavaScript) hashes root first.
// * Frames (frame:v1): module wins over filename (basename of `filename`, lowercased, ?query and
//   #fragment cut), then function (trimmed as in function_name.h unless raw_function is set; C#
//   prefers raw_function), then context-line for javascript/node/python/php/ruby
//   (whitespace collapsed, dropped when longer than 120 characters); URL origins, anonymous and
//   native-code JavaScript frames, recursion (a frame equal to the previous one) and the
//   platform quirks of Sentry's frame strategy are applied as there.
// * Nothing contributes: the "fallback" variant, md5 of no values
//   (d41d8cd98f00b204e9800998ecf8427e).
// * Not implemented: stack trace rules (enhancements: in_app is taken as the event says), Sentry's
//   built-in fingerprint rules (JavaScript ChunkLoadError/hydration errors), parameterizing
//   fingerprint literals equal to an event message, the template/CSP strategies, picking the
//   crashed thread among several; filenames are lowercased in ASCII only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "event/json.h"
#include "grouping/fingerprint_rules.h"

namespace lt {

struct GroupingResult {
    std::string config_id = "newstyle:2023-01-11";
    std::vector<std::string> hashes;  // every hash the event produces, primary first
    // "custom-fingerprint", "app", "system", "default" or "fallback".
    std::string primary_variant;
    // The server fingerprint rule that set the fingerprint, e.g.
    // `type:"DatabaseUnavailable" -> "system-down"`; empty when none matched.
    std::string fingerprint_rule;
    // The matching rule's title attribute, variables resolved: the issue title to use.
    std::optional<std::string> title_override;
    // Exception groups: the exception_id of the exception that titles the issue (Sentry's
    // main_exception_id) when the filter reduced the group to one exception.
    std::optional<int64_t> main_exception_id;
};

GroupingResult compute_grouping(const json::Value& event, const FingerprintRules* rules = nullptr);

}  // namespace lt
