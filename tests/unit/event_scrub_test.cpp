#include "event/scrub.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "event/json.h"

namespace lt {

namespace {

struct Scrubbed {
    json::Document doc;
    ScrubReport report;
};

json::Document parse_document(std::string_view text) {
    json::ParseResult parsed = json::parse(text);
    if (!parsed.document) {
        ADD_FAILURE() << parsed.error << " in " << text;
        return json::Document();
    }
    return std::move(*parsed.document);
}

Scrubbed scrub(std::string_view text, const ScrubSettings& settings = {}) {
    Scrubbed out{parse_document(text), {}};
    out.report = scrub_event(out.doc, settings);
    return out;
}

std::string compact(std::string_view text) {
    return json::to_string(parse_document(text).root());
}

// The event without its _meta.
std::string body(const Scrubbed& scrubbed) {
    json::Document copy;
    copy.root() = copy.copy(scrubbed.doc.root());
    if (copy.root().is_object()) copy.root().erase("_meta");
    return json::to_string(copy.root());
}

std::string meta(const Scrubbed& scrubbed) {
    const json::Value* found = scrubbed.doc.root().find("_meta");
    return found == nullptr ? "" : json::to_string(*found);
}

// Scrubs {"extra":{"v": text}} with default settings and returns the new "v".
std::string scrub_text(std::string_view text, const ScrubSettings& settings = {}) {
    json::Document doc;
    doc.root() = doc.make_object();
    doc.root().object_at("extra").set("v", doc.make_string(text));
    scrub_event(doc, settings);
    return std::string(*doc.root().find("extra")->find("v")->as_string());
}

TEST(Scrub, SensitiveKeysFilterWholeValues) {
    const Scrubbed s = scrub(R"({"extra":{"password":"hunter2","db_PASSWORD":{"a":1},
        "api_key":[1,2],"X-Api-Key":"k","myToken":5,"otp":"123","two-factor":"x","AUTH":"a",
        "client_secret":"s","mysql_pwd":"p","privateKey":"k","credentials":{"u":"x"},
        "otp_code":"y","auth_flag":true,"secret_ref":null,"name":"bob","count":3}})");
    EXPECT_EQ(body(s), compact(R"({"extra":{"password":"[Filtered]","db_PASSWORD":"[Filtered]",
        "api_key":"[Filtered]","X-Api-Key":"[Filtered]","myToken":"[Filtered]","otp":"[Filtered]",
        "two-factor":"[Filtered]","AUTH":"[Filtered]","client_secret":"[Filtered]",
        "mysql_pwd":"[Filtered]","privateKey":"[Filtered]","credentials":"[Filtered]",
        "otp_code":"y","auth_flag":true,"secret_ref":null,"name":"bob","count":3}})"));
    EXPECT_EQ(s.report.password, 12u);
    EXPECT_EQ(s.report.total(), 12u);
}

TEST(Scrub, KeyValueSecretsInsideStrings) {
    EXPECT_EQ(scrub_text("login with password=hunter2&user=bob"),
              "login with password=[Filtered]&user=bob");
    EXPECT_EQ(scrub_text(R"(body {"api_key": "abc def", "x": 1})"),
              R"(body {"api_key": [Filtered], "x": 1})");
    EXPECT_EQ(scrub_text("Authorization: Basic dXNlcjpwYXNz"), "Authorization: [Filtered]");
    EXPECT_EQ(scrub_text("?access_token=xyz;next"), "?access_token=[Filtered];next");
    EXPECT_EQ(scrub_text("password reset requested"), "password reset requested");
    EXPECT_EQ(scrub_text("KeyError: 'price'"), "KeyError: 'price'");
}

TEST(Scrub, BearerTokens) {
    EXPECT_EQ(scrub_text("denied for Bearer abc.def-ghi_jkl"), "denied for [Filtered]");
    EXPECT_EQ(scrub_text("the bearer of bad news"), "the bearer of bad news");
}

