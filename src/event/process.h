// The event processor: what happens to every error, transaction and feedback event between the
// spool and the store.
//
// Contract
// - prepare_event() parses the payload leniently (invalid UTF-8 and lone surrogate escapes become
//   U+FFFD, noted in the event's `errors` as invalid_data with the count), normalizes it
//   (normalize.h: shapes, timestamps with clock drift, tags, limits, {{auto}} IP), fills the
//   browser / os / device contexts from the request's User-Agent and client hints when the event
//   does not have them (user_agent.h; the OS goes to `os` for javascript events and `client_os`
//   otherwise, as Relay does) and scrubs PII (scrub.h). The caller groups and writes it.
// - nullopt when the payload is not a JSON object (the caller counts the drop).
// - Thread-safe: each call works on its own document.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "event/json.h"
#include "event/normalize.h"
#include "event/scrub.h"

namespace lt {

struct EventProcessing {
    NormalizeContext normalize;
    ScrubSettings scrub;
};

std::optional<json::Document> prepare_event(std::string_view payload,
                                            const EventProcessing& processing);

}  // namespace lt
