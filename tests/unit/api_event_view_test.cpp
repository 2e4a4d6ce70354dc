#include "api/event_view.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "event/normalize.h"
#include "event_support.h"
#include "test_support.h"

namespace lt {

namespace {

using testing_support::parse_or_die;
using testing_support::read_file;

namespace fs = std::filesystem;

const char* const kId = "e3fc6e8b586a406eafd31d024cc5fe0a";
constexpr double kReceived = 1795312826.5;  // 2026-11-22T02:00:26.5Z

// The event as the pipeline stores it (normalized; no summary fields unless a test adds them).
json::Document normalized(std::string_view text, double received_at = kReceived) {
    json::Document doc = parse_or_die(text);
    NormalizeContext context;
    context.received_at = received_at;
    context.client_ip = "203.0.113.7";
    context.event_id = kId;
    normalize_event(doc, context);
    return doc;
}

// The payload of the first item of `type` in a captured envelope.
std::string envelope_payload(std::string_view relative, std::string_view type = "event") {
    json::Document envelope = parse_or_die(read_file(fs::path(LT_FIXTURES) / "corpus" / relative));
    if (const json::Value* items = envelope.root().find("items")) {
        for (const json::Value& item : items->elements()) {
            const json::Value* header = item.find("header");
            if (header != nullptr && header->find("type") != nullptr &&
                header->find("type")->as_string() == type) {
                return json::to_string(*item.find("payload"));
            }
        }
    }
    ADD_FAILURE() << "no " << type << " item in " << relative;
    return "{}";
}

EventViewContext view_context() {
    EventViewContext context;
    context.project_id = 7;
    context.group_id = 42;
    context.received_at = kReceived;
    context.size = 1234;
    context.previous_event_id = "0123456789abcdef0123456789abcdef";
    return context;
}

json::Document view(const json::Value& event, const EventViewContext& context = view_context()) {
    const std::string text = render_event_view(event, context);
    json::Document doc = parse_or_die(text);
    EXPECT_TRUE(doc.root().is_object()) << text;
    return doc;
}

// The value at a dotted path ("entries.0.data.values.1"), or nullptr.
const json::Value* at(const json::Value& root, std::string_view path) {
    const json::Value* value = &root;
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
    const json::Value* value = at(doc.root(), path);
    return value != nullptr ? json::to_string(*value) : "<missing>";
}

// The entry of `type`, or nullptr.
const json::Value* entry(const json::Document& doc, std::string_view type) {
    const json::Value* entries = doc.root().find("entries");
    if (entries == nullptr) return nullptr;
    for (const json::Value& item : entries->elements()) {
        if (item.find("type")->as_string() == type) return item.find("data");
    }
    return nullptr;
}

std::string entry_json(const json::Document& doc, std::string_view type, std::string_view path) {
    const json::Value* data = entry(doc, type);
    if (data == nullptr) return "<no entry>";
    const json::Value* value = path.empty() ? data : at(*data, path);
    return value != nullptr ? json::to_string(*value) : "<missing>";
}

std::vector<std::string> entry_types(const json::Document& doc) {
    std::vector<std::string> types;
    for (const json::Value& item : doc.root().find("entries")->elements()) {
        types.emplace_back(*item.find("type")->as_string());
    }
    return types;
}

std::vector<std::string> keys_of(const json::Value* object) {
    std::vector<std::string> keys;
    if (object != nullptr) {
        for (const auto& [key, value] : object->members()) keys.emplace_back(key);
    }
    return keys;
}

using Strings = std::vector<std::string>;

// Every key Sentry's event details always carry (ours add crash/report placeholders too).
const Strings kAlwaysPresent = {
    "id",           "eventID",      "groupID",      "projectID",      "size",       "title",
    "message",      "type",         "platform",     "culprit",        "location",   "metadata",
    "dateCreated",  "dateReceived", "tags",         "user",           "contexts",   "sdk",
    "context",      "packages",     "fingerprints", "groupingConfig", "release",    "dist",
    "errors",       "entries",      "_meta",        "crashFile",      "userReport", "sdkUpdates",
    "resolvedWith", "occurrence",   "nextEventID",  "previousEventID"};

void expect_always_present(const json::Document& doc, const std::string& where) {
    for (const std::string& key : kAlwaysPresent) {
        EXPECT_NE(doc.root().find(key), nullptr) << where << ": missing " << key;
    }
}

// ---- a real sentry-python exception event ---------------------------------------------------

json::Document python_exception() {
    json::Document event =
        normalized(read_file(fs::path(LT_FIXTURES) / "corpus/sentry-python/exception/002.json"));
    return event;
}

TEST(EventView, PythonExceptionTopLevel) {
    json::Document event = python_exception();
    json::Document doc = view(event.root());
    expect_always_present(doc, "python");
    EXPECT_EQ(json_at(doc, "id"), std::string("\"") + kId + "\"");
    EXPECT_EQ(json_at(doc, "eventID"), std::string("\"") + kId + "\"");
    EXPECT_EQ(json_at(doc, "groupID"), "\"42\"");
    EXPECT_EQ(json_at(doc, "projectID"), "\"7\"");
    EXPECT_EQ(json_at(doc, "size"), "1234");
    EXPECT_EQ(json_at(doc, "type"), "\"error\"");
    EXPECT_EQ(json_at(doc, "platform"), "\"python\"");
    // No stored title: Sentry's rule on the main (last) exception.
    EXPECT_EQ(json_at(doc, "title"), "\"PriceError: item has no price: {'name': 'broken'}\"");
    EXPECT_EQ(json_at(doc, "message"), "\"\"");  // errors without a log message
    EXPECT_EQ(json_at(doc, "culprit"), "null");
    EXPECT_EQ(json_at(doc, "location"), "null");
    EXPECT_EQ(json_at(doc, "metadata"), "{}");
    EXPECT_EQ(json_at(doc, "dateCreated"), "\"2026-11-22T02:00:15.086224Z\"");
    EXPECT_EQ(json_at(doc, "dateReceived"), "\"2026-11-22T02:00:26.500000Z\"");
    EXPECT_EQ(json_at(doc, "release"), R"({"version":"demo@1.2.3"})");
    EXPECT_EQ(json_at(doc, "dist"), "null");
    EXPECT_EQ(json_at(doc, "sdk"), R"({"name":"sentry.python","version":"1.9.10"})");
    EXPECT_EQ(json_at(doc, "context"), R"({"attempt":3,"sys.argv":["exception.py"]})");
    EXPECT_EQ(json_at(doc, "packages.sentry-sdk"), "\"1.9.10\"");
    EXPECT_EQ(json_at(doc, "contexts.runtime.name"), "\"CPython\"");
    EXPECT_EQ(json_at(doc, "contexts.runtime.type"), "\"runtime\"");
    EXPECT_EQ(json_at(doc, "contexts.order.total"), "42.5");
    EXPECT_EQ(json_at(doc, "fingerprints"), "[]");
    EXPECT_EQ(json_at(doc, "groupingConfig"), "null");
    EXPECT_EQ(json_at(doc, "errors"), "[]");
    EXPECT_EQ(json_at(doc, "crashFile"), "null");
    EXPECT_EQ(json_at(doc, "userReport"), "null");
    EXPECT_EQ(json_at(doc, "sdkUpdates"), "[]");
    EXPECT_EQ(json_at(doc, "resolvedWith"), "[]");
    EXPECT_EQ(json_at(doc, "occurrence"), "null");
    EXPECT_EQ(json_at(doc, "previousEventID"), "\"0123456789abcdef0123456789abcdef\"");
    EXPECT_EQ(json_at(doc, "nextEventID"), "null");
    EXPECT_EQ(doc.root().find("startTimestamp"), nullptr);  // transactions only
    // user: Sentry's fixed set of keys, absent ones null.
    EXPECT_EQ(json_at(doc, "user"), R"({"id":"u-123","email":"jane@example.com","username":"jane",)"
                                    R"("ip_address":null,"name":null,"geo":null,"data":null})");
    // tags: objects sorted by key (server_name came from the top-level field).
    EXPECT_EQ(
        json_at(doc, "tags"),
        R"([{"key":"component","value":"checkout"},{"key":"region","value":"eu-west-1"},)"
        R"({"key":"scenario","value":"exception"},{"key":"server_name","value":"capture-host"}])");
}

TEST(EventView, PythonExceptionEntry) {
    json::Document event = python_exception();
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_types(doc), (Strings{"exception", "breadcrumbs"}));
    // Cause first, as stored; Sentry's exception fields.
    EXPECT_EQ(entry_json(doc, "exception", "values.0.type"), "\"KeyError\"");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.value"), "\"'price'\"");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.module"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.mechanism"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.threadId"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.rawStacktrace"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.1.type"), "\"PriceError\"");
    EXPECT_EQ(entry_json(doc, "exception", "values.1.module"), "\"__main__\"");
    EXPECT_EQ(entry_json(doc, "exception", "hasSystemFrames"), "true");
    EXPECT_EQ(entry_json(doc, "exception", "excOmitted"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.1.stacktrace.framesOmitted"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.1.stacktrace.registers"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.1.stacktrace.hasSystemFrames"), "true");
    EXPECT_EQ(at(*entry(doc, "exception"), "values.1.stacktrace.frames")->size(), 5u);

    const json::Value* frame = at(*entry(doc, "exception"), "values.0.stacktrace.frames.0");
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(keys_of(frame),
              (Strings{"filename", "absPath", "module", "package", "platform", "instructionAddr",
                       "symbolAddr", "function", "rawFunction", "symbol", "context", "lineNo",
                       "colNo", "inApp", "trust", "errors", "lock", "sourceLink", "vars"}));
    EXPECT_EQ(json::to_string(*frame->find("filename")), "\"exception.py\"");
    EXPECT_EQ(json::to_string(*frame->find("absPath")),
              "\"/srv/shop/clients/python/exception.py\"");
    EXPECT_EQ(json::to_string(*frame->find("function")), "\"parse_price\"");
    EXPECT_EQ(json::to_string(*frame->find("module")), "\"__main__\"");
    EXPECT_EQ(json::to_string(*frame->find("lineNo")), "14");
    EXPECT_EQ(json::to_string(*frame->find("colNo")), "null");
    EXPECT_EQ(json::to_string(*frame->find("inApp")), "true");
    EXPECT_EQ(json::to_string(*frame->find("vars")), R"({"item":{"name":"'broken'"}})");
    // context: five lines before, the line itself at lineNo, five after.
    const json::Value* context = frame->find("context");
    ASSERT_EQ(context->size(), 11u);
    EXPECT_EQ(json::to_string(context->elements()[0]), R"([9,"    pass"])");
    EXPECT_EQ(json::to_string(context->elements()[4]), R"([13,"    try:"])");
    EXPECT_EQ(json::to_string(context->elements()[5]),
              R"([14,"        return item[\"price\"][\"amount\"] * 100"])");
    EXPECT_EQ(json::to_string(context->elements()[10]), R"([19,"def compute_total(cart):"])");
}

TEST(EventView, PythonBreadcrumbs) {
    json::Document event = python_exception();
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.0"),
              R"({"type":"log","timestamp":"2026-11-22T02:00:15.083946Z","level":"info",)"
              R"("message":"starting checkout for u-123","category":"shop.checkout",)"
              R"("data":null,"event_id":null})");
    // An http crumb without level or message: Relay's default level, a null message.
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.2.type"), "\"http\"");
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.2.level"), "\"info\"");
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.2.message"), "null");
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.2.data.status_code"), "200");
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.3.data"), R"({"sku":"abc","qty":2})");
}

