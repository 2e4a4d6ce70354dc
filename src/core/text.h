// Measuring and cutting UTF-8 text by characters (code points, as Python's len() counts them):
// the unit of every length limit Sentry applies to event fields.
//
// Contract:
// * code_points, code_point_prefix and truncate_chars expect valid UTF-8 (what a parsed event
//   holds) and count lead bytes; on other bytes they still stay inside the view.
// * code_point_prefix(s, n) is the first n characters of s, a view into it.
// * truncate_chars(s, n) is Sentry's truncatechars: s itself when it has at most n characters,
//   else its first n - 3 (0 when n < 3) followed by "...".
// * char_length(s, pos) is the byte length of the character starting at pos: 1 for ASCII and for
//   bytes that do not start a valid sequence (utf8_sequence_length's 0), so loops that step by
//   it always advance.
//   code_point_at(s, pos, length) decodes the sequence of that length at pos.
// * trim_ascii_space(s) is s without leading and trailing " \t\r\n\f\v" (a view into s).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lt {

size_t code_points(std::string_view text);

std::string_view code_point_prefix(std::string_view text, size_t count);

std::string truncate_chars(std::string_view text, size_t max_chars);

size_t char_length(std::string_view s, size_t pos);

char32_t code_point_at(std::string_view s, size_t pos, size_t length);

std::string_view trim_ascii_space(std::string_view text);

}  // namespace lt
