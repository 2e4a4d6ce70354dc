// The issue and event routes of the Web API (Sentry's shapes, protocol §10), plus the
// organization and project lists.
//
// Routes (every issue route exists organization-scoped and in the legacy /api/0/issues/{id}/
// form; {issue} is the numeric id or, organization-scoped, a short id such as WEB-1A):
//   GET              /api/0/organizations/                       org:read
//   GET              /api/0/organizations/{org}/                 org:read
//   GET              /api/0/organizations/{org}/projects/        project:read
//   GET              /api/0/projects/                            project:read
//   GET              /api/0/projects/{org}/{project}/            project:read
//   PUT              /api/0/projects/{org}/{project}/            project:write; processing
//                    settings: dataScrubber, dataScrubberDefaults, scrubIPAddresses,
//                    sensitiveFields, safeFields, fingerprintingRules
//   GET|PUT|DELETE   /api/0/organizations/{org}/issues/          list / bulk update / delete
//   GET|PUT|DELETE   /api/0/projects/{org}/{project}/issues/     the same for one project
//   GET|PUT|DELETE   .../issues/{issue}/                         detail / update / delete
//   GET              .../issues/{issue}/events/                  events, newest first
//   GET              .../issues/{issue}/events/{event}/          latest | oldest | recommended | id
//   GET              .../issues/{issue}/tags/                    tag keys with top values
//   GET              .../issues/{issue}/tags/{key}/              one key
//   GET              .../issues/{issue}/tags/{key}/values/       its values, most seen first
//   GET              /api/0/projects/{org}/{project}/events/     the project's events
//   GET              /api/0/projects/{org}/{project}/events/{id}/   one event (with groupID)
//   GET              /api/0/organizations/{org}/shortids/{id}/   resolve a short id
//   GET              /api/0/organizations/{org}/eventids/{id}/   find an event in the org
// Scopes: reads need event:read (issues, events) or the scope listed; PUT needs event:write;
// DELETE needs event:admin. Issue, event and tag value lists paginate with Sentry's Link header
// and cursors; issue lists also send X-Hits. A `project` parameter naming a project outside the
// organization is 403. A bad query, sort, cursor or body is 400 with a `detail` naming the problem.
#pragma once

#include "http/router.h"
#include "store/store.h"

namespace lt::api {

void register_issue_routes(http::Router& router, Store& store);

}  // namespace lt::api
