#include "grouping/fingerprint_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "event/json.h"
#include "event_support.h"
#include "grouping/grouping.h"

namespace lt {
namespace {

using testing_support::parse_or_die;

// Expected values come from Sentry's fingerprinting tests and snapshots
// (tests/sentry/grouping/fingerprinting/, fingerprint_inputs/, snapshots/test_fingerprinting/ and
// the server-rule inputs of grouping_inputs/); expected hashes were computed independently with
// Python's hashlib (md5.update per value, in order).

FingerprintRules rules_or_die(std::string_view text) {
    auto parsed = parse_fingerprint_rules(text);
    if (const auto* error = std::get_if<FingerprintRulesError>(&parsed)) {
        ADD_FAILURE() << "line " << error->line << ": " << error->message << " in:\n" << text;
        return FingerprintRules();
    }
    return std::get<FingerprintRules>(std::move(parsed));
}

FingerprintRulesError error_of(std::string_view text) {
    auto parsed = parse_fingerprint_rules(text);
    if (const auto* error = std::get_if<FingerprintRulesError>(&parsed)) {
        return *error;
    }
    ADD_FAILURE() << "parsed without error:\n" << text;
    return {};
}

std::optional<FingerprintMatch> match(std::string_view rules, std::string_view event) {
    const json::Document doc = parse_or_die(event);
    return match_fingerprint_rules(rules_or_die(rules), doc.root());
}

bool matches(std::string_view rules, std::string_view event) {
    return match(rules, event).has_value();
}

GroupingResult group(std::string_view rules, std::string_view event) {
    const json::Document doc = parse_or_die(event);
    const FingerprintRules compiled = rules_or_die(rules);
    return compute_grouping(doc.root(), &compiled);
}

using Strings = std::vector<std::string>;

// --- parsing ----------------------------------------------------------------------------------

TEST(FingerprintRulesParse, SentrysBasicConfigPrintsAsSentryDoes) {
    // Sentry's test_basic_parsing config (the message pattern there is `\x` plus U+00FF).
    const FingerprintRules rules = rules_or_die(R"(
# This is a config
type:DatabaseUnavailable                        -> DatabaseUnavailable
function:assertion_failed module:foo            -> AssertionFailed, foo
app:true                                        -> aha
app:true                                        -> {{ default }}
!path:**/foo/**                                 -> everything
!"path":**/foo/**                               -> everything
logger:sentry.*                                 -> logger-, {{ logger }}
message:"\x\xff"                                -> stuff
logger:sentry.*                                 -> logger-{{ logger }}, title="Message from {{ logger }}"
logger:sentry.*                                 -> logger-{{ logger }} title="Message from {{ logger }}"
)");
    EXPECT_EQ(
        rules.rule_texts(),
        (Strings{
            R"(type:"DatabaseUnavailable" -> "DatabaseUnavailable")",
            R"(function:"assertion_failed" module:"foo" -> "AssertionFailedfoo")",
            R"(app:"true" -> "aha")", R"(app:"true" -> "{{ default }}")",
            R"(!path:"**/foo/**" -> "everything")", R"(!path:"**/foo/**" -> "everything")",
            R"(logger:"sentry.*" -> "logger-{{ logger }}")", "message:\"\\x\xC3\xBF\" -> \"stuff\"",
            R"(logger:"sentry.*" -> "logger-{{ logger }}" title="Message from {{ logger }}")",
            R"(logger:"sentry.*" -> "logger-{{ logger }}" title="Message from {{ logger }}")"}));
}

TEST(FingerprintRulesParse, EveryMatcherKeyAndItsDiscoverAlias) {
    const FingerprintRules rules = rules_or_die(
        "error.type:A error.value:B message:C logger:D level:E stack.module:F stack.abs_path:G "
        "stack.package:H stack.function:I family:native app:yes sdk:sentry.python release:1.0 "
        "tags.server_name:web -> x\n"
        "type:A value:B module:F path:G package:H function:I -> y\n");
    EXPECT_EQ(
        rules.rule_texts(),
        (Strings{R"(type:"A" value:"B" message:"C" logger:"D" level:"E" module:"F" path:"G" )"
                 R"(package:"H" function:"I" family:"native" app:"yes" sdk:"sentry.python" )"
                 R"(release:"1.0" tags.server_name:"web" -> "x")",
                 R"(type:"A" value:"B" module:"F" path:"G" package:"H" function:"I" -> "y")"}));
}

TEST(FingerprintRulesParse, EntriesSplitAtSpacesCommasAndVariables) {
    // Sentry's test_automatic_argument_splitting.
    EXPECT_EQ(match("logger:test -> logger-{{ logger }}", R"({"logger":"test"})")->fingerprint,
              (Strings{"logger-", "{{ logger }}"}));
    EXPECT_EQ(match("logger:test -> logger-, {{ logger }}", R"({"logger":"test"})")->fingerprint,
              (Strings{"logger-", "{{ logger }}"}));
    EXPECT_EQ(match("logger:test2 -> logger-{{ logger }}-{{ level }}", R"({"logger":"test2"})")
                  ->fingerprint,
              (Strings{"logger-", "{{ logger }}", "-", "{{ level }}"}));
    EXPECT_EQ(match("logger:x -> a,b c ,d,", R"({"logger":"x"})")->fingerprint,
              (Strings{"a", "b", "c", "d"}));
    // Quoted entries keep spaces and commas; every spelling of {{ default }} is normalized.
    EXPECT_EQ(match(R"(logger:x -> "a, b" {{default}} "{{  default }}")", R"({"logger":"x"})")
                  ->fingerprint,
              (Strings{"a, b", "{{ default }}", "{{ default }}"}));
    // `#` after a rule is not a comment; `key=unquoted` is an entry, not an attribute.
    EXPECT_EQ(match("logger:x -> a # no comment", R"({"logger":"x"})")->fingerprint,
              (Strings{"a", "#", "no", "comment"}));
    EXPECT_EQ(match("logger:x -> a title=plain", R"({"logger":"x"})")->fingerprint,
              (Strings{"a", "title=plain"}));
}

TEST(FingerprintRulesParse, TitleAttribute) {
    const auto m =
        match(R"(logger:x -> a, title="Error from {{ logger }}", b)", R"({"logger":"x"})");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->fingerprint, (Strings{"a", "b"}));
    EXPECT_EQ(m->title, "Error from {{ logger }}");
    EXPECT_EQ(m->rule, R"(logger:"x" -> "ab" title="Error from {{ logger }}")");
    // A rule may set only a title: its fingerprint is empty.
    const auto title_only = match(R"(logger:x -> title="T")", R"({"logger":"x"})");
    ASSERT_TRUE(title_only);
    EXPECT_TRUE(title_only->fingerprint.empty());
    EXPECT_EQ(title_only->title, "T");
}

TEST(FingerprintRulesParse, QuotingAndPythonEscapes) {
    EXPECT_TRUE(matches(R"(message:"say \"hi\"\tto \u00e9mile" -> x)",
                        "{\"logentry\":{\"formatted\":\"say \\\"hi\\\"\\tto \xC3\xA9mile\"}}"));
    EXPECT_TRUE(matches(R"(message:"\x41\102C" -> x)", R"({"logentry":{"formatted":"ABC"}})"));
    // An unknown escape keeps its backslash, which then escapes the glob character.
    EXPECT_TRUE(matches(R"(message:"a\dz" -> x)", R"({"logentry":{"formatted":"adz"}})"));
    // Unquoted arguments are taken as written: `\*` is a literal star for the glob.
    EXPECT_TRUE(matches(R"(value:a\*b -> x)", R"({"exception":{"values":[{"value":"a*b"}]}})"));
    EXPECT_FALSE(matches(R"(value:a\*b -> x)", R"({"exception":{"values":[{"value":"axb"}]}})"));
    // Sentry's escape-chars input: an escaped glob that matches its own characters.
    EXPECT_TRUE(
        matches(R"(message:"\\{\\[\\*\\?\\]\\}" -> x)", R"({"logentry":{"formatted":"{[*?]}"}})"));
    // Quoted keys may contain ':'; an unterminated quote is just part of an unquoted argument.
    EXPECT_EQ(rules_or_die(R"("tags.a:b":c -> x)").rule_texts(), Strings{R"(tags.a:b:"c" -> "x")"});
    EXPECT_EQ(rules_or_die(R"(message:"abc -> x)").rule_texts(),
              Strings{R"(message:""abc" -> "x")"});
}

TEST(FingerprintRulesParse, CommentsBlankLinesAndLineEndings) {
    const FingerprintRules rules =
        rules_or_die("# comment\r\n\r\n   # indented comment\n  type:A -> a\r\n\n   \ntype:B -> b");
    EXPECT_EQ(rules.size(), 2U);
    EXPECT_TRUE(rules_or_die("").empty());
    EXPECT_TRUE(rules_or_die("\n\n# only comments\n").empty());
}

TEST(FingerprintRulesParse, ErrorsCarryTheirLine) {
    // Sentry's test_parsing_errors.
    FingerprintRulesError error = error_of("invalid.message:foo -> bar");
    EXPECT_EQ(error.line, 1U);
    EXPECT_EQ(error.message, "unknown matcher 'invalid.message'");

    error = error_of("# rules\ntype:A -> a\n\nerror.typo:B -> b\n");
    EXPECT_EQ(error.line, 4U);
    EXPECT_EQ(error.message, "unknown matcher 'error.typo'");

    error = error_of("type:A -> a\ntype:DatabaseUnavailable system-down\n");
    EXPECT_EQ(error.line, 2U);
    EXPECT_NE(error.message.find("expected '->'"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("column 26"), std::string::npos) << error.message;

    error = error_of("type:A ->\n");
    EXPECT_EQ(error.line, 1U);
    EXPECT_NE(error.message.find("fingerprint"), std::string::npos) << error.message;
    error = error_of("type:A ->    ");
    EXPECT_NE(error.message.find("fingerprint"), std::string::npos) << error.message;

    error = error_of("type:A -> a\n\ntype:B -> b color=\"red\"");
    EXPECT_EQ(error.line, 3U);
    EXPECT_EQ(error.message, "unknown attribute 'color'");

    error = error_of("type: -> x");
    EXPECT_NE(error.message.find("expected a value after 'type:'"), std::string::npos)
        << error.message;

    error = error_of("garbage\n");
    EXPECT_NE(error.message.find("expected a matcher"), std::string::npos) << error.message;

    // Only spaces separate: a tab is a syntax error, as in Sentry's grammar.
    error = error_of("type:A\t-> a");
    EXPECT_EQ(error.line, 1U);

    error = error_of("type:A -> a {b\ntype:B -> b");
    EXPECT_EQ(error.line, 1U);
    EXPECT_NE(error.message.find("unexpected text after the fingerprint"), std::string::npos)
        << error.message;

    // Syntax errors are found before unknown matchers, wherever they are.
    error = error_of("nope:x -> y\ntype:A a\n");
    EXPECT_EQ(error.line, 2U);
    EXPECT_NE(error.message.find("'->'"), std::string::npos) << error.message;
}

// --- matching ---------------------------------------------------------------------------------

constexpr std::string_view kChained = R"({"platform":"python","exception":{"values":[
    {"type":"KeyError","value":"'price'"},
    {"type":"PriceError","value":"  Item has NO price  "}]}})";

TEST(FingerprintRulesMatch, TypeIsACaseSensitiveGlobOverEveryException) {
    EXPECT_TRUE(matches("error.type:KeyError -> x", kChained));  // not only the last one
    EXPECT_TRUE(matches("type:PriceError -> x", kChained));
    EXPECT_FALSE(matches("type:keyerror -> x", kChained));
    EXPECT_TRUE(matches("type:*Error -> x", kChained));
    EXPECT_FALSE(matches("type:Key -> x", kChained));  // anchored
}

TEST(FingerprintRulesMatch, ValueIsCaseInsensitiveAndStripped) {
    EXPECT_TRUE(matches(R"(error.value:"item has no price" -> x)", kChained));
    EXPECT_TRUE(matches(R"(value:"ITEM *" -> x)", kChained));
}

TEST(FingerprintRulesMatch, ExceptionMatchersMustHoldForTheSameException) {
    EXPECT_TRUE(matches(R"(type:PriceError value:"item*" -> x)", kChained));
    EXPECT_FALSE(matches(R"(type:KeyError value:"item*" -> x)", kChained));
    // Negation is per exception: PriceError is an exception that is not a KeyError.
    EXPECT_TRUE(matches("!type:KeyError -> x", kChained));
    EXPECT_FALSE(matches("!type:*Error -> x", kChained));
    // Without any exception, exception matchers fail, negated or not.
    EXPECT_FALSE(matches("!type:KeyError -> x", R"({"logentry":{"formatted":"m"}})"));
}

TEST(FingerprintRulesMatch, MessageChecksTheLogMessageAndEveryExceptionValue) {
    const std::string_view log = R"({"logentry":{"formatted":"  Connection TIMEOUT on db-1 "}})";
    EXPECT_TRUE(matches(R"(message:"connection timeout on *" -> x)", log));
    EXPECT_FALSE(matches(R"(message:"timeout" -> x)", log));
    EXPECT_TRUE(matches(R"(message:"item has no price" -> x)", kChained));
    EXPECT_TRUE(matches(R"(message:"'price'" -> x)", kChained));
    // logentry.message (the template) is not looked at.
    EXPECT_FALSE(matches(R"(message:"Order %s" -> x)", R"({"logentry":{"message":"Order %s"}})"));
}

TEST(FingerprintRulesMatch, LoggerIsCaseSensitiveLevelIsNot) {
    const std::string_view event = R"({"logger":"com.example.db.Pool","level":"error"})";
    EXPECT_TRUE(matches(R"(logger:"com.example.*" -> x)", event));
    EXPECT_FALSE(matches(R"(logger:"COM.example.*" -> x)", event));
    EXPECT_TRUE(matches(R"(logger:"com.example.*" level:ERROR -> x)", event));
    EXPECT_FALSE(matches("level:warning -> x", event));
    // Neither logger nor level: log matchers fail even negated. With a level only, a negated
    // logger matcher holds.
    EXPECT_FALSE(matches("!logger:foo -> x", R"({"message":"m"})"));
    EXPECT_TRUE(matches("!logger:foo -> x", R"({"level":"info"})"));
}

TEST(FingerprintRulesMatch, Tags) {
    const std::string_view event =
        R"({"tags":[["server_name","canary-3.mycompany.internal"],["region"," eu "],["empty",""]]})";
    EXPECT_TRUE(matches(R"(tags.server_name:"canary-*.mycompany.internal" -> x)", event));
    EXPECT_FALSE(matches(R"(tags.server_name:"canary-*.other" -> x)", event));
    EXPECT_TRUE(matches("tags.region:eu -> x", event));  // stripped
    EXPECT_TRUE(matches("tags.region:eu tags.server_name:canary-* -> x", event));
    EXPECT_TRUE(matches("!tags.missing:* -> x", event));
    EXPECT_FALSE(matches("tags.empty:* -> x", event));  // an empty tag counts as missing
    EXPECT_TRUE(matches("!tags.missing:* -> x", R"({})"));
}

constexpr std::string_view kNode = R"({"platform":"node","sdk":{"name":"sentry.javascript.node"},
  "release":"Backend@1.4.2","exception":{"values":[{"type":"TypeError","value":"x is undefined",
  "stacktrace":{"frames":[
    {"function":"processTicksAndRejections","module":"task_queues","filename":"node:internal/process/task_queues","abs_path":"node:internal/process/task_queues","in_app":false},
    {"function":"Object.format","module":"app/my-utils/format","filename":"/srv/app/my-utils/format.js","abs_path":"/srv/app/my-utils/format.js","in_app":true},
    {"function":"render","filename":"/static/app.js","abs_path":"https://cdn.example.com/static/app.js","in_app":true}]}}]}})";

TEST(FingerprintRulesMatch, PathIsACaseInsensitivePathGlobOverAbsPathAndFilename) {
    EXPECT_TRUE(matches(R"(stack.abs_path:"**/my-utils/*.js" -> x)", kNode));
    EXPECT_TRUE(matches(R"(path:"**/MY-UTILS/*.JS" -> x)", kNode));
    EXPECT_FALSE(matches(R"(path:"/srv/*.js" -> x)", kNode));  // * stops at '/'
    EXPECT_TRUE(matches(R"(path:"/srv/**" -> x)", kNode));
    // The third frame's abs_path is a URL, its filename matches.
    EXPECT_TRUE(matches(R"(path:"/static/*.js" -> x)", kNode));
    // Backslashes are slashes; a value without a leading '/' is tried with one.
    const std::string_view windows = R"({"platform":"csharp","exception":{"values":[{"type":"E",
      "stacktrace":{"frames":[{"function":"F","abs_path":"C:\\App\\Utils\\Helper.cs"},
                              {"function":"G","filename":"src/app.py"}]}}]}})";
    EXPECT_TRUE(matches(R"(path:"**/utils/*.cs" -> x)", windows));
    EXPECT_TRUE(matches(R"(path:"c:/app/**" -> x)", windows));
    EXPECT_TRUE(matches(R"(path:"/src/*.py" -> x)", windows));
}

TEST(FingerprintRulesMatch, ModuleIsCaseSensitiveAndStarCrossesSlashes) {
    EXPECT_TRUE(matches(R"(stack.module:"*/my-utils/*" -> x)", kNode));
    EXPECT_TRUE(matches(R"(module:"app*format" -> x)", kNode));
    EXPECT_FALSE(matches(R"(module:"APP/*" -> x)", kNode));
}

TEST(FingerprintRulesMatch, FunctionAndFrameMatchersHoldForOneFrame) {
    EXPECT_TRUE(matches("stack.function:Object.format -> x", kNode));
    EXPECT_TRUE(matches("function:render app:yes -> x", kNode));
    EXPECT_FALSE(matches("function:processTicksAndRejections app:yes -> x", kNode));
    EXPECT_TRUE(matches("function:processTicksAndRejections app:no -> x", kNode));
    EXPECT_TRUE(matches("function:processTicksAndRejections app:0 -> x", kNode));
    // Function of one frame, module of another: no single frame matches both.
    EXPECT_FALSE(matches("function:render module:task_queues -> x", kNode));
    EXPECT_TRUE(matches("function:render !module:task_queues -> x", kNode));
    // An app value that is no boolean never matches.
    EXPECT_FALSE(matches("app:maybe -> x", kNode));
    // Frames without a function are "<unknown>".
    EXPECT_TRUE(matches(R"(function:"<unknown>" -> x)",
                        R"({"stacktrace":{"frames":[{"filename":"a.c"}]}})"));
}

TEST(FingerprintRulesMatch, NativeFunctionNamesAreTrimmed) {
    // From Sentry's fingerprint-native-app input: a Rust frame, hash and trailing space removed.
    const std::string_view event = R"({"platform":"native","exception":{"values":[
      {"type":"Custom","value":"out of range"},
      {"type":"SymCacheError","value":"invalid symcache header","stacktrace":{"frames":[
        {"function":"main ","in_app":true},
        {"function":"symbolicator::actors::symcaches::SymCacheFile::parse::hdccb68bbe02b50a3 ","package":"symbolicator","in_app":true},
        {"function":"void engine::Renderer::draw(std::vector<int> const&) const","package":"/usr/lib/libengine.so","in_app":false}]}}]}})";
    const auto m = match(
        R"(function:"symbolicator::actors::symcaches::*" app:"true" -> symcache-error)", event);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rule,
              R"(function:"symbolicator::actors::symcaches::*" app:"true" -> "symcache-error")");
    EXPECT_TRUE(matches(R"(function:"engine::Renderer::draw" -> x)", event));
    EXPECT_TRUE(matches(R"(function:main -> x)", event));
    EXPECT_FALSE(matches(R"(function:"symbolicator::*" app:no -> x)", event));
    // stack.package is a path glob over the object file.
    EXPECT_TRUE(matches(R"(stack.package:"**/libengine.so" -> x)", event));
    EXPECT_TRUE(matches(R"(package:symbolicator -> x)", event));
    EXPECT_FALSE(matches(R"(package:"**/libcurl.so" -> x)", event));
}

TEST(FingerprintRulesMatch, FramesComeFromTheCrashingThread) {
    // Sentry's fingerprint-two-threads input: the crashed thread's frames.
    const std::string_view two_threads = R"({"threads":{"values":[
      {"id":42,"crashed":true,"current":true,"stacktrace":{"frames":[{"function":"main","abs_path":"foo/baz.c","in_app":true}]}},
      {"id":43,"crashed":false,"current":false,"stacktrace":{"frames":[{"function":"worker","in_app":true}]}}]}})";
    EXPECT_TRUE(matches("function:main -> in-main", two_threads));
    EXPECT_FALSE(matches("function:worker -> x", two_threads));
    // Neither crashed nor current: no frames at all.
    const std::string_view undecided = R"({"threads":{"values":[
      {"id":1,"stacktrace":{"frames":[{"function":"main"}]}},
      {"id":2,"stacktrace":{"frames":[{"function":"main"}]}}]}})";
    EXPECT_FALSE(matches("function:main -> x", undecided));
    EXPECT_FALSE(matches("!function:main -> x", undecided));
    // event.stacktrace is used when no exception has frames.
    EXPECT_TRUE(matches(
        "function:f -> x",
        R"({"exception":{"values":[{"type":"E"}]},"stacktrace":{"frames":[{"function":"f"}]}})"));
}

