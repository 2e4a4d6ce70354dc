#include "store/issue_search.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "issues/issue.h"
#include "issues/search_query.h"
#include "store/store.h"

namespace lt {
namespace {

using Ids = std::vector<int64_t>;

constexpr double kNow = 1700000000;  // 2023-11-14T22:13:20Z
constexpr double kHour = 3600;
constexpr double kDay = 86400;
constexpr double kNov1Noon = 1698840000;  // 2023-11-01T12:00:00Z
constexpr double kNov10Ten = 1699610400;  // 2023-11-10T10:00:00Z

struct GroupRow {
    int64_t id;
    int64_t project_id;
    std::string status;
    std::string substatus;
    double substatus_at;
    std::string level;
    double first_seen;
    double last_seen;
    int64_t times_seen;
    std::optional<std::string> first_release;
    int64_t unhandled;
    std::string title;
    std::string culprit;
    std::string type;
};

struct TagRow {
    int64_t group_id;
    std::string key;
    std::string value;
    int64_t visible = 1;
};

const GroupRow kGroups[] = {
    {1, 1, "unresolved", "new", kNow - kDay, "error", kNow - kDay, kNow - kHour, 5, "1.0", 1,
     "TypeError: Cannot read property 'x' of undefined", "app/main.js in render", "error"},
    {2, 1, "unresolved", "new", kNow - 8 * kDay, "warning", kNow - 8 * kDay, kNow - 2 * kDay, 150,
     "2.0", 0, "Timeout while fetching 100% of data_set", "api/fetch.py in get", "default"},
    {3, 1, "unresolved", "regressed", kNow - 2 * kHour, "fatal", kNow - 30 * kDay, kNow - 600, 1500,
     std::nullopt, 1, "ZeroDivisionError: division by zero", "calc\\math.py in divide", "error"},
    {4, 1, "unresolved", "ongoing", kNow - 20 * kDay, "info", kNov1Noon, kNov10Ten, 1, "2.0-beta",
     0, "Log message: user *star* logged in", "auth", "default"},
    {5, 1, "resolved", "", kNow - 40 * kDay, "error", kNow - 60 * kDay, kNow - 40 * kDay, 20, "1.0",
     0, "KeyError: 'name'", "app/models.py in load", "error"},
    {6, 1, "ignored", "archived_forever", kNow - 3 * kDay, "debug", kNow - 90 * kDay,
     kNow - 3 * kDay, 7, std::nullopt, 0, "Deprecation warning in dataXset", "lib/old.js",
     "default"},
    {7, 2, "ignored", "archived_until_condition_met", kNow - kDay, "sample", kNow - 5 * kDay,
     kNow - kDay, 3, "9.0", 0, "CSP violation", "inline script", "csp"},
    // Regressed exactly 7 days ago: already ongoing.
    {8, 1, "unresolved", "regressed", kNow - 7 * kDay, "error", kNow - 50 * kDay, kNow - 7 * kDay,
     40, "2.0", 1, "ValueError: bad value", "app/forms.py in clean", "error"},
};

const TagRow kTags[] = {
    {1, "environment", "production"},
    {1, "release", "1.0"},
    {1, "browser", "Chrome 118"},
    {1, "browser.name", "Chrome"},
    {1, "server_name", "web-1"},
    {1, "level", "error"},
    {1, "url", "https://example.com/checkout?a=1"},
    {1, "feature.flag", "on"},
    {1, "transaction", "/checkout"},
    {1, "user.email", "jane@example.com", 0},
    {1, "user.id", "7", 0},
    {1, "error.type", "TypeError", 0},
    {1, "error.value", "Cannot read property 'x' of undefined", 0},
    {1, "stack.filename", "app/main.js", 0},
    {1, "stack.function", "render", 0},
    {2, "environment", "staging"},
    {2, "release", "2.0"},
    {2, "release", "1.0"},
    {2, "browser", "Safari 11.1"},
    {2, "browser.name", "Safari"},
    {2, "server_name", "web-8"},
    {2, "path", "100%_done"},
    {2, "note", "a\\b"},
    {2, "transaction", "/api/items"},
    {2, "user.email", "bob@Example.com", 0},
    {2, "user.id", "42", 0},
    {3, "environment", "production"},
    {3, "release", "2.0"},
    {3, "server_name", "web-80"},
    {3, "pattern", "a*b"},
    {3, "user.ip", "10.0.0.1", 0},
    {3, "user.username", "Jane Doe", 0},
    {3, "error.type", "ZeroDivisionError", 0},
    {3, "error.value", "division by zero", 0},
    {3, "stack.filename", "calc/math.py", 0},
    {3, "stack.function", "divide", 0},
    {4, "server_name", "web-9"},
    {4, "path", "100x_done"},
    {4, "pattern", "axb"},
    {4, "user.id", "7", 0},
    {5, "environment", "production"},
    {5, "release", "1.0"},
    {5, "browser", "Chrome 99"},
    {7, "environment", "production"},
    {7, "release", "9.0"},
    {8, "environment", "production"},
    {8, "release", "2.0-beta"},
    {8, "browser", "firefox 120"},
};

struct ReleaseRow {
    int64_t project_id;
    std::string version;
    double first_seen;
};

// Project 1's latest is 2.0 (it ties with 1.5 on first_seen and has the greater version);
// project 2's is 9.0.
const ReleaseRow kReleases[] = {
    {1, "1.0", kNow - 100 * kDay},     {1, "1.5", kNow - 10 * kDay}, {1, "2.0", kNow - 10 * kDay},
    {1, "2.0-beta", kNow - 12 * kDay}, {2, "9.0", kNow - 5 * kDay},  {2, "1.0", kNow - 50 * kDay},
};

struct EventRow {
    int64_t group_id;
    double timestamp;
};

const EventRow kEvents[] = {
    {1, kNow - kDay},      {1, kNow - kHour},     {2, kNow - 8 * kDay}, {2, kNow - 2 * kDay},
    {3, kNow - 30 * kDay}, {3, kNow - 600},       {4, kNov1Noon},       {4, kNov10Ten},
    {5, kNow - 60 * kDay}, {8, kNow - 50 * kDay}, {8, kNow - 7 * kDay},
};

const Ids kAll = {1, 2, 3, 4, 5, 6, 7, 8};

class IssueSearchTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        dir_ = std::filesystem::temp_directory_path() /
               ("lt-issue-search-test-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        const std::filesystem::path path = dir_ / "lighttrace.db";
        store_ = open_sqlite_store(path);
        ASSERT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
        sqlite3_busy_timeout(db_, 5000);
        insert_fixtures();
    }

