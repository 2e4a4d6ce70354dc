#include "event/normalize.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/time.h"

namespace lt {

namespace {

namespace fs = std::filesystem;

constexpr double kNow = 1795312826.5;  // 2026-11-22T...Z
const char* const kId = "e3fc6e8b586a406eafd31d024cc5fe0a";

NormalizeContext context() {
    NormalizeContext ctx;
    ctx.received_at = kNow;
    ctx.client_ip = "203.0.113.7";
    ctx.event_id = kId;
    return ctx;
}

json::Document normalized(std::string_view text, const NormalizeContext& ctx = context()) {
    json::ParseResult parsed = json::parse(text);
    EXPECT_TRUE(parsed.document) << parsed.error;
    json::Document doc = std::move(*parsed.document);
    normalize_event(doc, ctx);
    return doc;
}

// The value at a dotted path ("a.b.0"), or nullptr.
const json::Value* at(const json::Document& doc, std::string_view path) {
    const json::Value* value = &doc.root();
    while (value != nullptr && !path.empty()) {
        const size_t dot = path.find('.');
        const std::string_view part = path.substr(0, dot);
        path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
        if (value->is_array()) {
            const size_t index = std::stoul(std::string(part));
            value = index < value->size() ? &value->elements()[index] : nullptr;
        } else {
            value = value->find(part);
        }
    }
    return value;
}

std::string json_at(const json::Document& doc, std::string_view path) {
    const json::Value* value = at(doc, path);
    return value != nullptr ? json::to_string(*value) : "<missing>";
}

std::string str(const json::Document& doc, std::string_view path) {
    const json::Value* value = at(doc, path);
    auto text = value != nullptr ? value->as_string() : std::nullopt;
    return text ? std::string(*text) : "<not a string>";
}

// "type:name" of each entry of `errors`.
std::vector<std::string> errors(const json::Document& doc) {
    std::vector<std::string> out;
    if (const json::Value* list = doc.root().find("errors")) {
        for (const json::Value& entry : list->elements()) {
            out.push_back(std::string(*entry.find("type")->as_string()) + ":" +
                          std::string(*entry.find("name")->as_string()));
        }
    }
    return out;
}

using Errors = std::vector<std::string>;

// ---- 1. event_id, type, platform, level ---------------------------------------------------

TEST(EventNormalize, MinimalEventGetsDefaults) {
    auto doc = normalized(R"({"event_id":"00000000000000000000000000000000"})");
    EXPECT_EQ(str(doc, "event_id"), kId);
    EXPECT_EQ(str(doc, "type"), "default");
    EXPECT_EQ(str(doc, "platform"), "other");
    EXPECT_EQ(str(doc, "level"), "error");
    EXPECT_EQ(json_at(doc, "timestamp"), json::to_string(json::Document().make_double(kNow)));
    EXPECT_EQ(errors(doc), Errors{});
}

TEST(EventNormalize, TypeInference) {
    EXPECT_EQ(str(normalized(R"({"exception":{"values":[{"type":"E"}]}})"), "type"), "error");
    EXPECT_EQ(str(normalized(R"({"type":"default","exception":[{"type":"E"}]})"), "type"), "error");
    EXPECT_EQ(str(normalized(R"({"type":"error"})"), "type"), "default");
    EXPECT_EQ(str(normalized(R"({"type":"transaction"})"), "type"), "transaction");
    EXPECT_EQ(str(normalized(R"({"type":"csp"})"), "type"), "csp");
    auto unknown = normalized(R"({"type":"bogus","exception":{"values":[]}})");
    EXPECT_EQ(str(unknown, "type"), "default");
    EXPECT_EQ(errors(unknown), Errors{"invalid_data:type"});
    auto number = normalized(R"({"type":7})");
    EXPECT_EQ(str(number, "type"), "default");
    EXPECT_EQ(errors(number), Errors{"invalid_data:type"});
}

TEST(EventNormalize, Platform) {
    EXPECT_EQ(str(normalized(R"({"platform":"python"})"), "platform"), "python");
    EXPECT_EQ(str(normalized(R"({"platform":null})"), "platform"), "other");
    for (const char* bad : {R"({"platform":42})", R"({"platform":"Py thon"})", R"({"platform":""})",
                            R"({"platform":["js"]})"}) {
        auto doc = normalized(bad);
        EXPECT_EQ(str(doc, "platform"), "other") << bad;
        EXPECT_EQ(errors(doc), Errors{"invalid_data:platform"}) << bad;
    }
}

TEST(EventNormalize, Level) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"("debug")", "debug"},    {R"("info")", "info"},   {R"("warning")", "warning"},
        {R"("error")", "error"},    {R"("fatal")", "fatal"}, {R"("log")", "info"},
        {R"("critical")", "fatal"}, {"10", "debug"},         {"20", "info"},
        {"30", "warning"},          {"40", "error"},         {"50.0", "fatal"}};
    for (const auto& [input, expected] : cases) {
        auto doc = normalized(R"({"level":)" + input + "}");
        EXPECT_EQ(str(doc, "level"), expected) << input;
        EXPECT_EQ(errors(doc), Errors{}) << input;
    }
    for (const char* bad : {R"("warn")", R"("ERROR")", "25", "60", "true", "{}", R"("")"}) {
        auto doc = normalized(std::string(R"({"level":)") + bad + "}");
        EXPECT_EQ(str(doc, "level"), "error") << bad;
        EXPECT_EQ(errors(doc), Errors{"invalid_data:level"}) << bad;
    }
    EXPECT_EQ(str(normalized(R"({"type":"transaction"})"), "level"), "info");
    EXPECT_EQ(str(normalized(R"({"type":"transaction","level":"warn"})"), "level"), "info");
}