TEST(FingerprintRulesMatch, FamilySdkAndRelease) {
    EXPECT_TRUE(matches("family:javascript -> x", kNode));
    EXPECT_TRUE(matches("family:native,javascript -> x", kNode));
    EXPECT_TRUE(matches("family:all -> x", R"({"platform":"python"})"));
    EXPECT_TRUE(matches("family:other -> x", R"({"platform":"python"})"));
    EXPECT_TRUE(matches("family:native -> x", R"({"platform":"cocoa"})"));
    EXPECT_FALSE(matches("family:javascript -> x", R"({"platform":"python"})"));
    // sdk compares Sentry's normalized SDK tag exactly (no glob).
    EXPECT_TRUE(matches("sdk:sentry.javascript.node -> x", kNode));
    EXPECT_FALSE(matches("sdk:sentry.javascript.* -> x", kNode));
    EXPECT_TRUE(matches("sdk:sentry.javascript.nextjs -> sdk-nextjs",
                        R"({"sdk":{"name":"sentry.javascript.nextjs"}})"));
    EXPECT_FALSE(matches("sdk:sentry.javascript.nextjs type:ChunkLoadError -> x",
                         R"({"sdk":{"name":"sentry.javascript.ember"},
                             "exception":{"values":[{"type":"ChunkLoadError"}]}})"));
    EXPECT_TRUE(matches("sdk:sentry.python -> x", R"({"sdk":{"name":"sentry.python.django"}})"));
    EXPECT_TRUE(matches("sdk:sentry.native.android -> x", R"({"sdk":{"name":"sentry.android"}})"));
    EXPECT_TRUE(matches("sdk:sentry.dotnet -> x", R"({"sdk":{"name":"sentry-dotnet"}})"));
    EXPECT_TRUE(matches("sdk:other -> x", R"({"sdk":{"name":"my.own.sdk"}})"));
    EXPECT_TRUE(matches("sdk:other -> x", R"({})"));
    // release: a case-insensitive path glob.
    EXPECT_TRUE(matches("release:backend@1.* -> x", kNode));
    EXPECT_FALSE(matches("release:backend@2.* -> x", kNode));
    EXPECT_FALSE(matches("release:* -> x", R"({})"));
    EXPECT_TRUE(matches("!release:* -> x", R"({})"));
}

