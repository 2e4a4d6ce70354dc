#include "grouping/grouping.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "event/json.h"
#include "event_support.h"
#include "test_support.h"

namespace lt {
namespace {

using testing_support::parse_or_die;
using testing_support::read_file;

// Expected hashes below were computed independently with Python's hashlib over the values Sentry's
// component tree yields (md5.update per value, tree order).

// A sentry-python exception event (the SDK sent no platform; Relay's is "python" for it).
json::Document python_event(std::string_view name) {
    json::Document doc = parse_or_die(read_file(
        std::string(LT_FIXTURES) + "/corpus/sentry-python/exception/" + std::string(name)));
    doc.root().set("platform", doc.make_string("python"));
    return doc;
}

// The event item of a sentry-node envelope.
json::Document node_event(std::string_view name) {
    json::Document envelope = parse_or_die(
        read_file(std::string(LT_FIXTURES) + "/corpus/sentry-node/exception/" + std::string(name)));
    for (const json::Value& item : envelope.root().find("items")->elements()) {
        if (item.find("header")->find("type")->as_string() == "event") {
            return parse_or_die(json::to_string(*item.find("payload")));
        }
    }
    ADD_FAILURE() << "no event item in " << name;
    return json::Document();
}

json::Value& exception(json::Document& doc, size_t index) {
    return doc.root().find("exception")->find("values")->elements()[index];
}

json::Value& frame(json::Document& doc, size_t exception_index, size_t frame_index) {
    return exception(doc, exception_index)
        .find("stacktrace")
        ->find("frames")
        ->elements()[frame_index];
}

GroupingResult group(const json::Document& doc) {
    return compute_grouping(doc.root());
}

std::string primary(const json::Document& doc) {
    return group(doc).hashes.at(0);
}

json::Document message_event(std::string_view message) {
    json::Document doc = parse_or_die(R"({"platform":"python","logentry":{}})");
    doc.root().find("logentry")->set("formatted", doc.make_string(message));
    return doc;
}

TEST(Grouping, PythonChainedExceptionHashesEveryFrameAndType) {
    const json::Document doc = python_event("002.json");
    const GroupingResult result = group(doc);
    EXPECT_EQ(result.config_id, "newstyle:2023-01-11");
    // All frames are in-app: the app and system hashes are the same, reported once.
    ASSERT_EQ(result.hashes.size(), 1U);
    EXPECT_EQ(result.hashes[0], "a14cf5d3901ae64e5ff6794fe495678c");
    EXPECT_EQ(result.primary_variant, "app");
}

TEST(Grouping, SameErrorFromSameCallSiteGroupsTogether) {
    json::Document first = python_event("002.json");
    json::Document second = python_event("002.json");
    // Line numbers, exception values and indentation do not take part.
    frame(second, 1, 2).set("lineno", second.make_int64(99));
    exception(second, 1).set("value", second.make_string("item has no price: {'name': 'other'}"));
    frame(second, 1, 1).set("context_line", second.make_string("\treturn   compute_total(cart)"));
    EXPECT_EQ(primary(first), primary(second));
}

TEST(Grouping, DifferentCallSitesSplit) {
    json::Document first = python_event("002.json");
    json::Document second = python_event("002.json");
    frame(second, 1, 1).set("function", second.make_string("checkout_v2"));
    EXPECT_NE(primary(first), primary(second));
    json::Document third = python_event("002.json");
    frame(third, 1, 1).set("context_line", third.make_string("    return compute_total(basket)"));
    EXPECT_NE(primary(first), primary(third));
}

TEST(Grouping, PythonChainGroupsByWholeChain) {
    json::Document base = python_event("002.json");
    json::Document other_cause = python_event("002.json");
    exception(other_cause, 0).set("type", other_cause.make_string("IndexError"));
    EXPECT_NE(primary(base), primary(other_cause));
    // Exception 003 shares nothing with 002.
    EXPECT_NE(primary(base), primary(python_event("003.json")));
}

TEST(Grouping, JavaScriptCauseChainGroupsByWholeChain) {
    const json::Document base = node_event("004.envelope.json");
    json::Document other_cause = node_event("004.envelope.json");
    exception(other_cause, 0).set("type", other_cause.make_string("TypeError"));
    EXPECT_NE(primary(base), primary(other_cause));
    json::Document again = node_event("004.envelope.json");
    frame(again, 0, 1).set("lineno", again.make_int64(1234));
    EXPECT_EQ(primary(base), primary(again));
}

TEST(Grouping, LibraryFrameChangeKeepsAppHashButMovesSystemHash) {
    const json::Document base = node_event("003.envelope.json");
    json::Document changed = node_event("003.envelope.json");
    // Frame 0 is node's task_queues, in_app false.
    frame(changed, 0, 0).set("module", changed.make_string("timers"));
    const GroupingResult a = group(base);
    const GroupingResult b = group(changed);
    ASSERT_EQ(a.hashes.size(), 2U);
    ASSERT_EQ(b.hashes.size(), 2U);
    EXPECT_EQ(a.primary_variant, "app");
    EXPECT_EQ(a.hashes[0], b.hashes[0]);
    EXPECT_NE(a.hashes[1], b.hashes[1]);
}

TEST(Grouping, InAppFrameChangeMovesPrimaryHash) {
    const json::Document base = node_event("003.envelope.json");
    json::Document changed = node_event("003.envelope.json");
    frame(changed, 0, 2).set("context_line", changed.make_string("  return computeTotalV2(cart);"));
    EXPECT_NE(primary(base), primary(changed));
}

TEST(Grouping, WithoutInAppFramesTheSystemVariantGroups) {
    json::Document doc = node_event("003.envelope.json");
    for (json::Value& f : exception(doc, 0).find("stacktrace")->find("frames")->elements()) {
        f.set("in_app", doc.make_bool(false));
    }
    const GroupingResult result = group(doc);
    ASSERT_EQ(result.hashes.size(), 1U);
    EXPECT_EQ(result.primary_variant, "system");
    EXPECT_EQ(result.hashes[0], group(node_event("003.envelope.json")).hashes[1]);
}

TEST(Grouping, RecursionDoesNotContribute) {
    const json::Document base = python_event("002.json");
    json::Document recursive = python_event("002.json");
    json::Value* frames = exception(recursive, 1).find("stacktrace")->find("frames");
    frames->push_back(recursive.copy(frames->elements()[4]));
    EXPECT_EQ(primary(base), primary(recursive));
}

TEST(Grouping, LongContextLinesAreIgnored) {
    json::Document a = python_event("002.json");
    json::Document b = python_event("002.json");
    frame(a, 0, 0).set("context_line", a.make_string(std::string(121, 'x')));
    frame(b, 0, 0).set("context_line", b.make_string(std::string(121, 'y')));
    EXPECT_EQ(primary(a), primary(b));
    frame(b, 0, 0).set("context_line", b.make_string(std::string(120, 'y')));
    EXPECT_NE(primary(a), primary(b));
}

TEST(Grouping, ModuleTakesPrecedenceOverFilename) {
    json::Document a = python_event("002.json");
    frame(a, 0, 0).set("filename", a.make_string("other.py"));
    EXPECT_EQ(primary(python_event("002.json")), primary(a));
}

TEST(Grouping, FilenameIsLowercasedBasenameWithoutQuery) {
    json::Document a = node_event("003.envelope.json");
    json::Document b = node_event("003.envelope.json");
    for (json::Document* doc : {&a, &b}) {
        for (json::Value& f : exception(*doc, 0).find("stacktrace")->find("frames")->elements()) {
            f.erase("module");
        }
    }
    frame(b, 0, 5).set("filename", b.make_string("C:\\srv\\Shop\\EXCEPTION.js?v=2#top"));
    EXPECT_EQ(primary(a), primary(b));
    frame(b, 0, 5).set("filename", b.make_string("/elsewhere/Exception.JS?v=2#top"));
    EXPECT_EQ(primary(a), primary(b));
    frame(b, 0, 5).set("filename", b.make_string("/srv/shop/clients/node/other.js"));
    EXPECT_NE(primary(a), primary(b));
}

TEST(Grouping, UrlFramesIgnoreTheFilename) {
    json::Document a = node_event("003.envelope.json");
    json::Document b = node_event("003.envelope.json");
    for (json::Document* doc : {&a, &b}) {
        json::Value& f = frame(*doc, 0, 5);
        f.erase("module");
        f.set("abs_path", doc->make_string("https://cdn.example.com/app.js"));
    }
    frame(b, 0, 5).set("filename", b.make_string("app.8f3a2.js"));
    EXPECT_EQ(primary(a), primary(b));
}

TEST(Grouping, ExceptionValueIsUsedOnlyWithoutStacktrace) {
    json::Document a = parse_or_die(
        R"({"platform":"python","exception":{"values":[{"type":"TimeoutError",
            "value":"Timeout for user 42 on order 1234"}]}})");
    const GroupingResult result = group(a);
    ASSERT_EQ(result.hashes.size(), 1U);
    EXPECT_EQ(result.hashes[0], "754fc58035fa924a3b653eb8464045e0");
    EXPECT_EQ(result.primary_variant, "app");
    json::Document b = python_event("002.json");
    exception(b, 1).set("value", b.make_string("completely different"));
    EXPECT_EQ(primary(python_event("002.json")), primary(b));
}

