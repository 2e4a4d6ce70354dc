#include "issues/summary.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "event/json.h"
#include "event/normalize.h"
#include "event_support.h"
#include "grouping/fingerprint_rules.h"
#include "grouping/grouping.h"
#include "test_support.h"

namespace lt {
namespace {

using testing_support::parse_or_die;
using testing_support::read_file;

// Expected values follow Sentry's implementation (eventtypes/base.py and error.py, culprit.py,
// event_manager.py get_culprit / set_tag / _pull_out_data, stacktraces/processing.py,
// interfaces/contexts.py and exception.py, utils/eventuser.py, plugins/sentry_urls), worked out
// by hand for each input.

constexpr double kNow = 1795312826.5;

void normalize(json::Document& doc) {
    NormalizeContext context;
    context.received_at = kNow;
    context.client_ip = "203.0.113.7";
    context.event_id = "e3fc6e8b586a406eafd31d024cc5fe0a";
    normalize_event(doc, context);
}

struct Summary {
    json::Document doc;
    EventIssueFacts facts;
};

Summary summarize(json::Document doc) {
    const GroupingResult grouping = compute_grouping(doc.root());
    EventIssueFacts facts = summarize_event(doc, grouping);
    return Summary{std::move(doc), std::move(facts)};
}

// Parses and normalizes an event payload, then summarizes it.
Summary summarize_text(std::string_view text) {
    json::Document doc = parse_or_die(text);
    normalize(doc);
    return summarize(std::move(doc));
}

// The event item of a sentry-node envelope capture.
Summary node_corpus(std::string_view path) {
    json::Document envelope = parse_or_die(
        read_file(std::string(LT_FIXTURES) + "/corpus/sentry-node/" + std::string(path)));
    for (const json::Value& item : envelope.root().find("items")->elements()) {
        if (item.find("header")->find("type")->as_string() == "event") {
            return summarize_text(json::to_string(*item.find("payload")));
        }
    }
    ADD_FAILURE() << "no event item in " << path;
    return Summary{json::Document(), EventIssueFacts{}};
}

// A sentry-python store-endpoint capture.
Summary python_corpus(std::string_view path) {
    return summarize_text(
        read_file(std::string(LT_FIXTURES) + "/corpus/sentry-python/" + std::string(path)));
}

using Tags = std::map<std::string, std::string>;

// The facts' tags as a map; fails on a duplicate key.
Tags tag_map(const EventIssueFacts& facts) {
    Tags tags;
    for (const auto& [key, value] : facts.tags) {
        EXPECT_TRUE(tags.emplace(key, value).second) << "duplicate tag " << key;
    }
    return tags;
}

std::string tag(const EventIssueFacts& facts, std::string_view key) {
    const Tags tags = tag_map(facts);
    auto it = tags.find(std::string(key));
    return it == tags.end() ? "<none>" : it->second;
}

std::string str(const json::Document& doc, std::string_view key) {
    const json::Value* value = doc.root().find(key);
    if (value == nullptr) return "<missing>";
    return value->is_string() ? std::string(*value->as_string()) : json::to_string(*value);
}

// The event's stored tags as a map (every entry must be a [string, string] pair here).
Tags event_tags(const json::Document& doc) {
    Tags tags;
    for (const json::Value& pair : doc.root().find("tags")->elements()) {
        EXPECT_EQ(pair.size(), 2u);
        EXPECT_TRUE(tags.emplace(std::string(*pair.elements()[0].as_string()),
                                 std::string(*pair.elements()[1].as_string()))
                        .second);
    }
    return tags;
}

std::vector<std::string> search_values(const EventIssueFacts& facts, std::string_view key) {
    std::vector<std::string> out;
    for (const auto& [name, value] : facts.search_fields) {
        if (name == key) out.push_back(value);
    }
    return out;
}

// A python error event with one exception and the given frames (JSON array text).
std::string error_event(std::string_view platform, std::string_view exception_fields,
                        std::string_view frames = "[]") {
    return std::string(R"({"platform":")") + std::string(platform) +
           R"(","exception":{"values":[{)" + std::string(exception_fields) +
           R"(,"stacktrace":{"frames":)" + std::string(frames) + "}}]}}";
}

std::string repeat(std::string_view text, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) out += text;
    return out;
}

// ---- corpus events -----------------------------------------------------------------------------

TEST(IssueSummary, NodeExceptionFromCorpus) {
    const Summary s = node_corpus("exception/003.envelope.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.type, "error");
    EXPECT_EQ(f.title, "TypeError: Cannot read properties of undefined (reading 'amount')");
    // The last in-app frame is parsePrice in module "exception"; node frames read fn(module).
    EXPECT_EQ(f.culprit, "parsePrice(exception)");
    EXPECT_EQ(f.metadata_json,
              R"j({"value":"Cannot read properties of undefined (reading 'amount')",)j"
              R"("type":"TypeError","filename":"/srv/shop/clients/node/exception.js",)"
              R"("function":"parsePrice","display_title_with_tree_label":false,)"
              R"("in_app_frame_mix":"mixed"})");
    EXPECT_EQ(f.level, "error");
    EXPECT_EQ(f.platform, "node");
    EXPECT_EQ(f.release, "demo@1.2.3");
    EXPECT_EQ(f.environment, "production");
    EXPECT_EQ(f.logger, "");
    EXPECT_FALSE(f.unhandled);
    EXPECT_EQ(f.user_key, "id:u-123");
    EXPECT_EQ(tag_map(f), (Tags{{"component", "checkout"},
                                {"region", "eu-west-1"},
                                {"scenario", "exception"},
                                {"server_name", "capture-host"},
                                {"level", "error"},
                                {"environment", "production"},
                                {"release", "demo@1.2.3"},
                                {"user", "id:u-123"},
                                {"mechanism", "generic"},
                                {"handled", "yes"},
                                {"runtime", "node v20.20.2"},
                                {"runtime.name", "node"},
                                // "Debian" + " " + "12.11\n", stripped by the tag formatter.
                                {"os", "Debian 12.11"},
                                {"os.name", "Debian"}}));

    // Written into the event for the API.
    EXPECT_EQ(str(s.doc, "type"), "error");
    EXPECT_EQ(str(s.doc, "title"), f.title);
    EXPECT_EQ(str(s.doc, "culprit"), f.culprit);
    EXPECT_EQ(str(s.doc, "location"), "/srv/shop/clients/node/exception.js");
    EXPECT_EQ(str(s.doc, "metadata"), f.metadata_json);
    EXPECT_EQ(event_tags(s.doc), tag_map(f));

    // Grouping is copied.
    const GroupingResult grouping = compute_grouping(s.doc.root());
    EXPECT_EQ(f.hashes, grouping.hashes);
    EXPECT_FALSE(f.hashes.empty());
    EXPECT_EQ(f.grouping_config, "newstyle:2023-01-11");

    EXPECT_EQ(search_values(f, "user.email"), std::vector<std::string>{"jane@example.com"});
    EXPECT_EQ(search_values(f, "user.id"), std::vector<std::string>{"u-123"});
    EXPECT_EQ(search_values(f, "user.username"), std::vector<std::string>{"jane"});
    EXPECT_EQ(search_values(f, "error.type"), std::vector<std::string>{"TypeError"});
    // Crash side first, distinct.
    EXPECT_EQ(search_values(f, "stack.function"),
              (std::vector<std::string>{"parsePrice", "?", "Array.reduce", "computeTotal",
                                        "checkout", "process.processTicksAndRejections"}));
    EXPECT_EQ(search_values(f, "stack.filename"),
              (std::vector<std::string>{"/srv/shop/clients/node/exception.js", "<anonymous>",
                                        "node:internal/process/task_queues"}));
}

TEST(IssueSummary, NodeChainedExceptionFromCorpus) {
    const Summary s = node_corpus("exception/004.envelope.json");
    const EventIssueFacts& f = s.facts;
    // The main exception is the last one (the outer Error); its only in-app frame is "?".
    EXPECT_EQ(f.title, "Error: Failed to load config");
    EXPECT_EQ(f.culprit, "?(exception)");
    EXPECT_EQ(f.metadata_json,
              R"({"value":"Failed to load config","type":"Error",)"
              R"("filename":"/srv/shop/clients/node/exception.js","function":"?",)"
              R"("display_title_with_tree_label":false,"in_app_frame_mix":"mixed"})");
    // Sentry's Exception interface tags come from values[0]: the cause's "chained" mechanism.
    EXPECT_EQ(tag(f, "mechanism"), "chained");
    EXPECT_EQ(tag(f, "handled"), "yes");
    EXPECT_EQ(tag(f, "chained"), "yes");  // the SDK's own tag stays
    EXPECT_EQ(search_values(f, "error.type"), (std::vector<std::string>{"SyntaxError", "Error"}));
    EXPECT_EQ(search_values(f, "error.value"),
              (std::vector<std::string>{"Expected property name or '}' in JSON at position 1",
                                        "Failed to load config"}));
    EXPECT_FALSE(f.unhandled);
}

TEST(IssueSummary, NodeUncaughtCrashFromCorpus) {
    const Summary s = node_corpus("crash/002.envelope.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.title, "ReferenceError: undefinedFunctionCall is not defined");
    EXPECT_EQ(f.culprit, "Timeout._onTimeout(crash)");
    EXPECT_EQ(str(s.doc, "location"), "/srv/shop/clients/node/crash.js");
    EXPECT_TRUE(f.unhandled);
    EXPECT_EQ(f.level, "fatal");
    EXPECT_EQ(tag(f, "level"), "fatal");
    EXPECT_EQ(tag(f, "handled"), "no");
    EXPECT_EQ(tag(f, "mechanism"), "auto.node.onuncaughtexception");
}

TEST(IssueSummary, NodeRequestEventUsesTransactionAsCulprit) {
    const Summary s = node_corpus("sessions-server/004.envelope.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.title, "RangeError: boom handler");
    EXPECT_EQ(f.culprit, "GET /boom");
    EXPECT_EQ(tag(f, "transaction"), "GET /boom");
    EXPECT_EQ(tag(f, "url"), "http://127.0.0.1:43249/boom");
    EXPECT_EQ(tag(f, "user"), "id:u-123");
    // Only the last frame is in app: metadata keeps its filename and function.
    EXPECT_EQ(str(s.doc, "location"), "/srv/shop/clients/node/sessions-server.js");
    EXPECT_NE(f.metadata_json.find(R"("function":"Server.?")"), std::string::npos);
    EXPECT_EQ(search_values(f, "user.ip"), std::vector<std::string>{"127.0.0.1"});
}

TEST(IssueSummary, NodeMessageWithSyntheticExceptionFromCorpus) {
    // @sentry/node sends captureMessage with attachStacktrace as an exception whose mechanism
    // is synthetic, beside the logentry: the metadata keeps the value but no type, synthetic
    // events get no culprit, and the title is the message (LightTrace's choice: Sentry's rule
    // would name the issue after the crash function, here "?").
    const Summary s = node_corpus("message/004.envelope.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.type, "error");
    EXPECT_EQ(f.metadata_json,
              R"({"value":"Plain message with fingerprint",)"
              R"("filename":"/srv/shop/clients/node/message.js","function":"?",)"
              R"("display_title_with_tree_label":false,"in_app_frame_mix":"mixed"})");
    EXPECT_EQ(f.title, "Plain message with fingerprint");
    EXPECT_EQ(f.culprit, "");
    EXPECT_EQ(tag(f, "level"), "info");
    EXPECT_EQ(tag(f, "mechanism"), "generic");
}

TEST(IssueSummary, PythonChainedExceptionFromCorpus) {
    const Summary s = python_corpus("exception/002.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.type, "error");
    EXPECT_EQ(f.title, "PriceError: item has no price: {'name': 'broken'}");
    EXPECT_EQ(f.culprit, "__main__ in parse_price");
    EXPECT_EQ(f.metadata_json,
              R"({"value":"item has no price: {'name': 'broken'}","type":"PriceError",)"
              R"("filename":"exception.py","function":"parse_price",)"
              R"("display_title_with_tree_label":false,"in_app_frame_mix":"in-app-only"})");
    EXPECT_EQ(str(s.doc, "location"), "exception.py");
    EXPECT_EQ(tag(f, "runtime"), "CPython 3.11.2");
    EXPECT_EQ(tag(f, "runtime.name"), "CPython");
    // No mechanism on the first exception: no mechanism/handled tags.
    EXPECT_EQ(tag(f, "mechanism"), "<none>");
    EXPECT_EQ(tag(f, "handled"), "<none>");
    EXPECT_FALSE(f.unhandled);
    EXPECT_EQ(search_values(f, "error.type"), (std::vector<std::string>{"KeyError", "PriceError"}));
}

TEST(IssueSummary, PythonWsgiErrorFromCorpus) {
    const Summary s = python_corpus("sessions/005.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.title, "ZeroDivisionError: boom handler");
    EXPECT_EQ(f.culprit, "generic WSGI request");
    EXPECT_EQ(tag(f, "url"), "http://127.0.0.1:39023/boom");
    EXPECT_EQ(tag(f, "transaction"), "generic WSGI request");
    EXPECT_EQ(tag(f, "handled"), "no");
    EXPECT_EQ(tag(f, "mechanism"), "wsgi");
    EXPECT_TRUE(f.unhandled);
}

TEST(IssueSummary, PythonLoggingErrorFromCorpus) {
    const Summary s = python_corpus("message/004.json");
    const EventIssueFacts& f = s.facts;
    // An exception wins over the log message for the title.
    EXPECT_EQ(f.type, "error");
    EXPECT_EQ(f.title, "ValueError: invalid literal for int() with base 10: 'x'");
    EXPECT_EQ(f.culprit, "__main__ in <module>");
    EXPECT_EQ(f.logger, "shop.auth");
    EXPECT_EQ(tag(f, "logger"), "shop.auth");
    EXPECT_EQ(tag(f, "mechanism"), "logging");
}

TEST(IssueSummary, PythonMessageFromCorpus) {
    const Summary s = python_corpus("message/002.json");
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.type, "default");
    EXPECT_EQ(f.title, "Plain message from python");
    EXPECT_EQ(f.metadata_json, R"({"title":"Plain message from python"})");
    EXPECT_EQ(f.culprit, "");
    EXPECT_EQ(f.level, "warning");
    EXPECT_EQ(tag(f, "level"), "warning");
    EXPECT_EQ(str(s.doc, "type"), "default");
    EXPECT_EQ(str(s.doc, "location"), "null");
    EXPECT_TRUE(search_values(f, "error.type").empty());
    EXPECT_TRUE(search_values(f, "stack.function").empty());
}

// A browser error as @sentry/browser sends it (no browser capture in the corpus).
constexpr std::string_view kBrowserEvent = R"json({
  "platform": "javascript",
  "level": "error",
  "environment": "staging",
  "release": "web@2.0.0",
  "dist": "42",
  "request": {"url": "http://localhost:5173/checkout?step=2#pay",
              "headers": {"User-Agent": "Mozilla/5.0"}},
  "contexts": {
    "browser": {"name": "Chrome", "version": "120.0.0"},
    "os": {"name": "Windows", "version": "10"}
  },
  "user": {"ip_address": "198.51.100.4"},
  "exception": {"values": [{
    "type": "TypeError",
    "value": "Cannot read properties of null (reading 'id')",
    "mechanism": {"type": "onerror", "handled": false},
    "stacktrace": {"frames": [
      {"filename": "http://localhost:5173/assets/vendor-1a2b.js?v=3", "function": "dispatch",
       "abs_path": "http://localhost:5173/assets/vendor-1a2b.js?v=3", "in_app": false},
      {"filename": "http://localhost:5173/assets/index-9f8e.js?v=3", "function": "handleClick",
       "abs_path": "http://localhost:5173/assets/index-9f8e.js?v=3", "in_app": true},
      {"filename": "http://localhost:5173/assets/vendor-1a2b.js?v=3", "function": "callCallback",
       "abs_path": "http://localhost:5173/assets/vendor-1a2b.js?v=3", "in_app": false}
    ]}
  }]}
})json";

TEST(IssueSummary, BrowserError) {
    const Summary s = summarize_text(kBrowserEvent);
    const EventIssueFacts& f = s.facts;
    EXPECT_EQ(f.title, "TypeError: Cannot read properties of null (reading 'id')");
    // javascript: fn(filename) of the last in-app frame, the URL's query cut as Sentry's
    // stacktrace preparation does for javascript events.
    EXPECT_EQ(f.culprit, "handleClick(http://localhost:5173/assets/index-9f8e.js)");
    EXPECT_EQ(f.metadata_json,
              R"j({"value":"Cannot read properties of null (reading 'id')","type":"TypeError",)j"
              R"("filename":"http://localhost:5173/assets/index-9f8e.js","function":"handleClick",)"
              R"("display_title_with_tree_label":false,"in_app_frame_mix":"mixed"})");
    EXPECT_EQ(str(s.doc, "location"), "http://localhost:5173/assets/index-9f8e.js");
    EXPECT_TRUE(f.unhandled);
    EXPECT_EQ(f.user_key, "ip:198.51.100.4");
    EXPECT_EQ(tag_map(f), (Tags{{"level", "error"},
                                {"environment", "staging"},
                                {"release", "web@2.0.0"},
                                {"dist", "42"},
                                {"user", "ip:198.51.100.4"},
                                {"url", "http://localhost:5173/checkout"},
                                {"mechanism", "onerror"},
                                {"handled", "no"},
                                {"browser", "Chrome 120.0.0"},
                                {"browser.name", "Chrome"},
                                {"os", "Windows 10"},
                                {"os.name", "Windows"}}));
}

// ---- titles and metadata --------------------------------------------------------------------

TEST(IssueSummary, DefaultEventTitles) {
    const auto title = [](std::string_view logentry) {
        return summarize_text(std::string(R"({"platform":"python","logentry":)") +
                              std::string(logentry) + "}")
            .facts.title;
    };
    EXPECT_EQ(title(R"({"formatted":"Disk full\non /var"})"), "Disk full");
    EXPECT_EQ(title(R"({"formatted":"  padded message \t"})"), "padded message");
    // formatted wins over the template; the template is the fallback.
    EXPECT_EQ(title(R"({"message":"User %s failed","params":["jane"]})"), "User jane failed");
    EXPECT_EQ(title(R"({"formatted":"   "})"), "<unlabeled event>");
    EXPECT_EQ(title(R"({"formatted":")" + repeat("x", 150) + R"("})"), repeat("x", 97) + "...");

    const Summary none = summarize_text(R"({"platform":"python"})");
    EXPECT_EQ(none.facts.type, "default");
    EXPECT_EQ(none.facts.title, "<unlabeled event>");
    EXPECT_EQ(none.facts.metadata_json, R"({"title":"<unlabeled event>"})");
    EXPECT_EQ(none.facts.culprit, "");
}

TEST(IssueSummary, DefaultEventWithThreadGetsFrameMixAndCrashFreeCulprit) {
    // Threads count for in_app_frame_mix, but Sentry's culprit only looks at exceptions and the
    // top-level stacktrace.
    const Summary s = summarize_text(R"({"platform":"python","logentry":{"formatted":"hang"},
        "threads":{"values":[{"id":1,"stacktrace":{"frames":[
            {"module":"app","function":"loop","in_app":true}]}}]}})");
    EXPECT_EQ(s.facts.type, "default");
    EXPECT_EQ(s.facts.metadata_json, R"({"title":"hang","in_app_frame_mix":"in-app-only"})");
    EXPECT_EQ(s.facts.culprit, "");
}

TEST(IssueSummary, MissingTypeOrValue) {
    // No type: "Error" (get_path(..., default="Error")).
    EXPECT_EQ(summarize_text(error_event("python", R"("value":"boom")")).facts.title,
              "Error: boom");
    // No value: the type alone; metadata still carries an empty value.
    const Summary no_value = summarize_text(error_event("python", R"("type":"KeyError")"));
    EXPECT_EQ(no_value.facts.title, "KeyError");
    EXPECT_EQ(no_value.facts.metadata_json,
              R"({"value":"","type":"KeyError","display_title_with_tree_label":false})");
    EXPECT_EQ(summarize_text(error_event("python", R"("type":"KeyError","value":"")")).facts.title,
              "KeyError");
}

TEST(IssueSummary, MultiLineValues) {
    const Summary s =
        summarize_text(error_event("python", R"("type":"ValueError","value":"first\nsecond")"));
    EXPECT_EQ(s.facts.title, "ValueError: first");
    EXPECT_NE(s.facts.metadata_json.find(R"("value":"first\nsecond")"), std::string::npos);
    // Python's splitlines() boundaries: \r\n, \r, \v, \f, U+2028.
    EXPECT_EQ(summarize_text(error_event("python", R"("type":"E","value":"a\r\nb")")).facts.title,
              "E: a");
    EXPECT_EQ(summarize_text(error_event("python", R"("type":"E","value":"a\u000bb")")).facts.title,
              "E: a");
    EXPECT_EQ(summarize_text(error_event("python", R"("type":"E","value":"a\u2028b")")).facts.title,
              "E: a");
    // A value starting with a line break leaves an empty first line.
    EXPECT_EQ(summarize_text(error_event("python", R"("type":"E","value":"\nb")")).facts.title,
              "E: ");
}

TEST(IssueSummary, Truncation) {
    // Title: first line cut to 100 characters (97 + "...").
    const std::string long_value = repeat("v", 150);
    const Summary s =
        summarize_text(error_event("python", R"("type":"E","value":")" + long_value + "\""));
    EXPECT_EQ(s.facts.title, "E: " + repeat("v", 97) + "...");
    EXPECT_NE(s.facts.metadata_json.find(long_value), std::string::npos);

    // metadata.value: 1024 characters; type: 128. Counted in characters, not bytes.
    const Summary big = summarize_text(error_event(
        "python", R"("type":")" + repeat("T", 200) + R"(","value":")" + repeat("é", 2000) + "\""));
    EXPECT_NE(big.facts.metadata_json.find(R"("value":")" + repeat("é", 1021) + R"(...")"),
              std::string::npos);
    EXPECT_NE(big.facts.metadata_json.find(R"("type":")" + repeat("T", 125) + R"(...")"),
              std::string::npos);
    EXPECT_EQ(big.facts.title, repeat("T", 125) + "...: " + repeat("é", 97) + "...");
    EXPECT_EQ(search_values(big.facts, "error.value"),
              std::vector<std::string>{repeat("é", 197) + "..."});

    // Culprit: 200 characters.
    const Summary culprit = summarize_text(
        error_event("python", R"("type":"E")",
                    R"([{"module":")" + repeat("m", 300) + R"(","function":"f","in_app":true}])"));
    EXPECT_EQ(culprit.facts.culprit, repeat("m", 197) + "...");

    // Tag values: 200 characters (user ids are already cut to 128 by normalization).
    const Summary user =
        summarize_text(R"({"platform":"python","user":{"id":")" + repeat("u", 250) + R"("}})");
    EXPECT_EQ(tag(user.facts, "user"), "id:" + repeat("u", 125) + "...");
    EXPECT_EQ(user.facts.user_key, tag(user.facts, "user"));
}

TEST(IssueSummary, CrashFrameSelection) {
    // The last in-app frame whose function is set and not <unknown>/<redacted>.
    const Summary s = summarize_text(error_event("python", R"("type":"E")", R"([
        {"filename":"a.py","function":"outer","in_app":true},
        {"filename":"b.py","function":"inner","in_app":true},
        {"filename":"c.py","function":"<unknown>","in_app":true},
        {"filename":"lib.py","function":"helper","in_app":false}])"));
    EXPECT_NE(s.facts.metadata_json.find(R"("filename":"b.py","function":"inner")"),
              std::string::npos);
    // Without in-app frames the last frame with a function; abs_path when filename is missing.
    const Summary system = summarize_text(error_event("python", R"("type":"E")", R"([
        {"abs_path":"/usr/lib/x.py","function":"first"},
        {"filename":"y.py"}])"));
    EXPECT_NE(system.facts.metadata_json.find(R"("filename":"/usr/lib/x.py","function":"first")"),
              std::string::npos);
    EXPECT_EQ(str(system.doc, "location"), "/usr/lib/x.py");
    // A native platform titles synthetic exceptions with tree labels; without labels the same.
    const Summary native = summarize_text(R"({"platform":"native","exception":{"values":[{
        "value":"SIGSEGV","mechanism":{"type":"signalhandler","synthetic":true},
        "stacktrace":{"frames":[{"function":"main","in_app":true}]}}]}})");
    EXPECT_EQ(native.facts.title, "main");
    EXPECT_EQ(native.facts.metadata_json,
              R"({"value":"SIGSEGV","function":"main","display_title_with_tree_label":true,)"
              R"("in_app_frame_mix":"in-app-only"})");
    EXPECT_EQ(str(native.doc, "location"), "null");
    // Synthetic without any usable frame: "<unknown>".
    EXPECT_EQ(summarize_text(R"({"platform":"node","exception":{"values":[{"value":"msg",
        "mechanism":{"type":"generic","synthetic":true}}]}})")
                  .facts.title,
              "<unknown>");
    // ... unless a logentry says it carries a message: then the message is the title.
    EXPECT_EQ(summarize_text(R"({"platform":"node","logentry":{"formatted":"msg"},
        "exception":{"values":[{"value":"msg\nmore",
        "mechanism":{"type":"generic","synthetic":true}}]}})")
                  .facts.title,
              "msg");
}

