#include "ingest/ingest.h"

#include <simdjson.h>

#include <charconv>
#include <mutex>

#include "core/compression.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "envelope/envelope.h"
#include "envelope/item_types.h"
#include "event/json.h"
#include "ingest/auth.h"
#include "spool/record.h"

namespace lt {

namespace {

Counter& accepted_items(std::string_view type) {
    static const LabeledCounters counters("lighttrace_ingest_items_total",
                                          "Envelope items accepted into the spool, by item type.",
                                          "type", kKnownItemTypes);
    return counters.at(type);
}

void add_cors(http::Response& response) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    response.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    response.headers.emplace_back(
        "Access-Control-Allow-Headers",
        "x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, "
        "content-type, authentication, authorization, content-encoding, transfer-encoding");
    response.headers.emplace_back("Access-Control-Expose-Headers",
                                  "x-sentry-error, x-sentry-rate-limits, retry-after");
    response.headers.emplace_back("Access-Control-Max-Age", "3600");
}

http::Response error(int status, std::string_view detail) {
    http::Response response = http::error_response(status, detail);
    add_cors(response);
    return response;
}

http::Response accepted(const std::string& event_id) {
    JsonWriter json;
    json.begin_object();
    if (!event_id.empty()) json.key("id").value(event_id);
    json.end_object();
    http::Response response = http::json_response(200, json.take());
    add_cors(response);
    return response;
}

struct JsonCheck {
    bool ok = true;
    std::string detail;
    std::string event_id;         // the payload's own event_id, normalized, when it has one
    bool is_transaction = false;  // "type": "transaction"
};

simdjson::dom::parser& event_parser() {
    thread_local simdjson::dom::parser parser = [] {
        simdjson::dom::parser sized;
        if (sized.allocate(1u << 20, kMaxJsonDepth) != simdjson::SUCCESS) throw std::bad_alloc();
        return sized;
    }();
    return parser;
}

JsonCheck checked_event(bool is_object, std::optional<std::string_view> event_id,
                        std::optional<std::string_view> type, std::string_view what) {
    if (!is_object) return {false, std::string(what) + " item is not a JSON object", {}, false};
    JsonCheck check;
    if (event_id) {
        if (auto normalized = normalize_uuid(*event_id)) check.event_id = *normalized;
    }
    check.is_transaction = type == "transaction";
    return check;
}

std::optional<std::string_view> string_member(simdjson::dom::element object, const char* key) {
    std::string_view text;
    if (object[key].get(text) != simdjson::SUCCESS) return std::nullopt;
    return text;
}

// Checks an event-like payload: a JSON object within the depth limit. simdjson answers the
// common case; what it refuses but SDKs really send (invalid UTF-8, lone surrogate escapes,
// integers beyond 64 bits) gets the lenient event parser's second opinion, because the
// pipeline keeps such events with the bad parts replaced.
JsonCheck check_event_json(std::string_view payload, std::string_view what) {
    const std::string prefix = "invalid JSON in " + std::string(what) + " item: ";
    simdjson::dom::element root;
    const auto status = event_parser().parse(simdjson::padded_string(payload)).get(root);
    if (status == simdjson::SUCCESS) {
        return checked_event(root.is_object(), string_member(root, "event_id"),
                             string_member(root, "type"), what);
    }
    if (status == simdjson::DEPTH_ERROR) {
        return {false,
                prefix + "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                {},
                false};
    }
    json::ParseResult lenient = json::parse(payload, {.max_depth = kMaxJsonDepth});
    if (!lenient.document) return {false, prefix + lenient.error, {}, false};
    const json::Value& event = lenient.document->root();
    const auto member = [&](std::string_view key) -> std::optional<std::string_view> {
        const json::Value* value = event.find(key);
        return value ? value->as_string() : std::nullopt;
    };
    return checked_event(event.is_object(), member("event_id"), member("type"), what);
}

// Legacy /store/ bodies: JSON, or base64 of JSON, or base64 of zlib-compressed JSON.
std::optional<std::string> unwrap_legacy_store_body(std::string body, size_t max_bytes) {
    const auto starts_with_brace = [](std::string_view text) {
        const size_t first = text.find_first_not_of(" \t\r\n");
        return first != std::string_view::npos && text[first] == '{';
    };
    if (starts_with_brace(body)) return body;
    auto decoded = base64_decode(body);
    if (!decoded) return std::nullopt;
    if (starts_with_brace(*decoded)) return decoded;
    DecodeResult inflated = inflate_zlib(*decoded, max_bytes);
    if (inflated.status != DecodeStatus::ok) return std::nullopt;
    return std::move(inflated.data);
}

// Every X-Forwarded-For header's value, in order, joined with ",".
std::string forwarded_for(const http::Request& request) {
    std::string joined;
    for (const auto& [name, value] : request.headers) {
        if (name != "x-forwarded-for") continue;
        if (!joined.empty()) joined += ',';
        joined += value;
    }
    return joined;
}

// Size limit for one item of a type, by Relay's categories.
size_t item_limit(const IngestLimits& limits, std::string_view type) {
    if (is_event_item(type)) return limits.max_event_bytes;
    if (type == "attachment" || type == "replay_recording" || type == "replay_video" ||
        type == "profile" || type == "profile_chunk") {
        return limits.max_attachment_bytes;
    }
    return limits.max_small_item_bytes;
}

}  // namespace