TEST(EventView, PythonMetaFollowsTheEntries) {
    json::Document event = python_exception();
    json::Document doc = view(event.root());
    // The SDK's remark on frames.1.vars.cart... of exception 1, under the exception entry (0).
    EXPECT_EQ(json_at(doc,
                      "_meta.entries.0.data.values.1.stacktrace.frames.1.vars.cart.items.0."
                      "price.amount..rem.0.0"),
              "\"!limit\"");
    EXPECT_EQ(json_at(doc, "_meta.entries.0.data.values.1.stacktrace.frames.0.vars..len"), "18");
    EXPECT_EQ(keys_of(at(doc.root(), "_meta")), (Strings{"entries", "message", "user", "contexts",
                                                         "sdk", "context", "packages", "tags"}));
    EXPECT_EQ(json_at(doc, "_meta.user"), "null");
    EXPECT_EQ(json_at(doc, "_meta.tags"), "{}");
}

// ---- sentry-node events ---------------------------------------------------------------------

TEST(EventView, NodeRequestEntry) {
    json::Document event =
        normalized(envelope_payload("sentry-node/sessions-server/004.envelope.json"));
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_types(doc), (Strings{"exception", "breadcrumbs", "request"}));
    EXPECT_EQ(entry_json(doc, "request", "method"), "\"GET\"");
    EXPECT_EQ(entry_json(doc, "request", "url"), "\"http://127.0.0.1:43249/boom\"");
    // Headers stay [name, value] pairs in the stored order.
    EXPECT_EQ(entry_json(doc, "request", "headers.0"), R"(["host","127.0.0.1:43249"])");
    EXPECT_EQ(entry_json(doc, "request", "headers.5"), R"(["user-agent","node"])");
    EXPECT_EQ(entry_json(doc, "request", "query"), "[]");
    EXPECT_EQ(entry_json(doc, "request", "cookies"), "[]");
    EXPECT_EQ(entry_json(doc, "request", "fragment"), "null");
    EXPECT_EQ(entry_json(doc, "request", "data"), "null");
    EXPECT_EQ(entry_json(doc, "request", "env"), "null");
    EXPECT_EQ(entry_json(doc, "request", "inferredContentType"), "null");
    EXPECT_EQ(entry_json(doc, "request", "apiTarget"), "null");
    EXPECT_EQ(keys_of(entry(doc, "request")),
              (Strings{"method", "url", "query", "fragment", "data", "headers", "cookies", "env",
                       "inferredContentType", "apiTarget"}));
    // Frames without in_app are system frames; JavaScript frames carry a column.
    EXPECT_EQ(entry_json(doc, "exception", "values.0.stacktrace.frames.0.inApp"), "false");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.stacktrace.frames.0.colNo"), "14");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.stacktrace.frames.2.context"), "[]");
    EXPECT_EQ(json_at(doc, "user.ip_address"), "\"127.0.0.1\"");
    EXPECT_EQ(json_at(doc, "title"), "\"RangeError: boom handler\"");
}