TEST(IssueSummary, InAppFrameMix) {
    const auto mix = [](std::string_view frames) {
        return summarize_text(error_event("python", R"("type":"E")", frames)).facts.metadata_json;
    };
    EXPECT_NE(
        mix(R"([{"function":"a","in_app":true}])").find(R"("in_app_frame_mix":"in-app-only")"),
        std::string::npos);
    // Frames without in_app count as system frames.
    EXPECT_NE(mix(R"([{"function":"a"}])").find(R"("in_app_frame_mix":"system-only")"),
              std::string::npos);
    EXPECT_NE(mix(R"([{"function":"a","in_app":true},{"function":"b","in_app":false}])")
                  .find(R"("in_app_frame_mix":"mixed")"),
              std::string::npos);
    EXPECT_EQ(mix("[]").find("in_app_frame_mix"), std::string::npos);
    // Two stacktraces, one in-app only and one system only: mixed.
    const Summary two = summarize_text(R"({"platform":"python","exception":{"values":[
        {"type":"A","stacktrace":{"frames":[{"function":"a","in_app":true}]}},
        {"type":"B","stacktrace":{"frames":[{"function":"b","in_app":false}]}}]}})");
    EXPECT_NE(two.facts.metadata_json.find(R"("in_app_frame_mix":"mixed")"), std::string::npos);
}

