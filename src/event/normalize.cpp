#include "event/normalize.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/text.h"
#include "core/time.h"
#include "core/url.h"
#include "event/normalize_mechanism.h"
#include "event/trim.h"

namespace lt {

namespace {

using json::Document;
using json::lenient_string;
using json::Value;

constexpr double kMinClockDrift = 55 * 60;
constexpr double kMaxSecondsInFuture = 60;
constexpr double kMaxSecondsInPast = 30 * 24 * 3600;
constexpr size_t kMaxErrorValueBytes = 256;
constexpr size_t kMaxMessageChars = 8192;
constexpr size_t kMaxTagChars = 200;

// A timestamp: a finite number, or an RFC 3339 / zone-less date-time string.
std::optional<double> parse_timestamp(const Value& value) {
    if (auto text = value.as_string()) return parse_rfc3339(trim_ascii_space(*text));
    if (auto number = value.as_double()) {
        if (std::isfinite(*number) && *number >= 0) return number;
    }
    return std::nullopt;
}

class Normalizer {
public:
    Normalizer(Document& document, const NormalizeContext& context)
        : doc_(document), event_(document.root()), ctx_(context) {}

    void run() {
        event_.set("event_id", doc_.make_string(ctx_.event_id));
        move_legacy_interfaces();
        for (const char* key : {"exception", "breadcrumbs", "threads"}) normalize_values(key);
        limit_breadcrumbs(doc_, remarks_);  // first: later error names index the kept ones
        move_stacktrace();
        normalize_type();
        normalize_platform();
        normalize_level();
        normalize_timestamps();
        normalize_logentry();
        normalize_tags();
        normalize_release();
        normalize_dist();
        normalize_environment();
        normalize_text("logger", 64, true);
        normalize_text("transaction", 200, false);
        normalize_text("culprit", 200, false);
        if (is_transaction_ && event_.find("transaction") == nullptr) {
            event_.set("transaction", doc_.make_string("<unlabeled transaction>"));
        }
        normalize_request();
        normalize_ip();
        normalize_contexts();
        normalize_mechanisms();
        trim_event(doc_, remarks_);
        remarks_.write(doc_);
        flush_errors();
    }

private:
    void error(std::string_view type, std::string_view name, const Value* value = nullptr) {
        Value entry = doc_.make_object();
        entry.set("type", doc_.make_string(type));
        entry.set("name", doc_.make_string(code_point_prefix(name, kMaxErrorValueBytes)));
        if (value != nullptr && !value->is_array() && !value->is_object() && !value->is_null()) {
            auto text = value->as_string();
            if (!text || text->size() <= kMaxErrorValueBytes) entry.set("value", doc_.copy(*value));
        }
        errors_.push_back(std::move(entry));
    }

    // Drops `key` of `parent` with an invalid_data error naming `path`.
    void drop(Value& parent, std::string_view key, std::string_view path,
              std::string_view type = "invalid_data") {
        if (Value* value = parent.find(key)) error(type, path, value);
        parent.erase(key);
    }

    void flush_errors() {
        if (errors_.empty()) return;
        Value* errors = event_.find("errors");
        if (errors == nullptr || !errors->is_array()) {
            errors = &event_.set("errors", doc_.make_array());
        }
        for (Value& entry : errors_) errors->push_back(std::move(entry));
    }

    // Erases a null member (JSON null means absent); returns the value when it is not null.
    Value* present(Value& parent, std::string_view key) {
        Value* value = parent.find(key);
        if (value != nullptr && value->is_null()) {
            parent.erase(key);
            return nullptr;
        }
        return value;
    }

    void move_legacy_interfaces() {
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kAliases{{
            {"sentry.interfaces.Exception", "exception"},
            {"sentry.interfaces.Message", "logentry"},
            {"sentry.interfaces.Stacktrace", "stacktrace"},
            {"sentry.interfaces.Http", "request"},
            {"sentry.interfaces.User", "user"},
            {"sentry.interfaces.Breadcrumbs", "breadcrumbs"},
            {"sentry.interfaces.Contexts", "contexts"},
            {"message", "logentry"},
        }};
        for (const auto& [legacy, modern] : kAliases) {
            std::optional<Value> value = event_.take(legacy);
            if (!value || value->is_null()) continue;
            Value* current = present(event_, modern);
            if (current == nullptr) {
                event_.set(modern, std::move(*value));
            } else if (legacy == "message" && value->is_string() && current->is_object() &&
                       current->find("formatted") == nullptr) {
                current->set("formatted", std::move(*value));
            } else if (legacy != "message") {
                error("invalid_attribute", legacy);
            }
        }
    }

