#include "api/serializers.h"

#include "core/time.h"

namespace lt::api {

namespace {

std::string iso(double seconds) {
    return format_rfc3339(seconds);
}

void optional_text(JsonWriter& json, std::string_view key, std::string_view text) {
    json.key(key);
    if (text.empty()) {
        json.null();
    } else {
        json.value(text);
    }
}

std::string_view string_member(const json::Value& object, std::string_view key) {
    const json::Value* member = object.find(key);
    return member ? member->as_string().value_or("") : std::string_view();
}

void write_value_or_null(JsonWriter& json, const json::Value* value) {
    if (value == nullptr) {
        json.null();
    } else {
        json::write(*value, json);
    }
}

}  // namespace

void write_organization(JsonWriter& json, const Organization& organization,
                        const std::string& public_url) {
    json.begin_object();
    json.key("id").value(std::to_string(organization.id));
    json.key("slug").value(organization.slug);
    json.key("name").value(organization.name);
    json.key("dateCreated").value(iso(organization.created_at));
    json.key("status").begin_object().key("id").value("active").key("name").value("active");
    json.end_object();
    json.key("isEarlyAdopter").value(false);
    json.key("require2FA").value(false);
    json.key("avatar").begin_object().key("avatarType").value("letter_avatar");
    json.key("avatarUuid").null().end_object();
    json.key("features").begin_array().end_array();
    json.key("links").begin_object();
    json.key("organizationUrl").value(public_url);
    json.key("regionUrl").value(public_url);
    json.end_object();
    json.end_object();
}

void write_project(JsonWriter& json, const Project& project, const Organization* organization,
                   const ProjectSettings* settings) {
    json.begin_object();
    json.key("id").value(std::to_string(project.id));
    json.key("slug").value(project.slug);
    json.key("name").value(project.name);
    optional_text(json, "platform", project.platform);
    json.key("dateCreated").value(iso(project.created_at));
    json.key("isBookmarked").value(false);
    json.key("isMember").value(true);
    json.key("hasAccess").value(true);
    json.key("status").value("active");
    json.key("features").begin_array().end_array();
    if (organization != nullptr) {
        json.key("organization").begin_object();
        json.key("id").value(std::to_string(organization->id));
        json.key("slug").value(organization->slug);
        json.key("name").value(organization->name);
        json.end_object();
    }
    if (settings != nullptr) {
        auto list = [&](std::string_view key, const std::vector<std::string>& values) {
            json.key(key).begin_array();
            for (const std::string& value : values) json.value(value);
            json.end_array();
        };
        json.key("dataScrubber").value(settings->data_scrubber);
        json.key("dataScrubberDefaults").value(settings->data_scrubber_defaults);
        json.key("scrubIPAddresses").value(settings->scrub_ip_addresses);
        list("sensitiveFields", settings->sensitive_fields);
        list("safeFields", settings->safe_fields);
        json.key("fingerprintingRules").value(settings->fingerprinting_rules);
        json.key("groupingConfig").value("newstyle:2023-01-11");
    }
    json.end_object();
}

void write_release(JsonWriter& json, const std::optional<ReleaseSeen>& release) {
    if (!release) {
        json.null();
        return;
    }
    json.begin_object();
    json.key("version").value(release->version);
    json.key("shortVersion").value(release->version);
    auto date = [&](std::string_view key, double seconds) {
        json.key(key);
        if (seconds > 0) {
            json.value(iso(seconds));
        } else {
            json.null();
        }
    };
    date("dateCreated", release->first_seen);
    date("dateReleased", 0);
    date("firstEvent", release->first_seen);
    date("lastEvent", release->last_seen);
    json.key("ref").null();
    json.key("url").null();
    json.end_object();
}

void write_issue_fields(JsonWriter& json, const Issue& issue, const IssueContext& context) {
    const Project& project = *context.project;
    const std::string id = std::to_string(issue.id);
    json.key("id").value(id);
    json.key("shareId").null();
    json.key("shortId").value(short_id(project.slug, issue.short_number));
    json.key("title").value(issue.title);
    json.key("culprit").value(issue.culprit);
    json.key("permalink")
        .value(context.public_url + "/organizations/" + context.organization_slug + "/issues/" +
               id + "/");
    optional_text(json, "logger", issue.logger);
    json.key("level").value(issue.level);
    json.key("status").value(issue.status);
    json.key("statusDetails").raw(issue.status_details_json);
    optional_text(json, "substatus", effective_substatus(issue, context.now));
    json.key("isPublic").value(false);
    json.key("platform").value(issue.platform);
    json.key("project").begin_object();
    json.key("id").value(std::to_string(project.id));
    json.key("name").value(project.name);
    json.key("slug").value(project.slug);
    optional_text(json, "platform", project.platform);
    json.end_object();
    json.key("type").value(issue.type);
    json.key("metadata").raw(issue.metadata_json);
    json.key("numComments").value(0);
    json.key("assignedTo").null();
    json.key("isBookmarked").value(false);
    json.key("isSubscribed").value(false);
    json.key("subscriptionDetails").null();
    json.key("hasSeen").value(false);
    json.key("annotations").begin_array().end_array();
    json.key("issueType").value("error");
    json.key("issueCategory").value("error");
    json.key("priority").value(priority_for_level(issue.level));
    json.key("priorityLockedAt").null();
    json.key("isUnhandled").value(issue.unhandled);
    json.key("count").value(std::to_string(issue.times_seen));
    json.key("userCount").value(issue.user_count);
    json.key("firstSeen").value(iso(issue.first_seen));
    json.key("lastSeen").value(iso(issue.last_seen));
    if (!context.stats.empty()) {
        json.key("stats").begin_object();
        for (const IssueStats& stats : context.stats) {
            json.key(stats.period).begin_array();
            for (size_t i = 0; i < stats.counts.size(); ++i) {
                json.begin_array()
                    .value(stats.start + static_cast<int64_t>(i) * stats.granularity)
                    .value(stats.counts[i])
                    .end_array();
            }
            json.end_array();
        }
        json.end_object();
    }
}

void write_issue(JsonWriter& json, const Issue& issue, const IssueContext& context) {
    json.begin_object();
    write_issue_fields(json, issue, context);
    json.end_object();
}

void write_event_summary(JsonWriter& json, const StoredEvent& event, const json::Value& payload) {
    json.begin_object();
    json.key("id").value(event.event_id);
    json.key("event.type").value(string_member(payload, "type"));
    json.key("groupID");
    if (event.issue_id) {
        json.value(std::to_string(*event.issue_id));
    } else {
        json.null();
    }
    json.key("eventID").value(event.event_id);
    json.key("projectID").value(std::to_string(event.project_id));
    std::string_view message;
    if (const json::Value* logentry = payload.find("logentry")) {
        message = string_member(*logentry, "formatted");
    }
    json.key("message").value(message);
    json.key("title").value(string_member(payload, "title"));
    optional_text(json, "location", string_member(payload, "location"));
    json.key("culprit").value(string_member(payload, "culprit"));
    json.key("user");
    write_value_or_null(json, payload.find("user"));
    json.key("tags").begin_array();
    if (const json::Value* tags = payload.find("tags")) {
        for (const json::Value& pair : tags->elements()) {
            const auto items = pair.elements();
            if (items.size() != 2 || !items[0].as_string() || !items[1].as_string()) continue;
            json.begin_object().key("key").value(*items[0].as_string());
            json.key("value").value(*items[1].as_string()).end_object();
        }
    }
    json.end_array();
    json.key("platform").value(string_member(payload, "platform"));
    json.key("dateCreated").value(iso(event.timestamp));
    json.key("dateReceived").value(iso(event.received_at));
    json.key("crashFile").null();
    json.key("metadata");
    write_value_or_null(json, payload.find("metadata"));
    json.end_object();
}

}  // namespace lt::api