// ---- culprit ---------------------------------------------------------------------------------

std::string culprit_of(std::string_view platform, std::string_view frames,
                       std::string_view extra = "") {
    return summarize_text(std::string(R"({"platform":")") + std::string(platform) + "\"" +
                          std::string(extra) +
                          R"(,"exception":{"values":[{"type":"E","stacktrace":{"frames":)" +
                          std::string(frames) + "}}]}}")
        .facts.culprit;
}

TEST(IssueSummary, CulpritFormatsByPlatform) {
    const std::string frame = R"([{"module":"shop.cart","filename":"cart.py","function":"total",
                                   "in_app":true}])";
    EXPECT_EQ(culprit_of("python", frame), "shop.cart in total");
    EXPECT_EQ(culprit_of("node", frame), "total(shop.cart)");
    EXPECT_EQ(culprit_of("javascript", frame), "total(shop.cart)");
    EXPECT_EQ(culprit_of("cocoa", frame), "total");
    EXPECT_EQ(culprit_of("native", R"([{"filename":"a.c","in_app":true}])"), "?");
    // The frame's own platform wins over the event's.
    EXPECT_EQ(culprit_of("python", R"([{"module":"m","function":"f","platform":"node",
                                        "in_app":true}])"),
              "f(m)");
    // Filename without module; "?" without function.
    EXPECT_EQ(culprit_of("python", R"([{"filename":"app.py","in_app":true}])"), "app.py in ?");
    // Python filenames keep their query; javascript ones lose it.
    EXPECT_EQ(culprit_of("python", R"([{"filename":"a.py?x=1","function":"f","in_app":true}])"),
              "a.py?x=1 in f");
    EXPECT_EQ(
        culprit_of("javascript",
                   R"([{"filename":"https://x.io/a.js?x=1#L3","function":"f","in_app":true}])"),
        "f(https://x.io/a.js#L3)");
}

