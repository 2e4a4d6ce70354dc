#include "api/event_view.h"

#include <algorithm>
#include <charconv>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_writer.h"
#include "core/time.h"
#include "issues/summary.h"

namespace lt {

namespace {

using json::field;
using json::is_true;
using json::truthy;
using json::Value;

// ---- reading ------------------------------------------------------------------------------

std::optional<std::string_view> get_string(const Value* object, std::string_view key) {
    const Value* value = field(object, key);
    return value != nullptr ? value->as_string() : std::nullopt;
}

const Value* get_object(const Value* object, std::string_view key) {
    const Value* value = field(object, key);
    return value != nullptr && value->is_object() ? value : nullptr;
}

const Value* get_array(const Value* object, std::string_view key) {
    const Value* value = field(object, key);
    return value != nullptr && value->is_array() ? value : nullptr;
}

// A stacktrace with at least one frame (Sentry shows no stacktrace otherwise).
const Value* stacktrace_with_frames(const Value* owner, std::string_view key) {
    const Value* stacktrace = get_object(owner, key);
    const Value* frames = get_array(stacktrace, "frames");
    return frames != nullptr && frames->size() > 0 ? stacktrace : nullptr;
}

// Seconds since the epoch from a float timestamp or an RFC 3339 string.
std::optional<double> timestamp_of(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (auto text = value->as_string()) return parse_rfc3339(*text);
    return value->as_double();
}

std::optional<size_t> parse_index(std::string_view text) {
    size_t index = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return index;
}

// The position an element of `array` has in a view that leaves out its non-object elements;
// nullopt when `key` names no object element.
std::optional<size_t> object_position(const Value* array, std::string_view key) {
    const auto index = parse_index(key);
    if (array == nullptr || !array->is_array() || !index || *index >= array->size()) {
        return std::nullopt;
    }
    const auto elements = array->elements();
    if (!elements[*index].is_object()) return std::nullopt;
    return static_cast<size_t>(std::count_if(elements.begin(), elements.begin() + *index,
                                             [](const Value& item) { return item.is_object(); }));
}

// ---- writing ------------------------------------------------------------------------------

void write_or_null(JsonWriter& out, const Value* value) {
    if (value != nullptr) {
        json::write(*value, out);
    } else {
        out.null();
    }
}

void write_string_or_null(JsonWriter& out, std::optional<std::string_view> text) {
    if (text) {
        out.value(*text);
    } else {
        out.null();
    }
}

void write_string_or_null(JsonWriter& out, const Value* value) {
    write_string_or_null(out, value != nullptr ? value->as_string() : std::nullopt);
}

void write_integer_or_null(JsonWriter& out, const Value* value) {
    const auto number = value != nullptr ? value->as_int64() : std::nullopt;
    if (number) {
        out.value(*number);
    } else {
        out.null();
    }
}

void write_object_or_null(JsonWriter& out, const Value* value) {
    write_or_null(out, value != nullptr && value->is_object() ? value : nullptr);
}

// A string or number identifier (thread ids, user ids), else null.
void write_scalar_id_or_null(JsonWriter& out, const Value* value) {
    write_or_null(out, value != nullptr && (value->is_string() || value->is_int64() ||
                                            value->is_uint64() || value->is_double())
                           ? value
                           : nullptr);
}

void write_timestamp_or_null(JsonWriter& out, std::optional<double> seconds) {
    if (seconds) {
        out.value(format_rfc3339(*seconds));
    } else {
        out.null();
    }
}

// An object without its null members (Sentry's prune_empty_keys).
void write_pruned(JsonWriter& out, const Value& object) {
    out.begin_object();
    for (const auto& [key, value] : object.members()) {
        if (value.is_null()) continue;
        out.key(key);
        json::write(value, out);
    }
    out.end_object();
}

// [[key, value], ...]: an array as stored, an object as pairs sorted by key, else [].
void write_pairs(JsonWriter& out, const Value* value) {
    if (value != nullptr && (value->is_array() || value->is_string())) {
        json::write(*value, out);
        return;
    }
    out.begin_array();
    if (value != nullptr && value->is_object()) {
        std::vector<const json::Member*> members;
        for (const json::Member& member : value->members()) members.push_back(&member);
        std::stable_sort(members.begin(), members.end(),
                         [](const auto* a, const auto* b) { return a->key() < b->key(); });
        for (const json::Member* member : members) {
            out.begin_array().value(member->key());
            json::write(member->value(), out);
            out.end_array();
        }
    }
    out.end_array();
}

// ---- frames and stack traces --------------------------------------------------------------

// An address as Sentry shows it: "0x" and lowercase hex digits (integers and decimal strings
// are converted), or nullopt.
std::optional<std::string> hex_address(const Value* value) {
    if (value == nullptr) return std::nullopt;
    uint64_t number = 0;
    if (value->is_int64() || value->is_uint64()) {
        const auto unsigned_number = value->as_uint64();
        if (!unsigned_number) return std::nullopt;
        number = *unsigned_number;
    } else if (auto text = value->as_string()) {
        if (text->size() > 2 && (text->starts_with("0x") || text->starts_with("0X"))) {
            const std::string_view digits = text->substr(2);
            if (!std::all_of(digits.begin(), digits.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                           (c >= 'A' && c <= 'F');
                })) {
                return std::nullopt;
            }
            std::string out = "0x";
            for (char c : digits) out.push_back(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
            return out;
        }
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
        if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
    } else {
        return std::nullopt;
    }
    char buffer[24];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, number, 16).ptr;
    return "0x" + std::string(buffer, end);
}

// Sentry pads every address of a stack trace to the width of the longest one.
std::optional<std::string> padded_address(const Value* value, size_t width) {
    auto address = hex_address(value);
    if (address && address->size() - 2 < width) {
        address->insert(2, width - (address->size() - 2), '0');
    }
    return address;
}

// [[lineno, line], ...] from pre_context, context_line and post_context; [] without a line
// number or without any source line.
void write_context_lines(JsonWriter& out, const Value* frame) {
    out.begin_array();
    const Value* lineno_value = field(frame, "lineno");
    const auto lineno = lineno_value != nullptr ? lineno_value->as_int64() : std::nullopt;
    const Value* context_line = field(frame, "context_line");
    const Value* pre = get_array(frame, "pre_context");
    const Value* post = get_array(frame, "post_context");
    const bool has_line = context_line != nullptr && !context_line->is_null();
    if (lineno && (has_line || truthy(pre) || truthy(post))) {
        int64_t at = *lineno - static_cast<int64_t>(pre != nullptr ? pre->size() : 0);
        auto line = [&](const Value* text) {
            out.begin_array().value(at++);
            write_string_or_null(out, text);
            out.end_array();
        };
        if (pre != nullptr) {
            for (const Value& text : pre->elements()) line(&text);
        }
        line(context_line);
        if (post != nullptr) {
            for (const Value& text : post->elements()) line(&text);
        }
    }
    out.end_array();
}

void write_frame(JsonWriter& out, const Value& frame_value, size_t address_width) {
    const Value* frame = frame_value.is_object() ? &frame_value : nullptr;
    out.begin_object();
    for (const auto& [name, key] : {std::pair{"filename", "filename"},
                                    {"absPath", "abs_path"},
                                    {"module", "module"},
                                    {"package", "package"},
                                    {"platform", "platform"}}) {
        out.key(name);
        write_string_or_null(out, field(frame, key));
    }
    out.key("instructionAddr");
    write_string_or_null(out, padded_address(field(frame, "instruction_addr"), address_width));
    out.key("symbolAddr");
    write_string_or_null(out, padded_address(field(frame, "symbol_addr"), address_width));
    for (const auto& [name, key] : {std::pair{"function", "function"},
                                    {"rawFunction", "raw_function"},
                                    {"symbol", "symbol"}}) {
        out.key(name);
        write_string_or_null(out, field(frame, key));
    }
    out.key("context");
    write_context_lines(out, frame);
    out.key("lineNo");
    write_integer_or_null(out, field(frame, "lineno"));
    out.key("colNo");
    write_integer_or_null(out, field(frame, "colno"));
    out.key("inApp").value(is_true(field(frame, "in_app")));
    out.key("trust");
    write_string_or_null(out, field(frame, "trust"));
    out.key("errors");
    write_or_null(out, get_array(frame, "errors"));
    out.key("lock");
    write_object_or_null(out, field(frame, "lock"));
    out.key("sourceLink");
    write_string_or_null(out, field(frame, "source_link"));
    out.key("vars");
    if (const Value* vars = field(frame, "vars"); vars != nullptr && vars->is_array()) {
        out.begin_object();  // Relay's form of a list of locals: keyed by position
        size_t index = 0;
        for (const Value& item : vars->elements()) {
            out.key(std::to_string(index++));
            json::write(item, out);
        }
        out.end_object();
    } else {
        write_object_or_null(out, vars);
    }
    if (auto mode = get_string(frame, "addr_mode"); mode && *mode != "abs") {
        out.key("addrMode").value(*mode);
    }
    if (const Value* data = get_object(frame, "data")) {
        if (const Value* status = data->find("symbolicator_status")) {
            out.key("symbolicatorStatus");
            json::write(*status, out);
        }
        if (is_true(data->find("is_sentinel"))) out.key("isSentinel").value(true);
        if (is_true(data->find("is_prefix"))) out.key("isPrefix").value(true);
        if (const Value* level = data->find("min_grouping_level")) {
            out.key("minGroupingLevel");
            json::write(*level, out);
        }
    }
    out.end_object();
}

// True when any frame is in-app: what Sentry's API calls hasSystemFrames (the UI's cue that
// the "full stack trace" toggle means something).
bool has_in_app_frame(const Value* stacktrace) {
    const Value* frames = get_array(stacktrace, "frames");
    if (frames == nullptr) return false;
    return std::any_of(frames->elements().begin(), frames->elements().end(),
                       [](const Value& frame) { return is_true(field(&frame, "in_app")); });
}

// `stacktrace` has a non-empty `frames` array (stacktrace_with_frames()).
void write_stacktrace(JsonWriter& out, const Value& stacktrace) {
    const Value* frames = stacktrace.find("frames");
    size_t width = 0;
    for (const Value& frame : frames->elements()) {
        for (const char* key : {"instruction_addr", "symbol_addr"}) {
            if (auto address = hex_address(field(&frame, key))) {
                width = std::max(width, address->size() - 2);
            }
        }
    }
    out.begin_object();
    out.key("frames").begin_array();
    for (const Value& frame : frames->elements()) write_frame(out, frame, width);
    out.end_array();
    out.key("framesOmitted");
    write_or_null(out, get_array(&stacktrace, "frames_omitted"));
    out.key("registers");
    write_object_or_null(out, stacktrace.find("registers"));
    out.key("hasSystemFrames").value(has_in_app_frame(&stacktrace));
    out.end_object();
}

void write_stacktrace_or_null(JsonWriter& out, const Value* owner, std::string_view key) {
    if (const Value* stacktrace = stacktrace_with_frames(owner, key)) {
        write_stacktrace(out, *stacktrace);
    } else {
        out.null();
    }
}

// ---- entries ------------------------------------------------------------------------------

enum class EntryKind {
    message,
    exception,
    stacktrace,
    spans,
    threads,
    security,
    template_,
    breadcrumbs,
    request,
    debugmeta
};

struct Entry {
    EntryKind kind;
    std::string_view type;  // the entry's "type"
    std::string_view key;   // the event field it shows (and its `_meta` key)
    const Value* value;     // that field
};

bool message_has_content(const Value& logentry) {
    const Value* formatted = logentry.find("formatted");
    const Value* message = logentry.find("message");
    return (formatted != nullptr && !formatted->is_null()) ||
           (message != nullptr && !message->is_null()) || truthy(logentry.find("params"));
}

bool debug_meta_has_content(const Value& debug_meta) {
    const Value* flag = debug_meta.find("is_debug_build");
    return truthy(get_array(&debug_meta, "images")) ||
           truthy(get_object(&debug_meta, "sdk_info")) || (flag != nullptr && !flag->is_null());
}

// The interfaces of `event` that Sentry shows as entries, in its display order (interfaces
// sorted by display score: message 2050, exception 2000, stacktrace and spans 1950, threads
// 1900, security reports 1300, template and breadcrumbs 1100, request 1000, debug meta 0).
std::vector<Entry> collect_entries(const Value& event) {
    std::vector<Entry> entries;
    if (const Value* logentry = get_object(&event, "logentry");
        logentry != nullptr && message_has_content(*logentry)) {
        entries.push_back({EntryKind::message, "message", "logentry", logentry});
    }
    if (const Value* exception = get_object(&event, "exception");
        truthy(get_array(exception, "values"))) {
        entries.push_back({EntryKind::exception, "exception", "exception", exception});
    }
    if (const Value* stacktrace = stacktrace_with_frames(&event, "stacktrace")) {
        entries.push_back({EntryKind::stacktrace, "stacktrace", "stacktrace", stacktrace});
    }
    if (const Value* spans = get_array(&event, "spans")) {
        entries.push_back({EntryKind::spans, "spans", "spans", spans});
    }
    if (const Value* threads = get_object(&event, "threads");
        truthy(get_array(threads, "values"))) {
        entries.push_back({EntryKind::threads, "threads", "threads", threads});
    }
    for (const char* key : {"csp", "hpkp", "expectct", "expectstaple"}) {
        if (const Value* report = get_object(&event, key); truthy(report)) {
            entries.push_back({EntryKind::security, key, key, report});
        }
    }
    if (const Value* template_value = get_object(&event, "template"); truthy(template_value)) {
        entries.push_back({EntryKind::template_, "template", "template", template_value});
    }
    if (const Value* breadcrumbs = get_object(&event, "breadcrumbs");
        get_array(breadcrumbs, "values") != nullptr) {
        entries.push_back({EntryKind::breadcrumbs, "breadcrumbs", "breadcrumbs", breadcrumbs});
    }
    if (const Value* request = get_object(&event, "request"); truthy(request)) {
        entries.push_back({EntryKind::request, "request", "request", request});
    }
    if (const Value* debug_meta = get_object(&event, "debug_meta");
        debug_meta != nullptr && debug_meta_has_content(*debug_meta)) {
        entries.push_back({EntryKind::debugmeta, "debugmeta", "debug_meta", debug_meta});
    }
    return entries;
}

void write_message_data(JsonWriter& out, const Value& logentry) {
    out.begin_object();
    for (const char* key : {"formatted", "message"}) {
        if (const Value* text = logentry.find(key); text != nullptr && !text->is_null()) {
            out.key(key);
            json::write(*text, out);
        }
    }
    if (const Value* params = logentry.find("params"); truthy(params)) {
        out.key("params");
        json::write(*params, out);
    }
    out.end_object();
}

void write_exception_data(JsonWriter& out, const Value& exception) {
    const Value* values = exception.find("values");
    bool has_system_frames = false;
    out.begin_object();
    out.key("values").begin_array();
    for (const Value& item : values->elements()) {
        if (!item.is_object()) continue;
        const Value* exc = &item;
        has_system_frames =
            has_system_frames || has_in_app_frame(stacktrace_with_frames(exc, "stacktrace"));
        out.begin_object();
        out.key("type");
        write_string_or_null(out, field(exc, "type"));
        out.key("value");
        const auto value = get_string(exc, "value");
        write_string_or_null(out, value && !value->empty() ? value : std::nullopt);
        out.key("mechanism");
        if (const Value* mechanism = get_object(exc, "mechanism")) {
            write_pruned(out, *mechanism);
        } else {
            out.null();
        }
        out.key("threadId");
        write_scalar_id_or_null(out, field(exc, "thread_id"));
        out.key("module");
        write_string_or_null(out, field(exc, "module"));
        out.key("stacktrace");
        write_stacktrace_or_null(out, exc, "stacktrace");
        out.key("rawStacktrace");
        write_stacktrace_or_null(out, exc, "raw_stacktrace");
        out.end_object();
    }
    out.end_array();
    out.key("hasSystemFrames").value(has_system_frames);
    out.key("excOmitted");
    write_or_null(out, get_array(&exception, "exc_omitted"));
    out.end_object();
}

void write_threads_data(JsonWriter& out, const Value& threads) {
    out.begin_object();
    out.key("values").begin_array();
    for (const Value& item : threads.find("values")->elements()) {
        if (!item.is_object()) continue;
        const Value* thread = &item;
        out.begin_object();
        out.key("id");
        write_scalar_id_or_null(out, field(thread, "id"));
        out.key("current").value(is_true(field(thread, "current")));
        out.key("crashed").value(is_true(field(thread, "crashed")));
        out.key("name");
        write_string_or_null(out, field(thread, "name"));
        out.key("stacktrace");
        write_stacktrace_or_null(out, thread, "stacktrace");
        out.key("rawStacktrace");
        write_stacktrace_or_null(out, thread, "raw_stacktrace");
        if (const Value* main = field(thread, "main"); main != nullptr && main->is_bool()) {
            out.key("main").value(*main->as_bool());
        }
        if (auto state = get_string(thread, "state")) out.key("state").value(*state);
        if (const Value* locks = get_object(thread, "held_locks"); truthy(locks)) {
            out.key("heldLocks");
            json::write(*locks, out);
        }
        out.end_object();
    }
    out.end_array();
    out.end_object();
}

void write_breadcrumbs_data(JsonWriter& out, const Value& breadcrumbs) {
    out.begin_object();
    out.key("values").begin_array();
    for (const Value& item : breadcrumbs.find("values")->elements()) {
        if (!item.is_object()) continue;
        const Value* crumb = &item;
        out.begin_object();
        // Relay fills in type "default" and level "info"; stored events may lack them.
        out.key("type").value(get_string(crumb, "type").value_or("default"));
        out.key("timestamp");
        write_timestamp_or_null(out, timestamp_of(field(crumb, "timestamp")));
        out.key("level").value(get_string(crumb, "level").value_or("info"));
        out.key("message");
        write_string_or_null(out, field(crumb, "message"));
        out.key("category");
        write_string_or_null(out, field(crumb, "category"));
        out.key("data");
        const Value* data = field(crumb, "data");
        write_or_null(out, truthy(data) ? data : nullptr);
        out.key("event_id");
        write_string_or_null(out, field(crumb, "event_id"));
        out.end_object();
    }
    out.end_array();
    out.end_object();
}

void write_request_data(JsonWriter& out, const Value& request) {
    out.begin_object();
    out.key("method");
    write_string_or_null(out, request.find("method"));
    out.key("url");
    write_string_or_null(out, request.find("url"));
    out.key("query");
    write_pairs(out, request.find("query_string"));
    out.key("fragment");
    write_string_or_null(out, request.find("fragment"));
    out.key("data");
    write_or_null(out, request.find("data"));
    out.key("headers");
    write_pairs(out, request.find("headers"));
    out.key("cookies");
    write_pairs(out, request.find("cookies"));
    out.key("env");
    const Value* env = get_object(&request, "env");
    write_or_null(out, truthy(env) ? env : nullptr);
    out.key("inferredContentType");
    write_string_or_null(out, request.find("inferred_content_type"));
    out.key("apiTarget");
    write_string_or_null(out, request.find("api_target"));
    out.end_object();
}

void write_entry_data(JsonWriter& out, const Entry& entry) {
    const Value& value = *entry.value;
    switch (entry.kind) {
        case EntryKind::message:
            write_message_data(out, value);
            return;
        case EntryKind::exception:
            write_exception_data(out, value);
            return;
        case EntryKind::stacktrace:
            write_stacktrace(out, value);
            return;
        case EntryKind::spans:
            out.begin_array();
            for (const Value& span : value.elements()) {
                if (span.is_object()) write_pruned(out, span);
            }
            out.end_array();
            return;
        case EntryKind::threads:
            write_threads_data(out, value);
            return;
        case EntryKind::security:
            write_pruned(out, value);
            return;
        case EntryKind::template_:
            out.begin_object();
            out.key("lineNo");
            write_integer_or_null(out, value.find("lineno"));
            out.key("filename");
            write_string_or_null(out, value.find("filename"));
            out.key("context");
            write_context_lines(out, &value);
            out.end_object();
            return;
        case EntryKind::breadcrumbs:
            write_breadcrumbs_data(out, value);
            return;
        case EntryKind::request:
            write_request_data(out, value);
            return;
        case EntryKind::debugmeta:
            out.begin_object();
            if (const Value* images = get_array(&value, "images"); truthy(images)) {
                out.key("images");
                json::write(*images, out);
            }
            if (const Value* sdk_info = get_object(&value, "sdk_info"); truthy(sdk_info)) {
                out.key("sdk_info");
                json::write(*sdk_info, out);
            }
            if (const Value* flag = value.find("is_debug_build"); flag && !flag->is_null()) {
                out.key("is_debug_build");
                json::write(*flag, out);
            }
            out.end_object();
            return;
    }
}

// ---- _meta --------------------------------------------------------------------------------
// Stored remarks are keyed by the stored field names; the view's are keyed by its own.

using Rename = std::pair<std::string_view, std::string_view>;
using Renames = std::span<const Rename>;

std::optional<std::string_view> renamed(Renames renames, std::string_view key) {
    for (const auto& [from, to] : renames) {
        if (from == key) return to;
    }
    return std::nullopt;
}

constexpr Rename kFrameFields[] = {
    {"", ""},
    {"filename", "filename"},
    {"abs_path", "absPath"},
    {"module", "module"},
    {"package", "package"},
    {"platform", "platform"},
    {"instruction_addr", "instructionAddr"},
    {"symbol_addr", "symbolAddr"},
    {"function", "function"},
    {"raw_function", "rawFunction"},
    {"symbol", "symbol"},
    {"lineno", "lineNo"},
    {"colno", "colNo"},
    {"in_app", "inApp"},
    {"trust", "trust"},
    {"errors", "errors"},
    {"lock", "lock"},
    {"source_link", "sourceLink"},
    {"vars", "vars"},
};

void write_frame_meta(JsonWriter& out, const Value& meta, const Value* frame) {
    out.begin_object();
    for (const auto& [key, value] : meta.members()) {
        if (auto name = renamed(kFrameFields, key)) {
            out.key(*name);
            json::write(value, out);
        }
    }
    // Remarks on source lines move to their row of `context`: {"<row>": {"1": remark}}.
    const Value* lineno = field(frame, "lineno");
    if (lineno != nullptr && lineno->as_int64()) {
        const Value* pre = get_array(frame, "pre_context");
        const size_t pre_size = pre != nullptr ? pre->size() : 0;
        std::vector<std::pair<size_t, const Value*>> rows;
        auto add_lines = [&](const Value* remarks, size_t offset) {
            if (remarks == nullptr || !remarks->is_object()) return;
            for (const auto& [key, value] : remarks->members()) {
                if (auto index = parse_index(key)) rows.emplace_back(offset + *index, &value);
            }
        };
        add_lines(meta.find("pre_context"), 0);
        if (const Value* line = meta.find("context_line")) rows.emplace_back(pre_size, line);
        add_lines(meta.find("post_context"), pre_size + 1);
        if (!rows.empty()) {
            std::stable_sort(rows.begin(), rows.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            out.key("context").begin_object();
            for (const auto& [row, value] : rows) {
                out.key(std::to_string(row)).begin_object().key("1");
                json::write(*value, out);
                out.end_object();
            }
            out.end_object();
        }
    }
    out.end_object();
}

constexpr Rename kStacktraceFields[] = {
    {"", ""}, {"frames_omitted", "framesOmitted"}, {"registers", "registers"}};

void write_stacktrace_meta(JsonWriter& out, const Value& meta, const Value* stacktrace) {
    const Value* frames = get_array(stacktrace, "frames");
    out.begin_object();
    for (const auto& [key, value] : meta.members()) {
        if (key == "frames" && value.is_object()) {
            out.key("frames").begin_object();
            for (const auto& [index, frame_meta] : value.members()) {
                const auto position = parse_index(index);
                if (!frame_meta.is_object() || !position || frames == nullptr ||
                    *position >= frames->size()) {
                    continue;
                }
                out.key(index);
                write_frame_meta(out, frame_meta, &frames->elements()[*position]);
            }
            out.end_object();
        } else if (auto name = renamed(kStacktraceFields, key)) {
            out.key(*name);
            json::write(value, out);
        }
    }
    out.end_object();
}

// One exception or thread: `renames` for its plain fields, stack traces converted.
void write_item_meta(JsonWriter& out, const Value& meta, const Value& item, Renames renames) {
    out.begin_object();
    for (const auto& [key, value] : meta.members()) {
        if ((key == "stacktrace" || key == "raw_stacktrace") && value.is_object()) {
            out.key(key == "stacktrace" ? "stacktrace" : "rawStacktrace");
            write_stacktrace_meta(out, value, get_object(&item, key));
        } else if (auto name = renamed(renames, key)) {
            out.key(*name);
            json::write(value, out);
        }
    }
    out.end_object();
}

// {"values": {"<position in the view>": remark}} for containers whose non-object values the
// view leaves out. `item_renames` empty: the remarks are copied as they are.
void write_values_meta(JsonWriter& out, const Value& meta, const Value& container,
                       Renames item_renames) {
    const Value* values_meta = meta.find("values");
    if (values_meta == nullptr) values_meta = &meta;  // remarks may be keyed without "values"
    const Value* values = get_array(&container, "values");
    out.begin_object().key("values").begin_object();
    if (values_meta->is_object()) {
        for (const auto& [index, item_meta] : values_meta->members()) {
            const auto position = object_position(values, index);
            if (!position || !item_meta.is_object()) continue;
            out.key(std::to_string(*position));
            if (item_renames.size() == 0) {
                json::write(item_meta, out);
            } else {
                write_item_meta(out, item_meta, values->elements()[*parse_index(index)],
                                item_renames);
            }
        }
    }
    out.end_object().end_object();
}

constexpr Rename kExceptionFields[] = {
    {"", ""},
    {"type", "type"},
    {"value", "value"},
    {"module", "module"},
    {"mechanism", "mechanism"},
    {"thread_id", "threadId"},
};
constexpr Rename kThreadFields[] = {
    {"", ""},
    {"id", "id"},
    {"name", "name"},
    {"crashed", "crashed"},
    {"current", "current"},
    {"main", "main"},
    {"state", "state"},
    {"held_locks", "heldLocks"},
};
constexpr Rename kRequestFields[] = {
    {"", ""},
    {"method", "method"},
    {"url", "url"},
    {"query_string", "query"},
    {"fragment", "fragment"},
    {"data", "data"},
    {"headers", "headers"},
    {"cookies", "cookies"},
    {"env", "env"},
    {"inferred_content_type", "inferredContentType"},
    {"api_target", "apiTarget"},
};

void write_entry_meta(JsonWriter& out, const Entry& entry, const Value& meta) {
    switch (entry.kind) {
        case EntryKind::exception:
            write_values_meta(out, meta, *entry.value, kExceptionFields);
            return;
        case EntryKind::threads:
            write_values_meta(out, meta, *entry.value, kThreadFields);
            return;
        case EntryKind::breadcrumbs:
            write_values_meta(out, meta, *entry.value, {});
            return;
        case EntryKind::stacktrace:
            write_stacktrace_meta(out, meta, entry.value);
            return;
        case EntryKind::request:
            out.begin_object();
            for (const auto& [key, value] : meta.members()) {
                if (auto name = renamed(kRequestFields, key)) {
                    out.key(*name);
                    json::write(value, out);
                }
            }
            out.end_object();
            return;
        default:
            json::write(meta, out);
    }
}

// ---- top-level fields ---------------------------------------------------------------------

struct Tag {
    std::string key;
    std::string value;
    size_t index;  // in the stored tags, for their remarks
};

std::optional<std::string> tag_text(const Value& value) {
    if (auto text = value.as_string()) return std::string(*text);
    if (value.is_number() || value.is_bool()) return json::to_string(value);
    return std::nullopt;
}

std::vector<Tag> collect_tags(const Value* tags) {
    std::vector<Tag> out;
    auto add = [&](const Value& key, const Value& value, size_t index) {
        auto key_text = key.as_string();
        auto value_text = tag_text(value);
        if (!key_text || !value_text) return;
        std::string_view name = *key_text;
        if (name.starts_with("sentry:")) name.remove_prefix(7);
        out.push_back({std::string(name), std::move(*value_text), index});
    };
    if (tags != nullptr && tags->is_array()) {
        size_t index = 0;
        for (const Value& pair : tags->elements()) {
            if (pair.is_array() && pair.size() == 2) {
                add(pair.elements()[0], pair.elements()[1], index);
            }
            ++index;
        }
    } else if (tags != nullptr && tags->is_object()) {
        size_t index = 0;
        for (const auto& [key, value] : tags->members()) {
            if (auto value_text = tag_text(value)) {
                std::string_view name = key;
                if (name.starts_with("sentry:")) name.remove_prefix(7);
                out.push_back({std::string(name), std::move(*value_text), index});
            }
            ++index;
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Tag& a, const Tag& b) { return a.key < b.key; });
    return out;
}

// The search query Sentry offers for a `user` tag ("id:42" -> user.id:"42").
std::optional<std::string> user_tag_query(const Tag& tag) {
    if (tag.key != "user") return std::nullopt;
    const size_t colon = tag.value.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string_view field = std::string_view(tag.value).substr(0, colon);
    if (field != "id" && field != "email" && field != "username" && field != "ip") {
        return std::nullopt;
    }
    std::string query = "user." + std::string(field) + ":\"";
    for (char c : std::string_view(tag.value).substr(colon + 1)) {
        if (c == '"') query.push_back('\\');
        query.push_back(c);
    }
    query.push_back('"');
    return query;
}

std::string_view error_message(std::string_view type) {
    static constexpr std::pair<std::string_view, std::string_view> kMessages[] = {
        {"invalid_data", "Invalid value dropped"},
        {"invalid_attribute", "Unknown attribute dropped"},
        {"missing_attribute", "Required attribute missing"},
        {"value_too_long", "Value longer than allowed"},
        {"future_timestamp", "Timestamp in the future replaced"},
        {"past_timestamp", "Timestamp too far in the past replaced"},
        {"clock_drift", "SDK clock drift corrected"},
        {"invalid_environment", "Environment name not allowed"},
    };
    for (const auto& [known, message] : kMessages) {
        if (known == type) return message;
    }
    return "Unknown error";
}

// Sentry hides processing errors about breadcrumbs, extra data and single stack frames.
bool shown_error(const Value& error) {
    const auto name = get_string(&error, "name");
    return !name || (!name->starts_with("breadcrumbs.") && !name->starts_with("extra.") &&
                     name->find(".frames.") == std::string_view::npos);
}

void write_errors(JsonWriter& out, const Value* errors) {
    out.begin_array();
    if (errors != nullptr && errors->is_array()) {
        for (const Value& error : errors->elements()) {
            if (!error.is_object() || !shown_error(error)) continue;
            const std::string_view type = get_string(&error, "type").value_or("unknown_error");
            out.begin_object();
            out.key("type").value(type);
            out.key("message").value(error_message(type));
            out.key("data").begin_object();
            for (const auto& [key, value] : error.members()) {
                if (key == "type") continue;
                out.key(key);
                json::write(value, out);
            }
            out.end_object();
            out.end_object();
        }
    }
    out.end_array();
}

std::string event_type(const Value& event) {
    if (auto type = get_string(&event, "type"); type && !type->empty()) return std::string(*type);
    return truthy(get_array(get_object(&event, "exception"), "values")) ? "error" : "default";
}

// Sentry's title for an event stored without one (the pipeline's summary writes it for error
// and default events; transactions and older events have none).
std::string fallback_title(const Value& event, std::string_view type) {
    if (auto title = get_string(get_object(&event, "metadata"), "title")) {
        return std::string(*title);
    }
    if (type == "transaction") {
        return std::string(get_string(&event, "transaction").value_or("<unlabeled transaction>"));
    }
    return event_title(event);
}

void write_user(JsonWriter& out, const Value* user) {
    if (!truthy(user) || !user->is_object()) {
        out.null();
        return;
    }
    out.begin_object();
    out.key("id");
    write_scalar_id_or_null(out, user->find("id"));
    for (const char* key : {"email", "username", "ip_address", "name"}) {
        out.key(key);
        write_string_or_null(out, user->find(key));
    }
    out.key("geo");
    write_object_or_null(out, user->find("geo"));
    out.key("data");
    write_object_or_null(out, user->find("data"));
    out.end_object();
}

// A stored remark subtree, or null when there is none.
void write_meta_or_null(JsonWriter& out, const Value* meta) {
    write_or_null(out, truthy(meta) ? meta : nullptr);
}

void write_meta(JsonWriter& out, const Value& event, const std::vector<Entry>& entries,
                const std::vector<Tag>& tags, bool message_from_formatted) {
    const Value* meta = get_object(&event, "_meta");
    out.key("_meta").begin_object();
    out.key("entries").begin_object();
    for (size_t i = 0; i < entries.size(); ++i) {
        const Value* entry_meta = get_object(meta, entries[i].key);
        if (!truthy(entry_meta)) continue;
        out.key(std::to_string(i)).begin_object().key("data");
        write_entry_meta(out, entries[i], *entry_meta);
        out.end_object();
    }
    out.end_object();
    out.key("message");
    write_meta_or_null(
        out, field(get_object(meta, "logentry"), message_from_formatted ? "formatted" : "message"));
    out.key("user");
    write_meta_or_null(out, field(meta, "user"));
    out.key("contexts");
    write_meta_or_null(out, field(meta, "contexts"));
    out.key("sdk");
    write_meta_or_null(out, field(meta, "sdk"));
    out.key("context");
    write_meta_or_null(out, field(meta, "extra"));
    out.key("packages");
    write_meta_or_null(out, field(meta, "modules"));
    out.key("tags").begin_object();
    if (const Value* tags_meta = get_object(meta, "tags")) {
        for (size_t i = 0; i < tags.size(); ++i) {
            const Value* tag_meta = get_object(tags_meta, std::to_string(tags[i].index));
            const Value* key_meta = field(tag_meta, "0");
            const Value* value_meta = field(tag_meta, "1");
            if (!truthy(key_meta) && !truthy(value_meta)) continue;
            out.key(std::to_string(i)).begin_object();
            if (truthy(key_meta)) {
                out.key("key");
                json::write(*key_meta, out);
            }
            if (truthy(value_meta)) {
                out.key("value");
                json::write(*value_meta, out);
            }
            out.end_object();
        }
    }
    out.end_object();
    out.end_object();
}

}  // namespace

std::string render_event_view(const json::Value& stored_event, const EventViewContext& context) {
    const Value& event = stored_event;
    const bool is_object = event.is_object();
    const Value* root = is_object ? &event : nullptr;
    const std::string type = is_object ? event_type(event) : "default";
    const Value* logentry = get_object(root, "logentry");
    const Value* metadata = get_object(root, "metadata");
    const std::vector<Entry> entries = is_object ? collect_entries(event) : std::vector<Entry>{};
    const std::vector<Tag> tags = collect_tags(field(root, "tags"));

    JsonWriter out;
    out.begin_object();
    const auto event_id = get_string(root, "event_id");
    out.key("id");
    write_string_or_null(out, event_id);
    out.key("eventID");
    write_string_or_null(out, event_id);
    out.key("groupID");
    if (context.group_id) {
        out.value(std::to_string(*context.group_id));
    } else {
        out.null();
    }
    out.key("projectID").value(std::to_string(context.project_id));
    out.key("size").value(context.size);

    out.key("title");
    if (auto title = get_string(root, "title")) {
        out.value(*title);
    } else {
        out.value(is_object ? fallback_title(event, type) : "<unlabeled event>");
    }
    // Sentry's `message`: the formatted log message, else its template, else "".
    auto formatted = get_string(logentry, "formatted");
    const bool message_from_formatted = formatted && !formatted->empty();
    out.key("message").value(message_from_formatted ? *formatted
                                                    : get_string(logentry, "message").value_or(""));
    out.key("type").value(type);
    out.key("platform");
    write_string_or_null(out, field(root, "platform"));
    out.key("culprit");
    write_string_or_null(out, field(root, "culprit"));
    out.key("location");
    if (auto location = get_string(root, "location")) {
        out.value(*location);
    } else {
        write_string_or_null(out, type == "error" ? field(metadata, "filename") : nullptr);
    }
    out.key("metadata");
    if (metadata != nullptr) {
        json::write(*metadata, out);
    } else {
        out.begin_object().end_object();
    }

    const std::optional<double> timestamp = timestamp_of(field(root, "timestamp"));
    out.key("dateCreated");
    write_timestamp_or_null(
        out, timestamp
                 ? timestamp
                 : (context.received_at > 0 ? std::optional(context.received_at) : std::nullopt));
    out.key("dateReceived");
    write_timestamp_or_null(
        out, context.received_at > 0 ? std::optional(context.received_at) : std::nullopt);

    out.key("tags").begin_array();
    for (const Tag& tag : tags) {
        out.begin_object().key("key").value(tag.key).key("value").value(tag.value);
        if (auto query = user_tag_query(tag)) out.key("query").value(*query);
        out.end_object();
    }
    out.end_array();

    out.key("user");
    write_user(out, field(root, "user"));
    out.key("contexts").begin_object();
    if (const Value* contexts = get_object(root, "contexts")) {
        for (const auto& [key, value] : contexts->members()) {
            if (!value.is_object()) continue;
            out.key(key);
            write_pruned(out, value);
        }
    }
    out.end_object();
    out.key("sdk");
    if (const Value* sdk = get_object(root, "sdk")) {
        out.begin_object();
        out.key("name");
        write_string_or_null(out, sdk->find("name"));
        out.key("version");
        write_string_or_null(out, sdk->find("version"));
        out.end_object();
    } else {
        out.null();
    }
    for (const auto& [name, field] : {std::pair{"context", "extra"}, {"packages", "modules"}}) {
        out.key(name);
        if (const Value* object = get_object(root, field)) {
            json::write(*object, out);
        } else {
            out.begin_object().end_object();
        }
    }

    out.key("fingerprints").begin_array();
    if (const Value* hashes = get_array(root, "hashes")) {
        for (const Value& hash : hashes->elements()) {
            if (auto text = hash.as_string()) out.value(*text);
        }
    }
    out.end_array();
    out.key("groupingConfig");
    if (const Value* config = field(root, "grouping_config"); config && config->is_object()) {
        json::write(*config, out);
    } else if (auto id = get_string(root, "grouping_config")) {
        out.begin_object().key("id").value(*id).end_object();
    } else {
        out.null();
    }
    out.key("release");
    if (auto release = get_string(root, "release"); release && !release->empty()) {
        out.begin_object().key("version").value(*release).end_object();
    } else {
        out.null();
    }
    out.key("dist");
    write_string_or_null(out, field(root, "dist"));
    out.key("errors");
    write_errors(out, field(root, "errors"));

    out.key("entries").begin_array();
    for (const Entry& entry : entries) {
        out.begin_object().key("type").value(entry.type).key("data");
        write_entry_data(out, entry);
        out.end_object();
    }
    out.end_array();
    write_meta(out, event, entries, tags, message_from_formatted);

    if (type == "transaction") {
        out.key("startTimestamp");
        write_or_null(out, field(root, "start_timestamp"));
        out.key("endTimestamp");
        write_or_null(out, field(root, "timestamp"));
        out.key("measurements");
        write_object_or_null(out, field(root, "measurements"));
        out.key("breakdowns");
        write_object_or_null(out, field(root, "breakdowns"));
    }
    out.key("crashFile").null();
    out.key("userReport").null();
    out.key("sdkUpdates").begin_array().end_array();
    out.key("resolvedWith").begin_array().end_array();
    out.key("occurrence").null();
    out.key("nextEventID");
    write_string_or_null(out, context.next_event_id);
    out.key("previousEventID");
    write_string_or_null(out, context.previous_event_id);
    out.end_object();
    return out.take();
}

}  // namespace lt