TEST(FingerprintRulesMatch, GlobSyntax) {
    const auto with_type = [](std::string_view type) {
        return R"({"exception":{"values":[{"type":")" + std::string(type) + R"("}]}})";
    };
    EXPECT_TRUE(matches("type:Err?r -> x", with_type("Error")));
    EXPECT_TRUE(matches("type:[A-C]Error -> x", with_type("BError")));
    EXPECT_FALSE(matches("type:[!A-C]Error -> x", with_type("BError")));
    EXPECT_TRUE(matches("type:{Key,Index}Error -> x", with_type("IndexError")));
    EXPECT_FALSE(matches("type:{Key,Index}Error -> x", with_type("TypeError")));
    // A pattern globset rejects never matches, so its negation always holds.
    EXPECT_FALSE(matches(R"(type:"[abc" -> x)", with_type("[abc")));
    EXPECT_TRUE(matches(R"(!type:"[abc" -> x)", with_type("[abc")));
}

TEST(FingerprintRulesMatch, FirstMatchingRuleWins) {
    const auto m = match("type:Nope -> a\ntype:*Error -> b\ntype:KeyError -> c", kChained);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->fingerprint, Strings{"b"});
    EXPECT_FALSE(match("type:Nope -> a", kChained));
    EXPECT_FALSE(match_fingerprint_rules(FingerprintRules(), parse_or_die(kChained).root()));
}

TEST(FingerprintRulesMatch, RulesAreSharedAcrossThreadsAndCopies) {
    const FingerprintRules rules = rules_or_die("type:*Error -> x");
    const FingerprintRules copy = rules;  // NOLINT(performance-unnecessary-copy-initialization)
    const json::Document doc = parse_or_die(kChained);
    EXPECT_TRUE(match_fingerprint_rules(copy, doc.root()));
    EXPECT_EQ(copy.rule_texts(), rules.rule_texts());
}

// --- grouping with rules ----------------------------------------------------------------------

constexpr std::string_view kSoftTimeLimit = R"j({"platform":"python","exception":{"values":[
    {"type":"SoftTimeLimitExceeded","value":"SoftTimeLimitExceeded()"}]}})j";