TEST(Grouping, SyntheticExceptionTypeIsIgnored) {
    json::Document a = parse_or_die(
        R"({"exception":{"values":[{"type":"SIGSEGV","value":"crash","mechanism":{"synthetic":true}}]}})");
    json::Document b = parse_or_die(
        R"({"exception":{"values":[{"type":"SIGBUS","value":"crash","mechanism":{"synthetic":true}}]}})");
    EXPECT_EQ(primary(a), primary(b));
}

TEST(Grouping, MessagesDifferingOnlyInValuesGroupTogether) {
    const json::Document a = message_event("Order 1234 failed for bob@example.com");
    const json::Document b = message_event("Order 98 failed for alice@example.org");
    EXPECT_EQ(primary(a), "3a78e96bf2084fbe3de4cb3c21cb69c1");
    EXPECT_EQ(primary(a), primary(b));
    EXPECT_EQ(group(a).primary_variant, "default");
    EXPECT_EQ(primary(message_event(
                  "Sync 550e8400-e29b-41d4-a716-446655440000 failed at 2024-01-02T03:04:05Z")),
              primary(message_event(
                  "Sync 123e4567-e89b-12d3-a456-426614174000 failed at 2025-11-30T23:59:59Z")));
    EXPECT_NE(primary(a), primary(message_event("Payment 1234 failed for bob@example.com")));
}