// ---- 2. timestamps ------------------------------------------------------------------------

TEST(EventNormalize, TimestampForms) {
    const double expected = *parse_rfc3339("2026-11-22T10:00:00.5Z");
    NormalizeContext ctx = context();
    ctx.received_at = expected + 5;
    for (const char* input : {R"("2026-11-22T10:00:00.5Z")", R"("2026-11-22T10:00:00.500")",
                              R"("2026-11-22T11:00:00.5+01:00")", R"("2026-11-22T10:00:00.5")"}) {
        auto doc = normalized(std::string(R"({"timestamp":)") + input + "}", ctx);
        EXPECT_DOUBLE_EQ(*at(doc, "timestamp")->as_double(), expected) << input;
        EXPECT_TRUE(at(doc, "timestamp")->is_double()) << input;
        EXPECT_EQ(errors(doc), Errors{}) << input;
    }
    auto integral = normalized(R"({"timestamp":1795312800})");
    EXPECT_TRUE(at(integral, "timestamp")->is_double());
    EXPECT_EQ(*at(integral, "timestamp")->as_double(), 1795312800.0);
}

TEST(EventNormalize, InvalidTimestampBecomesReceivedAt) {
    for (const char* bad : {R"("yesterday")", "true", "{}", "-5", R"("")"}) {
        auto doc = normalized(std::string(R"({"timestamp":)") + bad + "}");
        EXPECT_EQ(*at(doc, "timestamp")->as_double(), kNow) << bad;
        EXPECT_EQ(errors(doc), Errors{"invalid_data:timestamp"}) << bad;
    }
}

TEST(EventNormalize, FutureAndPastTimestamps) {
    auto future = normalized(R"({"timestamp":)" + std::to_string(kNow + 61) + "}");
    EXPECT_EQ(*at(future, "timestamp")->as_double(), kNow);
    EXPECT_EQ(errors(future), Errors{"future_timestamp:timestamp"});
    auto near = normalized(R"({"timestamp":)" + std::to_string(kNow + 59) + "}");
    EXPECT_EQ(errors(near), Errors{});
    auto past = normalized(R"({"timestamp":)" + std::to_string(kNow - 31 * 86400.0) + "}");
    EXPECT_EQ(*at(past, "timestamp")->as_double(), kNow);
    EXPECT_EQ(errors(past), Errors{"past_timestamp:timestamp"});
    // The transaction keeps its duration when its end is replaced.
    auto transaction =
        normalized(R"({"type":"transaction","start_timestamp":)" + std::to_string(kNow + 990) +
                   R"(,"timestamp":)" + std::to_string(kNow + 1000) + "}");
    EXPECT_EQ(*at(transaction, "timestamp")->as_double(), kNow);
    EXPECT_EQ(*at(transaction, "start_timestamp")->as_double(), kNow - 10);
}