TEST(Scrub, CreditCards) {
    EXPECT_EQ(scrub_text("card 4111 1111 1111 1111 ok"), "card [Filtered] ok");
    EXPECT_EQ(scrub_text("amex 378282246310005"), "amex [Filtered]");
    EXPECT_EQ(scrub_text("mc 5555-5555-5555-4444"), "mc [Filtered]");
    EXPECT_EQ(scrub_text("discover 6011111111111117 and 6511111111111111"),
              "discover [Filtered] and [Filtered]");
    EXPECT_EQ(scrub_text("n 41111111111111112"), "n 41111111111111112");  // 17 digits
    EXPECT_EQ(scrub_text("n 1234567812345678"), "n 1234567812345678");    // no card prefix
    EXPECT_EQ(scrub_text("n 4111111111111"), "n 4111111111111");          // too short
    const Scrubbed s = scrub(R"({"extra":{"card":4111111111111111,"other":1234567812345678}})");
    EXPECT_EQ(body(s), compact(R"({"extra":{"card":"[Filtered]","other":1234567812345678}})"));
    EXPECT_EQ(s.report.creditcard, 1u);
}

TEST(Scrub, PemPrivateKeys) {
    EXPECT_EQ(scrub_text("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAA=\n"
                         "-----END RSA PRIVATE KEY-----\n"),
              "-----BEGIN RSA PRIVATE KEY-----[Filtered]-----END RSA PRIVATE KEY-----\n");
    const std::string pub = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";
    EXPECT_EQ(scrub_text(pub), pub);
}

TEST(Scrub, UrlPasswords) {
    EXPECT_EQ(scrub_text("postgres://admin:s3cret@db:5432/app"),
              "postgres://admin:[Filtered]@db:5432/app");
    EXPECT_EQ(scrub_text("https://user@host/x"), "https://user@host/x");
    EXPECT_EQ(scrub_text("http://host:8080/a@b"), "http://host:8080/a@b");
}

TEST(Scrub, SocialSecurityNumbers) {
    EXPECT_EQ(scrub_text("ssn 123-45-6789."), "ssn [Filtered].");
    EXPECT_EQ(scrub_text("on 2026-11-22"), "on 2026-11-22");
    EXPECT_EQ(scrub_text("call 123-456-7890"), "call 123-456-7890");
}

TEST(Scrub, Ibans) {
    EXPECT_EQ(scrub_text("to DE89370400440532013000 now"), "to [Filtered] now");
    EXPECT_EQ(scrub_text("GB82WEST12345698765432"), "[Filtered]");
    EXPECT_EQ(scrub_text("XX89370400440532013000"), "XX89370400440532013000");
    EXPECT_EQ(scrub_text("DE89 short"), "DE89 short");
}

TEST(Scrub, UserPaths) {
    EXPECT_EQ(scrub_text("at /home/alice/app/x.py"), "at /home/[Filtered]/app/x.py");
    EXPECT_EQ(scrub_text("/Users/bob/Library"), "/Users/[Filtered]/Library");
    EXPECT_EQ(scrub_text(R"(C:\Users\carol\AppData)"), R"(C:\Users\[Filtered]\AppData)");
    EXPECT_EQ(scrub_text(R"(C:\Documents and Settings\dave\x)"),
              R"(C:\Documents and Settings\[Filtered]\x)");
    EXPECT_EQ(scrub_text("/usr/lib/python3.11/os.py"), "/usr/lib/python3.11/os.py");
}

TEST(Scrub, SensitiveCookiesInEveryForm) {
    const Scrubbed object = scrub(
        R"({"request":{"cookies":{"sessionid":"abc","theme":"dark","PHPSESSID":"p","csrftoken":"t"}}})");
    EXPECT_EQ(body(object),
              compact(R"({"request":{"cookies":{"sessionid":"[Filtered]","theme":"dark",
                  "PHPSESSID":"[Filtered]","csrftoken":"[Filtered]"}}})"));
    EXPECT_EQ(object.report.cookies, 2u);
    EXPECT_EQ(object.report.password, 1u);  // csrftoken: the key rule

    const Scrubbed raw = scrub(R"({"request":{"cookies":"theme=dark; sessionid=abc; csrf=x"}})");
    EXPECT_EQ(body(raw), compact(R"({"request":{"cookies":
        "theme=dark; sessionid=[Filtered]; csrf=[Filtered]"}})"));
    EXPECT_EQ(raw.report.cookies, 2u);

    const Scrubbed pairs =
        scrub(R"({"request":{"cookies":[["sessionid","abc"],["theme","dark"]]}})");
    EXPECT_EQ(body(pairs),
              compact(R"({"request":{"cookies":[["sessionid","[Filtered]"],["theme","dark"]]}})"));

    // Cookie names are only special in request.cookies.
    const Scrubbed elsewhere = scrub(R"({"extra":{"session":"abc"}})");
    EXPECT_EQ(body(elsewhere), compact(R"({"extra":{"session":"abc"}})"));
}