Ingest::Ingest(Store& store, Spool* spool, IngestLimits limits, TrustedProxies trusted_proxies)
    : store_(store), spool_(spool), limits_(limits), trusted_proxies_(std::move(trusted_proxies)) {}

void Ingest::register_routes(http::Router& router) {
    auto preflight = [](http::Request&&, const http::PathParams&, http::Responder respond) {
        http::Response response;
        response.status = 200;
        response.body = "";
        add_cors(response);
        respond(std::move(response));
    };
    router.add("OPTIONS", "/api/{project_id}/envelope/", "envelope", preflight);
    router.add("OPTIONS", "/api/{project_id}/store/", "store", preflight);
    router.add(
        "POST", "/api/{project_id}/envelope/", "envelope",
        [this](http::Request&& request, const http::PathParams& params, http::Responder respond) {
            handle(std::move(request), params, std::move(respond), Kind::envelope);
        });
    router.add(
        "POST", "/api/{project_id}/store/", "store",
        [this](http::Request&& request, const http::PathParams& params, http::Responder respond) {
            const bool is_envelope =
                request.header("content-type").starts_with("application/x-sentry-envelope");
            handle(std::move(request), params, std::move(respond),
                   is_envelope ? Kind::envelope : Kind::store);
        });
}

std::string Ingest::client_ip(const http::Request& request) const {
    if (trusted_proxies_.empty()) return request.remote_ip;
    return trusted_proxies_.client_ip(request.remote_ip, forwarded_for(request));
}

std::optional<int64_t> Ingest::project_of_key(const std::string& public_key) {
    {
        std::shared_lock lock(keys_mutex_);
        if (auto it = known_keys_.find(public_key); it != known_keys_.end()) return it->second;
    }
    // A miss reads the store: a key created a moment ago by the CLI is accepted at once.
    const auto key = store_.find_key(public_key);
    if (!key || !key->active) return std::nullopt;
    std::unique_lock lock(keys_mutex_);
    if (known_keys_.size() > 100000) known_keys_.clear();
    known_keys_[public_key] = key->project_id;
    return key->project_id;
}