TEST(Grouping, MessageTemplateIsPreferred) {
    json::Document a = parse_or_die(
        R"({"logentry":{"message":"Order %s failed","formatted":"Order abc failed"}})");
    json::Document b = parse_or_die(
        R"({"logentry":{"message":"Order %s failed","formatted":"Order xyz failed"}})");
    EXPECT_EQ(primary(a), primary(b));
}

TEST(Grouping, NothingToGroupByFallsBack) {
    const json::Document doc = parse_or_die(R"({"platform":"python","level":"error"})");
    const GroupingResult result = group(doc);
    ASSERT_EQ(result.hashes.size(), 1U);
    EXPECT_EQ(result.hashes[0], "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(result.primary_variant, "fallback");
}

TEST(Grouping, CustomFingerprintOverrides) {
    json::Document a = python_event("002.json");
    a.root().set("fingerprint", a.make_array()).push_back(a.make_string("my-key"));
    json::Document b = message_event("anything");
    b.root().set("fingerprint", b.make_array()).push_back(b.make_string("my-key"));
    const GroupingResult result = group(a);
    ASSERT_EQ(result.hashes.size(), 1U);
    EXPECT_EQ(result.hashes[0], "515780610702189dabd912e9c9ef6f38");
    EXPECT_EQ(result.primary_variant, "custom-fingerprint");
    EXPECT_EQ(primary(b), result.hashes[0]);
}

TEST(Grouping, FingerprintVariablesResolve) {
    json::Document doc = python_event("003.json");
    exception(doc, 1).set("type", doc.make_string("KeyError"));
    doc.root().set("tags", doc.make_array()).push_back(doc.make_array());
    json::Value& pair = doc.root().find("tags")->elements()[0];
    pair.push_back(doc.make_string("region"));
    pair.push_back(doc.make_string("eu-west"));
    json::Value& fingerprint = doc.root().set("fingerprint", doc.make_array());
    fingerprint.push_back(doc.make_string("{{ type }}"));
    fingerprint.push_back(doc.make_string("{{tags.region}}"));
    fingerprint.push_back(doc.make_string("{{  transaction }}"));
    EXPECT_EQ(primary(doc), "ee29fee8e5ce0b5c23acbada13392607");
}

TEST(Grouping, DefaultOnlyFingerprintIsDefaultGrouping) {
    json::Document doc = python_event("002.json");
    doc.root().set("fingerprint", doc.make_array()).push_back(doc.make_string("{{default}}"));
    EXPECT_EQ(group(doc).hashes, group(python_event("002.json")).hashes);
}

TEST(Grouping, HybridFingerprintSplitsByExtraEntry) {
    const auto tenant_event = [](std::string_view message, std::string_view tenant) {
        json::Document doc = message_event(message);
        json::Value& fingerprint = doc.root().set("fingerprint", doc.make_array());
        fingerprint.push_back(doc.make_string("{{ default }}"));
        fingerprint.push_back(doc.make_string(tenant));
        return doc;
    };
    EXPECT_EQ(primary(tenant_event("Order 1", "acme")), "8ff952377b309eb4879745c566545481");
    EXPECT_EQ(primary(tenant_event("Order 1", "acme")), primary(tenant_event("Order 2", "acme")));
    EXPECT_NE(primary(tenant_event("Order 1", "acme")), primary(tenant_event("Order 1", "globex")));
    EXPECT_NE(primary(tenant_event("Order 1", "acme")), primary(message_event("Order 1")));
    EXPECT_NE(primary(tenant_event("Order 1", "acme")), primary(tenant_event("Refund 1", "acme")));
}

TEST(Grouping, SingleThreadStacktraceGroupsLikeAnException) {
    json::Document doc = python_event("002.json");
    json::Document threads =
        parse_or_die(R"({"platform":"python","threads":{"values":[{"id":1}]}})");
    json::Value& thread = threads.root().find("threads")->find("values")->elements()[0];
    thread.set("stacktrace", threads.copy(*exception(doc, 0).find("stacktrace")));
    const GroupingResult one = group(threads);
    EXPECT_EQ(one.primary_variant, "app");
    json::Value& values = *threads.root().find("threads")->find("values");
    values.push_back(threads.copy(values.elements()[0]));
    EXPECT_EQ(group(threads).primary_variant, "fallback");
}

TEST(Grouping, JavaScriptFrameQuirks) {
    // Object.foo -> foo; <anonymous> function ignored; eval and [native code] frames ignored.
    const json::Document doc = parse_or_die(R"({"platform":"javascript","stacktrace":{"frames":[
        {"function":"Object.foo","filename":"/app/a.js","abs_path":"/app/a.js","in_app":true},
        {"function":"<anonymous>","filename":"/app/b.js","abs_path":"/app/b.js","in_app":true},
        {"function":"eval","filename":"/app/c.js","abs_path":"/app/c.js","in_app":true},
        {"function":"forEach","filename":"[native code]","abs_path":"[native code]","in_app":true}]}})");
    EXPECT_EQ(group(doc).hashes, std::vector<std::string>{"cc185d4379a801506ae9c21013f9a80b"});
}