TEST(Scrub, RequestHeaders) {
    const Scrubbed object = scrub(R"({"request":{"headers":{"Authorization":"Basic abc",
        "Cookie":"a=b","Set-Cookie":"c=d","X-Api-Key":"k","X-Auth-Token":"t",
        "User-Agent":"Mozilla/5.0 token=abc /home/alice/","Accept":"*/*"}}})");
    EXPECT_EQ(body(object), compact(R"({"request":{"headers":{"Authorization":"[Filtered]",
        "Cookie":"[Filtered]","Set-Cookie":"[Filtered]","X-Api-Key":"[Filtered]",
        "X-Auth-Token":"[Filtered]","User-Agent":"Mozilla/5.0 token=abc /home/alice/",
        "Accept":"*/*"}}})"));
    EXPECT_EQ(object.report.password, 5u);

    const Scrubbed pairs = scrub(R"({"request":{"headers":[["Authorization","Bearer abcdefghij"],
        ["user-agent","curl token=abc"],["Accept","*/*"]]}})");
    EXPECT_EQ(body(pairs), compact(R"({"request":{"headers":[["Authorization","[Filtered]"],
        ["user-agent","curl token=abc"],["Accept","*/*"]]}})"));
    EXPECT_EQ(
        meta(pairs),
        R"({"request":{"headers":{"0":{"1":{"":{"rem":[["@password:filter","s",0,10]],"len":17}}}}}})");
}

TEST(Scrub, NeverScrubbedFields) {
    const std::string event = R"({
        "debug_meta":{"images":[{"code_file":"/home/alice/lib.so","password":"x"}]},
        "modules":{"oauthlib":"3.2.2"},
        "logentry":{"formatted":"password=hunter2","message":"password=%s"},
        "exception":{"values":[{"type":"E","value":"bad password=hunter2",
            "stacktrace":{"frames":[{"filename":"/home/alice/app.py",
                "abs_path":"/home/alice/app.py","context_line":"cd /home/alice/x"}]}}]}})";
    const Scrubbed s = scrub(event);
    EXPECT_EQ(body(s), compact(R"({
        "debug_meta":{"images":[{"code_file":"/home/alice/lib.so","password":"x"}]},
        "modules":{"oauthlib":"3.2.2"},
        "logentry":{"formatted":"password=hunter2","message":"password=[Filtered]"},
        "exception":{"values":[{"type":"E","value":"bad password=hunter2",
            "stacktrace":{"frames":[{"filename":"/home/alice/app.py",
                "abs_path":"/home/alice/app.py","context_line":"cd /home/[Filtered]/x"}]}}]}})"));
    EXPECT_EQ(s.report.total(), 2u);
}

TEST(Scrub, SafeFieldsKeepTheirSubtree) {
    ScrubSettings settings;
    settings.safe_fields = {"PASSWORD", "nested"};
    const Scrubbed s = scrub(R"({"extra":{"password":"x","nested":{"card":"4111111111111111",
        "token":"t"},"token":"t"}})",
                             settings);
    EXPECT_EQ(body(s), compact(R"({"extra":{"password":"x","nested":{"card":"4111111111111111",
        "token":"t"},"token":"[Filtered]"}})"));
    EXPECT_EQ(s.report.total(), 1u);
}

TEST(Scrub, SensitiveFieldsAreCaseInsensitiveSubstrings) {
    ScrubSettings settings;
    settings.sensitive_fields = {"EMAIL", ""};
    const Scrubbed s = scrub(
        R"({"user":{"email":"a@b.c"},"extra":{"customer_Email":{"x":1},"name":"d","flag":true}})",
        settings);
    EXPECT_EQ(body(s), compact(R"({"user":{"email":"[Filtered]"},
        "extra":{"customer_Email":"[Filtered]","name":"d","flag":true}})"));
    EXPECT_EQ(s.report.sensitive_fields, 2u);
    EXPECT_EQ(meta(s), R"({"user":{"email":{"":{"rem":[["strip-fields","s",0,10]],"len":5}}},)"
                       R"("extra":{"customer_Email":{"":{"rem":[["strip-fields","s",0,10]]}}}})");

    settings.scrub_defaults = false;
    const Scrubbed only = scrub(R"({"extra":{"email":"a","password":"p"}})", settings);
    EXPECT_EQ(body(only), compact(R"({"extra":{"email":"[Filtered]","password":"p"}})"));
}

