// Who may call a Web API route: Bearer tokens, their organization and their scopes.
//
// Contract
// - authorize(): "Authorization: Bearer <token>" must name a stored token (else 401). When an
//   organization slug is given it must exist (else 404) and be the token's (else 403). When a
//   scope is given the token must carry it (else 403). Every refusal is a ready JSON response.
// - authorized_project(): authorize() on the path's {org}, then the path's {project} in it
//   (404 when missing).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "http/message.h"
#include "http/router.h"
#include "store/store.h"

namespace lt::api {

std::variant<ApiToken, http::Response> authorize(Store& store, const http::Request& request,
                                                 std::string_view scope,
                                                 const std::string& organization_slug);

std::variant<Project, http::Response> authorized_project(Store& store, const http::Request& request,
                                                         const http::PathParams& params,
                                                         std::string_view scope);

http::Response not_found();

}  // namespace lt::api