TEST(IssueSummary, CulpritFrameChoice) {
    // The last in-app frame; else the last frame (its culprit even when empty, as in Sentry).
    EXPECT_EQ(culprit_of("python", R"([{"module":"a","function":"f","in_app":true},
                                       {"module":"b","function":"g","in_app":false}])"),
              "a in f");
    EXPECT_EQ(culprit_of("python", R"([{"module":"a","function":"f"},
                                       {"module":"b","function":"g"}])"),
              "b in g");
    // An in-app frame without module or filename is passed over.
    EXPECT_EQ(culprit_of("python", R"([{"module":"a","function":"f","in_app":true},
                                       {"function":"g","in_app":true}])"),
              "a in f");
    // No frame gives a culprit: request.url (without its query).
    EXPECT_EQ(culprit_of("python", R"([{"function":"g"}])",
                         R"(,"request":{"url":"https://shop.example/cart?id=3"})"),
              "https://shop.example/cart");
    // The last exception that has frames.
    const Summary chained = summarize_text(R"({"platform":"python","exception":{"values":[
        {"type":"A","stacktrace":{"frames":[{"module":"inner","function":"f","in_app":true}]}},
        {"type":"B"}]}})");
    EXPECT_EQ(chained.facts.culprit, "inner in f");
    // A default event's top-level stacktrace.
    const Summary top = summarize_text(R"({"platform":"python","logentry":{"formatted":"m"},
        "stacktrace":{"frames":[{"module":"top","function":"run","in_app":true}]}})");
    EXPECT_EQ(top.facts.culprit, "top in run");
}

