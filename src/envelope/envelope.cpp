#include "envelope/envelope.h"

#include <simdjson.h>

#include <cstring>

#include "core/ids.h"
#include "core/time.h"

namespace lt {

namespace {

constexpr std::string_view kMissingNewline = "missing newline after header or payload";
constexpr std::string_view kUnexpectedEof = "unexpected end of file";

// Header lines up to this size reuse per-thread buffers; a rarer, larger one gets its own so a
// single hostile body does not pin its memory to the thread.
constexpr size_t kReusedHeaderBytes = 64 * 1024;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// A header line: the bytes before the next '\n' (or the end), and where the following data
// starts (clamped to the body size).
struct Line {
    std::string_view text;
    size_t next;
};

Line line_at(std::string_view body, size_t pos) {
    const size_t newline = body.find('\n', pos);
    if (newline == std::string_view::npos) return {body.substr(pos), body.size()};
    return {body.substr(pos, newline - pos), newline + 1};
}

// The closing brace must be followed by '\n' or the end: "{...}\r" or "{...} " is an error.
bool ends_with_space_after_object(std::string_view line) {
    if (line.empty() || !is_blank(line.back())) return false;
    while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
    return !line.empty() && line.back() == '}';
}

// The per-thread parser and padded copy for header lines up to kReusedHeaderBytes. A plain
// function, so every caller shares the same instances.
struct HeaderScratch {
    simdjson::dom::parser parser;
    std::string padded = std::string(kReusedHeaderBytes + simdjson::SIMDJSON_PADDING, '\0');
};

HeaderScratch& header_scratch() {
    thread_local HeaderScratch scratch;
    return scratch;
}

// Parses `line` as a JSON object and passes it to `visit`, which returns an error or "".
// Errors from the JSON itself come back as "<what>: <cause>".
template <typename Visit>
std::string visit_header(std::string_view line, std::string_view what, Visit&& visit) {
    const auto run = [&](simdjson::dom::parser& parser, const char* padded) -> std::string {
        simdjson::dom::element doc;
        if (const auto err = parser.parse(padded, line.size(), false).get(doc)) {
            return std::string(what) + ": " + simdjson::error_message(err);
        }
        simdjson::dom::object object;
        if (doc.get_object().get(object)) return std::string(what) + ": not a JSON object";
        return visit(object);
    };
    if (line.size() > kReusedHeaderBytes) {
        simdjson::dom::parser parser;
        const simdjson::padded_string padded(line);
        return run(parser, padded.data());
    }
    HeaderScratch& scratch = header_scratch();
    std::memcpy(scratch.padded.data(), line.data(), line.size());
    return run(scratch.parser, scratch.padded.data());
}

std::string read_envelope_header(simdjson::dom::object header, Envelope& env) {
    for (const simdjson::dom::key_value_pair field : header) {
        const simdjson::dom::element& value = field.value;
        if (field.key == "event_id") {
            if (value.is_null()) continue;
            std::string_view text;
            std::optional<std::string> id;
            if (!value.get_string().get(text)) id = normalize_uuid(text);
            if (!id) return "invalid event id";
            env.event_id = std::move(*id);
        } else if (field.key == "dsn") {
            std::string_view text;
            if (!value.get_string().get(text)) env.dsn = text;
        } else if (field.key == "sent_at") {
            std::string_view text;
            double number = 0;
            if (!value.get_string().get(text)) {
                env.sent_at = parse_rfc3339(text);
            } else if (!value.get_double().get(number)) {
                env.sent_at = number;
            }
        }
    }
    return {};
}

std::string read_item_header(simdjson::dom::object header, EnvelopeItem& item) {
    bool has_type = false;
    for (const simdjson::dom::key_value_pair field : header) {
        const simdjson::dom::element& value = field.value;
        std::string_view text;
        uint64_t number = 0;
        if (field.key == "type") {
            has_type = !value.get_string().get(text);
            item.type = text;
        } else if (field.key == "length") {
            if (value.is_null()) continue;
            if (value.get_uint64().get(number)) return "invalid item header: invalid length";
            item.length = number;
        } else if (field.key == "content_type") {
            if (!value.get_string().get(text)) item.content_type = text;
        } else if (field.key == "filename") {
            if (!value.get_string().get(text)) item.filename = text;
        } else if (field.key == "item_count") {
            if (!value.get_uint64().get(number)) item.item_count = number;
        }
    }
    if (!has_type) return "invalid item header: missing type";
    return {};
}

}  // namespace

EnvelopeParse parse_envelope(std::string_view body, size_t max_items) {
    const auto fail = [](std::string_view error) {
        return EnvelopeParse{.envelope = std::nullopt, .error = std::string(error)};
    };
    Envelope env;
    const Line head = line_at(body, 0);
    if (ends_with_space_after_object(head.text)) return fail(kMissingNewline);
    std::string error =
        visit_header(head.text, "invalid envelope header",
                     [&](simdjson::dom::object h) { return read_envelope_header(h, env); });
    if (!error.empty()) return fail(error);
    env.header_json = head.text;

    size_t pos = head.next;
    while (pos < body.size()) {
        if (body[pos] == '\n') {  // a blank line between items or at the end
            ++pos;
            continue;
        }
        if (env.items.size() == max_items) {
            return fail("too many items (more than " + std::to_string(max_items) + ")");
        }
        const Line line = line_at(body, pos);
        if (ends_with_space_after_object(line.text)) return fail(kMissingNewline);
        EnvelopeItem item;
        error = visit_header(line.text, "invalid item header",
                             [&](simdjson::dom::object h) { return read_item_header(h, item); });
        if (!error.empty()) return fail(error);
        item.header_json = line.text;

        const size_t start = line.next;
        if (item.length) {
            if (*item.length > body.size() - start) return fail(kUnexpectedEof);
            const size_t end = start + static_cast<size_t>(*item.length);
            if (end < body.size() && body[end] != '\n') return fail(kMissingNewline);
            item.payload = body.substr(start, end - start);
            pos = end < body.size() ? end + 1 : end;
        } else {
            const Line payload = line_at(body, start);
            item.payload = payload.text;
            pos = payload.next;
        }
        env.items.push_back(std::move(item));
    }
    return {.envelope = std::move(env), .error = {}};
}

}  // namespace lt