    // {"values": [...]}, a bare array or a single object -> {"values": [objects]}.
    void normalize_values(std::string_view key) {
        Value* container = present(event_, key);
        if (container == nullptr) return;
        Value items = doc_.make_array();
        if (container->is_array()) {
            items = std::move(*container);
        } else if (container->is_object()) {
            if (Value* values = container->find("values")) {
                if (values->is_array()) {
                    items = std::move(*values);
                } else if (!values->is_null()) {
                    return drop(event_, key, std::string(key) + ".values");
                }
            } else if (container->size() > 0) {
                items.push_back(std::move(*container));
            }
        } else {
            return drop(event_, key, key);
        }
        Value kept = doc_.make_array();
        size_t index = 0;
        for (Value& item : items.elements()) {
            if (item.is_object()) {
                kept.push_back(std::move(item));
            } else if (!item.is_null()) {
                error("invalid_data", std::string(key) + ".values." + std::to_string(index), &item);
            }
            ++index;
        }
        if (kept.size() == 0) {
            event_.erase(key);
            return;
        }
        Value wrapped = doc_.make_object();
        wrapped.set("values", std::move(kept));
        event_.set(key, std::move(wrapped));
    }

    void move_stacktrace() {
        Value* stacktrace = present(event_, "stacktrace");
        if (stacktrace == nullptr) return;
        if (!stacktrace->is_object()) return drop(event_, "stacktrace", "stacktrace");
        Value* exception = event_.find("exception");
        if (exception == nullptr) return;
        Value* values = exception->find("values");
        if (values->size() != 1 || values->elements()[0].find("stacktrace") != nullptr) return;
        Value moved = std::move(*event_.take("stacktrace"));
        event_.find("exception")->find("values")->elements()[0].set("stacktrace", std::move(moved));
    }

    void normalize_type() {
        static constexpr std::array<std::string_view, 8> kKeptTypes{
            "transaction",  "csp", "hpkp",     "expectct",
            "expectstaple", "nel", "feedback", "user_report_v2"};
        if (Value* type = present(event_, "type")) {
            auto text = type->as_string();
            for (std::string_view kept : kKeptTypes) {
                if (text == kept) {
                    is_transaction_ = kept == "transaction";
                    return;
                }
            }
            if (text != "error" && text != "default") error("invalid_data", "type", type);
        }
        const bool has_exception = event_.find("exception") != nullptr;
        event_.set("type", doc_.make_string(has_exception ? "error" : "default"));
    }

    void normalize_platform() {
        if (Value* platform = present(event_, "platform")) {
            auto text = platform->as_string();
            bool valid = text && !text->empty() && text->size() <= 64;
            for (char c : text.value_or("")) {
                valid = valid &&
                        ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
            }
            if (valid) return;
            error("invalid_data", "platform", platform);
        }
        event_.set("platform", doc_.make_string("other"));
    }

    void normalize_level() {
        const char* fallback = is_transaction_ ? "info" : "error";
        Value* level = present(event_, "level");
        if (level == nullptr) {
            event_.set("level", doc_.make_string(fallback));
            return;
        }
        std::optional<std::string_view> name;
        if (auto text = level->as_string()) {
            if (*text == "debug" || *text == "info" || *text == "warning" || *text == "error" ||
                *text == "fatal") {
                return;
            }
            if (*text == "log") name = "info";
            if (*text == "critical") name = "fatal";
        } else if (auto number = level->as_int64()) {
            static constexpr std::array<std::string_view, 5> kPython{"debug", "info", "warning",
                                                                     "error", "fatal"};
            if (*number >= 10 && *number <= 50 && *number % 10 == 0) {
                name = kPython[static_cast<size_t>(*number / 10 - 1)];
            }
        }
        if (!name) {
            error("invalid_data", "level", level);
            name = fallback;
        }
        event_.set("level", doc_.make_string(*name));
    }

    // Replaces `parent[key]` by float seconds; drops it when invalid. Returns the time.
    std::optional<double> timestamp_at(Value& parent, std::string_view key,
                                       const std::string& path) {
        Value* value = present(parent, key);
        if (value == nullptr) return std::nullopt;
        std::optional<double> seconds = parse_timestamp(*value);
        if (!seconds) {
            drop(parent, key, path);
            return std::nullopt;
        }
        parent.set(key, doc_.make_double(*seconds + shift_));
        return *seconds + shift_;
    }

