#include "core/text.h"

#include <algorithm>

#include "core/utf8.h"

namespace lt {
namespace {

bool is_lead_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
}

// Byte offset where character number `index` starts, or text.size() when it has fewer.
size_t offset_of_char(std::string_view text, size_t index) {
    size_t seen = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (!is_lead_byte(text[i])) continue;
        if (seen == index) return i;
        ++seen;
    }
    return text.size();
}

}  // namespace

size_t code_points(std::string_view text) {
    return static_cast<size_t>(std::count_if(text.begin(), text.end(), is_lead_byte));
}

std::string_view code_point_prefix(std::string_view text, size_t count) {
    return text.substr(0, offset_of_char(text, count));
}

std::string truncate_chars(std::string_view text, size_t max_chars) {
    if (offset_of_char(text, max_chars) == text.size()) return std::string(text);
    const size_t keep = max_chars >= 3 ? max_chars - 3 : 0;
    return std::string(code_point_prefix(text, keep)) + "...";
}

size_t char_length(std::string_view s, size_t pos) {
    return std::max<size_t>(utf8_sequence_length(s, pos), 1);
}

char32_t code_point_at(std::string_view s, size_t pos, size_t length) {
    char32_t code = static_cast<unsigned char>(s[pos]);
    if (length > 1) {
        code &= 0xFFU >> (length + 1);
        for (size_t i = 1; i < length; ++i) {
            code = (code << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3FU);
        }
    }
    return code;
}

std::string_view trim_ascii_space(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n\f\v";
    const size_t begin = text.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) return {};
    return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace lt
