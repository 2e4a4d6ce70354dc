#include "ingest/auth.h"

#include <gtest/gtest.h>

#include "core/compression.h"

namespace lt {
namespace {

IngestAuth from_header(std::string_view x_sentry_auth) {
    return auth_from_request({.x_sentry_auth = x_sentry_auth, .authorization = {}, .query = {}});
}

IngestAuth from_authorization(std::string_view authorization) {
    return auth_from_request({.x_sentry_auth = {}, .authorization = authorization, .query = {}});
}

IngestAuth from_query(std::string_view query) {
    return auth_from_request({.x_sentry_auth = {}, .authorization = {}, .query = query});
}

TEST(Auth, XSentryAuthAsPythonSendsIt) {
    const IngestAuth a = from_header(
        "Sentry sentry_key=publickey, sentry_version=7, sentry_client=sentry.python/1.9.10");
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "publickey");
    EXPECT_EQ(a.client, "sentry.python/1.9.10");
}

TEST(Auth, XSentryAuthSyntax) {
    // Scheme word case-insensitive, pairs trimmed, unknown keys and pairs without '=' ignored.
    IngestAuth a = from_header(
        "  sEnTrY   sentry_key = abc ,sentry_secret=s,sentry_timestamp=1.5,, junk ,x=y  ");
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "abc");
    EXPECT_EQ(a.client, "");
    a = from_header("Sentry sentry_key=k,sentry_client=c=d");
    EXPECT_EQ(a.public_key, "k");
    EXPECT_EQ(a.client, "c=d");
    a = from_header("Sentry sentry_key=first, sentry_key=second");
    EXPECT_EQ(a.public_key, "second");
}

TEST(Auth, XSentryAuthNeedsSentryPrefix) {
    for (const char* value : {"sentry_key=abc, sentry_version=7", "Sentrysentry_key=abc",
                              "Bearer abc", "Sentry", "sentry_key=abc"}) {
        const IngestAuth a = from_header(value);
        EXPECT_EQ(a.status, 401) << value;
        EXPECT_TRUE(a.detail.starts_with("invalid auth header")) << a.detail;
        EXPECT_EQ(a.public_key, "");
    }
}

TEST(Auth, SentryKeyRequired) {
    for (const char* value :
         {"Sentry sentry_version=7", "Sentry sentry_key=, sentry_version=7", "Sentry sentry_key"}) {
        const IngestAuth a = from_header(value);
        EXPECT_EQ(a.status, 401) << value;
        EXPECT_EQ(a.detail, "invalid auth header: missing sentry_key");
    }
}

TEST(Auth, ProtocolVersion) {
    for (const char* ok : {"7", "7.0", "6", "0", "7.5.1", "07"}) {
        const IngestAuth a = from_header(std::string("Sentry sentry_key=k, sentry_version=") + ok);
        EXPECT_EQ(a.status, 0) << ok << ": " << a.detail;
        EXPECT_EQ(a.public_key, "k");
    }
    for (const char* newer : {"8", "8.0", "100"}) {
        const IngestAuth a =
            from_header(std::string("Sentry sentry_key=k, sentry_version=") + newer);
        EXPECT_EQ(a.status, 400) << newer;
        EXPECT_EQ(a.detail, "unsupported protocol version");
    }
    for (const char* bad : {"", "x", "-1", ".7", "7x", "99999999999999999999", " 7 x"}) {
        const IngestAuth a = from_header(std::string("Sentry sentry_key=k, sentry_version=") + bad);
        EXPECT_EQ(a.status, 401) << "'" << bad << "'";
        EXPECT_EQ(a.detail, "invalid auth header: invalid sentry_version");
    }
}

TEST(Auth, AuthorizationSentry) {
    const IngestAuth a = from_authorization("Sentry sentry_key=abc, sentry_version=7");
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "abc");
    EXPECT_EQ(from_authorization("sentry sentry_version=7").status, 401);
}

TEST(Auth, AuthorizationBasic) {
    IngestAuth a = from_authorization("Basic " + base64_encode("abc:secret"));
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "abc");
    a = from_authorization("basic " + base64_encode("abc:"));
    EXPECT_EQ(a.public_key, "abc");
    a = from_authorization("BASIC " + base64_encode("abc"));
    EXPECT_EQ(a.public_key, "abc");
    a = from_authorization("Basic " + base64_encode(":secret"));
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.detail, "invalid auth header: missing sentry_key");
    a = from_authorization("Basic !!!not-base64");
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.detail, "invalid auth header: invalid basic credentials");
}