    void normalize_timestamps() {
        if (ctx_.sent_at) {
            const double drift = ctx_.received_at - *ctx_.sent_at;
            if (std::abs(drift) > kMinClockDrift) {
                shift_ = drift;
                Value sent = doc_.make_double(*ctx_.sent_at);
                error("clock_drift", "sent_at", &sent);
            }
        }
        std::optional<double> timestamp = timestamp_at(event_, "timestamp", "timestamp");
        std::optional<double> start = timestamp_at(event_, "start_timestamp", "start_timestamp");
        if (Value* breadcrumbs = event_.find("breadcrumbs")) {
            size_t index = 0;
            for (Value& crumb : breadcrumbs->find("values")->elements()) {
                timestamp_at(crumb, "timestamp",
                             "breadcrumbs.values." + std::to_string(index++) + ".timestamp");
            }
        }
        if (Value* spans = event_.find("spans"); spans != nullptr && spans->is_array()) {
            size_t index = 0;
            for (Value& span : spans->elements()) {
                if (span.is_object()) {
                    const std::string path = "spans." + std::to_string(index);
                    timestamp_at(span, "start_timestamp", path + ".start_timestamp");
                    timestamp_at(span, "timestamp", path + ".timestamp");
                }
                ++index;
            }
        }
        double corrected = timestamp.value_or(ctx_.received_at);
        if (timestamp) {
            Value original = doc_.make_double(*timestamp);
            if (*timestamp > ctx_.received_at + kMaxSecondsInFuture) {
                error("future_timestamp", "timestamp", &original);
                corrected = ctx_.received_at;
            } else if (*timestamp < ctx_.received_at - kMaxSecondsInPast) {
                error("past_timestamp", "timestamp", &original);
                corrected = ctx_.received_at;
            }
        }
        event_.set("timestamp", doc_.make_double(corrected));
        if (start && timestamp && corrected != *timestamp) {
            event_.set("start_timestamp", doc_.make_double(*start + corrected - *timestamp));
        }
    }

    // A string field longer than `max_chars` is cut there (value_too_long).
    void truncate_field(Value& parent, std::string_view key, size_t max_chars,
                        std::string_view path) {
        Value* value = parent.find(key);
        auto text = value != nullptr ? value->as_string() : std::nullopt;
        if (!text || code_points(*text) <= max_chars) return;
        error("value_too_long", path);
        parent.set(key, doc_.make_string(code_point_prefix(*text, max_chars)));
    }

    void normalize_logentry() {
        Value* entry = present(event_, "logentry");
        if (entry == nullptr) return;
        if (entry->is_string()) {
            Value object = doc_.make_object();
            object.set("formatted", std::move(*entry));
            entry = &event_.set("logentry", std::move(object));
        } else if (!entry->is_object()) {
            return drop(event_, "logentry", "logentry");
        }
        for (const char* key : {"formatted", "message"}) {
            Value* value = present(*entry, key);
            if (value == nullptr || value->is_string()) continue;
            if (auto text = lenient_string(*value)) {
                entry->set(key, doc_.make_string(*text));
            } else {
                drop(*entry, key, std::string("logentry.") + key);
            }
        }
        Value* params = present(*entry, "params");
        if (params != nullptr && !params->is_array() && !params->is_object()) {
            drop(*entry, "params", "logentry.params");
            params = nullptr;
        }
        Value* message = entry->find("message");
        if (entry->find("formatted") == nullptr && message != nullptr) {
            if (params != nullptr) {
                entry->set("formatted", doc_.make_string(format(*message->as_string(), *params)));
            } else {
                entry->set("formatted", std::move(*entry->take("message")));
            }
        }
        if (entry->find("formatted") == nullptr) return drop(event_, "logentry", "logentry");
        truncate_field(*entry, "formatted", kMaxMessageChars, "logentry.formatted");
        truncate_field(*entry, "message", kMaxMessageChars, "logentry.message");
    }