    void TearDown() override {
        sqlite3_close(db_);
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    sqlite3_stmt* prepare(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db_) << "\n"
            << sql;
        return stmt;
    }

    static void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
        sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT);
    }

    void run(sqlite3_stmt* stmt) {
        EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db_);
        sqlite3_finalize(stmt);
    }

    void insert_fixtures() {
        ASSERT_EQ(sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
        for (const GroupRow& row : kGroups) {
            sqlite3_stmt* stmt = prepare(
                "INSERT INTO groups (id, project_id, short_number, type, title, culprit, metadata, "
                "level, platform, logger, status, substatus, substatus_at, status_details, "
                "first_seen, last_seen, times_seen, user_count, first_release, last_release, "
                "unhandled, grouping_config) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, 'python', '', ?, "
                "?, ?, '{}', ?, ?, ?, 1, ?, ?, ?, 'newstyle:2023-01-11')");
            sqlite3_bind_int64(stmt, 1, row.id);
            sqlite3_bind_int64(stmt, 2, row.project_id);
            sqlite3_bind_int64(stmt, 3, row.id);
            bind_text(stmt, 4, row.type);
            bind_text(stmt, 5, row.title);
            bind_text(stmt, 6, row.culprit);
            bind_text(stmt, 7, row.level);
            bind_text(stmt, 8, row.status);
            bind_text(stmt, 9, row.substatus);
            sqlite3_bind_double(stmt, 10, row.substatus_at);
            sqlite3_bind_double(stmt, 11, row.first_seen);
            sqlite3_bind_double(stmt, 12, row.last_seen);
            sqlite3_bind_int64(stmt, 13, row.times_seen);
            for (const int index : {14, 15}) {
                if (row.first_release) {
                    bind_text(stmt, index, *row.first_release);
                } else {
                    sqlite3_bind_null(stmt, index);
                }
            }
            sqlite3_bind_int64(stmt, 16, row.unhandled);
            run(stmt);
        }
        for (const TagRow& row : kTags) {
            sqlite3_stmt* stmt = prepare(
                "INSERT INTO group_tag_values (group_id, key, value, visible, times_seen, "
                "first_seen, last_seen) VALUES (?, ?, ?, ?, 1, 0, 0)");
            sqlite3_bind_int64(stmt, 1, row.group_id);
            bind_text(stmt, 2, row.key);
            bind_text(stmt, 3, row.value);
            sqlite3_bind_int64(stmt, 4, row.visible);
            run(stmt);
        }
        for (const ReleaseRow& row : kReleases) {
            sqlite3_stmt* stmt = prepare(
                "INSERT INTO releases (project_id, version, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?)");
            sqlite3_bind_int64(stmt, 1, row.project_id);
            bind_text(stmt, 2, row.version);
            sqlite3_bind_double(stmt, 3, row.first_seen);
            sqlite3_bind_double(stmt, 4, row.first_seen);
            run(stmt);
        }
        int n = 0;
        for (const EventRow& row : kEvents) {
            sqlite3_stmt* stmt = prepare(
                "INSERT INTO items (project_id, type, event_id, ordinal, received_at, timestamp, "
                "raw_size, payload, group_id) VALUES (1, 'event', ?, 0, ?, ?, 0, x'', ?)");
            bind_text(stmt, 1, "event-" + std::to_string(++n));
            sqlite3_bind_double(stmt, 2, row.timestamp);
            sqlite3_bind_double(stmt, 3, row.timestamp);
            sqlite3_bind_int64(stmt, 4, row.group_id);
            run(stmt);
        }
        ASSERT_EQ(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    }

    // The ids of the groups the condition selects, in id order.
    Ids select(const SqlCondition& condition) {
        sqlite3_stmt* stmt =
            prepare("SELECT g.id FROM groups g WHERE " + condition.sql + " ORDER BY g.id");
        if (!stmt) return {};
        EXPECT_EQ(static_cast<size_t>(sqlite3_bind_parameter_count(stmt)), condition.params.size())
            << condition.sql;
        int index = 0;
        for (const SqlValue& value : condition.params) {
            ++index;
            if (const auto* integer = std::get_if<int64_t>(&value)) {
                sqlite3_bind_int64(stmt, index, *integer);
            } else if (const auto* real = std::get_if<double>(&value)) {
                sqlite3_bind_double(stmt, index, *real);
            } else {
                bind_text(stmt, index, std::get<std::string>(value));
            }
        }
        Ids ids;
        int rc = 0;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            ids.push_back(sqlite3_column_int64(stmt, 0));
        EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db_) << "\n" << condition.sql;
        sqlite3_finalize(stmt);
        return ids;
    }

    static SqlCondition compile(const std::string& query, double now = kNow) {
        const SearchQueryParse parsed = parse_search_query(query, now);
        EXPECT_TRUE(parsed.query.has_value()) << query << ": " << parsed.error.message;
        if (!parsed.query) return {"1=0", {}};
        return compile_issue_search(*parsed.query, now);
    }

    // The ids a query selects. Runs it twice, the second time with case-sensitive LIKE (as on
    // PostgreSQL), which must not change the result.
    Ids ids(const std::string& query, double now = kNow) {
        const SqlCondition condition = compile(query, now);
        const Ids first = select(condition);
        EXPECT_EQ(sqlite3_exec(db_, "PRAGMA case_sensitive_like = ON", nullptr, nullptr, nullptr),
                  SQLITE_OK);
        const Ids second = select(condition);
        EXPECT_EQ(sqlite3_exec(db_, "PRAGMA case_sensitive_like = OFF", nullptr, nullptr, nullptr),
                  SQLITE_OK);
        EXPECT_EQ(first, second) << query << "\n" << condition.sql;
        return first;
    }

    std::filesystem::path dir_;
    std::unique_ptr<Store> store_;
    sqlite3* db_ = nullptr;
};