TEST(EventNormalize, ClockDriftShiftsAllTimestamps) {
    NormalizeContext ctx = context();
    ctx.sent_at = kNow - 7200;  // the device clock is two hours behind
    auto doc = normalized(R"({"type":"transaction","timestamp":)" + std::to_string(kNow - 7201) +
                              R"(,"start_timestamp":)" + std::to_string(kNow - 7202) +
                              R"(,"breadcrumbs":[{"timestamp":)" + std::to_string(kNow - 7300) +
                              R"(},{"message":"no time"}],"spans":[{"start_timestamp":)" +
                              std::to_string(kNow - 7202) + R"(,"timestamp":)" +
                              std::to_string(kNow - 7201) + "}]}",
                          ctx);
    EXPECT_DOUBLE_EQ(*at(doc, "timestamp")->as_double(), kNow - 1);
    EXPECT_DOUBLE_EQ(*at(doc, "start_timestamp")->as_double(), kNow - 2);
    EXPECT_DOUBLE_EQ(*at(doc, "breadcrumbs.values.0.timestamp")->as_double(), kNow - 100);
    EXPECT_EQ(at(doc, "breadcrumbs.values.1.timestamp"), nullptr);
    EXPECT_DOUBLE_EQ(*at(doc, "spans.0.start_timestamp")->as_double(), kNow - 2);
    EXPECT_DOUBLE_EQ(*at(doc, "spans.0.timestamp")->as_double(), kNow - 1);
    EXPECT_EQ(errors(doc), Errors{"clock_drift:sent_at"});

    ctx.sent_at = kNow - 54 * 60;  // below the threshold: no shift
    auto small = normalized(R"({"timestamp":)" + std::to_string(kNow - 10) + "}", ctx);
    EXPECT_DOUBLE_EQ(*at(small, "timestamp")->as_double(), kNow - 10);
    EXPECT_EQ(errors(small), Errors{});
}

TEST(EventNormalize, BadBreadcrumbTimestampIsDropped) {
    auto doc = normalized(R"({"breadcrumbs":[{"timestamp":"soon","message":"m"}]})");
    EXPECT_EQ(at(doc, "breadcrumbs.values.0.timestamp"), nullptr);
    EXPECT_EQ(str(doc, "breadcrumbs.values.0.message"), "m");
    EXPECT_EQ(errors(doc), Errors{"invalid_data:breadcrumbs.values.0.timestamp"});
}

// ---- 3. Values containers and legacy interfaces ---------------------------------------------

TEST(EventNormalize, ValuesContainerShapes) {
    for (const char* input : {R"({"values":[{"type":"E","value":"v"}]})",
                              R"([{"type":"E","value":"v"}])", R"({"type":"E","value":"v"})"}) {
        auto doc = normalized(std::string(R"({"exception":)") + input + "}");
        EXPECT_EQ(json_at(doc, "exception"), R"({"values":[{"type":"E","value":"v"}]})") << input;
        EXPECT_EQ(errors(doc), Errors{}) << input;
    }
    auto threads = normalized(R"({"threads":{"id":1,"crashed":true}})");
    EXPECT_EQ(json_at(threads, "threads"), R"({"values":[{"id":1,"crashed":true}]})");
    auto empty = normalized(R"({"breadcrumbs":{"values":[]},"threads":{},"exception":null})");
    EXPECT_EQ(at(empty, "breadcrumbs"), nullptr);
    EXPECT_EQ(at(empty, "threads"), nullptr);
    EXPECT_EQ(at(empty, "exception"), nullptr);
}

TEST(EventNormalize, ValuesContainerBadTypes) {
    auto doc = normalized(R"({"exception":"boom","breadcrumbs":{"values":{"a":1}},)"
                          R"("threads":[{"id":1},5,null,"x"]})");
    EXPECT_EQ(at(doc, "exception"), nullptr);
    EXPECT_EQ(at(doc, "breadcrumbs"), nullptr);
    EXPECT_EQ(json_at(doc, "threads"), R"({"values":[{"id":1}]})");
    EXPECT_EQ(errors(doc),
              (Errors{"invalid_data:exception", "invalid_data:breadcrumbs.values",
                      "invalid_data:threads.values.1", "invalid_data:threads.values.3"}));
    EXPECT_EQ(str(doc, "type"), "default");
}

TEST(EventNormalize, LegacyInterfaces) {
    auto doc = normalized(R"({"sentry.interfaces.Exception":{"values":[{"type":"E"}]},)"
                          R"("sentry.interfaces.Message":{"message":"hi"},)"
                          R"("sentry.interfaces.Http":{"url":"http://x/"},)"
                          R"("sentry.interfaces.User":{"id":"1"},)"
                          R"("sentry.interfaces.Breadcrumbs":[{"message":"b"}],)"
                          R"("sentry.interfaces.Contexts":{"os":{"name":"Linux"}}})");
    EXPECT_EQ(str(doc, "type"), "error");
    EXPECT_EQ(str(doc, "exception.values.0.type"), "E");
    EXPECT_EQ(str(doc, "logentry.formatted"), "hi");
    EXPECT_EQ(str(doc, "request.url"), "http://x/");
    EXPECT_EQ(str(doc, "user.id"), "1");
    EXPECT_EQ(str(doc, "breadcrumbs.values.0.message"), "b");
    EXPECT_EQ(str(doc, "contexts.os.type"), "os");
    EXPECT_EQ(doc.root().find("sentry.interfaces.Http"), nullptr);
    EXPECT_EQ(errors(doc), Errors{});

    auto both = normalized(R"({"user":{"id":"new"},"sentry.interfaces.User":{"id":"old"}})");
    EXPECT_EQ(str(both, "user.id"), "new");
    EXPECT_EQ(errors(both), Errors{"invalid_attribute:sentry.interfaces.User"});
}

