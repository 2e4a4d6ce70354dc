// Message parameterization for grouping, compatible with Sentry's (SENTRY
// src/sentry/grouping/parameterization.py and grouping/strategies/message.py; reference
// docs: sentry-protocol.md §8.7). Messages that differ only in ids, numbers, emails, UUIDs, dates,
// URLs, ... normalize to the same string, so they hash into the same issue.
//
// Contract:
// * parameterize(text) replaces every value one of the rules recognizes with "<rule name>", e.g.
//   "Order 1234 failed for bob@example.com" -> "Order <int> failed for <email>". The rules, in the
//   priority order of parameterization_rule_names(), are tried as ONE combined regex, scanning left
//   to right: the leftmost match wins, and at one position the earliest rule wins. Replaced text
//   is never scanned again. quoted_str and bool only match right after '=' ("a='x'" ->
//   "a=<quoted_str>", "ok=true" -> "ok=<bool>").
// * An "ip" match is an IP-like string that must also be a valid address (Python `ipaddress`
//   rules). If one is not, the whole text is redone the way Sentry does in that case: each rule
//   in turn replaces its matches in the output of the previous one.
// * normalize_message_for_grouping(message) first keeps only the first two lines that are not
//   blank (Python str.splitlines()/str.isspace() semantics), joins them with "\n", and appends
//   "..." whenever that changed the message at all (also when only blank lines, "\r\n" endings or
//   a trailing newline were dropped), then parameterizes.
// * Input is UTF-8 (invalid bytes are tolerated and never match); \d, \w, \s and \b are Unicode
//   aware, as in Python. Thread-safe; the patterns are compiled (with PCRE2 JIT) on first use.
// * Time is about linear in the text length: Sentry's e-mail and hostname patterns rescan long runs
//   from every position, here callouts skip attempts whose outcome is already known (same result).
//   Only contrived repetitions stay superlinear (16 KB of unclosed "datetime.datetime(": ~6 ms).
//   If PCRE2 hits a resource limit, the rest of the text is kept as it is.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lt {

std::string normalize_message_for_grouping(std::string_view message);

std::string parameterize(std::string_view text);

// The rule (= placeholder) names, highest priority first: email, url, hostname, traceparent, uuid,
// sha1, md5, date, ip, duration, swift_txn_id, hex, git_sha, float, int, quoted_str, bool.
std::span<const std::string_view> parameterization_rule_names();

}  // namespace lt