TEST(EventView, NodeMessageEvent) {
    json::Document event = normalized(envelope_payload("sentry-node/message/003.envelope.json"));
    json::Document doc = view(event.root());
    // The message entry comes first (display score 2050), then the synthetic exception.
    EXPECT_EQ(entry_types(doc), (Strings{"message", "exception", "breadcrumbs"}));
    EXPECT_EQ(json_at(doc, "message"), "\"User jane failed to login 3 times\"");
    EXPECT_EQ(entry_json(doc, "message", ""),
              R"({"formatted":"User jane failed to login 3 times",)"
              R"("message":"User %s failed to login %s times","params":["jane",3]})");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.type"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "values.0.mechanism"),
              R"({"type":"generic","handled":true,"synthetic":true})");
    // Stored without a title, the event gets the issue summary's: a synthetic exception beside a
    // logentry is titled by its message, not by the crash frame's function ("?").
    EXPECT_EQ(json_at(doc, "title"), "\"User jane failed to login 3 times\"");
}

TEST(EventView, TransactionFields) {
    json::Document event =
        normalized(envelope_payload("sentry-node/tracing-static/002.envelope.json", "transaction"));
    json::Document doc = view(event.root());
    expect_always_present(doc, "transaction");
    EXPECT_EQ(json_at(doc, "type"), "\"transaction\"");
    const std::string name = json_at(doc, "title");
    EXPECT_EQ(name, json::to_string(*event.root().find("transaction")));
    EXPECT_EQ(json_at(doc, "startTimestamp"),
              json::to_string(*event.root().find("start_timestamp")));
    EXPECT_EQ(json_at(doc, "endTimestamp"), json::to_string(*event.root().find("timestamp")));
    EXPECT_NE(doc.root().find("measurements"), nullptr);
    EXPECT_NE(doc.root().find("breakdowns"), nullptr);
    const Strings types = entry_types(doc);
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types[0], "spans");
    const json::Value* spans = entry(doc, "spans");
    ASSERT_TRUE(spans->is_array());
    EXPECT_EQ(spans->size(), event.root().find("spans")->size());
}

// ---- the fields the pipeline adds -----------------------------------------------------------

