// Server-side fingerprint rules ("Fingerprint Rules" in a project's issue grouping settings),
// compatible with Sentry's (SENTRY src/sentry/grouping/fingerprinting/; docs
// concepts/data-management/event-grouping/fingerprint-rules). A matching rule's fingerprint
// replaces the event's own (compute_grouping in grouping.h applies it).
//
// Contract:
// * Syntax (Sentry's grammar): one rule per line, `matcher... -> fingerprint...`; blank lines and
//   `#` comment lines are ignored; separators are spaces only (a tab is a syntax error). A matcher
//   is `[!]key:argument`, the key optionally quoted ("key"), the argument a "quoted string" (with
//   Python backslash escapes: \\ \" \n \t \xHH \uXXXX \ooo ...; unknown ones stay as written) or a
//   run of non-whitespace. Keys: error.type/type, error.value/value, message, logger, level,
//   stack.module/module, stack.abs_path/path, stack.package/package, stack.function/function,
//   family, app, sdk, release and tags.NAME; anything else is an "unknown matcher" error. After
//   `->` come fingerprint entries, separated by spaces and/or commas: quoted strings, `{{ var }}`,
//   or runs without whitespace, ',' and '{' (so `logger-{{ logger }}` is two entries), and the
//   attribute title="..." (the only attribute; others are errors). At least one entry or attribute
//   must follow `->`. A `#` after a rule is an entry, not a comment.
// * parse_fingerprint_rules() reports the first syntax error (1-based line, message with the
//   column) before any unknown matcher/attribute, as Sentry parses before it interprets.
// * Matching (first matching rule wins, in file order): all matchers of a rule must hold. Matchers
//   on the same kind of data must hold for the same item: one exception for type/value, one frame
//   for module/path/package/function/app, one of {log message, any exception value} for message.
//   Frames are all frames of all exceptions, else of event.stacktrace, else of the crashing thread
//   (the only one, else the only crashed one, else the only current one). With no item of that
//   kind (no exception, no frame, neither logger nor level) the matchers fail, negated or not.
//   `!` negates a matcher per item. Values are compared as globs (glob.h):
//   - type, module, function, logger, tags.NAME: case-sensitive, `*` matches '/';
//   - value, message, level: case-insensitive; message checks logentry.formatted and every
//     exception value (both whitespace-stripped);
//   - path, package, release: case-insensitive path globs (`*` stops at '/', `**` crosses it,
//     backslashes are slashes), also tried with a '/' prepended when the value has none; path
//     checks both abs_path (else filename) and filename;
//   - function is the frame's function name trimmed as in function_name.h, "<unknown>" if none;
//   - family (javascript, native, other) and sdk (the SDK name normalized like Sentry's sdk tag,
//     e.g. sentry.python.django -> sentry.python, unknown -> other) take a comma list, `all`
//     matches anything; app takes yes/true/1 or no/false/0 and compares the frame's in_app.
// * Not supported: the newest Sentry additions (thread.* matchers, `[ caller ] |` / `| [ callee ]`
//   frame context; both are syntax/unknown-matcher errors here) and Sentry's built-in rules.
// * A FingerprintRules value is immutable after parsing; copies share it; it is safe to use from
//   several threads.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "event/json.h"

namespace lt {

struct FingerprintRulesError {
    size_t line = 0;  // 1-based
    std::string message;
};

class FingerprintRules {
public:
    FingerprintRules();  // no rules: nothing matches

    size_t size() const;
    bool empty() const { return size() == 0; }
    // Each rule as Sentry prints it, e.g. `type:"DatabaseUnavailable" -> "system-down"`.
    std::vector<std::string> rule_texts() const;

    struct Impl;

private:
    friend std::variant<FingerprintRules, FingerprintRulesError> parse_fingerprint_rules(
        std::string_view text);
    friend struct FingerprintRulesAccess;
    explicit FingerprintRules(std::shared_ptr<const Impl> impl);

    std::shared_ptr<const Impl> impl_;
};

// Parses the rules text a project stores; on error returns the first error with its line.
std::variant<FingerprintRules, FingerprintRulesError> parse_fingerprint_rules(
    std::string_view text);

struct FingerprintMatch {
    std::vector<std::string> fingerprint;  // as written in the rule, `{{ default }}` normalized
    std::optional<std::string> title;      // the title attribute, variables not yet resolved
    std::string rule;                      // the rule as Sentry prints it
};

// The fingerprint (and title attribute, if any) of the first rule that matches, else nullopt.
std::optional<FingerprintMatch> match_fingerprint_rules(const FingerprintRules& rules,
                                                        const json::Value& event);

}  // namespace lt