TEST(IssueSummary, TransactionAndExplicitCulprit) {
    const std::string frames = R"([{"module":"a","function":"f","in_app":true}])";
    EXPECT_EQ(culprit_of("python", frames, R"(,"transaction":"/api/orders")"), "/api/orders");
    // The event's own culprit wins over the transaction.
    EXPECT_EQ(culprit_of("python", frames, R"(,"transaction":"/api/orders","culprit":"mine")"),
              "mine");
    // Synthetic exceptions get no culprit from frames or the URL, but the transaction still.
    const std::string synthetic = R"({"platform":"node","request":{"url":"http://a/b"},
        "exception":{"values":[{"value":"m","mechanism":{"type":"generic","synthetic":true},
        "stacktrace":{"frames":[{"module":"a","function":"f","in_app":true}]}}]})";
    EXPECT_EQ(summarize_text(synthetic + "}").facts.culprit, "");
    EXPECT_EQ(summarize_text(synthetic + R"(,"transaction":"GET /b"})").facts.culprit, "GET /b");
}

// ---- tags ------------------------------------------------------------------------------------

TEST(IssueSummary, TopLevelTags) {
    const Summary s = summarize_text(R"({"platform":"python","level":"warning",
        "logger":"shop.db","environment":"prod","release":"shop@1.0","dist":"7",
        "transaction":"checkout","server_name":"web-1","tags":{"team":"payments"}})");
    EXPECT_EQ(tag_map(s.facts), (Tags{{"team", "payments"},
                                      {"server_name", "web-1"},
                                      {"level", "warning"},
                                      {"logger", "shop.db"},
                                      {"environment", "prod"},
                                      {"transaction", "checkout"},
                                      {"release", "shop@1.0"},
                                      {"dist", "7"}}));
    EXPECT_EQ(event_tags(s.doc), tag_map(s.facts));
    // Existing tags keep their place; derived ones follow in Sentry's order.
    ASSERT_GE(s.facts.tags.size(), 3u);
    EXPECT_EQ(s.facts.tags[0].first, "team");
    EXPECT_EQ(s.facts.tags[2].first, "level");

    // dist only with a release; logger/environment/transaction only when set.
    const Summary bare = summarize_text(R"({"platform":"python","dist":"7"})");
    EXPECT_EQ(tag_map(bare.facts), (Tags{{"level", "error"}}));
}