TEST(EventNormalize, TopLevelStacktraceMovesIntoTheOnlyException) {
    auto doc = normalized(R"({"exception":[{"type":"E"}],)"
                          R"("sentry.interfaces.Stacktrace":{"frames":[{"function":"f"}]}})");
    EXPECT_EQ(str(doc, "exception.values.0.stacktrace.frames.0.function"), "f");
    EXPECT_EQ(at(doc, "stacktrace"), nullptr);
    auto two =
        normalized(R"({"exception":[{"type":"A"},{"type":"B"}],"stacktrace":{"frames":[]}})");
    EXPECT_NE(at(two, "stacktrace"), nullptr);
    auto has = normalized(
        R"({"exception":[{"type":"A","stacktrace":{"frames":[]}}],"stacktrace":{"frames":[1]}})");
    EXPECT_EQ(json_at(has, "exception.values.0.stacktrace"), R"({"frames":[]})");
    EXPECT_EQ(json_at(has, "stacktrace"), R"({"frames":[1]})");
    auto bad = normalized(R"({"stacktrace":"at main"})");
    EXPECT_EQ(at(bad, "stacktrace"), nullptr);
    EXPECT_EQ(errors(bad), Errors{"invalid_data:stacktrace"});
}

// ---- 4. logentry -----------------------------------------------------------------------------

TEST(EventNormalize, LogentryForms) {
    EXPECT_EQ(json_at(normalized(R"({"message":"plain"})"), "logentry"),
              R"({"formatted":"plain"})");
    EXPECT_EQ(json_at(normalized(R"({"logentry":"plain"})"), "logentry"),
              R"({"formatted":"plain"})");
    EXPECT_EQ(json_at(normalized(R"({"logentry":{"message":"only"}})"), "logentry"),
              R"({"formatted":"only"})");
    auto both = normalized(R"({"message":"text","logentry":{"message":"t %s","params":[1]}})");
    EXPECT_EQ(str(both, "logentry.formatted"), "text");
    EXPECT_EQ(at(both, "message"), nullptr);
    auto formatted = normalized(R"({"logentry":{"formatted":"done","message":"x %s"}})");
    EXPECT_EQ(str(formatted, "logentry.formatted"), "done");
}

TEST(EventNormalize, LogentryFormatting) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"message":"Hello %s from %s","params":["world","cli"]})", "Hello world from cli"},
        {R"({"message":"n=%d r=%r %% %s","params":[3,"x"]})", "n=3 r=x % %s"},
        {R"({"message":"{} and {}","params":["a",true]})", "a and true"},
        {R"({"message":"{1}{0}","params":["a","b"]})", "ba"},
        {R"({"message":"%(user)s has {count}","params":{"user":"ann","count":2}})", "ann has 2"},
        {R"({"message":"missing {}","params":[]})", "missing {}"},
        {R"({"message":"odd %","params":[1]})", "odd %"},
    };
    for (const auto& [input, expected] : cases) {
        auto doc = normalized(R"({"logentry":)" + input + "}");
        EXPECT_EQ(str(doc, "logentry.formatted"), expected) << input;
        EXPECT_NE(at(doc, "logentry.message"), nullptr) << input;
        EXPECT_EQ(errors(doc), Errors{}) << input;
    }
}

TEST(EventNormalize, LogentryBadTypes) {
    auto number = normalized(R"({"logentry":{"formatted":42}})");
    EXPECT_EQ(json_at(number, "logentry"), R"({"formatted":"42"})");
    auto array = normalized(R"({"logentry":[1,2]})");
    EXPECT_EQ(at(array, "logentry"), nullptr);
    EXPECT_EQ(errors(array), Errors{"invalid_data:logentry"});
    auto params = normalized(R"({"logentry":{"message":"m %s","params":"x"}})");
    EXPECT_EQ(json_at(params, "logentry"), R"({"formatted":"m %s"})");
    EXPECT_EQ(errors(params), Errors{"invalid_data:logentry.params"});
    auto nothing = normalized(R"({"logentry":{"formatted":{"a":1}}})");
    EXPECT_EQ(at(nothing, "logentry"), nullptr);
    EXPECT_EQ(errors(nothing),
              (Errors{"invalid_data:logentry.formatted", "invalid_data:logentry"}));
}

