// URL query-string helpers (application/x-www-form-urlencoded).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lt {

// '+' is a space and %XX an escaped byte; malformed escapes are kept as they are.
std::string form_decode(std::string_view text);

// The decoded value of the first `name` parameter in `query` (no leading '?'), "" when absent.
std::string query_param(std::string_view query, std::string_view name);
// Every decoded value of `name` in query order ("a=" gives ""); empty when absent.
std::vector<std::string> query_params(std::string_view query, std::string_view name);

// Percent-decodes a path segment ('+' stays '+').
std::string path_decode(std::string_view text);

}  // namespace lt