TEST(EventView, PipelineFieldsPassThrough) {
    json::Document event = python_exception();
    json::Value& root = event.root();
    root.set("title", event.make_string("PriceError: stored title"));
    root.set("culprit", event.make_string("__main__ in parse_price"));
    root.set("location", event.make_string("exception.py"));
    json::Document extra = parse_or_die(
        R"({"metadata":{"type":"PriceError","value":"v","filename":"exception.py"},
            "grouping_config":{"id":"newstyle:2023-01-11"},
            "hashes":["5d41402abc4b2a76b9719d911017c592", 7],
            "errors":[{"type":"invalid_data","name":"tags.foo","value":3},
                      {"type":"value_too_long","name":"breadcrumbs.values.0.message"},
                      {"type":"invalid_attribute","name":"exception.values.0.stacktrace.frames.2.x"},
                      {"type":"js_no_source","url":"http://x/app.js"},
                      {"name":"no type"}, "junk"]})");
    for (const auto& [key, value] : extra.root().members()) root.set(key, event.copy(value));
    json::Document doc = view(root);
    EXPECT_EQ(json_at(doc, "title"), "\"PriceError: stored title\"");
    EXPECT_EQ(json_at(doc, "culprit"), "\"__main__ in parse_price\"");
    EXPECT_EQ(json_at(doc, "location"), "\"exception.py\"");
    EXPECT_EQ(json_at(doc, "metadata"),
              R"({"type":"PriceError","value":"v","filename":"exception.py"})");
    EXPECT_EQ(json_at(doc, "groupingConfig"), R"({"id":"newstyle:2023-01-11"})");
    EXPECT_EQ(json_at(doc, "fingerprints"), R"(["5d41402abc4b2a76b9719d911017c592"])");
    // Sentry's error shape; breadcrumb and frame errors are hidden.
    const json::Value* errors = doc.root().find("errors");
    ASSERT_EQ(errors->size(), 3u);
    EXPECT_EQ(json_at(doc, "errors.0.type"), "\"invalid_data\"");
    EXPECT_EQ(json_at(doc, "errors.0.data"), R"({"name":"tags.foo","value":3})");
    EXPECT_TRUE(at(doc.root(), "errors.0.message")->is_string());
    EXPECT_FALSE(at(doc.root(), "errors.0.message")->as_string()->empty());
    EXPECT_EQ(json_at(doc, "errors.1.type"), "\"js_no_source\"");
    EXPECT_EQ(json_at(doc, "errors.1.data"), R"({"url":"http://x/app.js"})");
    EXPECT_EQ(json_at(doc, "errors.2.type"), "\"unknown_error\"");
}

TEST(EventView, LocationFallsBackToMetadataFilenameForErrors) {
    json::Document event = python_exception();
    json::Document metadata = parse_or_die(R"({"filename":"exception.py"})");
    event.root().set("metadata", event.copy(metadata.root()));
    EXPECT_EQ(json_at(view(event.root()), "location"), "\"exception.py\"");
}

// ---- tags -----------------------------------------------------------------------------------

TEST(EventView, TagsSortedWithUserQuery) {
    json::Document event = parse_or_die(
        R"({"event_id":"e3fc6e8b586a406eafd31d024cc5fe0a","tags":[
            ["level","error"],["sentry:user","email:jane\"x@example.com"],["b",7],["a","1"],
            ["sentry:release","1.0"],["n",null],[1,"x"],["short"],"junk",["user","ip:1.2.3.4"],
            ["user","plain"]]})");
    json::Document doc = view(event.root());
    EXPECT_EQ(json_at(doc, "tags"),
              R"([{"key":"a","value":"1"},{"key":"b","value":"7"},)"
              R"({"key":"level","value":"error"},{"key":"release","value":"1.0"},)"
              R"({"key":"user","value":"email:jane\"x@example.com",)"
              R"("query":"user.email:\"jane\\\"x@example.com\""},)"
              R"({"key":"user","value":"ip:1.2.3.4","query":"user.ip:\"1.2.3.4\""},)"
              R"({"key":"user","value":"plain"}])");
}

TEST(EventView, TagsAsObjectAndTagRemarks) {
    json::Document event = parse_or_die(R"({"tags":{"z":"1","a":"2"}})");
    EXPECT_EQ(json_at(view(event.root()), "tags"),
              R"([{"key":"a","value":"2"},{"key":"z","value":"1"}])");

    // A remark on the value of stored tag 0 ("z") follows it to its sorted position 1.
    json::Document with_meta = parse_or_die(
        R"({"tags":[["z","[Filtered]"],["a","2"]],
            "_meta":{"tags":{"0":{"1":{"":{"rem":[["@password","s"]]}}}}}})");
    EXPECT_EQ(json_at(view(with_meta.root()), "_meta.tags"),
              R"({"1":{"value":{"":{"rem":[["@password","s"]]}}}})");
}

// ---- frames ---------------------------------------------------------------------------------

