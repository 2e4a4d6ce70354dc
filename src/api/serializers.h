// JSON shapes of the Web API objects, as Sentry's API returns them (protocol §10).
//
// Contract
// - Each function appends one complete JSON value to the writer.
// - Times are ISO 8601 UTC; ids are strings; counts are what Sentry types them as (an issue's
//   `count` is a string, `userCount` a number).
// - Features LightTrace does not have yet are present with their empty values (assignedTo null,
//   isBookmarked false, numComments 0, ...) so clients that read them keep working.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json_writer.h"
#include "event/json.h"
#include "store/store.h"

namespace lt::api {

struct IssueStats {
    std::string period;  // "24h", "14d" or "30d"
    int64_t start = 0;   // first bucket, seconds since the epoch
    int64_t granularity = 0;
    std::vector<int64_t> counts;
};

struct IssueContext {
    const Project* project = nullptr;
    std::string public_url;
    std::string organization_slug;
    double now = 0;
    std::vector<IssueStats> stats;
};

void write_organization(JsonWriter& json, const Organization& organization,
                        const std::string& public_url);
// With `settings`, the project detail adds its processing settings (Sentry's field names).
void write_project(JsonWriter& json, const Project& project, const Organization* organization,
                   const ProjectSettings* settings = nullptr);
// The issue's fields as the issue list returns them (write_issue wraps them in an object; the
// issue detail adds tags, activity and releases after them).
void write_issue_fields(JsonWriter& json, const Issue& issue, const IssueContext& context);
void write_issue(JsonWriter& json, const Issue& issue, const IssueContext& context);
// Sentry's short event shape (issue event lists without `full`).
void write_event_summary(JsonWriter& json, const StoredEvent& event, const json::Value& payload);
// A release as an issue's firstRelease / lastRelease: Sentry's release fields LightTrace knows
// (version, dates of the first and last event; a date LightTrace does not know is null), null
// when there is none.
void write_release(JsonWriter& json, const std::optional<ReleaseSeen>& release);

}  // namespace lt::api