constexpr std::string_view kSoftTimeLimitRule =
    "type:SoftTimeLimitExceeded -> soft-timelimit-exceeded";

TEST(GroupingFingerprintRules, ServerRuleReplacesDefaultGrouping) {
    // Sentry's custom-fingerprint-server-rule snapshot.
    const GroupingResult result = group(kSoftTimeLimitRule, kSoftTimeLimit);
    EXPECT_EQ(result.hashes, Strings{"554e214208f0372603dc9fa6c1c0965f"});
    EXPECT_EQ(result.primary_variant, "custom-fingerprint");
    EXPECT_EQ(result.fingerprint_rule,
              R"(type:"SoftTimeLimitExceeded" -> "soft-timelimit-exceeded")");
    EXPECT_FALSE(result.title_override);
}

TEST(GroupingFingerprintRules, ServerRuleWinsOverTheClientFingerprint) {
    json::Document doc = parse_or_die(kSoftTimeLimit);
    json::Value& fingerprint = doc.root().set("fingerprint", doc.make_array());
    for (const char* entry :
         {"celery", "SoftTimeLimitExceeded", "sentry.tasks.store.process_event"}) {
        fingerprint.push_back(doc.make_string(entry));
    }
    // custom-fingerprint-client-and-server-rule: the server rule's hash.
    const FingerprintRules rules = rules_or_die(kSoftTimeLimitRule);
    EXPECT_EQ(compute_grouping(doc.root(), &rules).hashes,
              Strings{"554e214208f0372603dc9fa6c1c0965f"});
    // No rule matches: the client's fingerprint (Sentry's custom-fingerprint snapshot).
    const FingerprintRules other = rules_or_die("type:Other -> other");
    const GroupingResult client = compute_grouping(doc.root(), &other);
    EXPECT_EQ(client.hashes, Strings{"f30afa00b85f5cac5ee0bce01b31f08d"});
    EXPECT_TRUE(client.fingerprint_rule.empty());
    EXPECT_EQ(compute_grouping(doc.root()).hashes, client.hashes);
}