TEST(Auth, OtherAuthorizationSchemesAreNotIngestAuth) {
    for (const char* value : {"Bearer 0123456789abcdef", "Token x", "Digest a=b", "Sentry"}) {
        const IngestAuth a = from_authorization(value);
        EXPECT_EQ(a.status, 0) << value;
        EXPECT_EQ(a.public_key, "") << value;
    }
    // ... so they do not count as a second source either.
    const IngestAuth a = auth_from_request(
        {.x_sentry_auth = "Sentry sentry_key=k", .authorization = "Bearer token", .query = {}});
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "k");
}

TEST(Auth, QueryStringAsNodeSendsIt) {
    const IngestAuth a = from_query(
        "sentry_version=7&sentry_key=publickey&sentry_client=sentry.javascript.node%2F11.12.0");
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "publickey");
    EXPECT_EQ(a.client, "sentry.javascript.node/11.12.0");
}

TEST(Auth, QueryStringRules) {
    // Without sentry_key the query string is not auth at all.
    for (const char* query : {"", "sentry_version=7", "a=b&c", "sentry_keyx=1", "x_sentry_key=1"}) {
        const IngestAuth a = from_query(query);
        EXPECT_EQ(a.status, 0) << query;
        EXPECT_EQ(a.public_key, "") << query;
    }
    EXPECT_EQ(from_query("sentry_key=a%20b+c").public_key, "a b c");
    EXPECT_EQ(from_query("sentry%5Fkey=k").public_key, "k");
    EXPECT_EQ(from_query("sentry_key=").status, 401);
    EXPECT_EQ(from_query("sentry_key").status, 401);
    EXPECT_EQ(from_query("sentry_key=k&sentry_version=8").status, 400);
    EXPECT_EQ(from_query("sentry_key=k&sentry_version=abc").status, 401);
    EXPECT_EQ(from_query("sentry_key=k&sentry_version=7.0").status, 0);
}

TEST(Auth, MultipleSourcesAreRejected) {
    const std::string basic = "Basic " + base64_encode("k:s");
    const AuthParts cases[] = {
        {.x_sentry_auth = "Sentry sentry_key=k",
         .authorization = "Sentry sentry_key=k",
         .query = {}},
        {.x_sentry_auth = "Sentry sentry_key=k", .authorization = basic, .query = {}},
        {.x_sentry_auth = "Sentry sentry_key=k", .authorization = {}, .query = "sentry_key=k"},
        {.x_sentry_auth = {}, .authorization = "Sentry sentry_key=k", .query = "sentry_key=k"},
        {.x_sentry_auth = "garbage", .authorization = {}, .query = "sentry_key=k"},
    };
    for (const AuthParts& parts : cases) {
        const IngestAuth a = auth_from_request(parts);
        EXPECT_EQ(a.status, 401);
        EXPECT_EQ(a.detail, "multiple authorization payloads detected");
        EXPECT_EQ(a.public_key, "");
    }
    // Query parameters other than sentry_key next to a header are fine.
    const IngestAuth a = auth_from_request(
        {.x_sentry_auth = "Sentry sentry_key=k", .authorization = {}, .query = "sentry_version=7"});
    EXPECT_EQ(a.status, 0) << a.detail;
    EXPECT_EQ(a.public_key, "k");
}

TEST(Auth, NoAuthAtAll) {
    const IngestAuth a = auth_from_request({});
    EXPECT_EQ(a.status, 0);
    EXPECT_EQ(a.public_key, "");
    EXPECT_EQ(a.detail, "");
}

TEST(Dsn, Parses) {
    auto d = parse_dsn("https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->scheme, "https");
    EXPECT_EQ(d->public_key, "e12d836b15bb49d7bbf99e64295d995b");
    EXPECT_EQ(d->host, "sentry.io");
    EXPECT_EQ(d->path_prefix, "");
    EXPECT_EQ(d->project_id, "42");

    d = parse_dsn("http://publickey:secret@127.0.0.1:8765/sentry/nested/7");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->scheme, "http");
    EXPECT_EQ(d->public_key, "publickey");
    EXPECT_EQ(d->host, "127.0.0.1:8765");
    EXPECT_EQ(d->path_prefix, "/sentry/nested");
    EXPECT_EQ(d->project_id, "7");

    d = parse_dsn("http://key@[::1]:9000/1?option=x");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->host, "[::1]:9000");
    EXPECT_EQ(d->project_id, "1");
}

TEST(Dsn, Rejects) {
    for (const char* bad :
         {"", "publickey@host/42", "://key@host/42", "https://host/42", "https://@host/42",
          "https://:secret@host/42", "https://key@/42", "https://key@host", "https://key@host/",
          "https://key@host/42/", "https://key@host/abc", "https://key@host/4a2"}) {
        EXPECT_EQ(parse_dsn(bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace lt