TEST(IssueSummary, DerivedTagsReplaceSentOnes) {
    // Sentry's set_tag removes a tag of the same key before adding the derived one.
    const Summary s = summarize_text(R"({"platform":"python","level":"error",
        "tags":[["level","custom"],["browser","mine"],["url","http://kept/"]],
        "request":{"url":"http://ignored/"},
        "contexts":{"browser":{"name":"Firefox","version":"121.0"}}})");
    EXPECT_EQ(tag(s.facts, "level"), "error");
    EXPECT_EQ(tag(s.facts, "browser"), "Firefox 121.0");
    // The url tag comes from a plugin that does not override a sent one.
    EXPECT_EQ(tag(s.facts, "url"), "http://kept/");
    EXPECT_EQ(s.facts.tags.size(), 4u);
}

TEST(IssueSummary, ContextTags) {
    const Summary s = summarize_text(R"({"platform":"python","contexts":{
        "browser":{"name":"Safari"},
        "os":{"name":"iOS","version":"17.2","rooted":false},
        "client_os":{"type":"os","name":"Mac OS X","version":"14.1"},
        "runtime":{"name":"CPython"},
        "device":{"model":"iPhone15,2","family":"iPhone"},
        "app":{"device_app_hash":"5f2a"},
        "gpu":{"name":"Apple M2","vendor_name":"Apple"},
        "monitor":{"id":42,"slug":"nightly"},
        "my_runtime":{"type":"runtime","name":"node","version":"v20.1.0"},
        "trace":{"trace_id":"0123456789abcdef0123456789abcdef","span_id":"0123456789abcdef"},
        "order":{"name":"ignored","version":"1"}}})");
    EXPECT_EQ(tag_map(s.facts), (Tags{{"level", "error"},
                                      // name alone without a version (Relay's computed field)
                                      {"browser", "Safari"},
                                      {"browser.name", "Safari"},
                                      {"os", "iOS 17.2"},
                                      {"os.name", "iOS"},
                                      {"os.rooted", "no"},
                                      // named by the context's key, chosen by its type
                                      {"client_os", "Mac OS X 14.1"},
                                      {"client_os.name", "Mac OS X"},
                                      // runtime needs both name and version
                                      {"runtime.name", "CPython"},
                                      {"device", "iPhone15,2"},
                                      {"device.family", "iPhone"},
                                      {"app.device", "5f2a"},
                                      {"gpu.name", "Apple M2"},
                                      {"gpu.vendor", "Apple"},
                                      {"monitor.id", "42"},
                                      {"monitor.slug", "nightly"},
                                      {"my_runtime", "node v20.1.0"},
                                      {"my_runtime.name", "node"}}));
    // A computed field the context already carries is used as it is.
    EXPECT_EQ(tag(summarize_text(R"({"contexts":{"os":{"os":"Windows 11","name":"Windows",
                                   "version":"10.0.22631"}}})")
                      .facts,
                  "os"),
              "Windows 11");
}

