#include "core/url.h"

namespace lt {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::string form_decode(std::string_view text) {
    return percent_decode(text, true);
}

std::string path_decode(std::string_view text) {
    return percent_decode(text, false);
}

std::vector<std::string> query_params(std::string_view query, std::string_view name) {
    std::vector<std::string> values;
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const size_t eq = pair.find('=');
        if (!pair.empty() && form_decode(pair.substr(0, eq)) == name) {
            values.push_back(eq == std::string_view::npos ? std::string()
                                                          : form_decode(pair.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return values;
}

std::string query_param(std::string_view query, std::string_view name) {
    std::vector<std::string> values = query_params(query, name);
    return values.empty() ? std::string() : std::move(values.front());
}

}  // namespace lt