TEST(GroupingFingerprintRules, DefaultInARuleMakesAHybridFingerprint) {
    // hybrid-fingerprint-custom-client-hybrid-server: the rule's {{ default }} is the default
    // grouping of the event (app variant: type, value), then the rule's entry.
    json::Document doc = parse_or_die(kSoftTimeLimit);
    doc.root().set("fingerprint", doc.make_array()).push_back(doc.make_string("client"));
    const FingerprintRules hybrid =
        rules_or_die("type:SoftTimeLimitExceeded -> {{ default }}, soft-timelimit-exceeded");
    const GroupingResult result = compute_grouping(doc.root(), &hybrid);
    EXPECT_EQ(result.hashes, Strings{"25ca0824a7c1b5e588f45679126732d9"});
    EXPECT_EQ(result.primary_variant, "app");
    // A rule of just {{ default }} is default grouping, whatever the client sent.
    const FingerprintRules only_default = rules_or_die("type:SoftTimeLimitExceeded -> {{default}}");
    EXPECT_EQ(compute_grouping(doc.root(), &only_default).hashes,
              Strings{"004fd72618af9aa1a7aa6d8552e456b0"});
    // hybrid-fingerprint-hybrid-client-custom-server: the custom rule wins over the hybrid client.
    json::Document hybrid_client = parse_or_die(kSoftTimeLimit);
    json::Value& fingerprint = hybrid_client.root().set("fingerprint", hybrid_client.make_array());
    fingerprint.push_back(hybrid_client.make_string("{{ default }}"));
    fingerprint.push_back(hybrid_client.make_string("extra"));
    const FingerprintRules custom = rules_or_die(kSoftTimeLimitRule);
    EXPECT_EQ(compute_grouping(hybrid_client.root(), &custom).hashes,
              Strings{"554e214208f0372603dc9fa6c1c0965f"});
}