TEST(IssueSummary, UserKeyPrecedence) {
    const auto user = [](std::string_view fields) {
        return summarize_text(std::string(R"({"platform":"python","user":{)") +
                              std::string(fields) + "}}")
            .facts;
    };
    // Sentry's EventUser keyword order: id, username, email, ip.
    EXPECT_EQ(
        user(R"("id":"7","username":"jo","email":"jo@x.io","ip_address":"10.0.0.1")").user_key,
        "id:7");
    EXPECT_EQ(user(R"("username":"jo","email":"jo@x.io","ip_address":"10.0.0.1")").user_key,
              "username:jo");
    EXPECT_EQ(user(R"("email":"jo@x.io","ip_address":"10.0.0.1")").user_key, "email:jo@x.io");
    EXPECT_EQ(user(R"("ip_address":"2001:db8::1")").user_key, "ip:2001:db8::1");
    EXPECT_EQ(user(R"("id":42)").user_key, "id:42");
    EXPECT_EQ(tag(user(R"("username":"jo")"), "user"), "username:jo");
    // Empty values are skipped; an invalid IP is no user key.
    EXPECT_EQ(user(R"("id":"","email":"jo@x.io")").user_key, "email:jo@x.io");
    EXPECT_EQ(user(R"("name":"Jo")").user_key, "");
    EXPECT_EQ(tag(user(R"("name":"Jo")"), "user"), "<none>");

    const EventIssueFacts none = summarize_text(R"({"platform":"python"})").facts;
    EXPECT_EQ(none.user_key, "");
    EXPECT_EQ(tag(none, "user"), "<none>");
    EXPECT_TRUE(search_values(none, "user.id").empty());
}

TEST(IssueSummary, Unhandled) {
    // Any exception with mechanism.handled == false (Snuba's error.unhandled).
    const Summary cause = summarize_text(R"({"platform":"python","exception":{"values":[
        {"type":"A","mechanism":{"type":"chained","handled":false}},
        {"type":"B","mechanism":{"type":"generic","handled":true}}]}})");
    EXPECT_TRUE(cause.facts.unhandled);
    EXPECT_EQ(tag(cause.facts, "handled"), "no");  // from the first exception
    EXPECT_FALSE(summarize_text(error_event("python", R"("type":"A","mechanism":{"type":"x"})"))
                     .facts.unhandled);
    EXPECT_EQ(
        tag(summarize_text(error_event("python", R"("type":"A","mechanism":{"type":"x"})")).facts,
            "handled"),
        "<none>");
}

// ---- robustness --------------------------------------------------------------------------------