TEST(EventNormalize, LogentryHugeIsTruncated) {
    const std::string huge(20000, 'x');
    auto doc = normalized(R"({"logentry":{"formatted":")" + huge + R"("}})");
    EXPECT_EQ(str(doc, "logentry.formatted"), std::string(8192, 'x'));
    EXPECT_EQ(errors(doc), Errors{"value_too_long:logentry.formatted"});
    // Characters, not bytes: 8192 two-byte characters stay whole.
    std::string accents;
    for (int i = 0; i < 9000; ++i) accents += "\xC3\xA9";
    auto wide = normalized(R"({"message":")" + accents + R"("})");
    EXPECT_EQ(str(wide, "logentry.formatted").size(), 8192u * 2);
}

// ---- 5. tags -------------------------------------------------------------------------------

TEST(EventNormalize, TagsFormsBecomePairs) {
    auto object = normalized(R"({"tags":{"a":"1","b":2,"c":true,"d":null}})");
    EXPECT_EQ(json_at(object, "tags"), R"([["a","1"],["b","2"],["c","true"]])");
    // Numbers as Relay's LenientString writes them: whole floats without ".0".
    auto numbers = normalized(R"({"tags":{"f":3.0,"h":0.5,"n":-12,"u":18446744073709551615}})");
    EXPECT_EQ(json_at(numbers, "tags"),
              R"([["f","3"],["h","0.5"],["n","-12"],["u","18446744073709551615"]])");
    auto pairs = normalized(R"({"tags":[["a","1"],["a","2"],[" my key ","  v  "]]})");
    EXPECT_EQ(json_at(pairs, "tags"), R"([["a","1"],["my-key","v"]])");
    EXPECT_EQ(errors(pairs), Errors{});
}

TEST(EventNormalize, TagsRules) {
    const std::string long_value(201, 'v');
    auto doc = normalized(R"({"tags":{"ok":"yes","bad/key":"x","":"e","empty":"  ",)"
                          R"("multi":"a\nb","long":")" +
                          long_value +
                          R"(","obj":{"x":1},"release":"r","dist":"d","user":"u",)"
                          R"("filename":"f","function":"g","environment":"staging"},)"
                          R"("server_name":"web-1","site":"eu"})");
    EXPECT_EQ(json_at(doc, "tags"), R"([["ok","yes"],["server_name","web-1"],["site","eu"]])");
    EXPECT_EQ(str(doc, "environment"), "staging");
    EXPECT_EQ(at(doc, "server_name"), nullptr);
    EXPECT_EQ(errors(doc), (Errors{"invalid_data:tags.obj", "invalid_data:tags.bad/key",
                                   "invalid_data:tags.", "invalid_data:tags.empty",
                                   "invalid_data:tags.multi", "value_too_long:tags.long"}));
}

TEST(EventNormalize, HugeTagKeyAndValue) {
    const std::string huge(100000, 'k');
    auto doc = normalized(R"({"tags":{")" + huge + R"(":"v","k":")" + huge + R"("}})");
    EXPECT_EQ(at(doc, "tags"), nullptr);
    ASSERT_EQ(errors(doc).size(), 2u);
    EXPECT_EQ(errors(doc)[0], "value_too_long:tags." + std::string(251, 'k'));
    EXPECT_EQ(errors(doc)[1], "value_too_long:tags.k");
    EXPECT_EQ(json_at(doc, "errors.1"), R"({"type":"value_too_long","name":"tags.k"})");
}

TEST(EventNormalize, TagsEnvironmentDoesNotOverride) {
    auto doc = normalized(R"({"environment":"production","tags":[["environment","dev"]]})");
    EXPECT_EQ(str(doc, "environment"), "production");
    EXPECT_EQ(at(doc, "tags"), nullptr);
}

TEST(EventNormalize, TagsBadShapes) {
    auto scalar = normalized(R"({"tags":"a:b"})");
    EXPECT_EQ(at(scalar, "tags"), nullptr);
    EXPECT_EQ(errors(scalar), Errors{"invalid_data:tags"});
    auto bad_pairs = normalized(R"({"tags":[["a"],"b",["c","d","e"],[1,2]]})");
    EXPECT_EQ(json_at(bad_pairs, "tags"), R"([["1","2"]])");
    EXPECT_EQ(errors(bad_pairs),
              (Errors{"invalid_data:tags.0", "invalid_data:tags.1", "invalid_data:tags.2"}));
    auto server = normalized(R"({"server_name":{"host":"x"}})");
    EXPECT_EQ(errors(server), Errors{"invalid_data:server_name"});
}

