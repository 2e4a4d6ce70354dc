#include "issues/search_query.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lt {
namespace {

constexpr double kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr double kHour = 3600;
constexpr double kDay = 86400;
constexpr double kJan1 = 1'704'067'200;  // 2024-01-01T00:00:00Z

using Strings = std::vector<std::string>;
using Numbers = std::vector<double>;

SearchQuery parse_ok(std::string_view query) {
    const SearchQueryParse parsed = parse_search_query(query, kNow);
    EXPECT_TRUE(parsed.query) << query << " -> " << parsed.error.message << " at "
                              << parsed.error.position;
    return parsed.query.value_or(SearchQuery{});
}

// The single filter of a query that has no free text.
SearchFilter only_filter(std::string_view query) {
    const SearchQuery parsed = parse_ok(query);
    EXPECT_EQ(parsed.filters.size(), 1u) << query;
    EXPECT_EQ(parsed.free_text, "") << query;
    return parsed.filters.empty() ? SearchFilter{} : parsed.filters.front();
}

SearchQueryError parse_error(std::string_view query) {
    const SearchQueryParse parsed = parse_search_query(query, kNow);
    EXPECT_FALSE(parsed.query) << query << " should not parse";
    return parsed.error;
}

// Checks where an error points; the message is checked where it matters.
void expect_error_at(std::string_view query, size_t position, std::string_view token) {
    const SearchQueryError error = parse_error(query);
    EXPECT_EQ(error.position, position) << query << ": " << error.message;
    EXPECT_EQ(error.token, token) << query << ": " << error.message;
    EXPECT_FALSE(error.message.empty()) << query;
}

// --- basics -----------------------------------------------------------------------------------

TEST(SearchQuery, EmptyAndBlankQueriesHaveNoFilters) {
    for (const char* query : {"", " ", "   \t\n  "}) {
        const SearchQuery parsed = parse_ok(query);
        EXPECT_TRUE(parsed.filters.empty()) << '"' << query << '"';
        EXPECT_EQ(parsed.free_text, "");
    }
}

TEST(SearchQuery, UnknownKeyIsATagFilter) {
    const SearchFilter filter = only_filter("server_name:web-8");
    EXPECT_EQ(filter.key, "server_name");
    EXPECT_EQ(filter.kind, SearchKeyKind::tag);
    EXPECT_EQ(filter.type, SearchValueType::text);
    EXPECT_EQ(filter.op, SearchOp::eq);
    EXPECT_FALSE(filter.negated);
    EXPECT_FALSE(filter.wildcard);
    EXPECT_EQ(filter.values, Strings{"web-8"});
    EXPECT_TRUE(filter.numbers.empty());
}

TEST(SearchQuery, KnownTextFieldsAreFields) {
    for (const char* key :
         {"release", "environment", "user.email", "user.id", "user.username", "user.ip", "assigned",
          "bookmarks", "issue.category", "error.type", "error.value", "stack.filename",
          "stack.function", "message", "transaction"}) {
        const SearchFilter filter = only_filter(std::string(key) + ":x");
        EXPECT_EQ(filter.key, key);
        EXPECT_EQ(filter.kind, SearchKeyKind::field) << key;
        EXPECT_EQ(filter.type, SearchValueType::text) << key;
        EXPECT_EQ(filter.values, Strings{"x"}) << key;
    }
}

TEST(SearchQuery, SpaceSeparatedTermsAreKeptInOrder) {
    const SearchQuery parsed =
        parse_ok("is:unresolved level:error assigned:me release:1.0 bookmarks:#team");
    ASSERT_EQ(parsed.filters.size(), 5u);
    EXPECT_EQ(parsed.filters[0].key, "is");
    EXPECT_EQ(parsed.filters[1].key, "level");
    EXPECT_EQ(parsed.filters[2].key, "assigned");
    EXPECT_EQ(parsed.filters[2].values, Strings{"me"});
    EXPECT_EQ(parsed.filters[3].key, "release");
    EXPECT_EQ(parsed.filters[4].values, Strings{"#team"});
    EXPECT_EQ(parsed.free_text, "");
}

TEST(SearchQuery, WeirdSpacingIsTolerated) {
    const SearchQuery parsed = parse_ok("  \tis:resolved\t\tlevel:error \n  oops   now \r\n");
    ASSERT_EQ(parsed.filters.size(), 2u);
    EXPECT_EQ(parsed.filters[0].values, Strings{"resolved"});
    EXPECT_EQ(parsed.filters[1].values, Strings{"error"});
    EXPECT_EQ(parsed.free_text, "oops now");
}

TEST(SearchQuery, ValuesRunToWhitespaceAndMayHoldColonsAndParens) {
    EXPECT_EQ(only_filter("url:http://host:80/a?b=c").values, Strings{"http://host:80/a?b=c"});
    EXPECT_EQ(only_filter("message:f(x)").values, Strings{"f(x)"});
    EXPECT_EQ(only_filter("release:=1.0").values, Strings{"1.0"});  // `=` means nothing
}

// --- keys ---------------------------------------------------------------------------------------

TEST(SearchQuery, AliasesMapToCanonicalNames) {
    struct Case {
        const char* key;
        const char* canonical;
        SearchValueType type;
    };
    const Case cases[] = {
        {"timesSeen", "times_seen", SearchValueType::number},
        {"times_seen", "times_seen", SearchValueType::number},
        {"firstRelease", "first_release", SearchValueType::text},
        {"first-release", "first_release", SearchValueType::text},
        {"first_release", "first_release", SearchValueType::text},
        {"firstSeen", "first_seen", SearchValueType::date},
        {"first_seen", "first_seen", SearchValueType::date},
        {"age", "first_seen", SearchValueType::date},
        {"lastSeen", "last_seen", SearchValueType::date},
        {"last_seen", "last_seen", SearchValueType::date},
        {"event.timestamp", "event.timestamp", SearchValueType::date},
    };
    for (const Case& c : cases) {
        const std::string value = c.type == SearchValueType::number ? "5"
                                  : c.type == SearchValueType::date ? "-1h"
                                                                    : "1.0";
        const SearchFilter filter = only_filter(std::string(c.key) + ":" + value);
        EXPECT_EQ(filter.key, c.canonical) << c.key;
        EXPECT_EQ(filter.kind, SearchKeyKind::field) << c.key;
        EXPECT_EQ(filter.type, c.type) << c.key;
    }
}

TEST(SearchQuery, KeysAreCaseSensitive) {
    const SearchFilter filter = only_filter("Level:anything");
    EXPECT_EQ(filter.key, "Level");
    EXPECT_EQ(filter.kind, SearchKeyKind::tag);
    EXPECT_EQ(only_filter("timesseen:abc").kind, SearchKeyKind::tag);
}

TEST(SearchQuery, TagKeysAllowLettersDigitsAndPunctuation) {
    const SearchFilter filter = only_filter("browser.name-2_x:Chrome");
    EXPECT_EQ(filter.key, "browser.name-2_x");
    EXPECT_EQ(filter.kind, SearchKeyKind::tag);
}

TEST(SearchQuery, ExplicitTagSyntaxAlwaysMeansATag) {
    const SearchFilter level = only_filter("tags[level]:whatever");
    EXPECT_EQ(level.key, "level");
    EXPECT_EQ(level.kind, SearchKeyKind::tag);
    EXPECT_EQ(level.type, SearchValueType::text);
    EXPECT_EQ(level.values, Strings{"whatever"});

    const SearchFilter colon = only_filter("tags[sentry:dist]:42");
    EXPECT_EQ(colon.key, "sentry:dist");
    EXPECT_EQ(colon.kind, SearchKeyKind::tag);

    EXPECT_EQ(only_filter("tags[is]:x").key, "is");
    EXPECT_EQ(only_filter("!tags[a.b-c_d]:x").negated, true);
}

// --- negation ---------------------------------------------------------------------------------

TEST(SearchQuery, NegationOfEachKind) {
    const SearchQuery parsed = parse_ok(
        "!release:1.0 !is:resolved !has:release !level:[error,fatal] !times_seen:>10 "
        "!lastSeen:-24h !error.handled:true !user.email:*@example.com !server:web-1");
    ASSERT_EQ(parsed.filters.size(), 9u);
    for (const SearchFilter& filter : parsed.filters) EXPECT_TRUE(filter.negated) << filter.key;
    EXPECT_EQ(parsed.filters[2].op, SearchOp::has);
    EXPECT_EQ(parsed.filters[3].op, SearchOp::in);
    EXPECT_EQ(parsed.filters[4].op, SearchOp::gt);
    EXPECT_EQ(parsed.filters[5].op, SearchOp::ge);
    EXPECT_TRUE(parsed.filters[7].wildcard);
    EXPECT_EQ(parsed.filters[8].kind, SearchKeyKind::tag);
}

TEST(SearchQuery, NotEqualOperatorNegatesToo) {
    const SearchFilter filter = only_filter("release:!=1.0");
    EXPECT_TRUE(filter.negated);
    EXPECT_EQ(filter.op, SearchOp::eq);
    EXPECT_EQ(filter.values, Strings{"1.0"});

    EXPECT_FALSE(only_filter("!release:!=1.0").negated);  // two negations cancel
    EXPECT_TRUE(only_filter("times_seen:!=3").negated);
    EXPECT_TRUE(only_filter("is:!=resolved").negated);
}

TEST(SearchQuery, BangWithoutKeyIsFreeText) {
    const SearchQuery parsed = parse_ok("!important ! !:x");
    EXPECT_TRUE(parsed.filters.empty());
    EXPECT_EQ(parsed.free_text, "!important ! !:x");
}

// --- quoting ------------------------------------------------------------------------------------

TEST(SearchQuery, QuotedValuesMayHoldSpaces) {
    const SearchFilter filter = only_filter("user.username:\"Jane Doe\"");
    EXPECT_EQ(filter.key, "user.username");
    EXPECT_EQ(filter.values, Strings{"Jane Doe"});
    EXPECT_FALSE(filter.wildcard);
}

TEST(SearchQuery, EscapesInValues) {
    EXPECT_EQ(only_filter(R"(message:"say \"hi\" now")").values, Strings{R"(say "hi" now)"});
    EXPECT_EQ(only_filter(R"(message:say\"hi)").values, Strings{R"(say"hi)"});
    EXPECT_EQ(only_filter(R"(message:"ends with \\")").values, Strings{R"(ends with \)"});
    EXPECT_EQ(only_filter(R"(message:"a\*b")").values, Strings{"a*b"});
    // A backslash that escapes nothing stays, so Windows paths need no doubling.
    EXPECT_EQ(only_filter(R"(stack.filename:C:\src\app.cs)").values, Strings{R"(C:\src\app.cs)"});
    EXPECT_EQ(only_filter(R"(message:trailing\)").values, Strings{R"(trailing\)"});
}

TEST(SearchQuery, EmptyQuotedValueIsAValue) {
    EXPECT_EQ(only_filter("release:\"\"").values, Strings{""});
}

TEST(SearchQuery, QuotesMakeOperatorsLiteral) {
    const SearchFilter filter = only_filter("html:\"<div>\"");
    EXPECT_EQ(filter.op, SearchOp::eq);
    EXPECT_EQ(filter.values, Strings{"<div>"});
}

// --- lists --------------------------------------------------------------------------------------

TEST(SearchQuery, ListsMatchAnyValue) {
    const SearchFilter filter = only_filter("release:[1.0,2.0]");
    EXPECT_EQ(filter.op, SearchOp::in);
    EXPECT_EQ(filter.values, (Strings{"1.0", "2.0"}));
}

TEST(SearchQuery, ListItemsMayBeQuotedAndSpaced) {
    const SearchFilter filter = only_filter(R"(release:[ 1.0 , "2.0 beta",3.0,"a\"b", "x,y" ])");
    EXPECT_EQ(filter.values, (Strings{"1.0", "2.0 beta", "3.0", "a\"b", "x,y"}));
    const SearchQuery parsed = parse_ok("release:[a, b] level:error");
    EXPECT_EQ(parsed.filters.size(), 2u);
}

TEST(SearchQuery, SingleItemListIsStillIn) {
    const SearchFilter filter = only_filter("environment:[prod]");
    EXPECT_EQ(filter.op, SearchOp::in);
    EXPECT_EQ(filter.values, Strings{"prod"});
}

TEST(SearchQuery, TypedLists) {
    const SearchFilter levels = only_filter("level:[error, fatal]");
    EXPECT_EQ(levels.op, SearchOp::in);
    EXPECT_EQ(levels.type, SearchValueType::enumeration);
    EXPECT_EQ(levels.values, (Strings{"error", "fatal"}));

    const SearchFilter counts = only_filter("times_seen:[1, 2k]");
    EXPECT_EQ(counts.op, SearchOp::in);
    EXPECT_EQ(counts.values, (Strings{"1", "2k"}));
    EXPECT_EQ(counts.numbers, (Numbers{1, 2000}));
}

// --- wildcards ----------------------------------------------------------------------------------

TEST(SearchQuery, WildcardsKeepThePattern) {
    const SearchFilter filter = only_filter("message:*timeout*");
    EXPECT_TRUE(filter.wildcard);
    EXPECT_EQ(filter.values, Strings{"*timeout*"});

    const SearchFilter quoted = only_filter("browser:\"Safari 11*\"");
    EXPECT_TRUE(quoted.wildcard);
    EXPECT_EQ(quoted.values, Strings{"Safari 11*"});
}

TEST(SearchQuery, EscapedAsteriskIsLiteral) {
    const SearchFilter literal = only_filter(R"(message:2\*3)");
    EXPECT_FALSE(literal.wildcard);
    EXPECT_EQ(literal.values, Strings{"2*3"});

    // In a pattern, literal `*` and `\` stay escaped so they differ from the wildcard.
    const SearchFilter mixed = only_filter(R"(message:2\*3*)");
    EXPECT_TRUE(mixed.wildcard);
    EXPECT_EQ(mixed.values, Strings{R"(2\*3*)"});
    EXPECT_EQ(only_filter(R"(stack.filename:*\lib.py)").values, Strings{R"(*\\lib.py)"});
}

TEST(SearchQuery, WildcardInAListMakesEveryValueAPattern) {
    const SearchFilter filter = only_filter(R"(release:[1.*, 2\*])");
    EXPECT_TRUE(filter.wildcard);
    EXPECT_EQ(filter.values, (Strings{"1.*", R"(2\*)"}));
}

TEST(SearchQuery, NegatedWildcard) {
    const SearchFilter filter = only_filter("!message:\"*Timeout\"");
    EXPECT_TRUE(filter.negated);
    EXPECT_TRUE(filter.wildcard);
    EXPECT_EQ(filter.values, Strings{"*Timeout"});
}

// --- numbers ------------------------------------------------------------------------------------

TEST(SearchQuery, NumericComparisons) {
    struct Case {
        const char* query;
        SearchOp op;
        double number;
    };
    const Case cases[] = {
        {"times_seen:10", SearchOp::eq, 10},     {"times_seen:>10", SearchOp::gt, 10},
        {"times_seen:>=1k", SearchOp::ge, 1000}, {"timesSeen:<2.5m", SearchOp::lt, 2.5e6},
        {"times_seen:<=1b", SearchOp::le, 1e9},  {"times_seen:-3", SearchOp::eq, -3},
        {"times_seen:=7", SearchOp::eq, 7},      {"times_seen:1.", SearchOp::eq, 1},
        {"times_seen:\"12\"", SearchOp::eq, 12}, {"times_seen:>\"12\"", SearchOp::gt, 12},
    };
    for (const Case& c : cases) {
        const SearchFilter filter = only_filter(c.query);
        EXPECT_EQ(filter.key, "times_seen") << c.query;
        EXPECT_EQ(filter.type, SearchValueType::number) << c.query;
        EXPECT_EQ(filter.op, c.op) << c.query;
        EXPECT_EQ(filter.numbers, Numbers{c.number}) << c.query;
        EXPECT_EQ(filter.values.size(), 1u) << c.query;
    }
    EXPECT_EQ(only_filter("times_seen:>=1k").values, Strings{"1k"});
}

// --- dates --------------------------------------------------------------------------------------

TEST(SearchQuery, RelativeTimes) {
    struct Case {
        const char* query;
        SearchOp op;
        double instant;
    };
    const Case cases[] = {
        {"age:-24h", SearchOp::ge, kNow - 24 * kHour},
        {"age:+12h", SearchOp::le, kNow - 12 * kHour},
        {"lastSeen:-30m", SearchOp::ge, kNow - 30 * 60},
        {"lastSeen:+7d", SearchOp::le, kNow - 7 * kDay},
        {"firstSeen:-2w", SearchOp::ge, kNow - 14 * kDay},
        {"event.timestamp:-0m", SearchOp::ge, kNow},
        {"age:=-1h", SearchOp::ge, kNow - kHour},
    };
    for (const Case& c : cases) {
        const SearchFilter filter = only_filter(c.query);
        EXPECT_EQ(filter.type, SearchValueType::date) << c.query;
        EXPECT_EQ(filter.op, c.op) << c.query;
        EXPECT_EQ(filter.numbers, Numbers{c.instant}) << c.query;
    }
    EXPECT_EQ(only_filter("age:-24h").values, Strings{"-24h"});
}

TEST(SearchQuery, RelativeTimesCombineIntoAWindow) {
    const SearchQuery parsed = parse_ok("age:+12h age:-24h");
    ASSERT_EQ(parsed.filters.size(), 2u);
    EXPECT_EQ(parsed.filters[0].op, SearchOp::le);
    EXPECT_EQ(parsed.filters[0].numbers, Numbers{kNow - 12 * kHour});
    EXPECT_EQ(parsed.filters[1].op, SearchOp::ge);
    EXPECT_EQ(parsed.filters[1].numbers, Numbers{kNow - 24 * kHour});
}

TEST(SearchQuery, AbsoluteDatesWithOperators) {
    struct Case {
        const char* query;
        SearchOp op;
        double instant;
    };
    const Case cases[] = {
        {"event.timestamp:>2024-01-01", SearchOp::gt, kJan1},
        {"event.timestamp:>=2024-01-01T10:00:00Z", SearchOp::ge, kJan1 + 10 * kHour},
        {"lastSeen:<2024-01-01T10:00:00+02:00", SearchOp::lt, kJan1 + 8 * kHour},
        {"firstSeen:<=2024-02-29T23:59:59.5Z", SearchOp::le, kJan1 + 60 * kDay - 0.5},
        {"last_seen:>2024-01-01T00:00:00", SearchOp::gt, kJan1},  // no zone: UTC
    };
    for (const Case& c : cases) {
        const SearchFilter filter = only_filter(c.query);
        EXPECT_EQ(filter.op, c.op) << c.query;
        EXPECT_EQ(filter.numbers, Numbers{c.instant}) << c.query;
    }
}

TEST(SearchQuery, ExactDateMatchesTheDay) {
    const SearchFilter filter = only_filter("event.timestamp:2024-01-01");
    EXPECT_EQ(filter.op, SearchOp::eq);
    EXPECT_EQ(filter.values, Strings{"2024-01-01"});
    EXPECT_EQ(filter.numbers, (Numbers{kJan1, kJan1 + kDay}));
}

TEST(SearchQuery, ExactDateTimeMatchesMinutesAround) {
    const SearchFilter filter = only_filter("lastSeen:2024-01-01T10:00:00Z");
    EXPECT_EQ(filter.op, SearchOp::eq);
    const double t = kJan1 + 10 * kHour;
    EXPECT_EQ(filter.numbers, (Numbers{t - 5 * 60, t + 6 * 60}));
}

TEST(SearchQuery, NegatedDates) {
    const SearchFilter filter = only_filter("lastSeen:!=2024-01-01");
    EXPECT_TRUE(filter.negated);
    EXPECT_EQ(filter.numbers, (Numbers{kJan1, kJan1 + kDay}));
    EXPECT_TRUE(only_filter("!event.timestamp:>2024-01-01").negated);
}

// --- is: / has: / booleans / enums
// ----------------------------------------------------------------

TEST(SearchQuery, IsAcceptsTheDocumentedValues) {
    for (const char* value :
         {"unresolved", "resolved", "ignored", "reprocessing", "assigned", "unassigned",
          "for_review", "linked", "unlinked", "escalating", "new", "ongoing", "regressed",
          "archived_until_escalating", "archived_until_condition_met", "archived_forever"}) {
        const SearchFilter filter = only_filter(std::string("is:") + value);
        EXPECT_EQ(filter.key, "is");
        EXPECT_EQ(filter.kind, SearchKeyKind::field);
        EXPECT_EQ(filter.type, SearchValueType::enumeration);
        EXPECT_EQ(filter.op, SearchOp::eq);
        EXPECT_EQ(filter.values, Strings{value});
    }
}

TEST(SearchQuery, IsCanonicalizesStatusSynonyms) {
    EXPECT_EQ(only_filter("is:archived").values, Strings{"ignored"});
    EXPECT_EQ(only_filter("is:muted").values, Strings{"ignored"});
    EXPECT_EQ(only_filter("is:\"resolved\"").values, Strings{"resolved"});
}

TEST(SearchQuery, HasNamesAFieldOrTag) {
    const SearchFilter field = only_filter("has:release");
    EXPECT_EQ(field.key, "release");
    EXPECT_EQ(field.kind, SearchKeyKind::field);
    EXPECT_EQ(field.op, SearchOp::has);
    EXPECT_TRUE(field.values.empty());

    const SearchFilter alias = only_filter("has:timesSeen");
    EXPECT_EQ(alias.key, "times_seen");
    EXPECT_EQ(alias.type, SearchValueType::number);

    const SearchFilter tag = only_filter("has:server_name");
    EXPECT_EQ(tag.key, "server_name");
    EXPECT_EQ(tag.kind, SearchKeyKind::tag);

    const SearchFilter explicit_tag = only_filter("!has:tags[level]");
    EXPECT_EQ(explicit_tag.key, "level");
    EXPECT_EQ(explicit_tag.kind, SearchKeyKind::tag);
    EXPECT_TRUE(explicit_tag.negated);
}

TEST(SearchQuery, BooleansNormalize) {
    struct Case {
        const char* query;
        const char* value;
    };
    const Case cases[] = {{"error.handled:true", "true"}, {"error.handled:1", "true"},
                          {"error.handled:TRUE", "true"}, {"error.handled:false", "false"},
                          {"error.unhandled:0", "false"}, {"error.unhandled:False", "false"}};
    for (const Case& c : cases) {
        const SearchFilter filter = only_filter(c.query);
        EXPECT_EQ(filter.type, SearchValueType::boolean) << c.query;
        EXPECT_EQ(filter.values, Strings{c.value}) << c.query;
    }
    EXPECT_EQ(only_filter("error.unhandled:1").key, "error.unhandled");
}

TEST(SearchQuery, EnumFields) {
    for (const char* level : {"fatal", "error", "warning", "info", "debug", "sample"}) {
        const SearchFilter filter = only_filter(std::string("level:") + level);
        EXPECT_EQ(filter.type, SearchValueType::enumeration);
        EXPECT_EQ(filter.values, Strings{level});
    }
    for (const char* priority : {"high", "medium", "low"}) {
        EXPECT_EQ(only_filter(std::string("issue.priority:") + priority).values, Strings{priority});
    }
}

// --- free text ----------------------------------------------------------------------------------

TEST(SearchQuery, FreeTextWordsJoinWithSingleSpaces) {
    const SearchQuery parsed = parse_ok(
        "is:resolved user.username:\"Jane Doe\" server:web-8 "
        "example   error");
    EXPECT_EQ(parsed.filters.size(), 3u);
    EXPECT_EQ(parsed.free_text, "example error");
}

TEST(SearchQuery, FreeTextAroundFiltersIsJoined) {
    const SearchQuery parsed = parse_ok("connection is:unresolved refused");
    ASSERT_EQ(parsed.filters.size(), 1u);
    EXPECT_EQ(parsed.free_text, "connection refused");
}

TEST(SearchQuery, QuotedFreeText) {
    EXPECT_EQ(parse_ok("\"is:resolved  twice\" more").free_text, "is:resolved  twice more");
    EXPECT_EQ(parse_ok(R"("say \"hi\"")").free_text, R"(say "hi")");
    EXPECT_EQ(parse_ok("a \"\" b").free_text, "a b");
}

TEST(SearchQuery, TermsThatAreNotKeyValueAreFreeText) {
    const SearchQuery parsed =
        parse_ok(":leading a/b:c tags[x] tags[]:y f(x) it's \"ok\" or and Or");
    EXPECT_TRUE(parsed.filters.empty());
    EXPECT_EQ(parsed.free_text, ":leading a/b:c tags[x] tags[]:y f(x) it's ok or and Or");
}

TEST(SearchQuery, UnquotedFreeTextKeepsInnerQuotes) {
    EXPECT_EQ(parse_ok("say\"hi\"").free_text, "say\"hi\"");
}

// --- robustness -------------------------------------------------------------------------------

// Every prefix of a rich query parses or fails, and an error's token is the query text at its
// position.
TEST(SearchQuery, PrefixesParseOrPointIntoTheQuery) {
    const std::string query =
        R"(!is:resolved level:[error, "fatal"] times_seen:>=1k age:-24h tags[a:b]:"x \"y\"*" )"
        R"(has:release free "text" event.timestamp:2024-01-01T10:00:00Z release:!=1.0)";
    EXPECT_EQ(parse_ok(query).filters.size(), 8u);
    for (size_t n = 0; n <= query.size(); ++n) {
        const std::string_view prefix(query.data(), n);
        const SearchQueryParse parsed = parse_search_query(prefix, kNow);
        if (parsed.query) continue;
        const SearchQueryError& error = parsed.error;
        ASSERT_LE(error.position + error.token.size(), n) << prefix;
        EXPECT_EQ(prefix.substr(error.position, error.token.size()), error.token) << prefix;
        EXPECT_FALSE(error.message.empty()) << prefix;
    }
}

// --- errors -------------------------------------------------------------------------------------

TEST(SearchQueryErrors, UnterminatedQuote) {
    const SearchQueryError error = parse_error("level:error message:\"abc def");
    EXPECT_EQ(error.message, "missing closing quote");
    EXPECT_EQ(error.position, 20u);
    EXPECT_EQ(error.token, "\"abc def");

    expect_error_at("foo \"bar baz", 4, "\"bar baz");
    expect_error_at(R"(message:"abc\")", 8, R"("abc\")");
    expect_error_at(R"(release:[1.0, "2.0])", 14, R"("2.0])");
}

TEST(SearchQueryErrors, EmptyValue) {
    const SearchQueryError error = parse_error("level:");
    EXPECT_EQ(error.message, "missing value after \"level:\"");
    EXPECT_EQ(error.position, 0u);
    EXPECT_EQ(error.token, "level:");

    expect_error_at("is:resolved level: error", 12, "level:");
    expect_error_at("!release:", 0, "!release:");
    expect_error_at("times_seen:>", 0, "times_seen:>");
    expect_error_at("release:!= x", 0, "release:!=");
    expect_error_at("has:", 0, "has:");
    expect_error_at("tags[foo]:", 0, "tags[foo]:");
}

TEST(SearchQueryErrors, UnknownIsValue) {
    const SearchQueryError error = parse_error("is:unresolved is:bogus");
    EXPECT_EQ(error.position, 17u);
    EXPECT_EQ(error.token, "bogus");
    EXPECT_NE(error.message.find("invalid value \"bogus\" for is:"), std::string::npos)
        << error.message;

    expect_error_at("is:Resolved", 3, "Resolved");  // values are case-sensitive
    expect_error_at("is:until_escalating", 3, "until_escalating");
    expect_error_at("is:*", 3, "*");
}

TEST(SearchQueryErrors, BadNumber) {
    const SearchQueryError error = parse_error("times_seen:abc");
    EXPECT_EQ(error.message, "invalid value \"abc\" for times_seen: expected a number");
    EXPECT_EQ(error.position, 11u);
    EXPECT_EQ(error.token, "abc");

    const SearchQueryError alias = parse_error("timesSeen:>=x1");
    EXPECT_EQ(alias.message, "invalid value \"x1\" for timesSeen: expected a number");
    EXPECT_EQ(alias.position, 12u);

    for (const char* bad :
         {"1e5", "0x10", "inf", "nan", "+5", "1K", "1.2.3", "k", "-", ".5", "5*"}) {
        expect_error_at(std::string("times_seen:") + bad, 11, bad);
    }
    expect_error_at("times_seen:[1, x, 3]", 15, "x");
    expect_error_at("times_seen:\"ab\"", 11, "\"ab\"");
}

TEST(SearchQueryErrors, BadDate) {
    const SearchQueryError error = parse_error("lastSeen:yesterday");
    EXPECT_EQ(error.message,
              "invalid value \"yesterday\" for lastSeen: expected a date like 2024-01-31 or "
              "2024-01-31T12:00:00Z, or -24h");
    EXPECT_EQ(error.position, 9u);
    EXPECT_EQ(error.token, "yesterday");

    expect_error_at("age:-24x", 4, "-24x");
    expect_error_at("age:24h", 4, "24h");
    expect_error_at("age:-h", 4, "-h");
    expect_error_at("age:--1h", 4, "--1h");
    expect_error_at("age:-99999999999h", 4, "-99999999999h");
    expect_error_at("event.timestamp:2024-13-01", 16, "2024-13-01");
    expect_error_at("event.timestamp:2023-02-29", 16, "2023-02-29");
    expect_error_at("event.timestamp:>2024-01-01T10:00Z", 17, "2024-01-01T10:00Z");
    expect_error_at("event.timestamp:>2024-01-01x", 17, "2024-01-01x");
    expect_error_at("firstSeen:1700000000", 10, "1700000000");
}

TEST(SearchQueryErrors, RelativeTimeTakesNoOperator) {
    const SearchQueryError error = parse_error("age:>-24h");
    EXPECT_EQ(error.message, "relative time \"-24h\" takes no operator");
    EXPECT_EQ(error.position, 4u);
    EXPECT_EQ(error.token, ">-24h");
}

TEST(SearchQueryErrors, OperatorOnNonComparableKey) {
    const SearchQueryError error = parse_error("release:>1.0");
    EXPECT_EQ(error.message, "operator \">\" is not supported for release");
    EXPECT_EQ(error.position, 8u);
    EXPECT_EQ(error.token, ">");

    expect_error_at("level:<=error", 6, "<=");
    expect_error_at("is:>resolved", 3, ">");
    expect_error_at("error.handled:<1", 14, "<");
    expect_error_at("server:>=5", 7, ">=");
    expect_error_at("tags[times_seen]:>5", 17, ">");
}

TEST(SearchQueryErrors, OperatorWithList) {
    expect_error_at("times_seen:>[1,2]", 11, ">");
}

TEST(SearchQueryErrors, UnterminatedList) {
    const SearchQueryError error = parse_error("release:[1.0, 2.0");
    EXPECT_EQ(error.message, "missing closing \"]\" in list");
    EXPECT_EQ(error.position, 8u);
    EXPECT_EQ(error.token, "[1.0, 2.0");

    expect_error_at("release:[1.0 is:resolved", 8, "[1.0");
    expect_error_at("release:[", 8, "[");
    expect_error_at("release:[a,", 8, "[a");
    expect_error_at(R"(release:["a"b])", 8, R"(["a")");
}

TEST(SearchQueryErrors, EmptyListItem) {
    expect_error_at("release:[1.0,,2.0]", 13, ",");
    expect_error_at("release:[,1.0]", 9, ",");
    expect_error_at("release:[1.0, ]", 14, "]");
    expect_error_at("release:[]", 9, "]");
}

TEST(SearchQueryErrors, ListsWhereTheyMakeNoSense) {
    const SearchQueryError error = parse_error("is:[resolved, ignored]");
    EXPECT_EQ(error.message, "lists are not supported for is:");
    EXPECT_EQ(error.position, 3u);
    EXPECT_EQ(error.token, "[resolved, ignored]");

    expect_error_at("lastSeen:[2024-01-01]", 9, "[2024-01-01]");
    expect_error_at("error.handled:[true,false]", 14, "[true,false]");
    expect_error_at("has:[release]", 4, "[release]");
}

TEST(SearchQueryErrors, UnknownLevel) {
    const SearchQueryError error = parse_error("level:critical");
    EXPECT_EQ(error.message,
              "invalid value \"critical\" for level: expected fatal, error, warning, info, debug "
              "or sample");
    EXPECT_EQ(error.position, 6u);
    EXPECT_EQ(error.token, "critical");

    expect_error_at("level:[error, critical]", 14, "critical");
    expect_error_at("level:Error", 6, "Error");
    expect_error_at("level:err*", 6, "err*");
    expect_error_at("!level:\"\"", 7, "\"\"");
}

TEST(SearchQueryErrors, OtherBadTypedValues) {
    const SearchQueryError error = parse_error("error.handled:yes");
    EXPECT_EQ(error.message, "invalid value \"yes\" for error.handled: expected true or false");
    EXPECT_EQ(error.position, 14u);
    expect_error_at("issue.priority:urgent", 15, "urgent");
}

TEST(SearchQueryErrors, StrayQuotes) {
    expect_error_at("message:ab\"c", 8, "ab\"c");
    expect_error_at("release:[a\"b]", 9, "a\"b");
    expect_error_at("message:\"a\"b", 11, "b");
    expect_error_at("\"free\"text", 6, "text");
    expect_error_at("release:[a]b", 11, "b");
}

TEST(SearchQueryErrors, HasNeedsAKey) {
    const SearchQueryError error = parse_error("has:\"foo bar\"");
    EXPECT_EQ(error.message, "has: expects a field or tag name");
    EXPECT_EQ(error.position, 4u);
    EXPECT_EQ(error.token, "\"foo");

    expect_error_at("has:is", 4, "is");
    expect_error_at("has:has", 4, "has");
    expect_error_at("has:a:b", 4, "a:b");
    expect_error_at("!has:>x", 5, ">x");
}

TEST(SearchQueryErrors, BooleanOperatorsAreRejected) {
    const SearchQueryError error = parse_error("level:error OR level:fatal");
    EXPECT_EQ(error.position, 12u);
    EXPECT_EQ(error.token, "OR");
    expect_error_at("foo AND bar", 4, "AND");
}

TEST(SearchQueryErrors, FirstErrorWins) {
    expect_error_at("level:bad times_seen:x", 6, "bad");
}

}  // namespace
}  // namespace lt
