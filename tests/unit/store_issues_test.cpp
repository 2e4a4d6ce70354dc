// Issues in the SQLite store: events joining issues by hash, aggregates, lifecycle, lists.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/compression.h"
#include "store/store.h"

// Cases name only the fields they set (designated initializers); the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace lt {
namespace {

constexpr double kT0 = 1'700'000'000;  // a fixed "now" so buckets are predictable

class StoreIssuesTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        dir_ = std::filesystem::temp_directory_path() /
               ("lt-store-issues-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        store_ = open_sqlite_store(dir_ / "lighttrace.db");
        const Organization org = store_->ensure_organization("acme", "Acme");
        project_ = *store_->create_project(org.id, "web", "Web");
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    struct EventSpec {
        std::vector<std::string> hashes = {"aaaa"};
        double timestamp = kT0;
        std::string title = "TypeError: boom";
        std::string level = "error";
        std::string release;
        std::string user;
        std::vector<TagPair> tags;
        std::string event_id;  // generated when empty
    };

    // Commits one event; returns its event id.
    std::string send(const EventSpec& spec) {
        StoredItem item;
        item.project_id = project_.id;
        item.type = "event";
        item.event_id = spec.event_id.empty() ? next_event_id() : spec.event_id;
        item.received_at = spec.timestamp;
        item.timestamp = spec.timestamp;
        item.payload_zstd = zstd_compress(R"({"event_id":")" + item.event_id + R"("})", 1);
        EventIssueFacts facts;
        facts.hashes = spec.hashes;
        facts.grouping_config = "newstyle:2023-01-11";
        facts.type = "error";
        facts.title = spec.title;
        facts.culprit = "app in handler";
        facts.metadata_json = R"({"type":"TypeError","value":"boom"})";
        facts.level = spec.level;
        facts.platform = "python";
        facts.release = spec.release;
        facts.user_key = spec.user;
        facts.tags = spec.tags;
        if (!spec.release.empty()) facts.tags.emplace_back("release", spec.release);
        if (!spec.user.empty()) facts.search_fields.emplace_back("user.id", spec.user);
        item.issue = facts;
        WriteBatch batch;
        batch.items.push_back(std::move(item));
        batch.cursor = {1, ++cursor_offset_};
        store_->commit(batch);
        return batch.items.front().event_id;
    }

    int64_t issue_of(const std::string& event_id) {
        const auto event = store_->find_event(project_.id, event_id);
        EXPECT_TRUE(event.has_value());
        EXPECT_TRUE(event && event->issue_id.has_value());
        return event && event->issue_id ? *event->issue_id : 0;
    }

    Issue issue(int64_t id) { return store_->find_issue(id).value(); }

    std::vector<int64_t> list(const std::string& query, IssueSort sort = IssueSort::last_seen,
                              double now = kT0 + 60) {
        IssueListRequest request;
        request.project_ids = {project_.id};
        request.query = parse_search_query(query, now).query.value();
        request.sort = sort;
        request.limit = 100;
        request.now = now;
        std::vector<int64_t> ids;
        for (const Issue& found : store_->list_issues(request).issues) ids.push_back(found.id);
        return ids;
    }

    std::string next_event_id() {
        char text[33];
        std::snprintf(text, sizeof text, "%032x", ++event_counter_);
        return text;
    }

    std::filesystem::path dir_;
    std::unique_ptr<Store> store_;
    Project project_;
    uint64_t cursor_offset_ = 0;
    unsigned event_counter_ = 0;
};

TEST_F(StoreIssuesTest, EventsWithAKnownHashJoinItsIssue) {
    const int64_t first = issue_of(send({.hashes = {"app1", "sys1"}}));
    // Another app hash, but a known system hash: joins, and the new hash is added.
    const int64_t second = issue_of(send({.hashes = {"app2", "sys1"}}));
    const int64_t third = issue_of(send({.hashes = {"app2"}}));
    const int64_t other = issue_of(send({.hashes = {"zzz"}}));
    EXPECT_EQ(first, second);
    EXPECT_EQ(first, third);
    EXPECT_NE(first, other);
    EXPECT_EQ(issue(first).times_seen, 3);
    EXPECT_EQ(issue(first).short_number, 1);
    EXPECT_EQ(issue(other).short_number, 2);
}

TEST_F(StoreIssuesTest, ARetriedEventCountsOnce) {
    const std::string id = send({});
    send({.event_id = id});
    EXPECT_EQ(issue(issue_of(id)).times_seen, 1);
}

TEST_F(StoreIssuesTest, AggregatesSeenTimesUsersReleasesAndTags) {
    const int64_t id = issue_of(send({.timestamp = kT0,
                                      .title = "old title",
                                      .release = "1.0",
                                      .user = "id:1",
                                      .tags = {{"browser", "Chrome"}}}));
    send({.timestamp = kT0 + 7200,
          .title = "new title",
          .release = "1.1",
          .user = "id:2",
          .tags = {{"browser", "Chrome"}}});
    send({.timestamp = kT0 - 3600,
          .title = "older title",
          .release = "0.9",
          .user = "id:1",
          .tags = {{"browser", "Firefox"}}});
    const Issue found = issue(id);
    EXPECT_EQ(found.times_seen, 3);
    EXPECT_EQ(found.user_count, 2);
    EXPECT_DOUBLE_EQ(found.first_seen, kT0 - 3600);
    EXPECT_DOUBLE_EQ(found.last_seen, kT0 + 7200);
    EXPECT_EQ(found.title, "new title");  // the newest event names the issue
    EXPECT_EQ(found.first_release, "1.0");
    EXPECT_EQ(found.last_release, "1.1");
    const auto release = store_->find_release(project_.id, "1.1");
    ASSERT_TRUE(release.has_value());
    EXPECT_DOUBLE_EQ(release->first_seen, kT0 + 7200);
    EXPECT_DOUBLE_EQ(release->last_seen, kT0 + 7200);
    EXPECT_FALSE(store_->find_release(project_.id, "9.9").has_value());

    const auto keys = store_->issue_tag_keys(id, 5, std::nullopt);
    ASSERT_EQ(keys.size(), 2u);  // browser and release; user.id is a hidden search field
    EXPECT_EQ(keys[0].key, "browser");
    EXPECT_EQ(keys[0].total_values, 3);
    EXPECT_EQ(keys[0].unique_values, 2);
    EXPECT_EQ(keys[0].top_values[0].value, "Chrome");
    EXPECT_EQ(keys[0].top_values[0].times_seen, 2);
    EXPECT_DOUBLE_EQ(keys[0].top_values[0].first_seen, kT0);
    EXPECT_DOUBLE_EQ(keys[0].top_values[0].last_seen, kT0 + 7200);
    const auto release_only = store_->issue_tag_keys(id, 5, keys[1].key);
    ASSERT_EQ(release_only.size(), 1u);
    EXPECT_EQ(release_only[0].key, keys[1].key);
    EXPECT_EQ(release_only[0].total_values, keys[1].total_values);
    EXPECT_TRUE(store_->issue_tag_keys(id, 5, "user.id").empty());  // hidden
    EXPECT_TRUE(store_->issue_tag_keys(id, 5, "missing").empty());

    const int64_t hour = static_cast<int64_t>(kT0) / 3600 * 3600;
    const auto series = store_->issue_series({id}, 3600, hour - 3600, 4);
    EXPECT_EQ(series.at(id), (std::vector<int64_t>{1, 1, 0, 1}));
}

TEST_F(StoreIssuesTest, AResolvedIssueRegressesWithAnActivity) {
    const int64_t id = issue_of(send({}));
    store_->update_issue_status({id}, {.status = "resolved"}, kT0 + 10);
    EXPECT_EQ(issue(id).status, "resolved");
    send({.timestamp = kT0 + 20});
    const Issue regressed = issue(id);
    EXPECT_EQ(regressed.status, "unresolved");
    EXPECT_EQ(regressed.substatus, "regressed");
    const auto activity = store_->issue_activity(id);
    ASSERT_GE(activity.size(), 3u);
    EXPECT_EQ(activity[0].type, "set_regression");
    EXPECT_EQ(activity[1].type, "set_resolved");
    EXPECT_EQ(activity.back().type, "first_seen");
    EXPECT_EQ(list("is:regressed"), std::vector<int64_t>{id});
    // Seven days later a regression reads as ongoing.
    EXPECT_EQ(effective_substatus(regressed, kT0 + 8 * 86400), "ongoing");
    EXPECT_TRUE(list("is:regressed", IssueSort::last_seen, kT0 + 8 * 86400).empty());
}

TEST_F(StoreIssuesTest, ResolvedInNextReleaseCoversOlderReleases) {
    send({.hashes = {"other"}, .timestamp = kT0 - 100, .release = "0.9"});
    const int64_t id = issue_of(send({.release = "1.0"}));
    store_->update_issue_status({id}, {.status = "resolved", .in_next_release = true}, kT0 + 1);
    send({.timestamp = kT0 + 2, .release = "1.0"});
    send({.timestamp = kT0 + 3, .release = "0.9"});
    send({.timestamp = kT0 + 4});
    EXPECT_EQ(issue(id).status, "resolved");
    EXPECT_EQ(issue(id).times_seen, 4);
    send({.timestamp = kT0 + 5, .release = "1.1"});
    EXPECT_EQ(issue(id).status, "unresolved");
    EXPECT_EQ(issue(id).substatus, "regressed");
}

TEST_F(StoreIssuesTest, ResolvedInAReleaseRegressesFromThatRelease) {
    const int64_t id = issue_of(send({.release = "1.0"}));
    store_->update_issue_status({id}, {.status = "resolved", .in_release = "2.0"}, kT0 + 1);
    send({.timestamp = kT0 + 2, .release = "1.0"});
    EXPECT_EQ(issue(id).status, "resolved");
    send({.timestamp = kT0 + 3, .release = "2.0"});
    EXPECT_EQ(issue(id).status, "unresolved");
}

TEST_F(StoreIssuesTest, IgnoredUntilConditionsAreMet) {
    const int64_t by_count = issue_of(send({.hashes = {"count"}}));
    const int64_t by_time = issue_of(send({.hashes = {"time"}}));
    const int64_t by_users = issue_of(send({.hashes = {"users"}, .user = "id:1"}));
    const int64_t forever = issue_of(send({.hashes = {"forever"}}));
    store_->update_issue_status({by_count}, {.status = "ignored", .ignore_count = 2}, kT0);
    store_->update_issue_status({by_time}, {.status = "ignored", .ignore_minutes = 30.0}, kT0);
    store_->update_issue_status({by_users}, {.status = "ignored", .ignore_user_count = 2}, kT0);
    store_->update_issue_status({forever}, {.status = "ignored"}, kT0);
    EXPECT_EQ(issue(forever).substatus, "archived_forever");
    EXPECT_EQ(issue(by_count).substatus, "archived_until_condition_met");

    send({.hashes = {"count"}, .timestamp = kT0 + 1});
    send({.hashes = {"time"}, .timestamp = kT0 + 60});
    send({.hashes = {"users"}, .timestamp = kT0 + 1, .user = "id:1"});
    send({.hashes = {"users"}, .timestamp = kT0 + 2, .user = "id:2"});
    send({.hashes = {"forever"}, .timestamp = kT0 + 1});
    EXPECT_EQ(issue(by_count).status, "ignored");
    EXPECT_EQ(issue(by_time).status, "ignored");
    EXPECT_EQ(issue(by_users).status, "ignored");

    send({.hashes = {"count"}, .timestamp = kT0 + 2});
    send({.hashes = {"time"}, .timestamp = kT0 + 31 * 60});
    send({.hashes = {"users"}, .timestamp = kT0 + 3, .user = "id:3"});
    send({.hashes = {"forever"}, .timestamp = kT0 + 2});
    EXPECT_EQ(issue(by_count).status, "unresolved");
    EXPECT_EQ(issue(by_time).status, "unresolved");
    EXPECT_EQ(issue(by_users).status, "unresolved");
    EXPECT_EQ(issue(forever).status, "ignored");
}

TEST_F(StoreIssuesTest, ListsPageWithCursorsInEverySort) {
    std::vector<int64_t> ids;
    for (int i = 0; i < 7; ++i) {
        const std::string hash = "h" + std::to_string(i);
        ids.push_back(issue_of(send({.hashes = {hash}, .timestamp = kT0 + i * 10})));
        for (int extra = 0; extra < i % 3; ++extra) {
            send({.hashes = {hash},
                  .timestamp = kT0 + i * 10 + 1,
                  .user = "id:" + std::to_string(extra)});
        }
    }
    for (const IssueSort sort : {IssueSort::last_seen, IssueSort::first_seen, IssueSort::times_seen,
                                 IssueSort::user_count}) {
        const std::vector<int64_t> all = list("", sort);
        ASSERT_EQ(all.size(), 7u);
        IssueListRequest request;
        request.project_ids = {project_.id};
        request.sort = sort;
        request.limit = 3;
        request.now = kT0;
        std::vector<int64_t> paged;
        std::vector<IssueListPage> pages;
        for (;;) {
            IssueListPage page = store_->list_issues(request);
            EXPECT_EQ(page.hits, 7);
            for (const Issue& found : page.issues) paged.push_back(found.id);
            pages.push_back(page);
            if (!page.has_next) break;
            request.cursor = page.next;
        }
        EXPECT_EQ(paged, all);
        ASSERT_EQ(pages.size(), 3u);
        EXPECT_FALSE(pages[0].has_previous);
        // Stepping back from the last page gives the middle one.
        request.cursor = pages[2].previous;
        const IssueListPage back = store_->list_issues(request);
        ASSERT_EQ(back.issues.size(), 3u);
        EXPECT_EQ(back.issues[0].id, pages[1].issues[0].id);
        EXPECT_EQ(back.issues[2].id, pages[1].issues[2].id);
        EXPECT_TRUE(back.has_next);
        EXPECT_TRUE(back.has_previous);
    }
}

TEST_F(StoreIssuesTest, DeleteRemovesTheIssueAndItsEvents) {
    const std::string event_id = send({.tags = {{"browser", "Chrome"}}});
    const int64_t id = issue_of(event_id);
    EXPECT_EQ(store_->delete_issues({id, 424242}), 1u);
    EXPECT_FALSE(store_->find_issue(id).has_value());
    EXPECT_FALSE(store_->find_event(project_.id, event_id).has_value());
    EXPECT_TRUE(store_->issue_tag_keys(id, 5, std::nullopt).empty());
    // The same hash later opens a new issue.
    const int64_t again = issue_of(send({}));
    EXPECT_NE(again, id);
}

TEST_F(StoreIssuesTest, EventsOfAnIssueNewestFirstWithNeighbours) {
    const std::string a = send({.timestamp = kT0});
    const std::string b = send({.timestamp = kT0 + 1});
    const std::string c = send({.timestamp = kT0 + 2});
    const int64_t id = issue_of(a);
    const auto events = store_->list_issue_events(id, 10, 0, false);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].event_id, c);
    EXPECT_EQ(events[2].event_id, a);
    EXPECT_EQ(store_->pick_issue_event(id, Store::Pick::latest)->event_id, c);
    EXPECT_EQ(store_->pick_issue_event(id, Store::Pick::oldest)->event_id, a);
    const auto [previous, next] = store_->neighbour_events(id, b);
    EXPECT_EQ(previous, a);
    EXPECT_EQ(next, c);
    EXPECT_EQ(store_->list_project_events(project_.id, 2, 1, false).size(), 2u);
}

}  // namespace
}  // namespace lt