    // printf-style (%s, %d, %i, %r, %f, %(name)s, %%) and {} / {N} / {name} placeholders.
    static std::string format(std::string_view pattern, const Value& params) {
        auto param_text = [](const Value* param) -> std::optional<std::string> {
            if (param == nullptr) return std::nullopt;
            if (auto text = param->as_string()) return std::string(*text);
            return json::to_string(*param);
        };
        auto positional = [&](size_t index) -> const Value* {
            auto elements = params.elements();
            return index < elements.size() ? &elements[index] : nullptr;
        };
        std::string out;
        size_t next = 0;
        for (size_t i = 0; i < pattern.size(); ++i) {
            const char c = pattern[i];
            const std::string_view rest = pattern.substr(i);
            std::optional<std::string> replacement;
            size_t consumed = 0;
            if (c == '%' && rest.size() >= 2) {
                if (rest[1] == '%') {
                    replacement = "%";
                    consumed = 2;
                } else if (rest[1] == '(' && rest.find(')') != std::string_view::npos) {
                    const size_t close = rest.find(')');
                    if (close + 1 < rest.size()) {
                        replacement = param_text(params.find(rest.substr(2, close - 2)));
                        consumed = close + 2;
                    }
                } else if (std::string_view("sdirf").find(rest[1]) != std::string_view::npos) {
                    replacement = param_text(positional(next++));
                    consumed = 2;
                }
            } else if (c == '{' && rest.find('}') != std::string_view::npos) {
                const size_t close = rest.find('}');
                const std::string_view name = rest.substr(1, close - 1);
                consumed = close + 1;
                if (name.empty()) {
                    replacement = param_text(positional(next++));
                } else if (name.find_first_not_of("0123456789") == std::string_view::npos &&
                           name.size() < 9) {
                    replacement = param_text(positional(std::stoul(std::string(name))));
                } else {
                    replacement = param_text(params.find(name));
                }
            }
            if (replacement) {
                out += *replacement;
                i += consumed - 1;
            } else {
                out += c;
            }
        }
        return out;
    }

    // [key, value] string pairs from an object or an array of pairs; bad entries are dropped.
    std::vector<std::pair<std::string, std::string>> pairs_of(Value& value,
                                                              const std::string& path) {
        std::vector<std::pair<std::string, std::string>> pairs;
        pairs.reserve(value.size());
        // `where` names the entry in an error; most entries have none, so it is made on demand.
        auto add = [&](std::string_view key, const Value& item, const auto& where) {
            if (item.is_null()) return;
            if (auto text = lenient_string(item)) {
                pairs.emplace_back(std::string(key), std::move(*text));
            } else if (item.is_array()) {  // repeated headers: ["a", "b"] -> "a, b"
                std::string joined;
                for (const Value& part : item.elements()) {
                    auto part_text = lenient_string(part);
                    if (!part_text) return error("invalid_data", where());
                    joined += (joined.empty() ? "" : ", ") + *part_text;
                }
                pairs.emplace_back(std::string(key), std::move(joined));
            } else {
                error("invalid_data", where());
            }
        };
        if (value.is_object()) {
            for (auto& [key, item] : value.members()) {
                add(key, item, [&] { return path + "." + std::string(key); });
            }
        } else {
            size_t index = 0;
            for (Value& pair : value.elements()) {
                auto where = [&path, index] { return path + "." + std::to_string(index); };
                ++index;
                auto elements = pair.elements();
                auto key = elements.size() == 2 ? lenient_string(elements[0]) : std::nullopt;
                if (key) {
                    add(*key, elements[1], where);
                } else if (!pair.is_null()) {
                    error("invalid_data", where(), &pair);
                }
            }
        }
        return pairs;
    }

    Value pairs_value(const std::vector<std::pair<std::string, std::string>>& pairs) {
        Value array = doc_.make_array();
        array.reserve(pairs.size());
        for (const auto& [key, item] : pairs) {
            Value pair = doc_.make_array();
            pair.push_back(doc_.make_string(key));
            pair.push_back(doc_.make_string(item));
            array.push_back(std::move(pair));
        }
        return array;
    }