TEST(EventView, FrameAddressesContextAndVars) {
    json::Document event = normalized(R"json({"platform":"native","exception":{"values":[{
        "type":"SIGSEGV","value":"crash","thread_id":3,
        "mechanism":{"type":"signalhandler","handled":false,"data":null},
        "stacktrace":{"registers":{"rip":"0x1"},"frames":[
          {"function":"main","instruction_addr":"0x1A","symbol_addr":"0x10","addr_mode":"rel:0",
           "package":"/usr/lib/libc.so","in_app":false},
          {"function":"crash","raw_function":"crash(int)","instruction_addr":"0x12345",
           "symbol_addr":74565,"lineno":7,"pre_context":["a","b"],"post_context":["d"],
           "vars":["x","y"],"trust":"cfi","in_app":true,"addr_mode":"abs",
           "data":{"symbolicator_status":"symbolicated","min_grouping_level":2}},
          {"function":"only_post","lineno":3,"post_context":["p"]},
          {"function":"no_lineno","context_line":"x"},
          {"function":"no_source","lineno":9}]}}]}})json");
    json::Document doc = view(event.root());
    const json::Value* exc = at(*entry(doc, "exception"), "values.0");
    ASSERT_NE(exc, nullptr);
    EXPECT_EQ(json::to_string(*exc->find("threadId")), "3");
    EXPECT_EQ(json::to_string(*exc->find("mechanism")),
              R"({"type":"signalhandler","handled":false})");
    const json::Value* frames = at(*exc, "stacktrace.frames");
    // Addresses are padded to the longest of the stack trace (5 hex digits here).
    EXPECT_EQ(json_at(doc, "entries.0.data.values.0.stacktrace.frames.0.instructionAddr"),
              "\"0x0001a\"");
    EXPECT_EQ(json::to_string(*at(*frames, "0.symbolAddr")), "\"0x00010\"");
    EXPECT_EQ(json::to_string(*at(*frames, "1.instructionAddr")), "\"0x12345\"");
    EXPECT_EQ(json::to_string(*at(*frames, "1.symbolAddr")), "\"0x12345\"");  // 74565
    EXPECT_EQ(json::to_string(*at(*frames, "0.addrMode")), "\"rel:0\"");
    EXPECT_EQ(at(*frames, "1.addrMode"), nullptr);  // "abs" is not shown
    EXPECT_EQ(json::to_string(*at(*frames, "0.package")), "\"/usr/lib/libc.so\"");
    EXPECT_EQ(json::to_string(*at(*frames, "1.rawFunction")), "\"crash(int)\"");
    EXPECT_EQ(json::to_string(*at(*frames, "1.trust")), "\"cfi\"");
    EXPECT_EQ(json::to_string(*at(*frames, "1.vars")), R"({"0":"x","1":"y"})");
    EXPECT_EQ(json::to_string(*at(*frames, "1.symbolicatorStatus")), "\"symbolicated\"");
    EXPECT_EQ(json::to_string(*at(*frames, "1.minGroupingLevel")), "2");
    // A missing context_line still takes its row, as null.
    EXPECT_EQ(json::to_string(*at(*frames, "1.context")), R"([[5,"a"],[6,"b"],[7,null],[8,"d"]])");
    EXPECT_EQ(json::to_string(*at(*frames, "2.context")), R"([[3,null],[4,"p"]])");
    EXPECT_EQ(json::to_string(*at(*frames, "3.context")), "[]");  // no line number
    EXPECT_EQ(json::to_string(*at(*frames, "4.context")), "[]");  // no source
    EXPECT_EQ(json::to_string(*at(*frames, "4.inApp")), "false");
    EXPECT_EQ(json::to_string(*at(*exc, "stacktrace.registers")), R"({"rip":"0x1"})");
    EXPECT_EQ(json_at(doc, "title"), "\"SIGSEGV: crash\"");
}

TEST(EventView, FramesOfTheWrongKind) {
    json::Document event = parse_or_die(R"({"exception":{"values":[
        "junk", null,
        {"type":"E","value":"","stacktrace":{"frames":[7,{"filename":5,"lineno":"3",
          "in_app":"yes","vars":"v","errors":{},"lock":[],"instruction_addr":"0xZZ"}]}},
        {"type":"F","stacktrace":{"frames":[]},"raw_stacktrace":{"frames":"x"}}]}})");
    json::Document doc = view(event.root());
    const json::Value* values = at(*entry(doc, "exception"), "values");
    ASSERT_EQ(values->size(), 2u);                                     // non-objects are left out
    EXPECT_EQ(json_at(doc, "entries.0.data.values.0.value"), "null");  // "" shows as null
    const json::Value* frames = at(*values, "0.stacktrace.frames");
    ASSERT_EQ(frames->size(), 2u);
    EXPECT_EQ(json::to_string(*at(*frames, "0.filename")), "null");
    EXPECT_EQ(json::to_string(*at(*frames, "0.context")), "[]");
    for (const char* key : {"filename", "lineNo", "vars", "errors", "lock", "instructionAddr"}) {
        EXPECT_EQ(json::to_string(*at(*frames, std::string("1.") + key)), "null") << key;
    }
    EXPECT_EQ(json::to_string(*at(*frames, "1.inApp")), "false");
    EXPECT_EQ(json_at(doc, "entries.0.data.values.1.stacktrace"), "null");
    EXPECT_EQ(json_at(doc, "entries.0.data.values.1.rawStacktrace"), "null");
    EXPECT_EQ(json_at(doc, "entries.0.data.hasSystemFrames"), "false");
}

// ---- other entries --------------------------------------------------------------------------

