// The envelope item types LightTrace knows (Sentry protocol §2.4). Ingest accepts every type;
// the pipeline stores the known ones and counts the rest as dropped.
#pragma once

#include <array>
#include <string_view>

namespace lt {

inline constexpr std::array<std::string_view, 24> kKnownItemTypes = {"event",
                                                                     "transaction",
                                                                     "attachment",
                                                                     "session",
                                                                     "sessions",
                                                                     "client_report",
                                                                     "user_report",
                                                                     "feedback",
                                                                     "check_in",
                                                                     "log",
                                                                     "span",
                                                                     "otel_log",
                                                                     "otel_span",
                                                                     "otel_traces_data",
                                                                     "trace_metric",
                                                                     "profile",
                                                                     "profile_chunk",
                                                                     "replay_event",
                                                                     "replay_recording",
                                                                     "replay_video",
                                                                     "statsd",
                                                                     "metric_buckets",
                                                                     "metric_meta",
                                                                     "nel"};

constexpr bool is_known_item_type(std::string_view type) {
    for (std::string_view known : kKnownItemTypes) {
        if (known == type) return true;
    }
    return false;
}

// Error, transaction and feedback events: JSON objects that carry the envelope's event id.
constexpr bool is_event_item(std::string_view type) {
    return type == "event" || type == "transaction" || type == "feedback";
}

}  // namespace lt
