// One JSON object per line on stderr for every notable event.
//
//   log_info("server.listening", {{"address", "127.0.0.1:8000"}});
//
// Fields are string or number values; lines from different threads never interleave.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace lt {

struct LogField {
    std::string_view key;
    std::variant<std::string_view, int64_t, double> value;
    LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, int64_t v) : key(k), value(v) {}
    LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
    LogField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
    LogField(std::string_view k, double v) : key(k), value(v) {}
};

void log_event(std::string_view level, std::string_view message,
               std::initializer_list<LogField> fields = {});
inline void log_info(std::string_view message, std::initializer_list<LogField> fields = {}) {
    log_event("info", message, fields);
}
inline void log_warn(std::string_view message, std::initializer_list<LogField> fields = {}) {
    log_event("warn", message, fields);
}
inline void log_error(std::string_view message, std::initializer_list<LogField> fields = {}) {
    log_event("error", message, fields);
}

}  // namespace lt
