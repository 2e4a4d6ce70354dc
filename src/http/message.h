// HTTP request and response as the rest of LightTrace sees them (no Beast types leak out).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt::http {

struct Request {
    std::string method;  // upper case, e.g. "POST"
    std::string target;  // as sent: path and query
    std::string path;    // percent-encoded path, without the query
    std::string query;   // without '?', "" when absent
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string remote_ip;

    // The first header with this lower-case name, "" when absent.
    std::string_view header(std::string_view lower_name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// Called exactly once per request, from any thread, to send the answer.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Responder)>;

Response json_response(int status, std::string body);
// {"detail": detail} with the status.
Response error_response(int status, std::string_view detail);

}  // namespace lt::http
