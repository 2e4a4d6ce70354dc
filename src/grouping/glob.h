// Glob patterns as Sentry matches them (sentry.utils.glob.glob_match -> Relay's
// relay_is_glob_match -> the Rust `globset` crate's glob-to-regex translation, run as a byte
// regex). Used by fingerprint rules; stack trace rules use the same matcher in Sentry.
//
// Contract:
// * Syntax (globset): `?` one byte, `*` any run of bytes, `[abc]`, `[a-z]`, `[!a]`/`[^a]` one byte
//   of a set (a leading `]` or `-` is literal, no escapes inside), `{a,b}` alternatives (nested
//   allowed; empty alternatives are dropped), `\x` the literal x. With `double_star`, `*` and `?`
//   do not match '/', `**` as a whole path segment (`a/**/b`, `**/b`, `a/**`) matches across
//   '/', and a pattern of just `**` matches everything; elsewhere `**` is two `*`.
// * Matching is on bytes, anchored at both ends: `?` and `[..]` consume one byte (a non-ASCII
//   character is several), `.`-like wildcards match newlines too. `case_insensitive` folds ASCII
//   letters only. `path_normalize` turns every '\' into '/' in value and pattern before matching
//   (so a path pattern has no escapes).
// * compile() returns nullopt for a pattern globset rejects (unclosed `[` or `{`, a `}` that
//   closes nothing, a trailing `\`, a reversed range); Sentry's glob_match is then false for
//   every value.
// * Matching is a Thompson NFA simulation: time O(value length x pattern length), no recursion.
//   A compiled Glob is immutable and safe to use from several threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace lt {

struct GlobOptions {
    bool double_star = false;
    bool case_insensitive = false;
    bool path_normalize = false;
};

class Glob {
public:
    static std::optional<Glob> compile(std::string_view pattern, const GlobOptions& options);

    bool matches(std::string_view value) const;

private:
    // One NFA state: consumes one byte of `bytes` and goes to `next`, or (epsilon) goes to each
    // of `targets` without consuming. State 0, with neither, accepts.
    struct State {
        bool consuming = false;
        std::array<uint64_t, 4> bytes{};
        int next = -1;
        std::vector<int> targets;
    };
    friend class GlobCompiler;

    Glob() = default;

    std::vector<State> states_;
    int start_ = -1;
    bool path_normalize_ = false;
};

}  // namespace lt