// ---- 6. release, dist, environment, logger, transaction, culprit ----------------------------

TEST(EventNormalize, Release) {
    EXPECT_EQ(str(normalized(R"({"release":" app@1.2.3 "})"), "release"), "app@1.2.3");
    EXPECT_EQ(str(normalized(R"({"release":42})"), "release"), "42");
    for (const char* bad : {R"(".")", R"("..")", R"("latest")", R"("   ")", R"("a\nb")", R"("a/b")",
                            "true", "[1]", "{}"}) {
        auto doc = normalized(std::string(R"({"release":)") + bad + "}");
        EXPECT_EQ(at(doc, "release"), nullptr) << bad;
        EXPECT_EQ(errors(doc), Errors{"invalid_data:release"}) << bad;
    }
    auto long_release = normalized(R"({"release":")" + std::string(201, 'r') + R"("})");
    EXPECT_EQ(at(long_release, "release"), nullptr);
    EXPECT_EQ(errors(long_release), Errors{"value_too_long:release"});
}

TEST(EventNormalize, DistAndEnvironment) {
    EXPECT_EQ(str(normalized(R"({"dist":"build-1.2_x"})"), "dist"), "build-1.2_x");
    EXPECT_EQ(str(normalized(R"({"dist":7})"), "dist"), "7");
    auto bad_dist = normalized(R"({"dist":"a b"})");
    EXPECT_EQ(at(bad_dist, "dist"), nullptr);
    EXPECT_EQ(errors(bad_dist), Errors{"invalid_data:dist"});
    auto long_dist = normalized(R"({"dist":")" + std::string(65, 'd') + R"("})");
    EXPECT_EQ(errors(long_dist), Errors{"value_too_long:dist"});

    EXPECT_EQ(at(normalized("{}"), "environment"), nullptr);  // no server-side default
    EXPECT_EQ(str(normalized(R"({"environment":" staging "})"), "environment"), "staging");
    auto long_env = normalized(R"({"environment":")" + std::string(65, 'e') + R"("})");
    EXPECT_EQ(errors(long_env), Errors{"value_too_long:environment"});
    auto bad_env = normalized(R"({"environment":{"name":"prod"}})");
    EXPECT_EQ(errors(bad_env), Errors{"invalid_data:environment"});
}

TEST(EventNormalize, FreeTextFields) {
    auto doc = normalized(R"({"logger":"app.db","transaction":" /api/{id} ","culprit":"c"})");
    EXPECT_EQ(str(doc, "logger"), "app.db");
    EXPECT_EQ(str(doc, "transaction"), "/api/{id}");
    EXPECT_EQ(str(doc, "culprit"), "c");
    EXPECT_EQ(errors(doc), Errors{});
    auto long_text = normalized(R"({"logger":")" + std::string(100, 'l') + R"(","transaction":")" +
                                std::string(300, 't') + R"("})");
    EXPECT_EQ(str(long_text, "logger"), std::string(64, 'l'));
    EXPECT_EQ(str(long_text, "transaction"), std::string(200, 't'));
    EXPECT_EQ(errors(long_text), (Errors{"value_too_long:logger", "value_too_long:transaction"}));
    auto bad = normalized(R"({"logger":"a\nb","transaction":5,"culprit":[]})");
    EXPECT_EQ(at(bad, "logger"), nullptr);
    EXPECT_EQ(at(bad, "transaction"), nullptr);
    EXPECT_EQ(errors(bad),
              (Errors{"invalid_data:logger", "invalid_data:transaction", "invalid_data:culprit"}));
    EXPECT_EQ(str(normalized(R"({"type":"transaction","transaction":""})"), "transaction"),
              "<unlabeled transaction>");
}

// ---- 7. IP addresses ------------------------------------------------------------------------

TEST(EventNormalize, AutoIp) {
    auto doc = normalized(R"({"user":{"id":"1","ip_address":"{{auto}}"},)"
                          R"("request":{"env":{"REMOTE_ADDR":"{{auto}}"}}})");
    EXPECT_EQ(str(doc, "user.ip_address"), "203.0.113.7");
    EXPECT_EQ(str(doc, "request.env.REMOTE_ADDR"), "203.0.113.7");
    NormalizeContext no_ip = context();
    no_ip.client_ip.clear();
    auto unknown = normalized(R"({"user":{"ip_address":"{{auto}}"}})", no_ip);
    EXPECT_EQ(json_at(unknown, "user"), "{}");
}