TEST(EventView, ThreadsStacktraceDebugMetaAndOrder) {
    json::Document event = normalized(R"({"platform":"cocoa",
        "message":"hello",
        "request":{"url":"https://example.com/a","method":"POST","data":{"k":"v"},
                   "query_string":"a=1&b=2","headers":{"B":"2","A":"1"},
                   "env":{"REMOTE_ADDR":"10.0.0.1"},"inferred_content_type":"application/json"},
        "breadcrumbs":[{"timestamp":1795312800.25,"message":"m"}],
        "debug_meta":{"images":[{"type":"macho","debug_id":"abc"}]},
        "stacktrace":{"frames":[{"function":"top","in_app":true}]},
        "exception":{"values":[{"type":"A","value":"a","stacktrace":{"frames":[{"function":"f"}]}},
                               {"type":"B","value":"b"}]},
        "threads":{"values":[{"id":1,"name":"main","crashed":true,"current":true,"main":true,
                              "state":"RUNNABLE","held_locks":{"0x1":{"type":1}},
                              "stacktrace":{"frames":[{"function":"t","in_app":true}]}},
                             {"id":"2"}]}})");
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_types(doc), (Strings{"message", "exception", "stacktrace", "threads",
                                         "breadcrumbs", "request", "debugmeta"}));
    EXPECT_EQ(entry_json(doc, "message", ""), R"({"formatted":"hello"})");
    EXPECT_EQ(entry_json(doc, "stacktrace", "frames.0.function"), "\"top\"");
    EXPECT_EQ(entry_json(doc, "stacktrace", "hasSystemFrames"), "true");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.id"), "1");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.crashed"), "true");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.main"), "true");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.state"), "\"RUNNABLE\"");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.heldLocks"), R"({"0x1":{"type":1}})");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.stacktrace.frames.0.function"), "\"t\"");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.rawStacktrace"), "null");
    EXPECT_EQ(entry_json(doc, "threads", "values.1"),
              R"({"id":"2","current":false,"crashed":false,"name":null,"stacktrace":null,)"
              R"("rawStacktrace":null})");
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.0"),
              R"({"type":"default","timestamp":"2026-11-22T02:00:00.250000Z","level":"info",)"
              R"("message":"m","category":null,"data":null,"event_id":null})");
    EXPECT_EQ(entry_json(doc, "request", "query"), R"([["a","1"],["b","2"]])");
    EXPECT_EQ(entry_json(doc, "request", "data"), R"({"k":"v"})");
    EXPECT_EQ(entry_json(doc, "request", "env"), R"({"REMOTE_ADDR":"10.0.0.1"})");
    EXPECT_EQ(entry_json(doc, "request", "inferredContentType"), "\"application/json\"");
    EXPECT_EQ(entry_json(doc, "debugmeta", ""),
              R"({"images":[{"type":"macho","debug_id":"abc"}]})");
    // Only the exception with frames gets a stacktrace; hasSystemFrames needs an in-app frame.
    EXPECT_EQ(entry_json(doc, "exception", "values.1.stacktrace"), "null");
    EXPECT_EQ(entry_json(doc, "exception", "hasSystemFrames"), "false");
    EXPECT_EQ(json_at(doc, "message"), "\"hello\"");
}

TEST(EventView, UnnormalizedPairsAreSortedPairs) {
    json::Document event =
        parse_or_die(R"({"request":{"headers":{"b":"2","a":"1"},"cookies":{"z":"9"}}})");
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_json(doc, "request", "headers"), R"([["a","1"],["b","2"]])");
    EXPECT_EQ(entry_json(doc, "request", "cookies"), R"([["z","9"]])");
}

TEST(EventView, SecurityAndTemplateEntries) {
    json::Document event = parse_or_die(R"({"type":"csp",
        "csp":{"document_uri":"https://x/","blocked_uri":null,"effective_directive":"img-src"},
        "template":{"filename":"t.html","lineno":2,"context_line":"b","pre_context":["a"]},
        "breadcrumbs":{"values":[]}})");
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_types(doc), (Strings{"csp", "template", "breadcrumbs"}));
    EXPECT_EQ(entry_json(doc, "csp", ""),
              R"({"document_uri":"https://x/","effective_directive":"img-src"})");
    EXPECT_EQ(entry_json(doc, "template", ""),
              R"({"lineNo":2,"filename":"t.html","context":[[1,"a"],[2,"b"]]})");
    EXPECT_EQ(json_at(doc, "type"), "\"csp\"");
}

// ---- missing fields and wrong kinds ---------------------------------------------------------

TEST(EventView, EmptyEvent) {
    json::Document event = parse_or_die("{}");
    EventViewContext context;
    json::Document doc = view(event.root(), context);
    expect_always_present(doc, "empty");
    EXPECT_EQ(json_at(doc, "id"), "null");
    EXPECT_EQ(json_at(doc, "groupID"), "null");
    EXPECT_EQ(json_at(doc, "projectID"), "\"0\"");
    EXPECT_EQ(json_at(doc, "title"), "\"<unlabeled event>\"");
    EXPECT_EQ(json_at(doc, "message"), "\"\"");
    EXPECT_EQ(json_at(doc, "type"), "\"default\"");
    EXPECT_EQ(json_at(doc, "platform"), "null");
    EXPECT_EQ(json_at(doc, "dateCreated"), "null");
    EXPECT_EQ(json_at(doc, "dateReceived"), "null");
    EXPECT_EQ(json_at(doc, "tags"), "[]");
    EXPECT_EQ(json_at(doc, "user"), "null");
    EXPECT_EQ(json_at(doc, "contexts"), "{}");
    EXPECT_EQ(json_at(doc, "sdk"), "null");
    EXPECT_EQ(json_at(doc, "context"), "{}");
    EXPECT_EQ(json_at(doc, "packages"), "{}");
    EXPECT_EQ(json_at(doc, "release"), "null");
    EXPECT_EQ(json_at(doc, "entries"), "[]");
    EXPECT_EQ(json_at(doc, "_meta"),
              R"({"entries":{},"message":null,"user":null,"contexts":null,"sdk":null,)"
              R"("context":null,"packages":null,"tags":{}})");
}

