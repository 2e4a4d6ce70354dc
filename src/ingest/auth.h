// Finding the project key of an ingest request (Sentry protocol §1.2).
//
// Exactly one source may carry the key: the X-Sentry-Auth header, an Authorization header of
// the form "Sentry ..." or "Basic base64(key:secret)", or sentry_key in the query string. If
// none does, the caller may fall back to the envelope header `dsn`. Two sources at once is a
// 401 ("multiple authorization payloads detected"), as in Relay.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lt {

struct AuthParts {
    std::string_view x_sentry_auth;  // header value, "" when absent
    std::string_view authorization;  // header value, "" when absent
    std::string_view query;          // raw query string without '?'
};

struct IngestAuth {
    int status = 0;  // 0 when ok, else the HTTP status to answer (400 or 401)
    std::string detail;
    std::string public_key;  // empty with status 0 means "no auth in the request"
    std::string client;      // sentry_client, when given
};

IngestAuth auth_from_request(const AuthParts& parts);

struct Dsn {
    std::string scheme;
    std::string public_key;
    std::string host;  // host[:port]
    std::string path_prefix;
    std::string project_id;
};

std::optional<Dsn> parse_dsn(std::string_view dsn);

}  // namespace lt