TEST(Grouping, JavaFrameQuirks) {
    // Codegen markers become <auto>, reflection accessors lose their number, lambdas are ignored.
    const json::Document doc = parse_or_die(R"({"platform":"java","stacktrace":{"frames":[
        {"module":"com.example.Foo$$EnhancerBySpringCGLIB$$1a2b3c","function":"lambda$run$0",
         "filename":"Foo.java","in_app":true},
        {"module":"sun.reflect.GeneratedMethodAccessor42","function":"invoke","in_app":true},
        {"module":"myapp.core$fn__1234","function":"invoke","in_app":true}]}})");
    EXPECT_EQ(group(doc).hashes, std::vector<std::string>{"09d19d21a3ac8a1e4405584257ebb719"});
}

TEST(Grouping, JavaCodegenMarkersGroupAcrossTheirGeneratedNumbers) {
    // Every marker rule (constructor accessors, CGLIB, javassist in module and filename, clojure
    // fns): two events differing only in the generated numbers share a hash, and a frame
    // without a marker still tells them apart.
    const auto event = [](const std::string& n, const std::string& plain) {
        return parse_or_die(R"({"platform":"java","stacktrace":{"frames":[
            {"module":"sun.reflect.GeneratedConstructorAccessor)" +
                            n + R"(","function":"newInstance","in_app":true},
            {"module":"sun.reflect.GeneratedSerializationConstructorAccessor)" +
                            n + R"(","function":"newInstance","in_app":true},
            {"module":"com.example.Foo$$EnhancerByCGLIB$$)" +
                            n + R"(f_2","function":"run","in_app":true},
            {"module":"com.example.Bar$$_javassist_seam_)" +
                            n + R"(","function":"run","filename":"Bar$$_javassist_)" + n +
                            R"(.java","in_app":true},
            {"module":"myapp.core$fn__)" +
                            n + R"(","function":"invoke","in_app":true},
            {"module":"com.example.)" +
                            plain + R"(","function":"handle","in_app":true}]}})");
    };
    const auto first = group(event("17", "Plain"));
    EXPECT_EQ(first.hashes, group(event("4242", "Plain")).hashes);
    EXPECT_NE(first.hashes, group(event("17", "Other")).hashes);
}

