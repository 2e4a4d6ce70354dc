#include "api/access.h"

#include <algorithm>
#include <cctype>

namespace lt::api {

http::Response not_found() {
    return http::error_response(404, "The requested resource does not exist");
}

std::variant<ApiToken, http::Response> authorize(Store& store, const http::Request& request,
                                                 std::string_view scope,
                                                 const std::string& organization_slug) {
    const std::string_view header = request.header("authorization");
    if (header.empty()) {
        return http::error_response(401, "Authentication credentials were not provided.");
    }
    constexpr std::string_view kBearer = "bearer ";
    if (header.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), header.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        return http::error_response(401, "Invalid authorization header; expected a Bearer token.");
    }
    const auto token = store.find_token(std::string(header.substr(kBearer.size())));
    if (!token) return http::error_response(401, "Invalid token.");
    if (!organization_slug.empty()) {
        const auto organization = store.find_organization(organization_slug);
        if (!organization) return not_found();
        if (organization->id != token->organization_id) {
            return http::error_response(403, "You do not have permission to perform this action.");
        }
    }
    if (!scope.empty() &&
        std::find(token->scopes.begin(), token->scopes.end(), scope) == token->scopes.end()) {
        return http::error_response(403, "You do not have permission to perform this action.");
    }
    return *token;
}

std::variant<Project, http::Response> authorized_project(Store& store, const http::Request& request,
                                                         const http::PathParams& params,
                                                         std::string_view scope) {
    const std::string& org = params.at("org");
    auto token = authorize(store, request, scope, org);
    if (auto* denied = std::get_if<http::Response>(&token)) return std::move(*denied);
    auto project = store.find_project(org, params.at("project"));
    if (!project) return not_found();
    return *project;
}

}  // namespace lt::api
