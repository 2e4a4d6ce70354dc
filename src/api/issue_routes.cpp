#include "api/issue_routes.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "api/access.h"
#include "api/event_view.h"
#include "api/serializers.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "core/time.h"
#include "core/url.h"
#include "event/json.h"
#include "grouping/fingerprint_rules.h"

namespace lt::api {

namespace {

using http::PathParams;
using http::Request;
using http::Responder;
using http::Response;

constexpr size_t kDefaultIssueLimit = 25;
constexpr size_t kMaxPageSize = 100;
constexpr size_t kMaxBulkIssues = 1000;
constexpr size_t kTopTagValues = 9;

Response bad_request(std::string_view detail) {
    return http::error_response(400, detail);
}

std::string public_url(Store& store) {
    return store.get_setting("public_url").value_or("");
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string format_number(double value) {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc() ? std::string(buffer, end) : std::string("0");
}

// `limit` (or Sentry's `per_page`): 1..kMaxPageSize, else the default.
std::variant<size_t, Response> page_size(const Request& request, size_t fallback) {
    std::string text = query_param(request.query, "limit");
    if (text.empty()) text = query_param(request.query, "per_page");
    if (text.empty()) return fallback;
    const auto value = parse_number<size_t>(text);
    if (!value || *value == 0 || *value > kMaxPageSize) {
        return bad_request("limit must be a number from 1 to 100");
    }
    return *value;
}

// Sentry's cursor text "<value>:<offset or id>:<is_prev>" cut into its three parts; nullopt
// without two colons.
struct CursorParts {
    std::string_view value;
    std::string_view second;
    std::string_view is_prev;
};

std::optional<CursorParts> split_cursor(std::string_view text) {
    const size_t first = text.find(':');
    const size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    return CursorParts{text.substr(0, first), text.substr(first + 1, second - first - 1),
                       text.substr(second + 1)};
}

// Offset cursors "0:<offset>:<is_prev>" for lists that page by position.
std::variant<size_t, Response> offset_cursor(const Request& request) {
    const std::string text = query_param(request.query, "cursor");
    if (text.empty()) return size_t{0};
    const auto parts = split_cursor(text);
    const auto offset = parts ? parse_number<size_t>(parts->second) : std::nullopt;
    if (!offset) return bad_request("Invalid cursor parameter.");
    return *offset;
}

// A page of an offset-paged list: `limit` rows after skipping `offset`.
struct OffsetPage {
    size_t limit = 0;
    size_t offset = 0;
};

std::variant<OffsetPage, Response> offset_page(const Request& request) {
    auto limit = page_size(request, kMaxPageSize);
    if (auto* invalid = std::get_if<Response>(&limit)) return std::move(*invalid);
    auto offset = offset_cursor(request);
    if (auto* invalid = std::get_if<Response>(&offset)) return std::move(*invalid);
    return OffsetPage{std::get<size_t>(limit), std::get<size_t>(offset)};
}

// The request's URL without its cursor parameter, for Link headers.
std::string url_without_cursor(Store& store, const Request& request) {
    std::string query;
    std::string_view rest = request.query;
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (!pair.empty() && pair.substr(0, pair.find('=')) != "cursor") {
            if (!query.empty()) query += '&';
            query += pair;
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    std::string url = public_url(store) + request.path + "?";
    if (!query.empty()) url += query + "&";
    return url;
}

std::string link_entry(const std::string& url, const char* rel, bool results,
                       const std::string& cursor) {
    return "<" + url + "cursor=" + cursor + ">; rel=\"" + rel + "\"; results=\"" +
           (results ? "true" : "false") + "\"; cursor=\"" + cursor + "\"";
}

void add_link_header(Response& response, const std::string& url, const std::string& previous,
                     bool has_previous, const std::string& next, bool has_next) {
    response.headers.emplace_back("Link", link_entry(url, "previous", has_previous, previous) +
                                              ", " + link_entry(url, "next", has_next, next));
}

// Link header for an offset-paged list: a page of `limit` rows from `offset`.
void add_offset_links(Store& store, const Request& request, Response& response, size_t offset,
                      size_t limit, bool has_next) {
    const std::string url = url_without_cursor(store, request);
    const size_t previous = offset >= limit ? offset - limit : 0;
    add_link_header(response, url, "0:" + std::to_string(previous) + ":1", offset > 0,
                    "0:" + std::to_string(offset + limit) + ":0", has_next);
}

// Empty stats of each period ("24h": 24 hours, "14d"/"30d": days), ending with the current one.
std::vector<IssueStats> empty_stats(const std::vector<std::string>& periods, double now) {
    std::vector<IssueStats> all;
    for (const std::string& period : periods) {
        IssueStats stats;
        stats.period = period;
        size_t buckets = 24;
        stats.granularity = 3600;
        if (period != "24h") {
            stats.granularity = 86400;
            buckets = period == "14d" ? 14 : 30;
        }
        const auto current = static_cast<int64_t>(std::floor(now / stats.granularity));
        stats.start = (current - static_cast<int64_t>(buckets) + 1) * stats.granularity;
        stats.counts.assign(buckets, 0);
        all.push_back(std::move(stats));
    }
    return all;
}

// Per-issue stats for several periods, fetched in one query per period.
std::map<int64_t, std::vector<IssueStats>> stats_by_issue(Store& store,
                                                          const std::vector<int64_t>& issue_ids,
                                                          const std::vector<std::string>& periods,
                                                          double now) {
    std::map<int64_t, std::vector<IssueStats>> result;
    for (const IssueStats& empty : empty_stats(periods, now)) {
        const auto series =
            store.issue_series(issue_ids, empty.granularity, empty.start, empty.counts.size());
        for (const int64_t id : issue_ids) {
            IssueStats stats = empty;
            if (const auto found = series.find(id); found != series.end()) {
                stats.counts = found->second;
            }
            result[id].push_back(std::move(stats));
        }
    }
    return result;
}

// ---- resolving {org}, {project} and {issue} ----

struct Scope {
    Organization organization;
    std::vector<Project> projects;  // the organization's projects
};

struct IssueTarget {
    Issue issue;
    Project project;
    Organization organization;
};

std::variant<Scope, Response> organization_scope(Store& store, const Request& request,
                                                 const PathParams& params, std::string_view scope) {
    const auto org_param = params.find("org");
    auto token = authorize(store, request, scope,
                           org_param == params.end() ? std::string() : org_param->second);
    if (auto* denied = std::get_if<Response>(&token)) return std::move(*denied);
    auto organization = store.find_organization(std::get<ApiToken>(token).organization_id);
    if (!organization) return not_found();
    Scope result{*organization, store.list_projects(organization->id)};
    return result;
}

std::variant<IssueTarget, Response> resolve_issue(Store& store, const Request& request,
                                                  const PathParams& params,
                                                  std::string_view scope) {
    auto resolved = organization_scope(store, request, params, scope);
    if (auto* denied = std::get_if<Response>(&resolved)) return std::move(*denied);
    Scope& org = std::get<Scope>(resolved);
    const std::string& text = params.at("issue");
    std::optional<Issue> issue;
    if (const auto id = parse_number<int64_t>(text)) {
        issue = store.find_issue(*id);
    } else if (params.contains("org")) {
        for (const Project& project : org.projects) {
            if (const auto number = parse_short_id(project.slug, text)) {
                issue = store.find_issue_by_short_number(project.id, *number);
                if (issue) break;
            }
        }
    }
    if (!issue) return not_found();
    for (const Project& project : org.projects) {
        if (project.id == issue->project_id) {
            return IssueTarget{std::move(*issue), project, org.organization};
        }
    }
    return not_found();  // an issue of another organization
}

IssueContext issue_context(Store& store, const Project& project, const Organization& org,
                           double now) {
    IssueContext context;
    context.project = &project;
    context.public_url = public_url(store);
    context.organization_slug = org.slug;
    context.now = now;
    return context;
}

// ---- issue lists ----

std::variant<IssueListRequest, Response> list_request(const Request& request,
                                                      const std::vector<Project>& projects,
                                                      double now) {
    IssueListRequest list;
    list.now = now;
    const std::vector<std::string> queries = query_params(request.query, "query");
    const std::string query_text = queries.empty() ? "is:unresolved" : queries.front();
    SearchQueryParse parsed = parse_search_query(query_text, now);
    if (!parsed.query) {
        return bad_request("Invalid query: " + parsed.error.message + " (at position " +
                           std::to_string(parsed.error.position) + ": \"" + parsed.error.token +
                           "\")");
    }
    list.query = std::move(*parsed.query);
    const std::string sort = query_param(request.query, "sort");
    if (sort.empty() || sort == "date" || sort == "priority" || sort == "trends" ||
        sort == "inbox") {
        list.sort = IssueSort::last_seen;
    } else if (sort == "new") {
        list.sort = IssueSort::first_seen;
    } else if (sort == "freq") {
        list.sort = IssueSort::times_seen;
    } else if (sort == "user") {
        list.sort = IssueSort::user_count;
    } else {
        return bad_request("Invalid sort \"" + sort + "\": use date, new, freq or user");
    }
    auto limit = page_size(request, kDefaultIssueLimit);
    if (auto* invalid = std::get_if<Response>(&limit)) return std::move(*invalid);
    list.limit = std::get<size_t>(limit);
    if (const std::string cursor = query_param(request.query, "cursor"); !cursor.empty()) {
        const auto parts = split_cursor(cursor);
        const auto value = parts ? parse_number<double>(parts->value) : std::nullopt;
        const auto id = parts ? parse_number<int64_t>(parts->second) : std::nullopt;
        if (!value || !id || (parts->is_prev != "0" && parts->is_prev != "1")) {
            return bad_request("Invalid cursor parameter.");
        }
        list.cursor = IssueCursor{*value, *id, parts->is_prev == "1"};
    }
    for (const std::string& environment : query_params(request.query, "environment")) {
        if (!environment.empty()) list.environments.push_back(environment);
    }
    const std::vector<std::string> wanted = query_params(request.query, "project");
    for (const Project& project : projects) {
        const bool all =
            wanted.empty() || std::find(wanted.begin(), wanted.end(), "-1") != wanted.end();
        if (all ||
            std::find(wanted.begin(), wanted.end(), std::to_string(project.id)) != wanted.end()) {
            list.project_ids.push_back(project.id);
        }
    }
    for (const std::string& id : wanted) {
        if (id != "-1" && std::none_of(projects.begin(), projects.end(), [&](const Project& p) {
                return std::to_string(p.id) == id;
            })) {
            return http::error_response(403, "You do not have permission to perform this action.");
        }
    }
    return list;
}

// `statsPeriod` / `groupStatsPeriod`: "24h" (default), "14d", or "" / "auto" variants.
std::variant<std::vector<std::string>, Response> list_stats_periods(const Request& request) {
    std::vector<std::string> given = query_params(request.query, "groupStatsPeriod");
    if (given.empty()) given = query_params(request.query, "statsPeriod");
    const std::string period = given.empty() ? "24h" : given.front();
    if (period == "24h" || period == "auto") return std::vector<std::string>{"24h"};
    if (period == "14d") return std::vector<std::string>{"14d"};
    if (period.empty()) return std::vector<std::string>{};
    return bad_request("Invalid stats_period. Valid choices are '', '24h', and '14d'");
}

const Project* project_of(const std::vector<Project>& projects, int64_t project_id) {
    for (const Project& project : projects) {
        if (project.id == project_id) return &project;
    }
    return nullptr;
}

void respond_issue_list(Store& store, const Request& request, const Organization& organization,
                        const std::vector<Project>& projects, Responder& respond) {
    const double now = now_seconds();
    auto list = list_request(request, projects, now);
    if (auto* invalid = std::get_if<Response>(&list)) return respond(std::move(*invalid));
    auto periods = list_stats_periods(request);
    if (auto* invalid = std::get_if<Response>(&periods)) return respond(std::move(*invalid));
    IssueListRequest& list_request = std::get<IssueListRequest>(list);

    IssueListPage page;
    const std::string query_text = query_param(request.query, "query");
    if (query_param(request.query, "shortIdLookup") != "0" && !query_text.empty()) {
        for (const int64_t project_id : list_request.project_ids) {
            const Project* project = project_of(projects, project_id);
            if (const auto number = parse_short_id(project->slug, query_text)) {
                if (auto issue = store.find_issue_by_short_number(project_id, *number)) {
                    page.issues.push_back(std::move(*issue));
                    page.hits = 1;
                }
            }
        }
    }
    if (page.issues.empty()) page = store.list_issues(list_request);

    std::vector<int64_t> ids;
    for (const Issue& issue : page.issues) ids.push_back(issue.id);
    auto stats = stats_by_issue(store, ids, std::get<std::vector<std::string>>(periods), now);
    JsonWriter json;
    json.begin_array();
    std::optional<IssueContext> context;  // made once: the public URL is one store read
    for (const Issue& issue : page.issues) {
        const Project& project = *project_of(projects, issue.project_id);
        if (!context) context = issue_context(store, project, organization, now);
        context->project = &project;
        context->stats = std::move(stats[issue.id]);
        write_issue(json, issue, *context);
    }
    json.end_array();
    Response response = http::json_response(200, json.take());
    auto cursor_text = [](const IssueCursor& cursor) {
        return format_number(cursor.value) + ":" + std::to_string(cursor.id) + ":" +
               (cursor.is_prev ? "1" : "0");
    };
    const IssueCursor start{0, 0, false};
    add_link_header(response, url_without_cursor(store, request),
                    cursor_text(page.has_previous ? page.previous : start), page.has_previous,
                    cursor_text(page.has_next ? page.next : start), page.has_next);
    response.headers.emplace_back("X-Hits", std::to_string(page.hits));
    response.headers.emplace_back("X-Max-Hits", std::to_string(page.hits));
    respond(std::move(response));
}

// ---- status updates ----

std::variant<IssueStatusChange, Response> status_change(const json::Value& body) {
    IssueStatusChange change;
    const json::Value* status = body.find("status");
    const std::string_view text = status ? status->as_string().value_or("") : std::string_view();
    if (text == "resolved" || text == "resolvedInNextRelease") {
        change.status = "resolved";
        change.in_next_release = text == "resolvedInNextRelease";
    } else if (text == "unresolved") {
        change.status = "unresolved";
    } else if (text == "ignored" || text == "muted" || text == "archived") {
        change.status = "ignored";
    } else {
        return bad_request(
            "status must be one of resolved, resolvedInNextRelease, unresolved, "
            "ignored");
    }
    const json::Value* details = body.find("statusDetails");
    if (details == nullptr || !details->is_object()) return change;
    auto positive = [&](std::string_view key) -> std::variant<std::optional<int64_t>, Response> {
        const json::Value* value = details->find(key);
        if (value == nullptr || value->is_null()) return std::optional<int64_t>();
        const auto number = value->as_double();
        if (!number || *number <= 0 || *number != std::floor(*number) || *number > 1e12) {
            return bad_request(std::string(key) + " must be a positive whole number");
        }
        return std::optional<int64_t>(static_cast<int64_t>(*number));
    };
    if (change.status == "resolved") {
        if (const json::Value* release = details->find("inRelease")) {
            const auto version = release->as_string();
            if (!version || version->empty()) return bad_request("inRelease must be a release");
            change.in_release = std::string(*version);
        }
        if (const json::Value* next = details->find("inNextRelease")) {
            change.in_next_release = change.in_next_release || next->as_bool().value_or(false);
        }
    } else if (change.status == "ignored") {
        for (const auto& [key, target] : {std::pair<std::string_view, int>{"ignoreDuration", 0},
                                          {"ignoreCount", 1},
                                          {"ignoreUserCount", 2}}) {
            auto parsed = positive(key);
            if (auto* invalid = std::get_if<Response>(&parsed)) return std::move(*invalid);
            const auto value = std::get<std::optional<int64_t>>(parsed);
            if (!value) continue;
            if (target == 0) change.ignore_minutes = static_cast<double>(*value);
            if (target == 1) change.ignore_count = *value;
            if (target == 2) change.ignore_user_count = *value;
        }
    }
    return change;
}

// The status change a PUT body asks for; nullopt for bodies that only set per-user flags
// (hasSeen, isBookmarked, isSubscribed), which LightTrace accepts without effect.
std::variant<std::optional<IssueStatusChange>, Response> parse_update(const Request& request) {
    json::ParseResult parsed = json::parse(request.body);
    if (!parsed.document || !parsed.document->root().is_object()) {
        return bad_request("The body must be a JSON object.");
    }
    const json::Value& body = parsed.document->root();
    for (const std::string_view unsupported : {"merge", "discard", "assignedTo"}) {
        const json::Value* value = body.find(unsupported);
        if (value != nullptr && !value->is_null() && value->as_bool() != false) {
            return bad_request(std::string(unsupported) + " is not supported by LightTrace yet");
        }
    }
    if (body.find("status") == nullptr) return std::optional<IssueStatusChange>();
    auto change = status_change(body);
    if (auto* invalid = std::get_if<Response>(&change)) return std::move(*invalid);
    return std::optional<IssueStatusChange>(std::get<IssueStatusChange>(change));
}

void write_activity(JsonWriter& json, const std::vector<IssueActivity>& activity) {
    json.begin_array();
    for (const IssueActivity& entry : activity) {
        json.begin_object();
        json.key("id").value(std::to_string(entry.id));
        json.key("user").null();
        json.key("type").value(entry.type);
        json.key("data").raw(entry.data_json);
        json.key("dateCreated").value(format_rfc3339(entry.created_at));
        json.end_object();
    }
    json.end_array();
}

std::string tag_label(std::string_view key) {
    static const std::map<std::string_view, std::string_view> kLabels = {
        {"os", "OS"},
        {"url", "URL"},
        {"server_name", "Server"},
        {"user", "User"},
        {"release", "Release"},
        {"dist", "Distribution"},
        {"browser", "Browser"},
        {"level", "Level"},
        {"environment", "Environment"},
        {"transaction", "Transaction"}};
    if (const auto found = kLabels.find(key); found != kLabels.end()) {
        return std::string(found->second);
    }
    std::string label(key);
    bool start = true;
    for (char& c : label) {
        if (c == '_') c = ' ';
        if (start) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        start = c == ' ' || c == '.';
    }
    return label;
}

void write_tag_value(JsonWriter& json, const TagValueStat& value) {
    json.begin_object();
    json.key("key").value(value.key);
    json.key("name").value(value.value);
    json.key("value").value(value.value);
    json.key("count").value(value.times_seen);
    json.key("lastSeen").value(format_rfc3339(value.last_seen));
    json.key("firstSeen").value(format_rfc3339(value.first_seen));
    json.end_object();
}

void write_tag_key(JsonWriter& json, const TagKeyStat& key) {
    json.begin_object();
    json.key("key").value(key.key);
    json.key("name").value(tag_label(key.key));
    json.key("totalValues").value(key.total_values);
    json.key("uniqueValues").value(key.unique_values);
    json.key("topValues").begin_array();
    for (const TagValueStat& value : key.top_values) write_tag_value(json, value);
    json.end_array();
    json.end_object();
}

std::optional<ReleaseSeen> release_of(Store& store, int64_t project_id,
                                      const std::optional<std::string>& version) {
    if (!version) return std::nullopt;
    // The releases row comes with the issue's in the same commit; without it, only the version.
    return store.find_release(project_id, *version).value_or(ReleaseSeen{*version, 0, 0});
}

std::string issue_detail(Store& store, const IssueTarget& target) {
    const double now = now_seconds();
    IssueContext context = issue_context(store, target.project, target.organization, now);
    context.stats =
        std::move(stats_by_issue(store, {target.issue.id}, {"24h", "30d"}, now)[target.issue.id]);
    JsonWriter json;
    json.begin_object();
    write_issue_fields(json, target.issue, context);
    json.key("activity");
    write_activity(json, store.issue_activity(target.issue.id));
    json.key("seenBy").begin_array().end_array();
    json.key("participants").begin_array().end_array();
    json.key("pluginActions").begin_array().end_array();
    json.key("pluginIssues").begin_array().end_array();
    json.key("pluginContexts").begin_array().end_array();
    json.key("userReportCount").value(0);
    json.key("firstRelease");
    write_release(json, release_of(store, target.issue.project_id, target.issue.first_release));
    json.key("lastRelease");
    write_release(json, release_of(store, target.issue.project_id, target.issue.last_release));
    json.key("tags").begin_array();
    for (const TagKeyStat& key : store.issue_tag_keys(target.issue.id, 0, std::nullopt)) {
        json.begin_object();
        json.key("key").value(key.key);
        json.key("name").value(tag_label(key.key));
        json.key("totalValues").value(key.total_values);
        json.end_object();
    }
    json.end_array();
    json.end_object();
    return json.take();
}

// ---- events ----

// The API event object; `with_neighbours` adds the previous/next event ids of its issue (one
// query; single-event routes only, as in Sentry's lists).
std::optional<std::string> render_stored_event(Store& store, const StoredEvent& event,
                                               bool with_neighbours) {
    json::ParseResult parsed = json::parse(event.payload);
    if (!parsed.document) return std::nullopt;
    EventViewContext context;
    context.project_id = event.project_id;
    context.group_id = event.issue_id;
    context.received_at = event.received_at;
    context.size = event.raw_size;
    if (with_neighbours && event.issue_id) {
        auto [previous, next] = store.neighbour_events(*event.issue_id, event.event_id);
        context.previous_event_id = std::move(previous);
        context.next_event_id = std::move(next);
    }
    return render_event_view(parsed.document->root(), context);
}

Response event_response(Store& store, const std::optional<StoredEvent>& event) {
    if (!event) return http::error_response(404, "Event not found");
    auto rendered = render_stored_event(store, *event, true);
    if (!rendered) return http::error_response(500, "The stored event could not be read");
    return http::json_response(200, std::move(*rendered));
}

void respond_event_list(Store& store, const Request& request,
                        const std::vector<StoredEvent>& events, size_t offset, size_t limit,
                        Responder& respond) {
    const bool full =
        query_param(request.query, "full") == "true" || query_param(request.query, "full") == "1";
    const bool has_next = events.size() > limit;
    JsonWriter json;
    json.begin_array();
    for (size_t i = 0; i < std::min(events.size(), limit); ++i) {
        const StoredEvent& event = events[i];
        if (full) {
            if (auto rendered = render_stored_event(store, event, false)) json.raw(*rendered);
            continue;
        }
        json::ParseResult parsed = json::parse(event.payload);
        if (parsed.document) write_event_summary(json, event, parsed.document->root());
    }
    json.end_array();
    Response response = http::json_response(200, json.take());
    add_offset_links(store, request, response, offset, limit, has_next);
    respond(std::move(response));
}

// ---- handlers ----

using Handler = void (*)(Store&, Request&&, const PathParams&, Responder);

void list_organizations(Store& store, Request&& request, const PathParams& params,
                        Responder respond) {
    auto scope = organization_scope(store, request, params, "org:read");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    JsonWriter json;
    json.begin_array();
    write_organization(json, std::get<Scope>(scope).organization, public_url(store));
    json.end_array();
    respond(http::json_response(200, json.take()));
}

void organization_detail(Store& store, Request&& request, const PathParams& params,
                         Responder respond) {
    auto scope = organization_scope(store, request, params, "org:read");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    JsonWriter json;
    write_organization(json, std::get<Scope>(scope).organization, public_url(store));
    respond(http::json_response(200, json.take()));
}

void list_projects(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto scope = organization_scope(store, request, params, "project:read");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    const Scope& org = std::get<Scope>(scope);
    JsonWriter json;
    json.begin_array();
    for (const Project& project : org.projects) write_project(json, project, &org.organization);
    json.end_array();
    respond(http::json_response(200, json.take()));
}

Response project_response(Store& store, const Project& project, const std::string& org_slug,
                          const ProjectSettings& settings) {
    const auto organization = store.find_organization(org_slug);
    JsonWriter json;
    write_project(json, project, organization ? &organization.value() : nullptr, &settings);
    return http::json_response(200, json.take());
}

void project_detail(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto project = authorized_project(store, request, params, "project:read");
    if (auto* denied = std::get_if<Response>(&project)) return respond(std::move(*denied));
    const Project& found = std::get<Project>(project);
    respond(project_response(store, found, params.at("org"), store.project_settings(found.id)));
}

// Applies the settings a project PUT body names (Sentry's field names; others are ignored).
std::optional<Response> apply_settings_body(const json::Value& body, ProjectSettings& settings) {
    for (const auto& [key, target] :
         {std::pair<std::string_view, bool*>{"dataScrubber", &settings.data_scrubber},
          {"dataScrubberDefaults", &settings.data_scrubber_defaults},
          {"scrubIPAddresses", &settings.scrub_ip_addresses}}) {
        const json::Value* value = body.find(key);
        if (value == nullptr) continue;
        if (!value->as_bool()) return bad_request(std::string(key) + " must be true or false");
        *target = *value->as_bool();
    }
    for (const auto& [key, target] : {std::pair<std::string_view, std::vector<std::string>*>{
                                          "sensitiveFields", &settings.sensitive_fields},
                                      {"safeFields", &settings.safe_fields}}) {
        const json::Value* value = body.find(key);
        if (value == nullptr) continue;
        if (!value->is_array()) return bad_request(std::string(key) + " must be a list of strings");
        std::vector<std::string> entries;
        for (const json::Value& entry : value->elements()) {
            const auto text = entry.as_string();
            if (!text || text->find('\n') != std::string_view::npos) {
                return bad_request(std::string(key) + " must be a list of one-line strings");
            }
            if (!text->empty()) entries.emplace_back(*text);
        }
        *target = std::move(entries);
    }
    if (const json::Value* rules = body.find("fingerprintingRules")) {
        const auto text = rules->as_string();
        if (!text) return bad_request("fingerprintingRules must be a string");
        const auto parsed = parse_fingerprint_rules(*text);
        if (const auto* error = std::get_if<FingerprintRulesError>(&parsed)) {
            return bad_request("fingerprintingRules line " + std::to_string(error->line) + ": " +
                               error->message);
        }
        settings.fingerprinting_rules = std::string(*text);
    }
    return std::nullopt;
}

void project_update(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto project = authorized_project(store, request, params, "project:write");
    if (auto* denied = std::get_if<Response>(&project)) return respond(std::move(*denied));
    json::ParseResult parsed = json::parse(request.body);
    if (!parsed.document || !parsed.document->root().is_object()) {
        return respond(bad_request("The body must be a JSON object."));
    }
    const Project& target = std::get<Project>(project);
    ProjectSettings settings = store.project_settings(target.id);
    if (auto invalid = apply_settings_body(parsed.document->root(), settings)) {
        return respond(std::move(*invalid));
    }
    store.set_project_settings(target.id, settings);
    respond(project_response(store, target, params.at("org"), settings));
}

// The projects an issue collection route covers: the path's project, or the organization's.
std::variant<Scope, Response> collection_scope(Store& store, const Request& request,
                                               const PathParams& params, std::string_view scope) {
    auto resolved = organization_scope(store, request, params, scope);
    if (std::holds_alternative<Response>(resolved)) return resolved;
    if (const auto slug = params.find("project"); slug != params.end()) {
        Scope& org = std::get<Scope>(resolved);
        std::erase_if(org.projects, [&](const Project& p) { return p.slug != slug->second; });
        if (org.projects.empty()) return not_found();
    }
    return resolved;
}

void list_issues(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto scope = collection_scope(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    const Scope& org = std::get<Scope>(scope);
    respond_issue_list(store, request, org.organization, org.projects, respond);
}

// The issues a bulk PUT/DELETE names with ?id=, or else those its query matches.
std::variant<std::vector<int64_t>, Response> bulk_targets(Store& store, const Request& request,
                                                          const std::vector<Project>& projects) {
    std::vector<int64_t> ids;
    const std::vector<std::string> given = query_params(request.query, "id");
    if (!given.empty()) {
        for (const std::string& text : given) {
            const auto id = parse_number<int64_t>(text);
            if (!id) return bad_request("id must be a number: " + text);
            const auto issue = store.find_issue(*id);
            if (issue && project_of(projects, issue->project_id)) ids.push_back(*id);
        }
        return ids;
    }
    auto list = list_request(request, projects, now_seconds());
    if (auto* invalid = std::get_if<Response>(&list)) return std::move(*invalid);
    IssueListRequest& list_request = std::get<IssueListRequest>(list);
    list_request.limit = kMaxBulkIssues;
    list_request.cursor.reset();
    for (const Issue& issue : store.list_issues(list_request).issues) ids.push_back(issue.id);
    return ids;
}

void write_change_summary(JsonWriter& json, const Issue& issue, double now) {
    json.begin_object();
    json.key("status").value(issue.status);
    json.key("statusDetails").raw(issue.status_details_json);
    const std::string substatus = effective_substatus(issue, now);
    json.key("substatus");
    if (substatus.empty()) {
        json.null();
    } else {
        json.value(substatus);
    }
    json.key("inbox").null();
    json.end_object();
}

void bulk_update(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto scope = collection_scope(store, request, params, "event:write");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    auto update = parse_update(request);
    if (auto* invalid = std::get_if<Response>(&update)) return respond(std::move(*invalid));
    auto targets = bulk_targets(store, request, std::get<Scope>(scope).projects);
    if (auto* invalid = std::get_if<Response>(&targets)) return respond(std::move(*invalid));
    const auto& ids = std::get<std::vector<int64_t>>(targets);
    const auto& change = std::get<std::optional<IssueStatusChange>>(update);
    if (ids.empty()) return respond(Response{204, "application/json", {}, ""});
    const double now = now_seconds();
    std::vector<Issue> updated;
    if (change) {
        updated = store.update_issue_status(ids, *change, now);
    } else if (auto issue = store.find_issue(ids.front())) {
        updated.push_back(std::move(*issue));
    }
    if (updated.empty()) return respond(Response{204, "application/json", {}, ""});
    JsonWriter json;
    write_change_summary(json, updated.front(), now);
    respond(http::json_response(200, json.take()));
}

void bulk_delete(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto scope = collection_scope(store, request, params, "event:admin");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    auto targets = bulk_targets(store, request, std::get<Scope>(scope).projects);
    if (auto* invalid = std::get_if<Response>(&targets)) return respond(std::move(*invalid));
    store.delete_issues(std::get<std::vector<int64_t>>(targets));
    respond(Response{204, "application/json", {}, ""});
}

void issue_get(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto target = resolve_issue(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    respond(http::json_response(200, issue_detail(store, std::get<IssueTarget>(target))));
}

void issue_put(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto target = resolve_issue(store, request, params, "event:write");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    IssueTarget& issue = std::get<IssueTarget>(target);
    auto update = parse_update(request);
    if (auto* invalid = std::get_if<Response>(&update)) return respond(std::move(*invalid));
    if (const auto& change = std::get<std::optional<IssueStatusChange>>(update)) {
        std::vector<Issue> updated =
            store.update_issue_status({issue.issue.id}, *change, now_seconds());
        if (updated.empty()) return respond(not_found());
        issue.issue = std::move(updated.front());
    }
    respond(http::json_response(200, issue_detail(store, issue)));
}

void issue_delete(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto target = resolve_issue(store, request, params, "event:admin");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    store.delete_issues({std::get<IssueTarget>(target).issue.id});
    respond(Response{202, "application/json", {}, ""});
}

void issue_events(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto target = resolve_issue(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    auto paging = offset_page(request);
    if (auto* invalid = std::get_if<Response>(&paging)) return respond(std::move(*invalid));
    const auto [page, skip] = std::get<OffsetPage>(paging);
    const auto events =
        store.list_issue_events(std::get<IssueTarget>(target).issue.id, page + 1, skip, true);
    respond_event_list(store, request, events, skip, page, respond);
}

void issue_event(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto target = resolve_issue(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    const Issue& issue = std::get<IssueTarget>(target).issue;
    const std::string& which = params.at("event_id");
    std::optional<StoredEvent> event;
    if (which == "latest" || which == "recommended") {
        event = store.pick_issue_event(issue.id, Store::Pick::latest);
    } else if (which == "oldest") {
        event = store.pick_issue_event(issue.id, Store::Pick::oldest);
    } else if (const auto event_id = normalize_uuid(which)) {
        event = store.find_event(issue.project_id, *event_id);
        if (event && event->issue_id != issue.id) event.reset();
    }
    respond(event_response(store, event));
}

// The issue's tag keys with their top values; only the path's {key} when the route has one.
std::variant<std::vector<TagKeyStat>, Response> issue_tag_keys(Store& store, const Request& request,
                                                               const PathParams& params) {
    auto target = resolve_issue(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&target)) return std::move(*denied);
    const auto key = params.find("key");
    return store.issue_tag_keys(
        std::get<IssueTarget>(target).issue.id, kTopTagValues,
        key == params.end() ? std::nullopt : std::optional<std::string>(key->second));
}

void issue_tags(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto keys = issue_tag_keys(store, request, params);
    if (auto* denied = std::get_if<Response>(&keys)) return respond(std::move(*denied));
    JsonWriter json;
    json.begin_array();
    for (const TagKeyStat& key : std::get<std::vector<TagKeyStat>>(keys)) write_tag_key(json, key);
    json.end_array();
    respond(http::json_response(200, json.take()));
}

void issue_tag(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto keys = issue_tag_keys(store, request, params);
    if (auto* denied = std::get_if<Response>(&keys)) return respond(std::move(*denied));
    const auto& found = std::get<std::vector<TagKeyStat>>(keys);
    if (found.empty()) return respond(not_found());
    JsonWriter json;
    write_tag_key(json, found.front());
    respond(http::json_response(200, json.take()));
}

void issue_tag_values(Store& store, Request&& request, const PathParams& params,
                      Responder respond) {
    auto target = resolve_issue(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    auto paging = offset_page(request);
    if (auto* invalid = std::get_if<Response>(&paging)) return respond(std::move(*invalid));
    const auto [page, skip] = std::get<OffsetPage>(paging);
    const auto values = store.issue_tag_values(std::get<IssueTarget>(target).issue.id,
                                               params.at("key"), page + 1, skip);
    if (values.empty() && skip == 0) return respond(not_found());
    JsonWriter json;
    json.begin_array();
    for (size_t i = 0; i < std::min(values.size(), page); ++i) write_tag_value(json, values[i]);
    json.end_array();
    Response response = http::json_response(200, json.take());
    add_offset_links(store, request, response, skip, page, values.size() > page);
    respond(std::move(response));
}

void project_events(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto project = authorized_project(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&project)) return respond(std::move(*denied));
    auto paging = offset_page(request);
    if (auto* invalid = std::get_if<Response>(&paging)) return respond(std::move(*invalid));
    const auto [page, skip] = std::get<OffsetPage>(paging);
    const auto events =
        store.list_project_events(std::get<Project>(project).id, page + 1, skip, true);
    respond_event_list(store, request, events, skip, page, respond);
}

void project_event(Store& store, Request&& request, const PathParams& params, Responder respond) {
    auto project = authorized_project(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&project)) return respond(std::move(*denied));
    const auto event_id = normalize_uuid(params.at("event_id"));
    std::optional<StoredEvent> event;
    if (event_id) event = store.find_event(std::get<Project>(project).id, *event_id);
    respond(event_response(store, event));
}

void resolve_short_id(Store& store, Request&& request, const PathParams& params,
                      Responder respond) {
    PathParams issue_params = params;
    issue_params["issue"] = params.at("short_id");
    if (parse_number<int64_t>(params.at("short_id"))) return respond(not_found());
    auto target = resolve_issue(store, request, issue_params, "event:read");
    if (auto* denied = std::get_if<Response>(&target)) return respond(std::move(*denied));
    const IssueTarget& issue = std::get<IssueTarget>(target);
    const double now = now_seconds();
    JsonWriter json;
    json.begin_object();
    json.key("organizationSlug").value(issue.organization.slug);
    json.key("projectSlug").value(issue.project.slug);
    json.key("groupId").value(std::to_string(issue.issue.id));
    json.key("shortId").value(short_id(issue.project.slug, issue.issue.short_number));
    json.key("group");
    write_issue(json, issue.issue, issue_context(store, issue.project, issue.organization, now));
    json.end_object();
    respond(http::json_response(200, json.take()));
}

void resolve_event_id(Store& store, Request&& request, const PathParams& params,
                      Responder respond) {
    auto scope = organization_scope(store, request, params, "event:read");
    if (auto* denied = std::get_if<Response>(&scope)) return respond(std::move(*denied));
    const Scope& org = std::get<Scope>(scope);
    const auto event_id = normalize_uuid(params.at("event_id"));
    if (!event_id) return respond(not_found());
    for (const Project& project : org.projects) {
        const auto event = store.find_event(project.id, *event_id);
        if (!event) continue;
        auto rendered = render_stored_event(store, *event, true);
        if (!rendered) break;
        JsonWriter json;
        json.begin_object();
        json.key("organizationSlug").value(org.organization.slug);
        json.key("projectSlug").value(project.slug);
        json.key("groupId");
        if (event->issue_id) {
            json.value(std::to_string(*event->issue_id));
        } else {
            json.null();
        }
        json.key("eventId").value(event->event_id);
        json.key("event").raw(*rendered);
        json.end_object();
        return respond(http::json_response(200, json.take()));
    }
    respond(not_found());
}

}  // namespace

void register_issue_routes(http::Router& router, Store& store) {
    auto add = [&](const char* method, std::string_view pattern, const char* name,
                   Handler handler) {
        router.add(
            method, pattern, name,
            [&store, handler](Request&& request, const PathParams& params, Responder respond) {
                handler(store, std::move(request), params, std::move(respond));
            });
    };
    add("GET", "/api/0/organizations/", "api.organizations", list_organizations);
    add("GET", "/api/0/organizations/{org}/", "api.organization", organization_detail);
    add("GET", "/api/0/organizations/{org}/projects/", "api.projects", list_projects);
    add("GET", "/api/0/projects/", "api.projects", list_projects);
    add("GET", "/api/0/projects/{org}/{project}/", "api.project", project_detail);
    add("PUT", "/api/0/projects/{org}/{project}/", "api.project", project_update);
    add("GET", "/api/0/organizations/{org}/shortids/{short_id}/", "api.shortid", resolve_short_id);
    add("GET", "/api/0/organizations/{org}/eventids/{event_id}/", "api.eventid", resolve_event_id);
    add("GET", "/api/0/projects/{org}/{project}/events/", "api.project_events", project_events);
    add("GET", "/api/0/projects/{org}/{project}/events/{event_id}/", "api.project_event",
        project_event);
    for (const std::string_view collection :
         {"/api/0/organizations/{org}/issues/", "/api/0/projects/{org}/{project}/issues/"}) {
        add("GET", collection, "api.issues", list_issues);
        add("PUT", collection, "api.issues", bulk_update);
        add("DELETE", collection, "api.issues", bulk_delete);
    }
    for (const std::string prefix :
         {"/api/0/organizations/{org}/issues/{issue}/", "/api/0/issues/{issue}/"}) {
        add("GET", prefix, "api.issue", issue_get);
        add("PUT", prefix, "api.issue", issue_put);
        add("DELETE", prefix, "api.issue", issue_delete);
        add("GET", prefix + "events/", "api.issue_events", issue_events);
        add("GET", prefix + "events/{event_id}/", "api.issue_event", issue_event);
        add("GET", prefix + "tags/", "api.issue_tags", issue_tags);
        add("GET", prefix + "tags/{key}/", "api.issue_tag", issue_tag);
        add("GET", prefix + "tags/{key}/values/", "api.issue_tag_values", issue_tag_values);
    }
}

}  // namespace lt::api