TEST(Scrub, SettingsOff) {
    const std::string event =
        R"({"extra":{"password":"p","email":"e","note":"4111111111111111"},"user":{"ip_address":"1.2.3.4"}})";
    ScrubSettings off;
    off.scrub_data = false;
    off.sensitive_fields = {"email"};
    const Scrubbed s = scrub(event, off);
    EXPECT_EQ(body(s), compact(event));
    EXPECT_EQ(meta(s), "");
    EXPECT_EQ(s.report.total(), 0u);

    ScrubSettings no_defaults;
    no_defaults.scrub_defaults = false;
    EXPECT_EQ(body(scrub(event, no_defaults)), compact(event));
}

TEST(Scrub, IpAddresses) {
    ScrubSettings settings;
    settings.scrub_data = false;  // IP scrubbing works on its own
    settings.scrub_ip_addresses = true;
    const Scrubbed s = scrub(R"({"user":{"id":"u","ip_address":"10.0.0.1"},
        "request":{"env":{"REMOTE_ADDR":"10.0.0.2","SERVER":"x"},"url":"http://127.0.0.1:8765/x"},
        "sdk":{"name":"s","client_ip":"::1"},
        "extra":{"v6":"from 2001:db8:85a3:0:0:8a2e:370:7334 and fe80::1 done",
            "neg":"std::string at 12:30:45 v1.2.3 and 1.2.3.4.5","password":"p"},
        "debug_meta":{"x":"10.0.0.3"}})",
                             settings);
    EXPECT_EQ(body(s), compact(R"({"user":{"id":"u"},
        "request":{"env":{"SERVER":"x"},"url":"http://[ip]:8765/x"},"sdk":{"name":"s"},
        "extra":{"v6":"from [ip] and [ip] done",
            "neg":"std::string at 12:30:45 v1.2.3 and 1.2.3.4.5","password":"p"},
        "debug_meta":{"x":"10.0.0.3"}})"));
    EXPECT_EQ(s.report.ip_removed, 3u);
    EXPECT_EQ(s.report.ip_replaced, 3u);
    EXPECT_EQ(meta(s), compact(R"({"user":{"ip_address":{"":{"rem":[["@anything:remove","x"]]}}},
        "request":{"env":{"REMOTE_ADDR":{"":{"rem":[["@anything:remove","x"]]}}},
            "url":{"":{"rem":[["@ip:replace","s",7,11]],"len":23}}},
        "sdk":{"client_ip":{"":{"rem":[["@anything:remove","x"]]}}},
        "extra":{"v6":{"":{"rem":[["@ip:replace","s",5,9],["@ip:replace","s",14,18]],"len":53}}}})"));
}

TEST(Scrub, MetaRemarksRangesAndMerge) {
    const Scrubbed s = scrub(R"({"extra":{"note":"é password=hunter2 and 123-45-6789",
        "password":"hunter2"},"_meta":{"extra":{"password":{"":{"rem":[["!limit","s"]],"len":99}}}}})");
    EXPECT_EQ(body(s), compact(R"({"extra":{"note":"é password=[Filtered] and [Filtered]",
        "password":"[Filtered]"}})"));
    EXPECT_EQ(meta(s), compact(R"({"extra":{"password":{"":{"rem":[["!limit","s"],
        ["@password:filter","s",0,10]],"len":99}},
        "note":{"":{"rem":[["@password:filter","s",11,21],["@usssn:filter","s",26,36]],"len":34}}}})"));
}

TEST(Scrub, AlreadyFilteredValuesAreNotCountedAgain) {
    const Scrubbed s = scrub(R"({"extra":{"password":"[Filtered]"}})");
    EXPECT_EQ(body(s), compact(R"({"extra":{"password":"[Filtered]"}})"));
    EXPECT_EQ(s.report.total(), 0u);
    EXPECT_EQ(meta(s), "");
}

