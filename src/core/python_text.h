// Python `str` semantics on UTF-8 text, for the code that reproduces Sentry's Python (grouping,
// issue titles): what str.isspace()/str.split()/str.strip()/str.splitlines() and the `\s` of a
// Python regex treat as whitespace and line breaks.
//
// Contract:
// * space_at(s, pos) is the length in bytes (1-3) of the Python whitespace character starting at
//   byte `pos`, 0 when there is none (also past the end). Python whitespace: ASCII \t\n\v\f\r,
//   \x1c-\x1f and space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
//   U+3000.
// * strip(s) is str.strip(): s without leading and trailing whitespace (a view into s).
// * rstrip(s) is str.rstrip().
// * first_line(s) is str.splitlines()[0] for a non-empty s: s up to its first line boundary
//   (\n \r \v \f \x1c-\x1e U+0085 U+2028 U+2029), a view into s.
// * match_variable(s, pos) is Python's re.match of Sentry's fingerprint variable pattern
//   `\{\{\s*(\S+)\s*\}\}` at `pos` (greedy, backtracking): {end of the match, the name}, or
//   nullopt. "{{a}}b}}" matches whole with the name "a}}b", as in Sentry.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace lt::pytext {

size_t space_at(std::string_view s, size_t pos);

std::string_view strip(std::string_view s);

std::string_view rstrip(std::string_view s);

std::string_view first_line(std::string_view s);

std::optional<std::pair<size_t, std::string_view>> match_variable(std::string_view s, size_t pos);

}  // namespace lt::pytext
