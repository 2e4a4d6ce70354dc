#include "core/python_text.h"

#include <vector>

#include "core/text.h"

namespace lt::pytext {

size_t space_at(std::string_view s, size_t pos) {
    const auto byte = [&](size_t i) {
        return i < s.size() ? static_cast<unsigned char>(s[i]) : 0U;
    };
    if (pos >= s.size()) {
        return 0;
    }
    const unsigned c = byte(pos);
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) {
        return 1;
    }
    if (c == 0xC2 && (byte(pos + 1) == 0x85 || byte(pos + 1) == 0xA0)) {
        return 2;
    }
    const unsigned c1 = byte(pos + 1);
    const unsigned c2 = byte(pos + 2);
    const bool three = (c == 0xE1 && c1 == 0x9A && c2 == 0x80) ||  // U+1680
                       (c == 0xE2 && c1 == 0x80 &&
                        (c2 <= 0x8A || c2 == 0xA8 ||               // U+2000-200A,
                         c2 == 0xA9 || c2 == 0xAF)) ||             // 2028/9, 202F
                       (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) ||  // U+205F
                       (c == 0xE3 && c1 == 0x80 && c2 == 0x80);    // U+3000
    return three ? 3 : 0;
}

std::string_view rstrip(std::string_view s) {
    size_t end = 0;  // end of the last character that is not whitespace
    for (size_t pos = 0; pos < s.size();) {
        if (const size_t ws = space_at(s, pos); ws > 0) {
            pos += ws;
        } else {
            pos += char_length(s, pos);
            end = pos;
        }
    }
    return s.substr(0, end);
}

std::string_view strip(std::string_view s) {
    size_t start = 0;
    while (const size_t ws = space_at(s, start)) {
        start += ws;
    }
    return rstrip(s.substr(start));
}

std::string_view first_line(std::string_view s) {
    for (size_t pos = 0; pos < s.size();) {
        const size_t length = char_length(s, pos);
        const char32_t c = code_point_at(s, pos, length);
        if ((c >= 0x0A && c <= 0x0D) || (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028 ||
            c == 0x2029) {
            return s.substr(0, pos);
        }
        pos += length;
    }
    return s;
}

std::optional<std::pair<size_t, std::string_view>> match_variable(std::string_view s, size_t pos) {
    if (s.substr(pos, 2) != "{{") {
        return std::nullopt;
    }
    size_t start = pos + 2;
    while (const size_t ws = space_at(s, start)) {
        start += ws;
    }
    std::vector<size_t> ends;  // where \S+ may end, shortest first
    for (size_t end = start; end < s.size() && space_at(s, end) == 0;) {
        end += char_length(s, end);
        ends.push_back(end);
    }
    for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
        size_t after = *it;
        while (const size_t ws = space_at(s, after)) {
            after += ws;
        }
        if (s.substr(after, 2) == "}}") {
            return std::make_pair(after + 2, s.substr(start, *it - start));
        }
    }
    return std::nullopt;
}

}  // namespace lt::pytext