TEST(EventNormalize, IpFromRemoteAddrAndLegacyPlatforms) {
    auto remote = normalized(R"({"request":{"env":{"REMOTE_ADDR":"10.0.0.1"}}})");
    EXPECT_EQ(str(remote, "user.ip_address"), "10.0.0.1");
    auto javascript = normalized(R"({"platform":"javascript","user":{"id":"u"}})");
    EXPECT_EQ(str(javascript, "user.ip_address"), "203.0.113.7");
    EXPECT_EQ(str(normalized(R"({"platform":"cocoa"})"), "user.ip_address"), "203.0.113.7");
    EXPECT_EQ(at(normalized(R"({"platform":"python"})"), "user"), nullptr);
    auto own = normalized(R"({"platform":"javascript","user":{"ip_address":"1.2.3.4"}})");
    EXPECT_EQ(str(own, "user.ip_address"), "1.2.3.4");
    auto bad_user = normalized(R"({"user":"bob"})");
    EXPECT_EQ(at(bad_user, "user"), nullptr);
    EXPECT_EQ(errors(bad_user), Errors{"invalid_data:user"});
}

// ---- 8. contexts ----------------------------------------------------------------------------

TEST(EventNormalize, Contexts) {
    auto doc = normalized(R"({"contexts":{"os":{"name":"Linux"},"gpu2":{"type":"gpu"},)"
                          R"("bad":"x","nothing":null,"weird":{"type":5}}})");
    EXPECT_EQ(json_at(doc, "contexts"),
              R"({"os":{"name":"Linux","type":"os"},"gpu2":{"type":"gpu"},)"
              R"("weird":{"type":"weird"}})");
    EXPECT_EQ(errors(doc), Errors{"invalid_data:contexts.bad"});
    auto array = normalized(R"({"contexts":[1]})");
    EXPECT_EQ(at(array, "contexts"), nullptr);
    EXPECT_EQ(errors(array), Errors{"invalid_data:contexts"});
}

// ---- 9. request -----------------------------------------------------------------------------

TEST(EventNormalize, RequestPairs) {
    auto doc =
        normalized(R"({"request":{"method":"GET","headers":{"Host":"x","Accept":["a","b"]},)"
                   R"("cookies":"sid=1; theme = dark","query_string":"?q=a+b&x=%2F&flag"}})");
    EXPECT_EQ(json_at(doc, "request.headers"), R"([["Host","x"],["Accept","a, b"]])");
    EXPECT_EQ(json_at(doc, "request.cookies"), R"([["sid","1"],["theme","dark"]])");
    EXPECT_EQ(json_at(doc, "request.query_string"), R"([["q","a b"],["x","/"],["flag",""]])");
    EXPECT_EQ(errors(doc), Errors{});
    auto pairs = normalized(R"({"request":{"headers":[["Host","x"],["X-N",1]],)"
                            R"("cookies":{"a":"b"},"query_string":[["k","v"]]}})");
    EXPECT_EQ(json_at(pairs, "request.headers"), R"([["Host","x"],["X-N","1"]])");
    EXPECT_EQ(json_at(pairs, "request.cookies"), R"([["a","b"]])");
    EXPECT_EQ(json_at(pairs, "request.query_string"), R"([["k","v"]])");
}

TEST(EventNormalize, RequestBadTypes) {
    auto doc = normalized(R"({"request":{"headers":"Host: x","cookies":5,)"
                          R"("query_string":true,"env":[1]}})");
    EXPECT_EQ(json_at(doc, "request"), "{}");
    EXPECT_EQ(errors(doc),
              (Errors{"invalid_data:request.headers", "invalid_data:request.cookies",
                      "invalid_data:request.query_string", "invalid_data:request.env"}));
    auto whole = normalized(R"({"request":"GET /"})");
    EXPECT_EQ(errors(whole), Errors{"invalid_data:request"});
}

// ---- errors array ---------------------------------------------------------------------------

TEST(EventNormalize, ErrorEntriesCarrySmallOriginalValues) {
    auto doc = normalized(R"({"errors":[{"type":"x"}],"level":"warn","release":")" +
                          std::string(300, 'r') + R"("})");
    EXPECT_EQ(json_at(doc, "errors"),
              R"([{"type":"x"},{"type":"invalid_data","name":"level","value":"warn"},)"
              R"({"type":"value_too_long","name":"release"}])");
    auto not_array = normalized(R"({"errors":"oops","level":1})");
    EXPECT_EQ(json_at(not_array, "errors"),
              R"([{"type":"invalid_data","name":"level","value":1}])");
}