TEST_F(IssueSearchTest, EmptyQueryMatchesEverything) {
    const SqlCondition condition = compile("");
    EXPECT_EQ(condition.sql, "1=1");
    EXPECT_TRUE(condition.params.empty());
    EXPECT_EQ(ids(""), kAll);
    EXPECT_EQ(ids("   "), kAll);
}

TEST_F(IssueSearchTest, SqlShapeAndParameters) {
    const SqlCondition level = compile("level:error");
    EXPECT_EQ(level.sql, "g.level = ?");
    ASSERT_EQ(level.params.size(), 1u);
    EXPECT_EQ(std::get<std::string>(level.params[0]), "error");

    const SqlCondition text = compile("Foo_1%");
    EXPECT_EQ(text.sql,
              "(lower(g.title) LIKE lower(?) ESCAPE '\\' OR lower(g.culprit) LIKE lower(?) "
              "ESCAPE '\\')");
    ASSERT_EQ(text.params.size(), 2u);
    EXPECT_EQ(std::get<std::string>(text.params[0]), "%Foo\\_1\\%%");
    EXPECT_EQ(std::get<std::string>(text.params[1]), "%Foo\\_1\\%%");

    // Whole numbers bind as integers, others as reals.
    const SqlCondition thousands = compile("times_seen:>1.5k");
    ASSERT_EQ(thousands.params.size(), 1u);
    EXPECT_EQ(std::get<int64_t>(thousands.params[0]), 1500);
    const SqlCondition fraction = compile("times_seen:>4.5");
    ASSERT_EQ(fraction.params.size(), 1u);
    EXPECT_EQ(std::get<double>(fraction.params[0]), 4.5);
}

TEST_F(IssueSearchTest, ValuesAreParametersNeverSql) {
    const SqlCondition condition = compile(R"(environment:"x' OR '1'='1" ' or 1=1 --)");
    EXPECT_EQ(condition.sql.find("'1'='1"), std::string::npos);
    EXPECT_EQ(condition.sql.find("--"), std::string::npos);
    EXPECT_EQ(ids(R"(environment:"x' OR '1'='1")"), Ids{});
    EXPECT_EQ(ids("'; DROP TABLE groups; --"), Ids{});
    EXPECT_EQ(ids(""), kAll);
}

TEST_F(IssueSearchTest, Status) {
    EXPECT_EQ(ids("is:unresolved"), (Ids{1, 2, 3, 4, 8}));
    EXPECT_EQ(ids("is:resolved"), (Ids{5}));
    EXPECT_EQ(ids("is:ignored"), (Ids{6, 7}));
    EXPECT_EQ(ids("is:archived"), (Ids{6, 7}));
    EXPECT_EQ(ids("is:muted"), (Ids{6, 7}));
    EXPECT_EQ(ids("!is:unresolved"), (Ids{5, 6, 7}));
    EXPECT_EQ(ids("is:unresolved !is:resolved"), (Ids{1, 2, 3, 4, 8}));
    EXPECT_EQ(ids("is:archived_forever"), (Ids{6}));
    EXPECT_EQ(ids("is:archived_until_condition_met"), (Ids{7}));
    EXPECT_EQ(ids("!is:archived_forever"), (Ids{1, 2, 3, 4, 5, 7, 8}));
}