TEST(Scrub, NestedStructures) {
    const Scrubbed s = scrub(R"({
        "extra":{"cfg":{"db":{"url":"mysql://root:pw@db/x","list":[{"api_key":"k"},"ok"]}}},
        "contexts":{"app":{"auth_header":"x","name":"shop"}},
        "breadcrumbs":{"values":[{"message":"paid with 4111111111111111",
            "data":{"user_token":"t","qty":2}}]},
        "request":{"data":{"form":{"passwd":"p","q":"shoes"}},"query_string":"a=1&token=zz"},
        "threads":{"values":[{"stacktrace":{"frames":[{"function":"f",
            "vars":{"secret":"s","n":1,"path":"/Users/eve/x"}}]}}]}})");
    EXPECT_EQ(body(s), compact(R"({
        "extra":{"cfg":{"db":{"url":"mysql://root:[Filtered]@db/x",
            "list":[{"api_key":"[Filtered]"},"ok"]}}},
        "contexts":{"app":{"auth_header":"[Filtered]","name":"shop"}},
        "breadcrumbs":{"values":[{"message":"paid with [Filtered]",
            "data":{"user_token":"[Filtered]","qty":2}}]},
        "request":{"data":{"form":{"passwd":"[Filtered]","q":"shoes"}},
            "query_string":"a=1&token=[Filtered]"},
        "threads":{"values":[{"stacktrace":{"frames":[{"function":"f",
            "vars":{"secret":"[Filtered]","n":1,"path":"/Users/[Filtered]/x"}}]}}]}})"));
    EXPECT_EQ(s.report.total(), 9u);
    const std::string m = meta(s);
    EXPECT_NE(m.find(R"("list":{"0":{"api_key":{"":)"), std::string::npos) << m;
    EXPECT_NE(m.find(R"("frames":{"0":{"vars":{"secret")"), std::string::npos) << m;
}

TEST(Scrub, DeepNestingAndNonObjectRoots) {
    std::string deep;
    for (int i = 0; i < 200; ++i) deep += R"({"a":)";
    deep += R"({"password":"x"})";
    for (int i = 0; i < 200; ++i) deep += "}";
    const Scrubbed s = scrub(deep);
    EXPECT_EQ(s.report.password, 1u);
    EXPECT_EQ(body(s).find("\"x\""), std::string::npos);

    const Scrubbed array = scrub(R"(["password=x"])");
    EXPECT_EQ(body(array), R"(["password=x"])");
    EXPECT_EQ(array.report.total(), 0u);
}

TEST(Scrub, RealisticEventKeepsEverythingButSecrets) {
    std::ifstream file(std::string(LT_FIXTURES) + "/corpus/sentry-python/exception/002.json");
    ASSERT_TRUE(file);
    std::stringstream text;
    text << file.rdbuf();
    const std::string original = compact(text.str());

    // Nothing in it is secret: the event comes out byte for byte, without _meta.
    const Scrubbed clean = scrub(text.str());
    EXPECT_EQ(json::to_string(clean.doc.root()), original);
    EXPECT_EQ(clean.report.total(), 0u);

    // Planted secrets are filtered and the rest is untouched.
    json::Document doc = parse_document(text.str());
    json::Value& frame = doc.root()
                             .find("exception")
                             ->find("values")
                             ->elements()[0]
                             .find("stacktrace")
                             ->find("frames")
                             ->elements()[0];
    frame.find("vars")->set("password", doc.make_string("hunter2"));
    frame.find("vars")->set("dsn", doc.make_string("https://pub:priv@sentry.example/1"));
    doc.root().find("extra")->set("api_key", doc.make_string("sk_live_123"));
    doc.root().find("extra")->set("card", doc.make_string("card 4111-1111-1111-1111"));
    doc.root().object_at("request").object_at("headers").set(
        "Authorization", doc.make_string("Bearer eyJhbGciOiJIUzI1NiJ9"));
    const ScrubReport report = scrub_event(doc, {});
    EXPECT_EQ(report.total(), 5u);
    const std::string scrubbed = json::to_string(doc.root());
    for (const char* secret : {"hunter2", "priv@", "sk_live_123", "4111", "eyJhbGci"}) {
        EXPECT_EQ(scrubbed.find(secret), std::string::npos) << secret;
    }
    EXPECT_EQ(*frame.find("vars")->find("dsn")->as_string(),
              "https://pub:[Filtered]@sentry.example/1");
    frame.find("vars")->erase("password");
    frame.find("vars")->erase("dsn");
    doc.root().find("extra")->erase("api_key");
    doc.root().find("extra")->erase("card");
    doc.root().erase("request");
    // The SDK's own _meta (trimmed frame vars) is kept beside the new remarks.
    const std::string meta_text = json::to_string(*doc.root().find("_meta"));
    EXPECT_NE(meta_text.find(R"(["!limit","x"])"), std::string::npos);
    EXPECT_NE(meta_text.find(R"("extra":{"api_key":{"":{"rem":[["@password:filter","s",0,10]])"),
              std::string::npos);
    doc.root().erase("_meta");
    json::Document expected = parse_document(text.str());
    expected.root().erase("_meta");
    EXPECT_EQ(json::to_string(doc.root()), json::to_string(expected.root()));
}

}  // namespace

}  // namespace lt