TEST(Grouping, RubyFrameQuirks) {
    const json::Document doc = parse_or_die(R"({"platform":"ruby","stacktrace":{"frames":[
        {"function":"block in process","filename":"app.rb","in_app":true},
        {"function":"_app_views_show_html_erb__1234567_8901234","filename":"show.html.erb",
         "in_app":true}]}})");
    EXPECT_EQ(group(doc).hashes, std::vector<std::string>{"0889762a99afec136110a33bb948f9a9"});
}

// Inputs and hashes from Sentry's snapshot tests (tests/sentry/grouping/grouping_inputs/ and
// snapshots/test_variants/test_event_hash_variant/newstyle@2023_01_11/).
TEST(GroupingSentrySnapshot, FrameIgnoresFilenameIfHttp) {
    const json::Document doc = parse_or_die(R"({"platform":"javascript","stacktrace":{"frames":[
        {"function":"test","abs_path":"http://foo.com/foo.py","context_line":"hello world",
         "filename":"/foo.py"}]}})");
    const GroupingResult result = group(doc);
    EXPECT_EQ(result.hashes, std::vector<std::string>{"64a0e0a34d99dce03a8c5a4c237a4b5a"});
    EXPECT_EQ(result.primary_variant, "system");
}

TEST(GroupingSentrySnapshot, CustomFingerprint) {
    const json::Document doc = parse_or_die(R"j({"platform":"python",
        "fingerprint":["celery","SoftTimeLimitExceeded","sentry.tasks.store.process_event"],
        "exception":{"values":[{"type":"SoftTimeLimitExceeded","value":"SoftTimeLimitExceeded()"}]}})j");
    EXPECT_EQ(group(doc).hashes, std::vector<std::string>{"f30afa00b85f5cac5ee0bce01b31f08d"});
}

// contributing_system_and_app_frames: its stack trace rules drop (-group) the runApp and
// recordMetrics frames and set in_app as below; the event here is the result of those rules.
TEST(GroupingSentrySnapshot, ContributingSystemAndAppFrames) {
    const json::Document doc = parse_or_die(R"({"platform":"javascript","exception":{"values":[{
        "type":"FailedToFetchError",
        "value":"FailedToFetchError: Charlie didn't bring the ball back!",
        "stacktrace":{"frames":[
          {"function":"handleRequest","filename":"/node_modules/express/router.js",
           "context_line":"return handler(request);","in_app":false},
          {"function":"playFetch","filename":"/dogApp/dogpark.js",
           "context_line":"raise FailedToFetchError('Charlie didn't bring the ball back!');",
           "in_app":true}]}}]}})");
    const GroupingResult result = group(doc);
    EXPECT_EQ(result.hashes, (std::vector<std::string>{"161ce02ecc5d6685a72e8e520ab726b3",
                                                       "c5e4b4a9ad1803c4d4ca7feee5e430ae"}));
    EXPECT_EQ(result.primary_variant, "app");
}

}  // namespace
}  // namespace lt