    void normalize_tags() {
        std::vector<std::pair<std::string, std::string>> input;
        if (Value* tags = present(event_, "tags")) {
            if (tags->is_object() || tags->is_array()) {
                input = pairs_of(*tags, "tags");
            } else {
                drop(event_, "tags", "tags");
            }
        }
        for (const char* key : {"server_name", "site"}) {
            std::optional<Value> value = event_.take(key);
            if (!value || value->is_null()) continue;
            if (auto text = lenient_string(*value)) {
                input.emplace_back(key, std::move(*text));
            } else {
                error("invalid_data", key);
            }
        }
        std::vector<std::pair<std::string, std::string>> output;
        std::unordered_set<std::string> kept_keys;
        for (auto& [raw_key, raw_value] : input) {
            const std::string path = "tags." + raw_key;
            std::string key(trim_ascii_space(raw_key));
            for (char& c : key) c = c == ' ' ? '-' : c;
            const std::string_view text = trim_ascii_space(raw_value);
            if (key.empty() ||
                key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789_.:-") != std::string::npos) {
                error("invalid_data", path);
                continue;
            }
            if (code_points(key) > kMaxTagChars || code_points(text) > kMaxTagChars) {
                error("value_too_long", path);
                continue;
            }
            if (text.empty() || text.find('\n') != std::string_view::npos) {
                const Value original = doc_.make_string(raw_value);
                error("invalid_data", path, &original);
                continue;
            }
            if (key == "release" || key == "dist" || key == "user" || key == "filename" ||
                key == "function") {
                continue;
            }
            if (!kept_keys.insert(key).second) continue;  // first wins
            if (key == "environment") {
                if (present(event_, "environment") == nullptr) {
                    event_.set("environment", doc_.make_string(text));
                }
                continue;
            }
            output.emplace_back(std::move(key), std::string(text));
        }
        if (output.empty()) {
            event_.erase("tags");
        } else {
            event_.set("tags", pairs_value(output));
        }
    }

    // A string (or number) member, trimmed; nullopt (and dropped with an error) otherwise.
    std::optional<std::string> identifier(std::string_view key) {
        Value* value = present(event_, key);
        if (value == nullptr) return std::nullopt;
        auto text = value->is_bool() ? std::nullopt : lenient_string(*value);
        if (!text) {
            drop(event_, key, key);
            return std::nullopt;
        }
        std::string trimmed(trim_ascii_space(*text));
        if (trimmed.empty()) {
            drop(event_, key, key);
            return std::nullopt;
        }
        return trimmed;
    }

    // Stores a valid identifier, or drops it with the given error.
    void keep_identifier(std::string_view key, const std::string& text, size_t max_chars,
                         bool valid) {
        if (code_points(text) > max_chars) return drop(event_, key, key, "value_too_long");
        if (!valid) return drop(event_, key, key);
        event_.set(key, doc_.make_string(text));
    }

    void normalize_release() {
        auto release = identifier("release");
        if (!release) return;
        const bool valid = *release != "." && *release != ".." && *release != "latest" &&
                           release->find_first_of("\r\n\t\f\v/\\") == std::string::npos;
        keep_identifier("release", *release, 200, valid);
    }

