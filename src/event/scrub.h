// Server-side PII scrubbing of a normalized event, after Relay's data scrubbing defaults
// (sentry-protocol.md §11).
//
// Contract
// - scrub_event() edits `event` in place and returns how many values each rule filtered. An
//   event whose root is not an object is left alone. `scrub_data` switches `scrub_defaults` and
//   `sensitive_fields` on; `scrub_ip_addresses` works on its own (as Relay's config conversion).
// - With `scrub_defaults` (the rule `@common:filter`), every value of the event is visited, except
//   the subtrees that are never scrubbed: `debug_meta`, `modules` (package names, not PII, which
//   Relay marks pii=false), `_meta`, any stack frame's `filename` and `abs_path`
//   (`...frames.<i>.filename`), `logentry.formatted`, `exception.values.<i>.value` and the
//   `User-Agent` request header. The rules, each replacing with the text "[Filtered]":
//   * @password:filter, whole value (string, number, array or object): an object key matching,
//     case-insensitively, password|secret|passwd|api[-_]key|apikey|auth|credentials|mysql_pwd|
//     privatekey|private[-_]key|token|^otp$|^two[-_]factor$; the `Cookie` and `Set-Cookie`
//     request headers; a sensitive cookie (sentrysid, session, csrf, ...) in `request.cookies`
//     (counted as `cookies`).
//   * Inside strings, only the matched part: the value of "key=value"/"key: value" secrets whose
//     key is password-like ("password=hunter2" -> "password=[Filtered]", @password:filter);
//     "Bearer <token of 8+ characters>" (the whole match, @password:filter); credit card numbers
//     (@creditcard:filter); the body of a PEM "-----BEGIN ... PRIVATE KEY-----" block
//     (@pemkey:filter); the password of "scheme://user:PASSWORD@" (@urlauth:legacy); US SSNs
//     ddd-dd-dddd (@usssn:filter); IBANs (@iban:filter); the user name in /home/<u>/,
//     /Users/<u>/, C:\Users\<u>\ and C:\Documents and Settings\<u>\ (@userpath:filter).
//     Matches are found in the original string; a match overlapping an earlier rule's is skipped.
//     A pattern hitting PCRE2's match limit stops scanning the rest of that string.
//   * An integer whose decimal digits contain a credit card number is replaced whole (the other
//     patterns need characters a number's digits never have).
// - Null and boolean values, and strings already equal to "[Filtered]" (SDK-side scrubbing), are
//   never filtered whole (nor counted).
// - Request headers and cookies may be objects or arrays of [name, value] pairs; `request.cookies`
//   may also be a raw "a=1; b=2" string, of which only sensitive cookies' values are filtered.
// - `sensitive_fields`: a key containing one of them (case-insensitive) has its whole value
//   filtered ("strip-fields"), even without `scrub_defaults`. `safe_fields`: a
//   key equal to one of them (case-insensitive) keeps its whole subtree untouched by every rule but
//   the removal of the IP fields below.
// - `scrub_ip_addresses` removes `user.ip_address`, `request.env.REMOTE_ADDR` and `sdk.client_ip`
//   (@anything:remove) and replaces IPv4/IPv6 addresses inside other strings with "[ip]"
//   (@ip:replace), outside the never-scrubbed subtrees.
// - Every change leaves a Sentry-style remark in the root `_meta`, which mirrors the value's path
//   (array indexes as decimal keys) and is merged into an existing `_meta`:
//   {"_meta":{"request":{"headers":{"Authorization":{"":{"rem":[["@password:filter","s",0,10]],
//   "len":21}}}}}}. A remark is [rule, "s", start, end] for a substitution, the range in Unicode
//   code points of the new text, or [rule, "x"] for a removal. "len" is the original string's
//   length in code points (strings only; an existing "len" is kept, being older).
// - Patterns are compiled once (thread-safe); scrub_event() may run on several threads at once,
//   on different Documents.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "event/json.h"

namespace lt {

struct ScrubSettings {
    bool scrub_data = true;
    bool scrub_defaults = true;
    bool scrub_ip_addresses = false;
    std::vector<std::string> sensitive_fields;
    std::vector<std::string> safe_fields;
};

// Values (or matches inside strings) filtered per rule.
struct ScrubReport {
    size_t password = 0;          // @password:filter: keys, key=value secrets, Bearer tokens
    size_t cookies = 0;           // sensitive cookies in request.cookies
    size_t creditcard = 0;        // @creditcard:filter
    size_t pemkey = 0;            // @pemkey:filter
    size_t urlauth = 0;           // @urlauth:legacy
    size_t usssn = 0;             // @usssn:filter
    size_t iban = 0;              // @iban:filter
    size_t userpath = 0;          // @userpath:filter
    size_t sensitive_fields = 0;  // strip-fields
    size_t ip_removed = 0;        // @anything:remove
    size_t ip_replaced = 0;       // @ip:replace

    size_t total() const {
        return password + cookies + creditcard + pemkey + urlauth + usssn + iban + userpath +
               sensitive_fields + ip_removed + ip_replaced;
    }
};

ScrubReport scrub_event(json::Document& event, const ScrubSettings& settings);

}  // namespace lt
