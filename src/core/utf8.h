// UTF-8 validation and repair.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lt {

bool is_valid_utf8(std::string_view text);

// Length of the valid UTF-8 sequence starting at text[i] (1 for ASCII), or 0 when the bytes
// there are not a valid sequence (overlong forms and surrogates are invalid).
size_t utf8_sequence_length(std::string_view text, size_t i);

// `text` with every invalid byte replaced by U+FFFD; `replaced` receives how many were.
std::string repair_utf8(std::string_view text, size_t* replaced = nullptr);

}  // namespace lt
