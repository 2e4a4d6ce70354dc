#include "core/utf8.h"

#include <simdjson.h>

#include <cstdint>

namespace lt {

bool is_valid_utf8(std::string_view text) {
    return simdjson::validate_utf8(text.data(), text.size());
}

size_t utf8_sequence_length(std::string_view text, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    size_t length = 0;
    uint32_t min_code = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, min_code = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, min_code = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, min_code = 0x10000;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    uint32_t code = lead & (0xFFu >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

std::string repair_utf8(std::string_view text, size_t* replaced) {
    std::string out;
    out.reserve(text.size() + 16);
    size_t count = 0;
    for (size_t i = 0; i < text.size();) {
        const size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            out.append("\xEF\xBF\xBD");
            ++count;
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    if (replaced) *replaced = count;
    return out;
}

}  // namespace lt
