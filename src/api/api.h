// The Web API (Sentry's /api/0/ shapes, Bearer tokens) and the operational routes.
//
// Routes registered here:
//   GET /api/0/                                            token info (sentry-cli `info`)
//   GET /api/0/projects/{org}/{project}/events/{id}/json/  the stored event JSON
//   GET /api/0/projects/{org}/{project}/items/             stored items of every kind
//                                                          (LightTrace-specific;
//                                                          ?type=&limit=&full=1)
//   GET /healthz, GET /metrics                             liveness and Prometheus metrics
//   organizations, projects, issues and events             see api/issue_routes.h
// Tokens: "Authorization: Bearer <token>"; a token belongs to one organization and carries
// Sentry scope names. Missing or unknown token: 401; wrong organization or scope: 403;
// unknown organization, project or event: 404. Every error is JSON {"detail": …}.
#pragma once

#include "http/router.h"
#include "store/store.h"

namespace lt {

class Api {
public:
    explicit Api(Store& store);
    void register_routes(http::Router& router);

private:
    Store& store_;
};

}  // namespace lt
