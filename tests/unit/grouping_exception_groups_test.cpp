#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "event/json.h"
#include "event_support.h"
#include "grouping/grouping.h"

namespace lt {
namespace {

using testing_support::parse_or_die;

// Inputs from Sentry's tests/sentry/grouping/grouping_inputs/exception-groups-*.json; expected
// hashes from snapshots/test_variants/test_event_hash_variant/newstyle@2023_01_11/ (recomputed
// with Python's hashlib from the values there). Where Sentry later fixed malformed trees
// (getsentry/sentry#93966: missing root and self-parenting exceptions; #105667: no top-level
// exception) the hash is that of the fixed behaviour: all exceptions in event order.

using Strings = std::vector<std::string>;

GroupingResult group(std::string_view event) {
    const json::Document doc = parse_or_die(event);
    return compute_grouping(doc.root());
}

// One exception of a test event: type, value and the mechanism members (JSON, without braces).
std::string exception(std::string_view type, std::string_view value, std::string_view mechanism) {
    return R"({"type":")" + std::string(type) + R"(","value":")" + std::string(value) +
           R"(","mechanism":{)" + std::string(mechanism) + "}}";
}

std::string event(const std::vector<std::string>& exceptions, std::string_view extra = "") {
    std::string out = R"({"exception":{"values":[)";
    for (size_t i = 0; i < exceptions.size(); ++i) {
        out += (i > 0 ? "," : "") + exceptions[i];
    }
    out += "]}";
    out += extra;
    out += "}";
    return out;
}

const std::string kAggregate = exception(
    "System.AggregateException", "One or more errors occurred.",
    R"("type":"AppDomain.UnhandledException","is_exception_group":true,"exception_id":0)");

std::string child(std::string_view type, std::string_view value, int id, int parent) {
    return exception(type, value,
                     R"("type":"chained","exception_id":)" + std::to_string(id) +
                         R"(,"parent_id":)" + std::to_string(parent));
}

TEST(GroupingExceptionGroups, TwoTypes) {
    const GroupingResult result =
        group(event({child("MyApp.SuchWowException", "Test 2", 2, 0),
                     child("MyApp.AmazingException", "Test 1", 1, 0), kAggregate}));
    EXPECT_EQ(result.hashes, Strings{"bca604b98cb4637167eb6190a92e8933"});
    EXPECT_FALSE(result.main_exception_id);
}

TEST(GroupingExceptionGroups, OneTypeWithDifferentValues) {
    EXPECT_EQ(
        group(event({child("MyApp.Exception", "And now for something completely different.", 2, 0),
                     child("MyApp.Exception", "Test 1", 1, 0), kAggregate}))
            .hashes,
        Strings{"17022e0561e9b6e6351723a08aa81b18"});
}

TEST(GroupingExceptionGroups, OneTypeWithSimilarValuesIsOneException) {
    const GroupingResult result =
        group(event({child("MyApp.Exception", "Test 2", 2, 0),
                     child("MyApp.Exception", "Test 1", 1, 0), kAggregate}));
    EXPECT_EQ(result.hashes, Strings{"a4f16891fa438620699cb2d9af5cc827"});
    EXPECT_EQ(result.primary_variant, "app");
    EXPECT_EQ(result.main_exception_id, 1);  // the first child (children are in reverse order)
}

TEST(GroupingExceptionGroups, OneTypeUnderNestedGroups) {
    const std::string inner_group = exception(
        "System.AggregateException", "One or more errors occurred.",
        R"("type":"AppDomain.UnhandledException","is_exception_group":true,"exception_id":1,"parent_id":0)");
    const GroupingResult result = group(
        event({child("MyApp.Exception", "Test 3", 4, 1), child("MyApp.Exception", "Test 2", 3, 1),
               child("MyApp.Exception", "Test 1", 2, 0), inner_group, kAggregate}));
    EXPECT_EQ(result.hashes, Strings{"a4f16891fa438620699cb2d9af5cc827"});
    // Depth first from the root's children [inner group, Test 1]: Test 2 comes first.
    EXPECT_EQ(result.main_exception_id, 3);
}

TEST(GroupingExceptionGroups, TwoTypesUnderNestedGroups) {
    const std::string inner_group = exception(
        "System.AggregateException", "One or more errors occurred.",
        R"("type":"AppDomain.UnhandledException","is_exception_group":true,"exception_id":1,"parent_id":0)");
    EXPECT_EQ(group(event({child("MyApp.BeansException", "Test 2", 3, 1),
                           child("MyApp.CoolException", "Test 1", 2, 1), inner_group, kAggregate}))
                  .hashes,
              Strings{"fca0fd23f09e8da4481304ef2a531100"});
}