TEST(GroupingFingerprintRules, VariablesResolveAsInClientFingerprints) {
    // fingerprint-abs-path: {{ stack.abs_path }} of the crash frame.
    EXPECT_EQ(group("type:DatabaseUnavailable -> {{ stack.abs_path }}",
                    R"({"platform":"native","transaction":"my-transaction","exception":{"values":[{
                        "type":"DatabaseUnavailable","value":"For some reason the database went away",
                        "stacktrace":{"frames":[{"function":"main","abs_path":"/foo/Application.cpp",
                        "filename":"Application.cpp","lineno":13,"in_app":false}]}}]}})")
                  .hashes,
              Strings{"bbba7b4db8bcc5beb4d309f8278a9ee4"});
    // logger, level and a missing tag.
    const GroupingResult result = group("logger:com.* -> logger-{{ logger }}-{{ level }}",
                                        R"({"logger":"com.example.db","level":"error"})");
    EXPECT_EQ(result.hashes, Strings{"f519008bab16782e985675af5a3d4ec0"});
    EXPECT_EQ(group("logger:x -> {{ tags.region }}", R"({"logger":"x"})").hashes,
              group("logger:x -> <no-value-for-tag-region>", R"({"logger":"x"})").hashes);
}

TEST(GroupingFingerprintRules, TitleAttributeResolvesVariables) {
    // fingerprint-title-uses-top-in-app-frame: the crash frame is the last in-app one.
    const GroupingResult dogs =
        group(R"j(module:do_dog_stuff -> {{ function }} title="Dogs are great ({{ function }})")j",
              R"({"exception":{"values":[{"type":"MathError","value":"Missing necessary formulas",
          "stacktrace":{"frames":[
            {"function":"fetch","module":"do_dog_stuff","in_app":true},
            {"function":"throw_ball","module":"do_dog_stuff","in_app":true},
            {"function":"compute_ball_arc","module":"physics","in_app":false}]}}]}})");
    EXPECT_EQ(dogs.hashes, Strings{"0b42bb5c16a84225a62739345b3f60e8"});
    EXPECT_EQ(dogs.title_override, "Dogs are great (throw_ball)");
    EXPECT_EQ(
        dogs.fingerprint_rule,
        R"j(module:"do_dog_stuff" -> "{{ function }}" title="Dogs are great ({{ function }})")j");

    // fingerprint-title-no-message-parameterization: {{ message }} is parameterized in the
    // fingerprint, not in the title.
    const GroupingResult message =
        group(R"(message:"*dog*" -> "dogs are great", {{ message }} title="{{ message }}")",
              R"({"logentry":{"formatted":"Number 1 dog, dog #1"}})");
    EXPECT_EQ(message.hashes, Strings{"04b113370eb11c515b26d963fb53667d"});
    EXPECT_EQ(message.title_override, "Number 1 dog, dog #1");

    // Unknown variables and {{ default }} are not resolved in titles.
    EXPECT_EQ(group(R"(logger:x -> a title="{{ nope }} / {{default}} / {{ logger }}")",
                    R"({"logger":"x"})")
                  .title_override,
              "<unrecognized-variable-nope> / <unrecognized-variable-default> / x");
}

