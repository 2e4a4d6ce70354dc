// Wall-clock helpers. Times are seconds since the Unix epoch as double (microsecond precision).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lt {

double now_seconds();

// RFC 3339 UTC with microseconds and a trailing Z, e.g. 2026-01-01T10:00:00.123456Z.
std::string format_rfc3339(double seconds);

// Accepts RFC 3339 / ISO 8601 date-times (fraction optional; "Z", "+hh:mm" or no zone = UTC).
std::optional<double> parse_rfc3339(std::string_view text);

}  // namespace lt