    void normalize_dist() {
        auto dist = identifier("dist");
        if (!dist) return;
        const bool valid = dist->find_first_not_of(
                               "abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == std::string::npos;
        keep_identifier("dist", *dist, 64, valid);
    }

    void normalize_environment() {
        auto environment = identifier("environment");
        if (!environment) return;
        keep_identifier("environment", *environment, 64,
                        environment->find_first_of("\r\n/") == std::string::npos);
    }

    void normalize_text(std::string_view key, size_t max_chars, bool single_line) {
        Value* value = present(event_, key);
        if (value == nullptr) return;
        auto text = value->as_string();
        if (!text || (single_line && text->find_first_of("\r\n") != std::string::npos)) {
            return drop(event_, key, key);
        }
        const std::string_view trimmed = trim_ascii_space(*text);
        if (trimmed.empty()) {
            event_.erase(key);
            return;
        }
        event_.set(key, doc_.make_string(trimmed));
        truncate_field(event_, key, max_chars, key);
    }

    void normalize_request() {
        Value* request = present(event_, "request");
        if (request == nullptr) return;
        if (!request->is_object()) return drop(event_, "request", "request");
        for (const char* key : {"headers", "cookies", "query_string"}) {
            Value* value = present(*request, key);
            if (value == nullptr) continue;
            const std::string path = std::string("request.") + key;
            std::vector<std::pair<std::string, std::string>> pairs;
            if (auto text = value->as_string(); text && std::string_view(key) != "headers") {
                pairs = split_pairs(*text, std::string_view(key) == "cookies");
            } else if (value->is_object() || value->is_array()) {
                pairs = pairs_of(*value, path);
            } else {
                drop(*request, key, path);
                continue;
            }
            request->set(key, pairs_value(pairs));
        }
        if (Value* env = present(*request, "env"); env != nullptr && !env->is_object()) {
            drop(*request, "env", "request.env");
        }
    }

    // "a=1&b=2" (query string, form-decoded, leading '?' skipped) or "a=1; b=2" (cookies).
    static std::vector<std::pair<std::string, std::string>> split_pairs(std::string_view text,
                                                                        bool cookies) {
        std::vector<std::pair<std::string, std::string>> pairs;
        if (!cookies && !text.empty() && text.front() == '?') text.remove_prefix(1);
        const char separator = cookies ? ';' : '&';
        while (!text.empty()) {
            const size_t end = text.find(separator);
            const std::string_view part = text.substr(0, end);
            text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
            const size_t equals = part.find('=');
            std::string_view key = part.substr(0, equals);
            std::string_view item =
                equals == std::string_view::npos ? std::string_view() : part.substr(equals + 1);
            if (cookies) {
                key = trim_ascii_space(key);
                if (!key.empty())
                    pairs.emplace_back(std::string(key), std::string(trim_ascii_space(item)));
            } else if (!part.empty()) {
                pairs.emplace_back(form_decode(key), form_decode(item));
            }
        }
        return pairs;
    }

    void normalize_ip() {
        Value* user = present(event_, "user");
        if (user != nullptr && !user->is_object()) {
            drop(event_, "user", "user");
            user = nullptr;
        }
        auto resolve = [&](Value& parent, std::string_view key) {
            Value* value = parent.find(key);
            if (value == nullptr || value->as_string() != "{{auto}}") return;
            if (ctx_.client_ip.empty()) {
                parent.erase(key);
            } else {
                parent.set(key, doc_.make_string(ctx_.client_ip));
            }
        };
        std::optional<std::string> remote_addr;
        if (Value* request = event_.find("request")) {
            if (Value* env = request->find("env")) {
                resolve(*env, "REMOTE_ADDR");
                const Value* addr = env->find("REMOTE_ADDR");
                if (addr != nullptr && addr->is_string() && !addr->as_string()->empty()) {
                    remote_addr = std::string(*addr->as_string());
                }
            }
        }
        if (user != nullptr) resolve(*user, "ip_address");
        const Value* ip = user != nullptr ? user->find("ip_address") : nullptr;
        if (ip != nullptr && ip->is_string() && !ip->as_string()->empty()) return;
        std::optional<std::string> fill = remote_addr;
        const auto platform = event_.find("platform")->as_string();
        if (!fill && !ctx_.client_ip.empty() &&
            (platform == "javascript" || platform == "cocoa" || platform == "objc")) {
            fill = ctx_.client_ip;
        }
        if (fill) event_.object_at("user").set("ip_address", doc_.make_string(*fill));
    }

    void normalize_contexts() {
        Value* contexts = present(event_, "contexts");
        if (contexts == nullptr) return;
        if (!contexts->is_object()) return drop(event_, "contexts", "contexts");
        std::vector<std::string> bad;
        for (auto& [key, context] : contexts->members()) {
            if (context.is_object()) {
                if (!context.find("type") || !context.find("type")->is_string()) {
                    context.set("type", doc_.make_string(key));
                }
            } else {
                bad.emplace_back(key);
            }
        }
        for (const std::string& key : bad) {
            Value* value = contexts->find(key);
            if (!value->is_null()) error("invalid_data", "contexts." + key, value);
            contexts->erase(key);
        }
    }

    void normalize_mechanisms() {
        Value* exception = event_.find("exception");
        if (exception == nullptr) return;
        const std::optional<OsHint> os = os_hint_of(event_);
        const ErrorReport report = [this](std::string_view type, std::string_view name,
                                          const Value* value) { error(type, name, value); };
        size_t index = 0;
        for (Value& item : exception->find("values")->elements()) {
            normalize_mechanism(doc_, item,
                                "exception.values." + std::to_string(index++) + ".mechanism", os,
                                report);
        }
    }

    Document& doc_;
    Value& event_;
    const NormalizeContext& ctx_;
    std::vector<Value> errors_;
    TrimRemarks remarks_;
    bool is_transaction_ = false;
    double shift_ = 0;  // clock drift correction added to every timestamp
};

}  // namespace

void normalize_event(json::Document& event, const NormalizeContext& context) {
    Normalizer(event, context).run();
}

}  // namespace lt
