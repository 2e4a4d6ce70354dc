#include "grouping/function_name.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/json.h"
#include "grouping/grouping.h"

namespace lt {
namespace {

// Cases from Sentry's tests/sentry/stacktraces/test_functions.py.
TEST(FunctionName, TrimsNativeNamesLikeSentry) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"function", "function"},
        {"namespace::Class::function", "namespace::Class::function"},
        {" const ", " const "},
        {" namespace::const ", "namespace::"},
        {"namespace::function::h9de5fbebc1652d47", "namespace::function"},
        {"?A0xc3a0617d::crash", "`anonymous namespace'::crash"},
        {"Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *,char const *)",
         "Scaleform::GFx::AS3::IMEManager::DispatchEvent"},
        {"static unsigned int Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char "
         "const *,char const *) const",
         "Scaleform::GFx::AS3::IMEManager::DispatchEvent"},
        {"<actix_web::pipeline::Pipeline<S, H> as "
         "actix_web::server::handler::HttpHandlerTask>::poll_io",
         "actix_web::pipeline::Pipeline<T>::poll_io"},
        {"+[FLFoo barBaz]", "+[FLFoo barBaz]"},
        {"-[FLFoo barBaz]", "-[FLFoo barBaz]"},
        {"<tokio_current_thread::scheduler::Scheduled<'a, U>>::tick",
         "tokio_current_thread::scheduler::Scheduled<T>::tick"},
        {"tokio::runtime::current_thread::runtime::Runtime::enter::{{closure}}::{{closure}}",
         "tokio::runtime::current_thread::runtime::Runtime::enter::{{closure}}::{{closure}}"},
        {"<std::panic::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once",
         "std::panic::AssertUnwindSafe<T>::call_once"},
        {"static <NoType> std::panicking::begin_panic<str*>(struct str*, struct (str*, u32, u32) "
         "*)",
         "std::panicking::begin_panic<T>"},
        {"(anonymous namespace)::StupidFunction<std::vector<std::string>>(int)",
         "(anonymous namespace)::StupidFunction<T>"},
        {"static unsigned int _foo_function (uint32_t,uint32_t) const", "_foo_function"},
        {"v8::internal::operator<<(std::__1::basic_ostream<char, std::__1::char_traits<char> >&, "
         "v8::internal::MaybeObjectBrief const&)",
         "v8::internal::operator<<"},
        {"unsigned int mynamespace::MyClass::operator()(std::__1::basic_ostream<char, "
         "std::__1::char_traits<char> >&, v8::internal::MaybeObjectBrief const&)",
         "mynamespace::MyClass::operator()"},
        {"std::basic_ostream<char, std::char_traits<char> >& std::operator<< "
         "<std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char)",
         "std::operator<< <T>"},
        {"<actix::contextimpl::ContextFut<A, C> as "
         "futures::future::Future>::poll::h9de5fbebc1652d47",
         "actix::contextimpl::ContextFut<T>::poll"},
        {"<T as core::convert::Into<U>>::into", "core::convert::Into<T>::into"},
        {"ThreadStartWhatever@16", "ThreadStartWhatever"},
        {"@ThreadStartWhatever@16", "ThreadStartWhatever"},
        {"@objc ViewController.causeCrash(Any) -> ()", "ViewController.causeCrash"},
        {"@objc ViewController.causeCrash(Any, Foo -> Bar) -> SomeObject",
         "ViewController.causeCrash"},
        {"main::$_0", "main::lambda"},
        {"main::{lambda(int)#1}", "main::lambda"},
        {"lambda_7156c3ceaa11256748687ab67e3ef4cd", "lambda"},
        {"<lambda_7156c3ceaa11256748687ab67e3ef4cd>::operator()", "<lambda>::operator()"},
        {"(anonymous namespace)::foo(int)", "(anonymous namespace)::foo"},
        {"<redacted>", "<redacted>"},
    };
    for (const auto& [input, output] : cases) {
        EXPECT_EQ(trim_function_name(input, "native"), output) << input;
    }
    EXPECT_EQ(trim_function_name("+[foo:(bar)]", "objc"), "+[foo:(bar)]");
    EXPECT_EQ(trim_function_name("foo::bar::foo(int)", "swift"), "foo::bar::foo");
}

TEST(FunctionName, CSharpAndOtherPlatforms) {
    EXPECT_EQ(trim_function_name("UnityEngine.Events.InvokableCall.Invoke ()", "csharp"),
              "UnityEngine.Events.InvokableCall.Invoke");
    EXPECT_EQ(trim_function_name("UnityEngine.EventSystems.ExecuteEvents.Execute[T] "
                                 "(UnityEngine.GameObject target)",
                                 "csharp"),
              "UnityEngine.EventSystems.ExecuteEvents.Execute[T]");
    EXPECT_EQ(trim_function_name("int main(int)", "python"), "int main(int)");
}

TEST(FunctionName, ForFrame) {
    const auto frame_name = [](std::string_view frame_json, std::string_view platform) {
        json::ParseResult parsed = json::parse(frame_json);
        return function_name_for_frame(parsed.document->root(), platform);
    };
    EXPECT_EQ(frame_name(R"j({"function":"int main(int)"})j", "native"), "main");
    EXPECT_EQ(frame_name(R"j({"function":"int main(int)","platform":"python"})j", "native"),
              "int main(int)");
    // With a raw_function, `function` is taken as it is.
    EXPECT_EQ(frame_name(R"j({"function":"int main(int)","raw_function":"x"})j", "native"),
              "int main(int)");
    EXPECT_EQ(frame_name(R"j({"raw_function":"x"})j", "native"), std::nullopt);
    EXPECT_EQ(frame_name(R"j({"function":""})j", "native"), std::nullopt);
}

TEST(FunctionName, NativeGroupingUsesTrimmedNames) {
    // Sentry's frame:v1 trims `function` when there is no raw_function: signatures that differ
    // only in arguments, return types or template arguments group together. Expected hash: md5 of
    // the two trimmed names and the type (python hashlib).
    const auto hash = [](std::string_view first, std::string_view second) {
        json::ParseResult parsed = json::parse(
            R"({"platform":"native","exception":{"values":[{"type":"SIGSEGV","stacktrace":{
                "frames":[{"function":"","in_app":true},{"function":"","in_app":true}]}}]}})");
        json::Document doc = std::move(*parsed.document);
        json::Value& frames = *doc.root()
                                   .find("exception")
                                   ->find("values")
                                   ->elements()[0]
                                   .find("stacktrace")
                                   ->find("frames");
        frames.elements()[0].set("function", doc.make_string(first));
        frames.elements()[1].set("function", doc.make_string(second));
        return compute_grouping(doc.root()).hashes.at(0);
    };
    const std::string a = hash("int main(int, char**)", "void crash::Worker::run(int) const");
    const std::string b = hash("main", "crash::Worker::run");
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, "deaf8b8ffc47b952501f6a73054facee");
}

}  // namespace
}  // namespace lt
