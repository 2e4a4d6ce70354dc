// The ingest endpoints: /api/{project_id}/envelope/ and /api/{project_id}/store/.
//
// Contract (Sentry protocol §1–3): authenticate the request (exactly one auth form; the
// envelope header `dsn` as a last resort), undo Content-Encoding within the decoded-size limit,
// check envelope framing and per-item limits, then append the request to the spool and answer
// 200 {"id": …} only once the spool record is durable. Nothing else happens before the answer;
// what the items mean is the pipeline's business. Every answer, errors included, carries the
// CORS headers browsers need, and OPTIONS preflights are answered without auth.
//
// Event and transaction payloads are checked to be JSON objects no deeper than
// kMaxJsonDepth (400 otherwise). Invalid UTF-8, lone surrogate escapes and integers beyond 64
// bits inside them are accepted (what SDKs really send): the pipeline replaces the bad bytes
// with U+FFFD and records that, and keeps the rest, so the event is not lost.
//
// The client IP recorded with the request (what `{{auto}}` becomes) is the TCP peer, unless the
// peer is inside one of the trusted proxy networks: then it is taken from X-Forwarded-For (all
// such headers, in order) by TrustedProxies::client_ip (core/ip.h): the right-most entry that
// is not itself a trusted proxy. Without trusted networks X-Forwarded-For is ignored.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/ip.h"
#include "http/router.h"
#include "spool/spool.h"
#include "store/store.h"

namespace lt {

inline constexpr size_t kMaxJsonDepth = 256;

struct IngestLimits {
    size_t max_decoded_bytes = 50u << 20;  // whole envelope after decompression
    size_t max_event_bytes = 1u << 20;     // event, transaction, feedback (Relay's limit)
    size_t max_attachment_bytes = 50u << 20;
    size_t max_small_item_bytes = 1u << 20;  // sessions, logs, spans, check-ins, reports
    size_t max_session_items = 100;
    size_t max_pending_bytes = 256u << 20;  // bodies waiting for fsync; beyond it answer 503
};

class Ingest {
public:
    // With `spool == nullptr` requests are validated and answered but not kept (--discard).
    Ingest(Store& store, Spool* spool, IngestLimits limits = {},
           TrustedProxies trusted_proxies = {});

    void register_routes(http::Router& router);

private:
    enum class Kind { envelope, store };
    void handle(http::Request&& request, const http::PathParams& params, http::Responder respond,
                Kind kind);
    // The project id the key belongs to, or nullopt when the key is unknown or inactive.
    // Known keys are remembered for the life of the process (keys cannot be revoked yet); an
    // unknown key is looked up in the store every time, so a new key works at once.
    std::optional<int64_t> project_of_key(const std::string& public_key);
    // The client address: the TCP peer, or X-Forwarded-For's behind a trusted proxy.
    std::string client_ip(const http::Request& request) const;

    Store& store_;
    Spool* spool_;
    IngestLimits limits_;
    TrustedProxies trusted_proxies_;
    std::atomic<size_t> pending_bytes_{0};
    std::shared_mutex keys_mutex_;
    std::unordered_map<std::string, int64_t> known_keys_;
};

}  // namespace lt
