#include "ingest/auth.h"

#include <charconv>
#include <cstdint>

#include "core/compression.h"
#include "core/url.h"

namespace lt {

namespace {

// The protocol version this server speaks; newer clients are refused like Relay does.
constexpr unsigned kMaxProtocolVersion = 7;

constexpr std::string_view kInvalidAuth = "invalid auth header";

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (ascii_lower(text[i]) != prefix[i]) return false;
    }
    return true;
}

IngestAuth reject(int status, std::string detail) {
    return {.status = status, .detail = std::move(detail), .public_key = {}, .client = {}};
}

// Collects the sentry_* fields of one source, then validates them into an IngestAuth.
struct Fields {
    std::string key;
    std::string client;
    std::string version;
    bool has_version = false;

    void set(std::string_view name, std::string value) {
        if (name == "sentry_key") {
            key = std::move(value);
        } else if (name == "sentry_client") {
            client = std::move(value);
        } else if (name == "sentry_version") {
            version = std::move(value);
            has_version = true;
        }
    }

    IngestAuth finish() && {
        if (key.empty()) return reject(401, std::string(kInvalidAuth) + ": missing sentry_key");
        if (has_version) {
            // "7.0" means 7: only the part before the first '.' counts.
            const std::string_view major = std::string_view(version).substr(0, version.find('.'));
            unsigned number = 0;
            const auto [end, ec] =
                std::from_chars(major.data(), major.data() + major.size(), number);
            if (ec != std::errc() || end != major.data() + major.size() || major.empty()) {
                return reject(401, std::string(kInvalidAuth) + ": invalid sentry_version");
            }
            if (number > kMaxProtocolVersion) return reject(400, "unsupported protocol version");
        }
        return {
            .status = 0, .detail = {}, .public_key = std::move(key), .client = std::move(client)};
    }
};

// "Sentry k=v, k=v": the scheme word case-insensitively, then comma-separated pairs.
IngestAuth parse_sentry_header(std::string_view value) {
    value = trim(value);
    if (!starts_with_nocase(value, "sentry ")) {
        return reject(401, std::string(kInvalidAuth) + ": expected \"Sentry \" prefix");
    }
    std::string_view rest = value.substr(7);
    Fields fields;
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view pair = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        fields.set(trim(pair.substr(0, eq)), std::string(trim(pair.substr(eq + 1))));
    }
    return std::move(fields).finish();
}

// "Basic base64(key:secret)": the user part is the key.
IngestAuth parse_basic(std::string_view value) {
    const std::optional<std::string> decoded = base64_decode(trim(value.substr(6)));
    if (!decoded) return reject(401, std::string(kInvalidAuth) + ": invalid basic credentials");
    Fields fields;
    fields.set("sentry_key", decoded->substr(0, decoded->find(':')));
    return std::move(fields).finish();
}

// Calls visit(name, value) for every key=value pair of a query string, both url-decoded.
template <typename Visit>
void for_each_query_pair(std::string_view query, Visit&& visit) {
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const size_t eq = pair.find('=');
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        visit(form_decode(pair.substr(0, eq)), form_decode(value));
    }
}

}  // namespace

IngestAuth auth_from_request(const AuthParts& parts) {
    const std::string_view authorization = trim(parts.authorization);
    const bool sentry_authorization = starts_with_nocase(authorization, "sentry ");
    const bool basic_authorization = starts_with_nocase(authorization, "basic ");
    bool query_has_key = false;
    for_each_query_pair(parts.query, [&](const std::string& name, const std::string&) {
        query_has_key = query_has_key || name == "sentry_key";
    });
    const int sources = (parts.x_sentry_auth.empty() ? 0 : 1) +
                        (sentry_authorization || basic_authorization ? 1 : 0) +
                        (query_has_key ? 1 : 0);
    if (sources > 1) return reject(401, "multiple authorization payloads detected");
    if (!parts.x_sentry_auth.empty()) return parse_sentry_header(parts.x_sentry_auth);
    if (sentry_authorization) return parse_sentry_header(authorization);
    if (basic_authorization) return parse_basic(authorization);
    if (query_has_key) {
        Fields fields;
        for_each_query_pair(parts.query, [&](const std::string& name, std::string value) {
            fields.set(name, std::move(value));
        });
        return std::move(fields).finish();
    }
    return {};
}

std::optional<Dsn> parse_dsn(std::string_view dsn) {
    const size_t scheme_end = dsn.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
    Dsn out;
    out.scheme = dsn.substr(0, scheme_end);
    std::string_view rest = dsn.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));
    const size_t path_start = rest.find('/');
    if (path_start == std::string_view::npos) return std::nullopt;
    const std::string_view authority = rest.substr(0, path_start);
    const std::string_view path = rest.substr(path_start);
    const size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    const std::string_view userinfo = authority.substr(0, at);
    out.public_key = userinfo.substr(0, userinfo.find(':'));
    out.host = authority.substr(at + 1);
    const size_t last_slash = path.rfind('/');
    out.path_prefix = path.substr(0, last_slash);
    out.project_id = path.substr(last_slash + 1);
    if (out.public_key.empty() || out.host.empty() || out.project_id.empty()) return std::nullopt;
    for (const char c : out.project_id) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    return out;
}

}  // namespace lt