TEST_F(IssueSearchTest, SubstatusAging) {
    // Group 2 became new 8 days ago and group 8 regressed exactly 7 days ago: both ongoing.
    EXPECT_EQ(ids("is:new"), (Ids{1}));
    EXPECT_EQ(ids("is:regressed"), (Ids{3}));
    EXPECT_EQ(ids("is:ongoing"), (Ids{2, 4, 8}));
    EXPECT_EQ(ids("!is:new"), (Ids{2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(ids("!is:ongoing"), (Ids{1, 3, 5, 6, 7}));
    EXPECT_EQ(ids("is:unresolved is:new"), (Ids{1}));
    // A week later everything unresolved is ongoing.
    EXPECT_EQ(ids("is:new", kNow + 7 * kDay), Ids{});
    EXPECT_EQ(ids("is:regressed", kNow + 7 * kDay), Ids{});
    EXPECT_EQ(ids("is:ongoing", kNow + 7 * kDay), (Ids{1, 2, 3, 4, 8}));
    // Agrees with effective_substatus at the boundary.
    Issue aged;
    aged.status = "unresolved";
    aged.substatus = "regressed";
    aged.substatus_at = kNow - 7 * kDay;
    EXPECT_EQ(effective_substatus(aged, kNow), "ongoing");
}

TEST_F(IssueSearchTest, UnsupportedStatusesMatchNothingOrEverything) {
    for (const char* nothing : {"is:escalating", "is:archived_until_escalating", "is:reprocessing",
                                "is:assigned", "is:for_review", "is:linked"}) {
        EXPECT_EQ(ids(nothing), Ids{}) << nothing;
        EXPECT_EQ(ids(std::string("!") + nothing), kAll) << nothing;
    }
    for (const char* everything : {"is:unassigned", "is:unlinked"}) {
        EXPECT_EQ(ids(everything), kAll) << everything;
        EXPECT_EQ(ids(std::string("!") + everything), Ids{}) << everything;
    }
    EXPECT_EQ(ids("is:unassigned is:resolved"), (Ids{5}));
    EXPECT_EQ(ids("assigned:me"), Ids{});
    EXPECT_EQ(ids("assigned:[me, #team]"), Ids{});
    EXPECT_EQ(ids("!assigned:me"), kAll);
    EXPECT_EQ(ids("bookmarks:me"), Ids{});
    EXPECT_EQ(ids("has:assigned"), Ids{});
    EXPECT_EQ(ids("!has:bookmarks"), kAll);
}

TEST_F(IssueSearchTest, LevelAndPriority) {
    EXPECT_EQ(ids("level:error"), (Ids{1, 5, 8}));
    EXPECT_EQ(ids("level:[fatal, warning]"), (Ids{2, 3}));
    EXPECT_EQ(ids("!level:error"), (Ids{2, 3, 4, 6, 7}));
    EXPECT_EQ(ids("level:!=error"), (Ids{2, 3, 4, 6, 7}));
    EXPECT_EQ(ids("has:level"), kAll);
    EXPECT_EQ(ids("!has:level"), Ids{});
    EXPECT_EQ(ids("issue.priority:high"), (Ids{1, 3, 5, 8}));
    EXPECT_EQ(ids("issue.priority:medium"), (Ids{2}));
    EXPECT_EQ(ids("issue.priority:low"), (Ids{4, 6, 7}));
    EXPECT_EQ(ids("issue.priority:[medium, low]"), (Ids{2, 4, 6, 7}));
    EXPECT_EQ(ids("!issue.priority:high"), (Ids{2, 4, 6, 7}));
    EXPECT_EQ(ids("!issue.priority:low"), (Ids{1, 2, 3, 5, 8}));
}

TEST_F(IssueSearchTest, TimesSeen) {
    EXPECT_EQ(ids("times_seen:>10"), (Ids{2, 3, 5, 8}));
    EXPECT_EQ(ids("times_seen:>=1.5k"), (Ids{3}));
    EXPECT_EQ(ids("timesSeen:>0.15k"), (Ids{3}));
    EXPECT_EQ(ids("times_seen:>4.5"), (Ids{1, 2, 3, 5, 6, 8}));
    EXPECT_EQ(ids("times_seen:<5"), (Ids{4, 7}));
    EXPECT_EQ(ids("times_seen:<=5"), (Ids{1, 4, 7}));
    EXPECT_EQ(ids("times_seen:20"), (Ids{5}));
    EXPECT_EQ(ids("times_seen:[1, 7]"), (Ids{4, 6}));
    EXPECT_EQ(ids("!times_seen:>10"), (Ids{1, 4, 6, 7}));
    EXPECT_EQ(ids("times_seen:>1 times_seen:<=20"), (Ids{1, 5, 6, 7}));
    EXPECT_EQ(ids("has:times_seen"), kAll);
}

TEST_F(IssueSearchTest, RelativeDates) {
    EXPECT_EQ(ids("age:-7d"), (Ids{1, 7}));
    EXPECT_EQ(ids("age:+7d"), (Ids{2, 3, 4, 5, 6, 8}));
    EXPECT_EQ(ids("!age:-7d"), (Ids{2, 3, 4, 5, 6, 8}));
    EXPECT_EQ(ids("firstSeen:-2w"), (Ids{1, 2, 4, 7}));
    EXPECT_EQ(ids("first_seen:-14d"), (Ids{1, 2, 4, 7}));
    // Group 7 was last seen exactly 24 hours ago: "within" includes the bound.
    EXPECT_EQ(ids("lastSeen:-24h"), (Ids{1, 3, 7}));
    EXPECT_EQ(ids("last_seen:-90m"), (Ids{1, 3}));
    EXPECT_EQ(ids("last_seen:+30d"), (Ids{5}));
    EXPECT_EQ(ids("age:-30d lastSeen:-1d"), (Ids{1, 3, 7}));  // 30 days: bound included
}

TEST_F(IssueSearchTest, AbsoluteDates) {
    EXPECT_EQ(ids("first_seen:2023-11-01"), (Ids{4}));
    EXPECT_EQ(ids("first_seen:2023-11-02"), Ids{});
    EXPECT_EQ(ids("!first_seen:2023-11-01"), (Ids{1, 2, 3, 5, 6, 7, 8}));
    // A date-time without operator is [t - 5 min, t + 6 min).
    EXPECT_EQ(ids("first_seen:2023-11-01T12:03:00Z"), (Ids{4}));
    EXPECT_EQ(ids("first_seen:2023-11-01T11:54:01Z"), (Ids{4}));
    EXPECT_EQ(ids("first_seen:2023-11-01T12:10:00Z"), Ids{});
    EXPECT_EQ(ids("first_seen:2023-11-01T14:00:00+02:00"), (Ids{4}));
    EXPECT_EQ(ids("first_seen:>2023-11-01T00:00:00Z"), (Ids{1, 2, 4, 7}));
    EXPECT_EQ(ids("first_seen:<=2023-11-01"), (Ids{3, 5, 6, 8}));
    EXPECT_EQ(ids("first_seen:>2023-11-01T12:00:00Z"), (Ids{1, 2, 7}));
    EXPECT_EQ(ids("first_seen:>=2023-11-01T12:00:00Z"), (Ids{1, 2, 4, 7}));
    EXPECT_EQ(ids("last_seen:2023-11-10"), (Ids{4}));
    EXPECT_EQ(ids("last_seen:<2023-11-10T10:00:00Z"), (Ids{5, 8}));
}

TEST_F(IssueSearchTest, EventTimestamp) {
    EXPECT_EQ(ids("event.timestamp:-2h"), (Ids{1, 3}));
    EXPECT_EQ(ids("!event.timestamp:-2h"), (Ids{2, 4, 5, 6, 7, 8}));
    EXPECT_EQ(ids("event.timestamp:>2023-11-10T00:00:00Z"), (Ids{1, 2, 3, 4}));
    EXPECT_EQ(ids("event.timestamp:2023-11-01"), (Ids{4}));
    EXPECT_EQ(ids("event.timestamp:2023-11-10T10:04:00Z"), (Ids{4}));
    // Group 2 has events 8 and 2 days ago: one of them is older than 7 days.
    EXPECT_EQ(ids("event.timestamp:+7d"), (Ids{2, 3, 4, 5, 8}));
    EXPECT_EQ(ids("event.timestamp:+7d event.timestamp:-3d"), (Ids{2, 3}));
    EXPECT_EQ(ids("has:event.timestamp"), (Ids{1, 2, 3, 4, 5, 8}));
    EXPECT_EQ(ids("!has:event.timestamp"), (Ids{6, 7}));
}

TEST_F(IssueSearchTest, Environment) {
    EXPECT_EQ(ids("environment:production"), (Ids{1, 3, 5, 7, 8}));
    EXPECT_EQ(ids("!environment:production"), (Ids{2, 4, 6}));
    EXPECT_EQ(ids("environment:!=production"), (Ids{2, 4, 6}));
    EXPECT_EQ(ids("environment:[staging, production]"), (Ids{1, 2, 3, 5, 7, 8}));
    EXPECT_EQ(ids("!environment:[staging, production]"), (Ids{4, 6}));
    // Exact matches are case-sensitive, wildcard matches are not.
    EXPECT_EQ(ids("environment:Production"), Ids{});
    EXPECT_EQ(ids("environment:prod*"), (Ids{1, 3, 5, 7, 8}));
    EXPECT_EQ(ids("environment:PROD*"), (Ids{1, 3, 5, 7, 8}));
    EXPECT_EQ(ids("environment:*ing"), (Ids{2}));
    EXPECT_EQ(ids("environment:[*ing, production]"), (Ids{1, 2, 3, 5, 7, 8}));
    EXPECT_EQ(ids("has:environment"), (Ids{1, 2, 3, 5, 7, 8}));
    EXPECT_EQ(ids("!has:environment"), (Ids{4, 6}));
    // An empty value: the tag is absent.
    EXPECT_EQ(ids(R"(environment:"")"), (Ids{4, 6}));
    EXPECT_EQ(ids(R"(!environment:"")"), (Ids{1, 2, 3, 5, 7, 8}));
    EXPECT_EQ(ids(R"(environment:[staging, ""])"), (Ids{2, 4, 6}));
}

TEST_F(IssueSearchTest, Release) {
    EXPECT_EQ(ids("release:1.0"), (Ids{1, 2, 5}));
    EXPECT_EQ(ids("!release:1.0"), (Ids{3, 4, 6, 7, 8}));
    EXPECT_EQ(ids("release:2.0*"), (Ids{2, 3, 8}));
    EXPECT_EQ(ids("has:release"), (Ids{1, 2, 3, 5, 7, 8}));
    EXPECT_EQ(ids("!has:release"), (Ids{4, 6}));
    // latest: 2.0 in project 1 (tie on first_seen with 1.5, greater version), 9.0 in project 2.
    EXPECT_EQ(ids("release:latest"), (Ids{2, 3, 7}));
    EXPECT_EQ(ids("!release:latest"), (Ids{1, 4, 5, 6, 8}));
    EXPECT_EQ(ids("release:[latest, 1.0]"), (Ids{1, 2, 3, 5, 7}));
    EXPECT_EQ(ids("tags[release]:latest"), Ids{});  // a plain tag value, not the special one
}

TEST_F(IssueSearchTest, FirstRelease) {
    EXPECT_EQ(ids("first_release:1.0"), (Ids{1, 5}));
    EXPECT_EQ(ids("firstRelease:1.0"), (Ids{1, 5}));
    // Issues without a first release are not 1.0 either.
    EXPECT_EQ(ids("!first_release:1.0"), (Ids{2, 3, 4, 6, 7, 8}));
    EXPECT_EQ(ids("first-release:2.0*"), (Ids{2, 4, 8}));
    EXPECT_EQ(ids("!first_release:2.0*"), (Ids{1, 3, 5, 6, 7}));
    EXPECT_EQ(ids("first_release:[1.0, 9.0]"), (Ids{1, 5, 7}));
    EXPECT_EQ(ids("firstRelease:latest"), (Ids{2, 7, 8}));
    EXPECT_EQ(ids("!firstRelease:latest"), (Ids{1, 3, 4, 5, 6}));
    EXPECT_EQ(ids("has:first_release"), (Ids{1, 2, 4, 5, 7, 8}));
    EXPECT_EQ(ids("!has:first_release"), (Ids{3, 6}));
    EXPECT_EQ(ids(R"(first_release:"")"), (Ids{3, 6}));
    EXPECT_EQ(ids(R"(first_release:["", 9.0])"), (Ids{3, 6, 7}));
}

TEST_F(IssueSearchTest, UserAndErrorFields) {
    EXPECT_EQ(ids("user.email:jane@example.com"), (Ids{1}));
    EXPECT_EQ(ids("user.email:*@example.com"), (Ids{1, 2}));
    EXPECT_EQ(ids("user.email:bob@example.com"), Ids{});  // stored as bob@Example.com
    EXPECT_EQ(ids("user.id:7"), (Ids{1, 4}));
    EXPECT_EQ(ids("user.id:[7, 42]"), (Ids{1, 2, 4}));
    EXPECT_EQ(ids("!user.id:7"), (Ids{2, 3, 5, 6, 7, 8}));
    EXPECT_EQ(ids(R"(user.username:"Jane Doe")"), (Ids{3}));
    EXPECT_EQ(ids("user.ip:10.0.0.1"), (Ids{3}));
    EXPECT_EQ(ids("has:user.email"), (Ids{1, 2}));
    EXPECT_EQ(ids("!has:user.ip"), (Ids{1, 2, 4, 5, 6, 7, 8}));
    EXPECT_EQ(ids("error.type:TypeError"), (Ids{1}));
    EXPECT_EQ(ids("error.type:*Error"), (Ids{1, 3}));
    EXPECT_EQ(ids(R"(error.value:"division by zero")"), (Ids{3}));
    EXPECT_EQ(ids("error.value:*property*"), (Ids{1}));
    EXPECT_EQ(ids("stack.filename:app/main.js"), (Ids{1}));
    EXPECT_EQ(ids("stack.filename:*.py"), (Ids{3}));
    EXPECT_EQ(ids("stack.function:divide"), (Ids{3}));
    EXPECT_EQ(ids("transaction:/checkout"), (Ids{1}));
    EXPECT_EQ(ids("transaction:/api/*"), (Ids{2}));
    EXPECT_EQ(ids("has:transaction"), (Ids{1, 2}));
}

TEST_F(IssueSearchTest, CustomTags) {
    EXPECT_EQ(ids("server_name:web-8"), (Ids{2}));
    EXPECT_EQ(ids("server_name:web-8*"), (Ids{2, 3}));
    EXPECT_EQ(ids("!server_name:web-8*"), (Ids{1, 4, 5, 6, 7, 8}));
    EXPECT_EQ(ids("browser.name:Chrome"), (Ids{1}));
    EXPECT_EQ(ids(R"(browser:"Chrome 118")"), (Ids{1}));
    EXPECT_EQ(ids(R"(browser:"Safari 11*")"), (Ids{2}));
    EXPECT_EQ(ids("browser:Chrome*"), (Ids{1, 5}));
    EXPECT_EQ(ids("browser:*FIREFOX*"), (Ids{8}));
    EXPECT_EQ(ids("has:server_name"), (Ids{1, 2, 3, 4}));
    EXPECT_EQ(ids("!has:browser"), (Ids{3, 4, 6, 7}));
    EXPECT_EQ(ids("feature.flag:on"), (Ids{1}));
    EXPECT_EQ(ids(R"(url:"https://example.com/checkout?a=1")"), (Ids{1}));
    EXPECT_EQ(ids("tags[level]:error"), (Ids{1}));
    EXPECT_EQ(ids("tags[user.email]:jane@example.com"), (Ids{1}));
    EXPECT_EQ(ids("no_such_tag:x"), Ids{});
    EXPECT_EQ(ids("!no_such_tag:x"), kAll);
    EXPECT_EQ(ids("server_name:[web-1, web-9] environment:production"), (Ids{1}));
}

TEST_F(IssueSearchTest, LiteralLikeCharactersAndEscapes) {
    // % and _ in values are literal, both in exact values and in patterns.
    EXPECT_EQ(ids(R"(path:"100%_done")"), (Ids{2}));
    EXPECT_EQ(ids("path:100x_done"), (Ids{4}));
    EXPECT_EQ(ids("path:100_done"), Ids{});
    EXPECT_EQ(ids("path:*%_*"), (Ids{2}));
    EXPECT_EQ(ids("path:100%*"), (Ids{2}));
    EXPECT_EQ(ids("path:*_done"), (Ids{2, 4}));
    EXPECT_EQ(ids("path:100_*"), Ids{});
    // \* is a literal star; a lone * a wildcard.
    EXPECT_EQ(ids(R"(pattern:"a\*b")"), (Ids{3}));
    EXPECT_EQ(ids(R"(pattern:a\*b)"), (Ids{3}));
    EXPECT_EQ(ids("pattern:a*b"), (Ids{3, 4}));
    EXPECT_EQ(ids(R"(pattern:a\**)"), (Ids{3}));
    EXPECT_EQ(ids(R"(pattern:[a\*b, axb])"), (Ids{3, 4}));
    EXPECT_EQ(ids(R"(pattern:[a\*b, x*])"), (Ids{3}));
    // Backslashes.
    EXPECT_EQ(ids(R"(note:"a\\b")"), (Ids{2}));
    EXPECT_EQ(ids(R"(note:a\b)"), (Ids{2}));
    EXPECT_EQ(ids(R"(note:a\\*)"), (Ids{2}));
    EXPECT_EQ(ids(R"(note:*\\*)"), (Ids{2}));
}

TEST_F(IssueSearchTest, HandledAndCategory) {
    EXPECT_EQ(ids("error.unhandled:true"), (Ids{1, 3, 8}));
    EXPECT_EQ(ids("error.unhandled:1"), (Ids{1, 3, 8}));
    EXPECT_EQ(ids("error.handled:false"), (Ids{1, 3, 8}));
    EXPECT_EQ(ids("error.handled:true"), (Ids{2, 4, 5, 6, 7}));
    EXPECT_EQ(ids("error.unhandled:0"), (Ids{2, 4, 5, 6, 7}));
    EXPECT_EQ(ids("!error.unhandled:true"), (Ids{2, 4, 5, 6, 7}));
    EXPECT_EQ(ids("issue.category:error"), (Ids{1, 2, 3, 4, 5, 6, 8}));
    EXPECT_EQ(ids("!issue.category:error"), (Ids{7}));
    EXPECT_EQ(ids("issue.category:feedback"), Ids{});
    EXPECT_EQ(ids("!issue.category:feedback"), kAll);
    EXPECT_EQ(ids("issue.category:[feedback, error]"), (Ids{1, 2, 3, 4, 5, 6, 8}));
    EXPECT_EQ(ids("issue.category:ERR*"), (Ids{1, 2, 3, 4, 5, 6, 8}));
    EXPECT_EQ(ids("issue.category:perf*"), Ids{});
    EXPECT_EQ(ids("has:issue.category"), kAll);
}

TEST_F(IssueSearchTest, Message) {
    EXPECT_EQ(ids("message:timeout"), (Ids{2}));
    EXPECT_EQ(ids(R"(message:"division by")"), (Ids{3}));
    EXPECT_EQ(ids("message:app/"), (Ids{1, 5, 8}));  // culprits
    EXPECT_EQ(ids("message:Timeout*"), (Ids{2}));
    EXPECT_EQ(ids("message:*Timeout"), Ids{});
    EXPECT_EQ(ids("message:*data?set*"), Ids{});
    EXPECT_EQ(ids("message:[keyerror, csp]"), (Ids{5, 7}));
    EXPECT_EQ(ids("!message:error"), (Ids{2, 4, 6, 7}));
    EXPECT_EQ(ids(R"(message:"*\*star\**")"), (Ids{4}));
}

TEST_F(IssueSearchTest, FreeText) {
    EXPECT_EQ(ids("timeout"), (Ids{2}));
    EXPECT_EQ(ids("ZERODIVISION"), (Ids{3}));
    EXPECT_EQ(ids("division by zero"), (Ids{3}));
    EXPECT_EQ(ids("zero division"), Ids{});
    EXPECT_EQ(ids(R"("division   by")"), Ids{});  // quoted: spaces kept
    EXPECT_EQ(ids("in render"), (Ids{1}));        // culprit
    EXPECT_EQ(ids("%"), (Ids{2}));
    EXPECT_EQ(ids("data_set"), (Ids{2}));  // not dataXset
    EXPECT_EQ(ids(R"(calc\math)"), (Ids{3}));
    EXPECT_EQ(ids("*star*"), (Ids{4}));  // literal stars
    EXPECT_EQ(ids("st*r"), Ids{});
    EXPECT_EQ(ids("is:unresolved error"), (Ids{1, 3, 8}));
    EXPECT_EQ(ids("error level:error is:unresolved"), (Ids{1, 8}));
}

TEST_F(IssueSearchTest, Combinations) {
    EXPECT_EQ(ids("is:unresolved level:error environment:production"), (Ids{1, 8}));
    EXPECT_EQ(ids("is:unresolved !has:environment"), (Ids{4}));
    EXPECT_EQ(ids("release:1.0 !environment:staging times_seen:>=5"), (Ids{1, 5}));
    EXPECT_EQ(ids("issue.priority:high error.unhandled:true age:+7d"), (Ids{3, 8}));
    EXPECT_EQ(ids("is:ongoing firstRelease:latest"), (Ids{2, 8}));
}

// Filters the parser refuses: each makes the whole condition "1=0", even negated.
TEST_F(IssueSearchTest, RefusedFiltersMatchNothing) {
    const auto with = [](SearchFilter filter) {
        SearchQuery query;
        SearchFilter fine;
        fine.key = "level";
        fine.type = SearchValueType::enumeration;
        fine.values = {"error"};
        query.filters = {fine, std::move(filter)};
        query.free_text = "error";
        return query;
    };
    std::vector<SearchFilter> refused;
    {
        SearchFilter f;  // times_seen typed as text
        f.key = "times_seen";
        f.values = {"abc"};
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a list of dates
        f.key = "first_seen";
        f.type = SearchValueType::date;
        f.op = SearchOp::in;
        f.values = {"2023-11-01", "2023-11-02"};
        f.numbers = {1698796800, 1698883200};
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a date eq without its interval
        f.key = "last_seen";
        f.type = SearchValueType::date;
        f.values = {"2023-11-01"};
        f.numbers = {1698796800};
        refused.push_back(f);
    }
    {
        SearchFilter f;
        f.key = "is";
        f.type = SearchValueType::enumeration;
        f.values = {"bogus"};
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a comparison on an enumeration
        f.key = "level";
        f.type = SearchValueType::enumeration;
        f.op = SearchOp::gt;
        f.values = {"error"};
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a comparison on a tag
        f.key = "environment";
        f.op = SearchOp::ge;
        f.values = {"production"};
        refused.push_back(f);
    }
    {
        SearchFilter f;
        f.key = "error.handled";
        f.type = SearchValueType::boolean;
        f.values = {"maybe"};
        refused.push_back(f);
    }
    {
        SearchFilter f;
        f.key = "issue.priority";
        f.type = SearchValueType::enumeration;
        f.values = {"urgent"};
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a field nobody knows
        f.key = "nonsense";
        f.values = {"x"};
        refused.push_back(f);
    }
    {
        SearchFilter f;  // has:is
        f.key = "is";
        f.op = SearchOp::has;
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a tag without values
        f.key = "browser";
        f.kind = SearchKeyKind::tag;
        refused.push_back(f);
    }
    {
        SearchFilter f;  // a number without its parsed value
        f.key = "times_seen";
        f.type = SearchValueType::number;
        f.op = SearchOp::gt;
        f.values = {"10"};
        refused.push_back(f);
    }
    for (SearchFilter& filter : refused) {
        for (const bool negated : {false, true}) {
            filter.negated = negated;
            const SqlCondition condition = compile_issue_search(with(filter), kNow);
            EXPECT_EQ(condition.sql, "1=0") << filter.key << (negated ? " negated" : "");
            EXPECT_TRUE(condition.params.empty());
            EXPECT_EQ(select(condition), Ids{});
        }
    }
    // The same query with an acceptable second filter does match.
    SearchFilter handled;
    handled.key = "error.handled";
    handled.type = SearchValueType::boolean;
    handled.values = {"false"};
    EXPECT_EQ(select(compile_issue_search(with(handled), kNow)), (Ids{1, 8}));
}

}  // namespace
}  // namespace lt
