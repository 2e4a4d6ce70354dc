// Envelope framing: splits a decoded envelope body into its header and items.
//
// Rules (Sentry protocol §2): the envelope header and each item header are single JSON objects,
// each followed by "\n" or end of input; anything else right after the closing brace (a "\r",
// a space) is an error, as in Relay. An item with `length` takes exactly that many payload
// bytes, which must be followed by "\n" or end of input; without `length` the payload runs to
// the next "\n". Blank lines between items and trailing newlines are tolerated. A missing
// `type` is an error. Views point into the input, which must outlive the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lt {

struct EnvelopeItem {
    std::string type;
    std::string_view header_json;  // the item header as sent
    std::string_view payload;
    std::optional<uint64_t> length;  // the header's `length`, when given
    std::string content_type;
    std::string filename;
    std::optional<uint64_t> item_count;
};

struct Envelope {
    std::string_view header_json;
    std::string event_id;  // normalized 32-hex, "" when absent
    std::string dsn;       // the header `dsn`, "" when absent
    std::optional<double> sent_at;
    std::vector<EnvelopeItem> items;
};

struct EnvelopeParse {
    std::optional<Envelope> envelope;  // set on success
    std::string error;                 // e.g. "missing newline after header or payload"
};

// `max_items` bounds the work a hostile body can cause; more items is an error.
EnvelopeParse parse_envelope(std::string_view body, size_t max_items = 10000);

}  // namespace lt