TEST(EventNormalize, EveryFieldWithEveryWrongKind) {
    const std::vector<std::string> fields{"event_id",   "type",        "platform",
                                          "level",      "timestamp",   "start_timestamp",
                                          "exception",  "breadcrumbs", "threads",
                                          "stacktrace", "message",     "logentry",
                                          "tags",       "server_name", "site",
                                          "release",    "dist",        "environment",
                                          "logger",     "transaction", "culprit",
                                          "user",       "request",     "contexts",
                                          "spans",      "errors",      "sentry.interfaces.Http"};
    const std::vector<std::string> kinds{
        "null",
        "true",
        "-1",
        "1e300",
        R"("")",
        R"("x")",
        "[]",
        "[1,[2],{}]",
        "{}",
        R"({"values":7,"frames":"x","env":{"REMOTE_ADDR":9},"headers":[[1]],"ip_address":[]})",
        R"(")" + std::string(100000, 'h') + R"(")"};
    for (const std::string& field : fields) {
        for (const std::string& kind : kinds) {
            auto doc = normalized(R"({")" + field + R"(":)" + kind + "}");
            const std::string where = field + "=" + kind.substr(0, 40);
            EXPECT_EQ(str(doc, "event_id"), kId) << where;
            EXPECT_NE(str(doc, "type"), "<not a string>") << where;
            EXPECT_NE(str(doc, "level"), "<not a string>") << where;
            EXPECT_NE(str(doc, "platform"), "<not a string>") << where;
            EXPECT_TRUE(at(doc, "timestamp")->is_double()) << where;
            // The result is stable: normalizing again changes nothing and adds no errors.
            const std::string once = json::to_string(doc.root());
            normalize_event(doc, context());
            EXPECT_EQ(json::to_string(doc.root()), once) << where;
        }
    }
}

// ---- real captures --------------------------------------------------------------------------

std::optional<double> event_time(const json::Value& event) {
    const json::Value* timestamp = event.find("timestamp");
    if (timestamp == nullptr) return std::nullopt;
    if (auto text = timestamp->as_string()) return parse_rfc3339(*text);
    return timestamp->as_double();
}

TEST(EventNormalize, CorpusEventsNormalizeCleanly) {
    const fs::path corpus = fs::path(LT_FIXTURES) / "corpus";
    ASSERT_TRUE(fs::exists(corpus)) << "missing fixture corpus " << corpus;
    std::vector<std::pair<std::string, std::string>> payloads;  // (origin, JSON)
    for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream buffer;
        buffer << in.rdbuf();
        json::ParseResult parsed = json::parse(buffer.str());
        if (!parsed.document) continue;
        const json::Value& root = parsed.document->root();
        if (name.ends_with(".envelope.json")) {
            const json::Value* items = root.find("items");
            if (items == nullptr) continue;
            for (const json::Value& item : items->elements()) {
                const json::Value* header = item.find("header");
                auto type = header != nullptr && header->find("type") != nullptr
                                ? header->find("type")->as_string()
                                : std::nullopt;
                const json::Value* payload = item.find("payload");
                if ((type == "event" || type == "transaction") && payload != nullptr &&
                    payload->is_object()) {
                    payloads.emplace_back(entry.path().string(), json::to_string(*payload));
                }
            }
        } else if (root.find("event_id") != nullptr && root.find("platform") != nullptr &&
                   root.find("timestamp") != nullptr) {
            payloads.emplace_back(entry.path().string(), buffer.str());  // legacy store body
        }
    }
    ASSERT_GE(payloads.size(), 10u);
    for (const auto& [origin, text] : payloads) {
        json::ParseResult parsed = json::parse(text);
        json::Document doc = std::move(*parsed.document);
        NormalizeContext ctx = context();
        ctx.received_at = event_time(doc.root()).value_or(kNow) + 1;
        const bool transaction = doc.root().find("type") != nullptr &&
                                 doc.root().find("type")->as_string() == "transaction";
        normalize_event(doc, ctx);
        EXPECT_EQ(str(doc, "event_id"), kId) << origin;
        EXPECT_EQ(str(doc, "type"), transaction                       ? "transaction"
                                    : at(doc, "exception") != nullptr ? "error"
                                                                      : "default")
            << origin;
        EXPECT_NE(str(doc, "level"), "<not a string>") << origin;
        EXPECT_NE(str(doc, "platform"), "<not a string>") << origin;
        EXPECT_TRUE(at(doc, "timestamp")->is_double()) << origin;
        EXPECT_EQ(errors(doc), Errors{}) << origin << "\n" << json::to_string(doc.root());
    }
}

}  // namespace

}  // namespace lt