TEST(EventView, DefaultEventTitleAndMessage) {
    json::Document event = normalized(R"({"logentry":{"message":"  Disk %s full\nsecond line",
        "formatted":""}})");
    // A stored empty `formatted` falls back to the template (normalize may have filled it).
    json::Document doc = view(event.root());
    EXPECT_EQ(json_at(doc, "type"), "\"default\"");
    EXPECT_EQ(json_at(doc, "title"), "\"Disk %s full\"");

    json::Document raw = parse_or_die(
        R"({"logentry":{"message":"template %s","formatted":""},
            "_meta":{"logentry":{"message":{"":{"rem":[["x","s"]]}}}}})");
    json::Document raw_doc = view(raw.root());
    EXPECT_EQ(json_at(raw_doc, "message"), "\"template %s\"");
    EXPECT_EQ(json_at(raw_doc, "_meta.message"), R"({"":{"rem":[["x","s"]]}})");
    EXPECT_EQ(json_at(raw_doc, "_meta.entries.0.data"), R"({"message":{"":{"rem":[["x","s"]]}}})");

    json::Document long_message =
        parse_or_die(R"({"logentry":{"formatted":")" + std::string(120, 'x') + R"("}})");
    EXPECT_EQ(json_at(view(long_message.root()), "title"), "\"" + std::string(97, 'x') + "...\"");
}

TEST(EventView, WrongKindsNeverThrow) {
    const char* const kCases[] = {
        R"([1,2])",
        R"("text")",
        R"(null)",
        R"({"event_id":5,"timestamp":"not a date","type":7,"platform":[],"title":{},
            "culprit":3,"location":[],"metadata":"m","tags":7,"user":"x","contexts":[],
            "sdk":1,"extra":[],"modules":"x","hashes":{},"grouping_config":5,"release":5,
            "dist":{},"errors":{},"_meta":[],"logentry":"x","exception":"str",
            "breadcrumbs":{"values":[1,null,{"timestamp":"bad","data":[],"level":3}]},
            "request":{"headers":5,"cookies":"c","query_string":{"a":1},"env":[],"data":"d"},
            "threads":{"values":[null,{"id":{},"stacktrace":{"frames":[null]}}]},
            "debug_meta":{"images":"x"},"stacktrace":{"frames":{}},"spans":{}})",
        R"({"_meta":{"exception":{"values":{"x":1,"0":{"stacktrace":{"frames":{"9":{},"a":1}}}}},
            "breadcrumbs":"x","request":{"headers":{"0":{"1":{}}}},"tags":{"0":5}},
            "exception":{"values":[{"type":"T","stacktrace":{"frames":[{"lineno":1}]}}]},
            "breadcrumbs":{"values":[{"message":"m"}]},"request":{"url":"u"},"tags":[["a","b"]]})",
    };
    for (const char* text : kCases) {
        json::Document event = parse_or_die(text);
        std::string out;
        EXPECT_NO_THROW(out = render_event_view(event.root(), view_context())) << text;
        json::Document doc = parse_or_die(out);
        ASSERT_TRUE(doc.root().is_object()) << text;
        expect_always_present(doc, text);
    }

    json::Document event = parse_or_die(kCases[3]);
    json::Document doc = view(event.root());
    EXPECT_EQ(json_at(doc, "title"), "\"<unlabeled event>\"");
    EXPECT_EQ(json_at(doc, "type"), "\"default\"");
    EXPECT_EQ(json_at(doc, "dateCreated"), "\"2026-11-22T02:00:26.500000Z\"");  // received
    EXPECT_EQ(json_at(doc, "tags"), "[]");
    EXPECT_EQ(json_at(doc, "user"), "null");
    EXPECT_EQ(json_at(doc, "contexts"), "{}");
    EXPECT_EQ(json_at(doc, "sdk"), "null");
    EXPECT_EQ(json_at(doc, "metadata"), "{}");
    EXPECT_EQ(json_at(doc, "fingerprints"), "[]");
    EXPECT_EQ(json_at(doc, "groupingConfig"), "null");
    EXPECT_EQ(json_at(doc, "release"), "null");
    EXPECT_EQ(json_at(doc, "errors"), "[]");
    EXPECT_EQ(entry_types(doc), (Strings{"threads", "breadcrumbs", "request"}));
    EXPECT_EQ(entry_json(doc, "threads", "values.0.id"), "null");
    EXPECT_EQ(entry_json(doc, "threads", "values.0.stacktrace.frames.0.function"), "null");
    EXPECT_EQ(entry_json(doc, "breadcrumbs", "values.0"),
              R"({"type":"default","timestamp":null,"level":"info","message":null,)"
              R"("category":null,"data":null,"event_id":null})");
    EXPECT_EQ(entry_json(doc, "request", "headers"), "[]");
    EXPECT_EQ(entry_json(doc, "request", "cookies"), "\"c\"");  // a string is shown as stored
    EXPECT_EQ(entry_json(doc, "request", "query"), R"([["a",1]])");
    EXPECT_EQ(entry_json(doc, "request", "env"), "null");
    EXPECT_EQ(entry_json(doc, "request", "data"), "\"d\"");
}

// ---- _meta ----------------------------------------------------------------------------------