TEST(IssueSummary, WrongKindFieldsNeverThrow) {
    // Not normalized: summarize_event must cope with anything.
    const char* const payloads[] = {
        R"({"exception":{"values":[1,"x",null,{"type":5,"value":{"a":1},"mechanism":"m",
            "stacktrace":{"frames":{"a":1}}}]},"tags":"x","contexts":[1],"user":"bob",
            "request":[1],"logentry":3,"level":7,"platform":1,"transaction":["t"]})",
        R"({"exception":{"values":[{"stacktrace":{"frames":[null,1,"s",[],{},
            {"function":7,"in_app":"yes","module":["m"]}]}}]},
            "threads":{"values":[1,{"stacktrace":"x"}]},"stacktrace":5,
            "tags":[1,["only"],["k",2],null,["a","b","c"]],
            "contexts":{"os":{"type":3,"name":"X"},"browser":"chrome",
                        "device":{"model":["m"],"family":{"f":1}}},
            "user":{"id":{"a":1},"ip_address":"not-an-ip","email":5}})",
        R"({"exception":{"values":[]},"logentry":{"formatted":5,"message":["m"]}})",
        R"({"exception":"boom","threads":[1],"metadata":"x","title":5})",
        R"([1,2,3])",
        R"("just a string")",
    };
    for (const char* payload : payloads) {
        json::Document doc = parse_or_die(payload);
        EXPECT_NO_THROW({
            const GroupingResult grouping = compute_grouping(doc.root());
            const EventIssueFacts facts = summarize_event(doc, grouping);
            EXPECT_FALSE(facts.title.empty()) << payload;
            EXPECT_FALSE(facts.metadata_json.empty()) << payload;
        }) << payload;
    }

    // The first payload: an error whose main exception is usable in part.
    json::Document doc = parse_or_die(payloads[0]);
    const EventIssueFacts facts = summarize_event(doc, GroupingResult{});
    EXPECT_EQ(facts.type, "error");
    // type 5 is no string: "Error"; the object value reads as JSON text.
    EXPECT_EQ(facts.title, R"(Error: {"a":1})");
    EXPECT_EQ(facts.culprit, "");
    EXPECT_EQ(facts.user_key, "");
    EXPECT_EQ(tag_map(facts), Tags{});  // level 7 is no string: no level tag
    EXPECT_EQ(str(doc, "tags"), "[]");

    // The second: junk tags are kept in the event but not in the facts.
    json::Document junk = parse_or_die(payloads[1]);
    const EventIssueFacts junk_facts = summarize_event(junk, GroupingResult{});
    EXPECT_EQ(junk_facts.title, "Error");
    // An os context whose type is no string is no os context: no tags.
    EXPECT_EQ(tag_map(junk_facts), Tags{});
    EXPECT_EQ(str(junk, "tags"), R"([1,["only"],["k",2],null,["a","b","c"]])");
    EXPECT_EQ(junk_facts.metadata_json,
              R"({"value":"","type":"Error","display_title_with_tree_label":false,)"
              R"("in_app_frame_mix":"system-only"})");
}

TEST(IssueSummary, TwentyThousandFrames) {
    std::string frames = "[";
    for (int i = 0; i < 20000; ++i) {
        if (i > 0) frames += ",";
        frames += R"({"module":"mod)" + std::to_string(i % 100) + R"(","filename":"f)" +
                  std::to_string(i) + R"(.py","function":"fn)" + std::to_string(i) +
                  R"(","in_app":false})";
    }
    frames += "]";
    const std::string payload =
        error_event("python", R"("type":"Deep","value":"recursion")", frames);
    const auto start = std::chrono::steady_clock::now();
    const Summary s = summarize_text(payload);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(5));
    EXPECT_EQ(s.facts.title, "Deep: recursion");
    EXPECT_EQ(s.facts.culprit, "mod99 in fn19999");
    EXPECT_NE(s.facts.metadata_json.find(R"("function":"fn19999")"), std::string::npos);
    EXPECT_NE(s.facts.metadata_json.find(R"("in_app_frame_mix":"system-only")"), std::string::npos);
    const std::vector<std::string> functions = search_values(s.facts, "stack.function");
    ASSERT_EQ(functions.size(), 16u);
    EXPECT_EQ(functions.front(), "fn19999");
    EXPECT_EQ(functions.back(), "fn19984");
    EXPECT_EQ(search_values(s.facts, "stack.filename").size(), 16u);
}

TEST(IssueSummary, ManyExceptionsAreBoundedInSearchFields) {
    std::string values = "[";
    for (int i = 0; i < 500; ++i) {
        if (i > 0) values += ",";
        values +=
            R"({"type":"E)" + std::to_string(i) + R"(","value":"v)" + std::to_string(i) + "\"}";
    }
    values += "]";
    const Summary s =
        summarize_text(R"({"platform":"python","exception":{"values":)" + values + "}}");
    EXPECT_EQ(s.facts.title, "E499: v499");
    EXPECT_EQ(search_values(s.facts, "error.type").size(), 64u);
    EXPECT_EQ(search_values(s.facts, "error.value").size(), 64u);
}

TEST(IssueSummary, RecordsGroupingAndAFingerprintRuleTitle) {
    json::Document doc = parse_or_die(
        R"({"platform":"python","exception":{"values":[{"type":"BillingTimeout","value":"t"}]}})");
    normalize(doc);
    const auto rules =
        parse_fingerprint_rules(R"(error.type:BillingTimeout -> billing title="Billing down")");
    const GroupingResult grouping =
        compute_grouping(doc.root(), &std::get<FingerprintRules>(rules));
    ASSERT_EQ(grouping.title_override, "Billing down");
    const EventIssueFacts facts = summarize_event(doc, grouping);
    EXPECT_EQ(facts.title, "Billing down");
    EXPECT_EQ(str(doc, "title"), "Billing down");
    EXPECT_EQ(json::to_string(*doc.root().find("hashes")), "[\"" + grouping.hashes.front() + "\"]");
    EXPECT_EQ(json::to_string(*doc.root().find("grouping_config")),
              R"({"id":"newstyle:2023-01-11"})");
    const json::Value* rule = doc.root().find("_fingerprint_info");
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->find("matched_rule")->find("text")->as_string(), grouping.fingerprint_rule);
}

}  // namespace
}  // namespace lt