TEST(GroupingExceptionGroups, OneTypeWithSimilarValuesAndChildren) {
    // The single distinct top-level exception keeps its first child.
    const GroupingResult result =
        group(event({child("System.Exception", "Some Inner Exception", 4, 3),
                     child("MyApp.Exception", "Test 2", 3, 0),
                     child("System.Exception", "Some Inner Exception", 2, 1),
                     child("MyApp.Exception", "Test 1", 1, 0), kAggregate}));
    EXPECT_EQ(result.hashes, Strings{"f0078a82f351095ba595daa7d493aa3c"});
    EXPECT_EQ(result.main_exception_id, 1);
}

TEST(GroupingExceptionGroups, TwoExceptionsWithFrames) {
    // Sorted by type (DoStuff > DoOtherStuff), then the root; the root has no stack trace, so the
    // system variant chains only the two children. Frame 2 of DoOtherStuff is a recursion.
    const GroupingResult result = group(R"j({"exception":{"values":[
      {"type":"DoOtherStuffException","value":"Can't do the other stuff",
       "mechanism":{"type":"chained","handled":true,"source":"InnerExceptions[0]","exception_id":2,"parent_id":0},
       "stacktrace":{"frames":[
         {"function":"do_other_stuff","module":"dostuff","context_line":"do_some_other_stuff()","in_app":true},
         {"function":"do_other_stuff","module":"dostuff","context_line":"do_some_other_different_stuff()","in_app":true}]}},
      {"type":"DoStuffException","value":"Can't do the stuff",
       "mechanism":{"type":"chained","handled":true,"source":"InnerExceptions[0]","exception_id":1,"parent_id":0},
       "stacktrace":{"frames":[
         {"function":"do_stuff","module":"dostuff","context_line":"do_some_stuff()","in_app":true},
         {"function":"do_different_stuff","module":"dostuff","context_line":"do_some_different_stuff()","in_app":true}]}},
      {"type":"System.AggregateException","value":"One or more errors occurred.",
       "mechanism":{"type":"AppDomain.UnhandledException","handled":false,"is_exception_group":true,"exception_id":0}}]}})j");
    EXPECT_EQ(result.hashes,
              (Strings{"d505dfb9059ac63c11955233323a9100", "4f9cc6a81f4eb34f9e917374f281b9dc"}));
    EXPECT_EQ(result.primary_variant, "app");
}

TEST(GroupingExceptionGroups, MalformedTreesKeepEveryException) {
    // Duplicate id (exception_groups_bad_duplicate_id).
    EXPECT_EQ(group(event({child("System.Exception", "Some Inner Exception", 1, 0),
                           child("MyApp.Exception", "Test 1", 1, 0), kAggregate}))
                  .hashes,
              Strings{"e2bf1e0628b7b1824a9b63dec7a079a3"});
    // A cycle between two children, none below the root (bad_with_cycle): no top-level exception.
    EXPECT_EQ(group(event({child("System.Exception", "Some Inner Exception", 2, 1),
                           child("MyApp.Exception", "Test 1", 1, 2), kAggregate}))
                  .hashes,
              Strings{"e2bf1e0628b7b1824a9b63dec7a079a3"});
    // An exception that is its own parent (bad_inner_self_parenting, as fixed in #93966), also
    // with the root's id (bad_inner_self_parenting_duplicate_id).
    EXPECT_EQ(group(event({child("InnerException", "Nope", 1, 1), kAggregate})).hashes,
              Strings{"93b26686d00504b4e5aa1cb0244d8b37"});
    EXPECT_EQ(group(event({child("InnerException", "Nope", 0, 0), kAggregate})).hashes,
              Strings{"93b26686d00504b4e5aa1cb0244d8b37"});
    // Every exception a group (bad_all_exceptions_marked_as_groups, as fixed in #105667).
    EXPECT_EQ(
        group(
            event(
                {exception(
                     "InnerException", "Nope",
                     R"("type":"chained","is_exception_group":true,"exception_id":1,"parent_id":0)"),
                 kAggregate}))
            .hashes,
        Strings{"93b26686d00504b4e5aa1cb0244d8b37"});
    // No root (bad_no_root).
    EXPECT_EQ(group(event({child("InnermostException", "Whoops", 3, 2),
                           child("InnerException", "Nope", 2, 1)}))
                  .hashes,
              Strings{"028157fe357e4592e39eacb32eafa2db"});
    // A missing exception id anywhere.
    EXPECT_EQ(group(event({exception("InnerException", "Nope", R"("type":"chained")"), kAggregate}))
                  .hashes,
              Strings{"93b26686d00504b4e5aa1cb0244d8b37"});
}

TEST(GroupingExceptionGroups, MissingParentOnlyLosesItsSubtree) {
    // bad_missing_parent: the child of the absent exception 1 is not reached from the root.
    const GroupingResult result =
        group(event({child("System.Exception", "Some Inner Exception", 3, 1),
                     child("MyApp.Exception", "Test 1", 2, 0), kAggregate}));
    EXPECT_EQ(result.hashes, Strings{"a4f16891fa438620699cb2d9af5cc827"});
    EXPECT_EQ(result.main_exception_id, 2);
}

