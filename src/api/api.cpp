#include "api/api.h"

#include <charconv>
#include <variant>

#include "api/access.h"
#include "api/issue_routes.h"
#include "core/compression.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "core/metrics.h"
#include "core/time.h"
#include "core/url.h"
#include "core/utf8.h"

namespace lt {

namespace {

using http::Request;
using http::Responder;
using http::Response;

// Item types whose payload is JSON (the rest are returned base64-encoded).
bool is_json_item(std::string_view type) {
    return type != "attachment" && type != "replay_recording" && type != "replay_video" &&
           type != "profile_chunk" && type != "statsd";
}

void token_info(Store& store, Request&& request, const http::PathParams&, Responder respond) {
    auto auth = api::authorize(store, request, "", "");
    if (auto* denied = std::get_if<Response>(&auth)) return respond(std::move(*denied));
    const ApiToken& token = std::get<ApiToken>(auth);
    JsonWriter json;
    json.begin_object();
    json.key("version").value("0");
    json.key("auth").begin_object().key("scopes").begin_array();
    for (const auto& scope : token.scopes) json.value(scope);
    json.end_array().end_object();
    json.key("user").null();
    json.end_object();
    respond(http::json_response(200, json.take()));
}

void event_json(Store& store, Request&& request, const http::PathParams& params,
                Responder respond) {
    auto project = api::authorized_project(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&project)) return respond(std::move(*denied));
    const auto event_id = normalize_uuid(params.at("event_id"));
    std::optional<std::string> payload;
    if (event_id) {
        const int64_t project_id = std::get<Project>(project).id;
        payload = store.find_item_payload(project_id, *event_id, "event");
        if (!payload) payload = store.find_item_payload(project_id, *event_id, "transaction");
    }
    if (!payload) return respond(http::error_response(404, "Event not found"));
    respond(http::json_response(200, std::move(*payload)));
}

void stored_items(Store& store, Request&& request, const http::PathParams& params,
                  Responder respond) {
    auto project_or_error = api::authorized_project(store, request, params, "project:read");
    if (auto* denied = std::get_if<Response>(&project_or_error)) return respond(std::move(*denied));
    const Project& project = std::get<Project>(project_or_error);

    const std::string type = query_param(request.query, "type");
    const bool full = query_param(request.query, "full") == "1";
    size_t limit = 100;
    if (const std::string text = query_param(request.query, "limit"); !text.empty()) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc() || end != text.data() + text.size() || limit == 0 || limit > 10000) {
            return respond(http::error_response(400, "limit must be a number from 1 to 10000"));
        }
    }
    const auto items = store.list_items(project.id, type, limit, full);
    JsonWriter json;
    json.begin_array();
    for (const ItemSummary& item : items) {
        json.begin_object();
        json.key("type").value(item.type);
        json.key("eventID");
        if (item.event_id.empty())
            json.null();
        else
            json.value(item.event_id);
        json.key("ordinal").value(item.ordinal);
        json.key("dateReceived").value(format_rfc3339(item.received_at));
        json.key("timestamp").value(format_rfc3339(item.timestamp));
        json.key("size").value(item.raw_size);
        if (full) {
            if (is_json_item(item.type) && is_valid_utf8(item.payload)) {
                json.key("payload").raw(item.payload.empty() ? "null" : item.payload);
            } else {
                json.key("payloadBase64").value(base64_encode(item.payload));
            }
        }
        json.end_object();
    }
    json.end_array();
    respond(http::json_response(200, json.take()));
}

}  // namespace

Api::Api(Store& store) : store_(store) {}

void Api::register_routes(http::Router& router) {
    auto bind = [this](auto handler) {
        return
            [this, handler](Request&& request, const http::PathParams& params, Responder respond) {
                handler(store_, std::move(request), params, std::move(respond));
            };
    };
    router.add("GET", "/api/0/", "api.info", bind(token_info));
    router.add("GET", "/api/0/projects/{org}/{project}/events/{event_id}/json/", "api.event_json",
               bind(event_json));
    router.add("GET", "/api/0/projects/{org}/{project}/items/", "api.items", bind(stored_items));
    api::register_issue_routes(router, store_);
    router.add("GET", "/healthz", "healthz",
               [](Request&&, const http::PathParams&, Responder respond) {
                   respond(http::json_response(200, R"({"status":"ok"})"));
               });
    router.add("GET", "/metrics", "metrics",
               [](Request&&, const http::PathParams&, Responder respond) {
                   Response response;
                   response.content_type = "text/plain; version=0.0.4";
                   response.body = metrics().render();
                   respond(std::move(response));
               });
}

}  // namespace lt
