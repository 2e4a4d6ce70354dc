// The event processor: what happens to every error, transaction and feedback event between the
// spool and the store.
//
// Contract
// - process_event() parses the payload leniently (invalid UTF-8 and lone surrogate escapes become
//   U+FFFD, noted in the event's `errors` as invalid_data with the count), normalizes it
//   (normalize.h: shapes, timestamps with clock drift, tags, limits, {{auto}} IP), fills the
//   browser / os / device contexts from the request's User-Agent and client hints when the event
//   does not have them (user_agent.h; the OS goes to `os` for javascript events and `client_os`
//   otherwise, as Relay does), scrubs PII (scrub.h), and serializes it compactly.
// - nullopt when the payload is not a JSON object (the caller counts the drop).
// - Thread-safe: each call works on its own document.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "event/normalize.h"
#include "event/scrub.h"

namespace lt {

struct EventProcessing {
    NormalizeContext normalize;
    ScrubSettings scrub;
};

struct ProcessedEvent {
    std::string json;
    double timestamp = 0;  // the normalized `timestamp`, seconds since the epoch
};

std::optional<ProcessedEvent> process_event(std::string_view payload,
                                            const EventProcessing& processing);

}  // namespace lt