void Ingest::handle(http::Request&& request, const http::PathParams& params,
                    http::Responder respond, Kind kind) {
    const double received_at = now_seconds();
    int64_t project_id = 0;
    const std::string& project_text = params.at("project_id");
    const auto [end, ec] =
        std::from_chars(project_text.data(), project_text.data() + project_text.size(), project_id);
    if (ec != std::errc() || end != project_text.data() + project_text.size() || project_id <= 0) {
        return respond(error(400, "invalid project id in the URL"));
    }

    IngestAuth auth = auth_from_request(
        {request.header("x-sentry-auth"), request.header("authorization"), request.query});
    if (auth.status != 0) return respond(error(auth.status, auth.detail));

    const std::string encoding(request.header("content-encoding"));
    DecodeResult decoded = decode_content(encoding, request.body, limits_.max_decoded_bytes);
    switch (decoded.status) {
        case DecodeStatus::ok:
            break;
        case DecodeStatus::too_large:
            return respond(error(413, "request body exceeds the size limit once decompressed"));
        case DecodeStatus::unsupported:
            return respond(error(400, "unsupported Content-Encoding '" + encoding + "'"));
        case DecodeStatus::corrupt:
            return respond(error(400, "failed to decode request body: " + decoded.error));
    }

    std::string event_id;
    std::vector<std::string> item_types;  // counted once the request is accepted
    if (kind == Kind::envelope) {
        EnvelopeParse parsed = parse_envelope(decoded.data);
        if (!parsed.envelope) return respond(error(400, "invalid envelope: " + parsed.error));
        const Envelope& envelope = *parsed.envelope;
        if (auth.public_key.empty() && !envelope.dsn.empty()) {
            const auto dsn = parse_dsn(envelope.dsn);
            if (!dsn || dsn->public_key.empty()) {
                return respond(error(401, "invalid dsn in the envelope header"));
            }
            auth.public_key = dsn->public_key;
        }
        event_id = envelope.event_id;
        size_t sessions = 0;
        for (const EnvelopeItem& item : envelope.items) {
            if (item.payload.size() > item_limit(limits_, item.type)) {
                return respond(
                    error(413, "envelope exceeded size limits for type '" + item.type + "'"));
            }
            if (item.type == "session" && ++sessions > limits_.max_session_items) {
                return respond(error(413, "envelope exceeded size limits for type 'session'"));
            }
            if (is_event_item(item.type)) {
                JsonCheck check = check_event_json(item.payload, item.type);
                if (!check.ok) return respond(error(400, check.detail));
                if (event_id.empty()) event_id = check.event_id;
                if (event_id.empty()) event_id = random_hex(16);
            }
        }
        for (const EnvelopeItem& item : envelope.items) item_types.push_back(item.type);
    } else {
        auto json = unwrap_legacy_store_body(std::move(decoded.data), limits_.max_decoded_bytes);
        if (!json) return respond(error(400, "failed to decode the event body"));
        if (json->size() > limits_.max_event_bytes) {
            return respond(error(413, "envelope exceeded size limits for type 'event'"));
        }
        JsonCheck check = check_event_json(*json, "event");
        if (!check.ok) return respond(error(400, check.detail));
        event_id = check.event_id.empty() ? random_hex(16) : check.event_id;
        const std::string type = check.is_transaction ? "transaction" : "event";
        item_types.push_back(type);
        // The pipeline reads envelopes only: the legacy event travels as a one-item envelope.
        decoded.data = "{\"event_id\":\"" + event_id + "\"}\n{\"type\":\"" + type +
                       "\",\"length\":" + std::to_string(json->size()) + "}\n" + *json;
    }

    if (auth.public_key.empty()) {
        return respond(error(401, "missing authorization information"));
    }
    const auto key_project = project_of_key(auth.public_key);
    if (!key_project) return respond(error(403, "unknown or disabled public key"));
    if (*key_project != project_id) {
        return respond(error(403, "the public key does not belong to project " + project_text));
    }

    for (const std::string& type : item_types) accepted_items(type).add();
    if (spool_ == nullptr) return respond(accepted(event_id));

    SpooledRequest spooled;
    spooled.endpoint = kind == Kind::envelope ? IngestEndpoint::envelope : IngestEndpoint::store;
    spooled.project_id = project_id;
    spooled.received_at = received_at;
    spooled.client_ip = client_ip(request);
    spooled.sdk_client =
        auth.client.empty() ? std::string(request.header("user-agent")) : auth.client;
    spooled.event_id = event_id;
    spooled.body = std::move(decoded.data);
    std::string record = encode_spooled_request(spooled);

    const size_t held = record.size();
    if (pending_bytes_.fetch_add(held) + held > limits_.max_pending_bytes) {
        pending_bytes_.fetch_sub(held);
        http::Response busy = error(503, "server is busy persisting earlier requests; retry later");
        busy.headers.emplace_back("Retry-After", "1");
        return respond(std::move(busy));
    }
    spool_->append(std::move(record), [this, held, respond = std::move(respond),
                                       event_id = std::move(event_id)](bool durable) {
        pending_bytes_.fetch_sub(held);
        if (!durable) {
            log_error("ingest.spool_write_failed", {{"event_id", event_id}});
            return respond(error(503, "could not persist the request; retry later"));
        }
        respond(accepted(event_id));
    });
}

}  // namespace lt
