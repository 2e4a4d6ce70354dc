// The unit the spool stores: one accepted ingest request, exactly as the pipeline needs it.
//
// Ingest writes it, the pipeline reads it; the spool itself treats records as opaque bytes.
// The body is the decoded envelope (Content-Encoding undone by ingest, which had to decode it to
// check framing and limits anyway): the pipeline then never decodes twice. Legacy /store/
// events arrive here already wrapped as a one-item envelope.
// The encoding is versioned so records written by an older binary stay readable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lt {

enum class IngestEndpoint : uint8_t { envelope = 1, store = 2 };

struct SpooledRequest {
    IngestEndpoint endpoint = IngestEndpoint::envelope;
    int64_t project_id = 0;
    double received_at = 0;  // seconds since epoch
    std::string client_ip;   // TCP peer (or trusted forwarded address)
    std::string sdk_client;  // sentry_client from auth, or User-Agent
    std::string event_id;    // 32-hex id ingest answered with, "" when none
    std::string body;        // the decoded envelope
};

std::string encode_spooled_request(const SpooledRequest& request);
// nullopt when the bytes are not a record this version understands.
std::optional<SpooledRequest> decode_spooled_request(std::string_view bytes);

}  // namespace lt