TEST(GroupingFingerprintRules, SentrysEscapedGlobAndNativeInputs) {
    // fingerprint-escape-chars: values "escaped", "{[*?]}".
    EXPECT_EQ(group(R"(message:"\\{\\[\\*\\?\\]\\}" -> escaped, {{ message }})",
                    R"({"logentry":{"formatted":"{[*?]}"}})")
                  .hashes,
              Strings{"eb7d8bf4308a89632fd2ba78d06efdec"});
    // fingerprint-native-app.
    EXPECT_EQ(group(R"(function:"symbolicator::actors::symcaches::*" app:true -> symcache-error)",
                    R"({"platform":"native","exception":{"values":[{"type":"SymCacheError",
                      "stacktrace":{"frames":[{"function":"symbolicator::actors::symcaches::SymCacheFile::parse::hdccb68bbe02b50a3 ","in_app":true}]}}]}})")
                  .hashes,
              Strings{"04a4755fd0fa5e9b1b18a1b63eadd627"});
}

TEST(GroupingFingerprintRules, TitleOnlyRuleKeepsDefaultGrouping) {
    const GroupingResult plain = compute_grouping(parse_or_die(kSoftTimeLimit).root());
    const GroupingResult titled =
        group(R"(type:SoftTimeLimitExceeded -> title="Celery task timed out")", kSoftTimeLimit);
    EXPECT_EQ(titled.hashes, plain.hashes);
    EXPECT_EQ(titled.hashes, Strings{"004fd72618af9aa1a7aa6d8552e456b0"});
    EXPECT_EQ(titled.primary_variant, "app");
    EXPECT_EQ(titled.title_override, "Celery task timed out");
    EXPECT_EQ(titled.fingerprint_rule,
              R"(type:"SoftTimeLimitExceeded" -> "" title="Celery task timed out")");
}

TEST(GroupingFingerprintRules, NoMatchingRuleChangesNothing) {
    const json::Document doc = parse_or_die(kChained);
    const FingerprintRules rules = rules_or_die("type:Nope -> x");
    const GroupingResult with_rules = compute_grouping(doc.root(), &rules);
    const GroupingResult without = compute_grouping(doc.root());
    EXPECT_EQ(with_rules.hashes, without.hashes);
    EXPECT_EQ(with_rules.primary_variant, without.primary_variant);
    EXPECT_TRUE(with_rules.fingerprint_rule.empty());
    EXPECT_FALSE(with_rules.title_override);
}

}  // namespace
}  // namespace lt