TEST(GroupingExceptionGroups, ExceptionsDifferingOnlyInAnIgnoredValueStayApart) {
    // Both values normalize to "Test <int>", but one of them was changed doing so: Sentry compares
    // the component trees with their hints, so these are two distinct exceptions.
    const GroupingResult apart =
        group(event({child("MyApp.Exception", "Test <int>", 2, 0),
                     child("MyApp.Exception", "Test 1", 1, 0), kAggregate}));
    const GroupingResult together =
        group(event({child("MyApp.Exception", "Test 2", 2, 0),
                     child("MyApp.Exception", "Test 1", 1, 0), kAggregate}));
    EXPECT_NE(apart.hashes, together.hashes);
    EXPECT_FALSE(apart.main_exception_id);
    // Identical types and stack traces but different values (ignored behind the stack trace) are
    // also apart.
    const auto with_stack = [](std::string_view value, int id) {
        return R"({"type":"E","value":")" + std::string(value) +
               R"(","mechanism":{"exception_id":)" + std::to_string(id) +
               R"(,"parent_id":0},"stacktrace":{"frames":[{"function":"f","module":"m","in_app":true}]}})";
    };
    EXPECT_FALSE(
        group(event({with_stack("a", 2), with_stack("b", 1), kAggregate})).main_exception_id);
    EXPECT_EQ(group(event({with_stack("a", 2), with_stack("a", 1), kAggregate})).main_exception_id,
              1);
}

TEST(GroupingExceptionGroups, CauseChainsWithIdsHashRootFirst) {
    // sentry-javascript sends linked errors with exception ids: [cause (1, parent 0), error (0)].
    // The root is no group, so it is the only top-level exception and its first-child chain is
    // error -> cause: the same hash as that chain listed root first without ids.
    const std::string with_ids =
        event({child("SyntaxError", "Unexpected token", 1, 0),
               exception("Error", "Failed to load config", R"("type":"generic","exception_id":0)")},
              R"(,"platform":"node")");
    const std::string root_first =
        event({exception("Error", "Failed to load config", R"("type":"generic")"),
               exception("SyntaxError", "Unexpected token", R"("type":"chained")")},
              R"(,"platform":"node")");
    const std::string event_order =
        event({exception("SyntaxError", "Unexpected token", R"("type":"chained")"),
               exception("Error", "Failed to load config", R"("type":"generic")")},
              R"(,"platform":"node")");
    EXPECT_EQ(group(with_ids).hashes, group(root_first).hashes);
    EXPECT_NE(group(with_ids).hashes, group(event_order).hashes);
    EXPECT_EQ(group(with_ids).main_exception_id, 0);
}

TEST(GroupingExceptionGroups, PythonSdk3EventsAreNotFiltered) {
    // getsentry/sentry#95272: the Python SDK 3 sends ids for plain chains; Sentry keeps hashing
    // those events as the SDK 2 ones (all exceptions, event order).
    const std::vector<std::string> exceptions = {child("MyApp.Exception", "Test 2", 2, 0),
                                                 child("MyApp.Exception", "Test 1", 1, 0),
                                                 kAggregate};
    const std::string sdk3 = event(
        exceptions, R"(,"platform":"python","sdk":{"name":"sentry.python","version":"3.0.0a1"})");
    const std::string sdk2 = event(
        exceptions, R"(,"platform":"python","sdk":{"name":"sentry.python","version":"2.19.2"})");
    const std::string csharp = event(
        exceptions, R"(,"platform":"csharp","sdk":{"name":"sentry.dotnet","version":"3.0.0"})");
    EXPECT_EQ(group(sdk2).hashes, Strings{"a4f16891fa438620699cb2d9af5cc827"});
    EXPECT_EQ(group(csharp).hashes, Strings{"a4f16891fa438620699cb2d9af5cc827"});
    EXPECT_NE(group(sdk3).hashes, group(sdk2).hashes);
    EXPECT_FALSE(group(sdk3).main_exception_id);
}

TEST(GroupingExceptionGroups, CorpusChainsWithoutIdsAreUnchanged) {
    // The sentry-python corpus events carry no mechanism ids: plain chains are unchanged.
    std::ifstream in(std::string(LT_FIXTURES) + "/corpus/sentry-python/exception/002.json",
                     std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    json::Document doc = parse_or_die(buffer.str());
    doc.root().set("platform", doc.make_string("python"));
    EXPECT_EQ(compute_grouping(doc.root()).hashes.at(0), "a14cf5d3901ae64e5ff6794fe495678c");
}

}  // namespace
}  // namespace lt