TEST(EventView, MetaIsKeyedLikeTheView) {
    json::Document event = parse_or_die(R"({
        "exception":{"values":[null,{"type":"T","thread_id":1,"stacktrace":{"frames":[
            {"lineno":10,"pre_context":["a","b"],"context_line":"c","post_context":["d"],
             "abs_path":"/x","vars":{"password":"[Filtered]"}}]}}]},
        "breadcrumbs":{"values":[7,{"message":"[Filtered]"}]},
        "request":{"url":"u","query_string":[["token","[Filtered]"]],
                   "headers":[["Authorization","[Filtered]"]]},
        "user":{"email":"[Filtered]"},
        "extra":{"secret":"[Filtered]"},
        "_meta":{
          "exception":{"values":{"1":{"thread_id":{"":{"err":["x"]}},"stacktrace":{"frames":{"0":{
              "abs_path":{"":{"rem":[["@a","s"]]}},
              "vars":{"password":{"":{"rem":[["@password","s"]]}}},
              "pre_context":{"1":{"":{"rem":[["@b","s"]]}}},
              "context_line":{"":{"rem":[["@c","s"]]}},
              "post_context":{"0":{"":{"rem":[["@d","s"]]}}},
              "data":{"":{"rem":[["@e","s"]]}}}}}}}},
          "breadcrumbs":{"values":{"1":{"message":{"":{"rem":[["@f","s"]]}}}}},
          "request":{"query_string":{"0":{"1":{"":{"rem":[["@g","s"]]}}}},
                     "headers":{"0":{"1":{"":{"rem":[["@h","s"]]}}}}},
          "user":{"email":{"":{"rem":[["@i","s"]]}}},
          "extra":{"secret":{"":{"rem":[["@j","s"]]}}}}})");
    json::Document doc = view(event.root());
    EXPECT_EQ(entry_types(doc), (Strings{"exception", "breadcrumbs", "request"}));
    // The stored exception 1 is the view's 0 (the null one is left out).
    const json::Value* frame = at(doc.root(), "_meta.entries.0.data.values.0.stacktrace.frames.0");
    ASSERT_NE(frame, nullptr) << json_at(doc, "_meta");
    EXPECT_EQ(json_at(doc, "_meta.entries.0.data.values.0.threadId"), R"({"":{"err":["x"]}})");
    EXPECT_EQ(json::to_string(*frame),
              R"({"absPath":{"":{"rem":[["@a","s"]]}},)"
              R"("vars":{"password":{"":{"rem":[["@password","s"]]}}},)"
              R"("context":{"1":{"1":{"":{"rem":[["@b","s"]]}}},)"
              R"("2":{"1":{"":{"rem":[["@c","s"]]}}},"3":{"1":{"":{"rem":[["@d","s"]]}}}}})");
    // Context rows line up with the frame's context array: row 2 is line 10.
    EXPECT_EQ(entry_json(doc, "exception", "values.0.stacktrace.frames.0.context.2"),
              R"([10,"c"])");
    EXPECT_EQ(json_at(doc, "_meta.entries.1.data"),
              R"({"values":{"0":{"message":{"":{"rem":[["@f","s"]]}}}}})");
    EXPECT_EQ(json_at(doc, "_meta.entries.2.data"),
              R"({"query":{"0":{"1":{"":{"rem":[["@g","s"]]}}}},)"
              R"("headers":{"0":{"1":{"":{"rem":[["@h","s"]]}}}}})");
    EXPECT_EQ(json_at(doc, "_meta.user"), R"({"email":{"":{"rem":[["@i","s"]]}}})");
    EXPECT_EQ(json_at(doc, "_meta.context"), R"({"secret":{"":{"rem":[["@j","s"]]}}})");
}

// ---- every captured event -------------------------------------------------------------------

TEST(EventView, EveryCorpusEventRendersInSentryShape) {
    const fs::path corpus = fs::path(LT_FIXTURES) / "corpus";
    ASSERT_TRUE(fs::exists(corpus));
    size_t rendered = 0;
    for (const auto& file : fs::recursive_directory_iterator(corpus)) {
        const std::string name = file.path().filename().string();
        if (!file.is_regular_file() || file.path().extension() != ".json") continue;
        json::ParseResult parsed = json::parse(read_file(file.path()));
        if (!parsed.document) continue;
        std::vector<std::string> payloads;
        const json::Value& root = parsed.document->root();
        if (name.ends_with(".envelope.json")) {
            const json::Value* items = root.find("items");
            if (items == nullptr) continue;
            for (const json::Value& item : items->elements()) {
                const json::Value* type = at(item, "header.type");
                const json::Value* payload = item.find("payload");
                if (type != nullptr &&
                    (type->as_string() == "event" || type->as_string() == "transaction") &&
                    payload != nullptr && payload->is_object()) {
                    payloads.push_back(json::to_string(*payload));
                }
            }
        } else if (root.find("event_id") != nullptr && root.find("exception") != nullptr) {
            payloads.push_back(json::to_string(root));  // legacy store body
        }
        for (const std::string& payload : payloads) {
            json::Document event = normalized(payload);
            json::Document doc = view(event.root());
            const std::string where = file.path().string();
            expect_always_present(doc, where);
            ++rendered;
            const std::string text = json::to_string(doc.root());
            // Nothing of the stored snake_case frame or request shape leaks into the view.
            for (const char* stored : {"\"abs_path\"", "\"context_line\"", "\"pre_context\"",
                                       "\"in_app\"", "\"query_string\"", "\"raw_stacktrace\""}) {
                EXPECT_EQ(text.find(stored), std::string::npos) << where << " has " << stored;
            }
            for (const json::Value& item : doc.root().find("entries")->elements()) {
                EXPECT_TRUE(item.find("type")->is_string()) << where;
                EXPECT_NE(item.find("data"), nullptr) << where;
            }
            if (const json::Value* crumbs = entry(doc, "breadcrumbs")) {
                for (const json::Value& crumb : crumbs->find("values")->elements()) {
                    const auto timestamp = crumb.find("timestamp")->as_string();
                    ASSERT_TRUE(timestamp) << where;
                    EXPECT_EQ(timestamp->size(), 27u) << *timestamp;
                    EXPECT_TRUE(timestamp->ends_with("Z")) << *timestamp;
                }
            }
        }
    }
    EXPECT_GE(rendered, 20u);
}

}  // namespace

}  // namespace lt
