#include "envelope/envelope.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/ids.h"
#include "core/time.h"
#include "test_support.h"

namespace lt {
namespace {

using testing_support::read_file;

namespace fs = std::filesystem;
using namespace std::string_literals;

Envelope parse_ok(std::string_view body) {
    EnvelopeParse r = parse_envelope(body);
    EXPECT_TRUE(r.envelope.has_value()) << r.error;
    EXPECT_TRUE(r.error.empty());
    return r.envelope.value_or(Envelope{});
}

std::string parse_error(std::string_view body, size_t max_items = 10000) {
    const EnvelopeParse r = parse_envelope(body, max_items);
    EXPECT_FALSE(r.envelope.has_value()) << "parsed: " << body;
    return r.error;
}

bool points_into(std::string_view view, std::string_view body) {
    return view.data() >= body.data() && view.data() + view.size() <= body.data() + body.size();
}

// DEVDOCS example: explicit lengths, and an attachment whose 10 bytes include "\r\n".
TEST(Envelope, DevdocsAttachmentAndEvent) {
    const std::string body =
        "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"https://"
        "e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42\"}\n"
        "{\"type\":\"attachment\",\"length\":10,\"content_type\":\"text/plain\",\"filename\":"
        "\"hello.txt\"}\n"
        "\xef\xbb\xbfHello\r\n\n"
        "{\"type\":\"event\",\"length\":41,\"content_type\":\"application/json\",\"filename\":"
        "\"application.log\"}\n"
        "{\"message\":\"hello world\",\"level\":\"error\"}\n";
    const Envelope env = parse_ok(body);
    EXPECT_EQ(env.event_id, "9ec79c33ec9942ab8353589fcb2e04dc");
    EXPECT_EQ(env.dsn, "https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42");
    EXPECT_EQ(env.sent_at, std::nullopt);
    EXPECT_EQ(env.header_json,
              "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"https://"
              "e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42\"}");
    ASSERT_EQ(env.items.size(), 2u);
    const EnvelopeItem& attachment = env.items[0];
    EXPECT_EQ(attachment.type, "attachment");
    EXPECT_EQ(attachment.length, 10u);
    EXPECT_EQ(attachment.payload, "\xef\xbb\xbfHello\r\n");
    EXPECT_EQ(attachment.content_type, "text/plain");
    EXPECT_EQ(attachment.filename, "hello.txt");
    EXPECT_EQ(attachment.item_count, std::nullopt);
    const EnvelopeItem& event = env.items[1];
    EXPECT_EQ(event.type, "event");
    EXPECT_EQ(event.payload, "{\"message\":\"hello world\",\"level\":\"error\"}");
    EXPECT_EQ(event.header_json,
              "{\"type\":\"event\",\"length\":41,\"content_type\":\"application/json\","
              "\"filename\":\"application.log\"}");
    EXPECT_TRUE(points_into(event.payload, body));
    EXPECT_TRUE(points_into(event.header_json, body));
    EXPECT_TRUE(points_into(env.header_json, body));
}

// DEVDOCS example: no envelope headers, implicit length, no trailing newline.
TEST(Envelope, DevdocsSessionWithoutLength) {
    const Envelope env = parse_ok(
        "{}\n{\"type\":\"session\"}\n{\"started\": \"2020-02-07T14:16:00Z\",\"attrs\":{\"release\":"
        "\"sentry-test@1.0.0\"}}");
    EXPECT_EQ(env.event_id, "");
    EXPECT_EQ(env.dsn, "");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].type, "session");
    EXPECT_EQ(env.items[0].length, std::nullopt);
    EXPECT_EQ(
        env.items[0].payload,
        "{\"started\": \"2020-02-07T14:16:00Z\",\"attrs\":{\"release\":\"sentry-test@1.0.0\"}}");
}

TEST(Envelope, HeaderOnly) {
    for (const char* body :
         {"{}", "{}\n", "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n", "{}\n\n\n"}) {
        EXPECT_TRUE(parse_ok(body).items.empty()) << body;
    }
}

TEST(Envelope, LogContainerItem) {
    const Envelope env = parse_ok(
        "{}\n{\"type\":\"log\",\"item_count\":5,\"content_type\":\"application/"
        "vnd.sentry.items.log+json\"}\n{\"items\":[{},{},{},{},{}]}\n");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].item_count, 5u);
    EXPECT_EQ(env.items[0].content_type, "application/vnd.sentry.items.log+json");
}

TEST(Envelope, CrLfAfterHeaderIsAnError) {
    EXPECT_EQ(parse_error("{}\r\n{\"type\":\"session\"}\n{}"),
              "missing newline after header or payload");
    EXPECT_EQ(parse_error("{}\r\n"), "missing newline after header or payload");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"session\"}\r\n{}"),
              "missing newline after header or payload");
    EXPECT_EQ(parse_error("{} \n{\"type\":\"session\"}\n{}"),
              "missing newline after header or payload");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"session\"}\t\n{}"),
              "missing newline after header or payload");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"session\"} "),
              "missing newline after header or payload");
}

TEST(Envelope, WhitespaceInsideHeaderJsonIsFine) {
    const Envelope env =
        parse_ok("{ \"event_id\" : null }\n{ \"type\" : \"event\" , \"length\" : 2 }\n{}");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].payload, "{}");
}

TEST(Envelope, CarriageReturnInPayloadWithoutLengthIsPayload) {
    const Envelope env = parse_ok("{}\n{\"type\":\"event\"}\n{\"a\":1}\r\n");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].payload, "{\"a\":1}\r");
}

TEST(Envelope, LengthTooLong) {
    EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":11}\n0123456789"),
              "unexpected end of file");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":12}\n0123456789\n"),
              "unexpected end of file");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":1}"), "unexpected end of file");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":18446744073709551615}\nabc"),
              "unexpected end of file");
}

TEST(Envelope, LengthTooShort) {
    EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":9}\n0123456789\n"),
              "missing newline after header or payload");
    EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":9}\n0123456789"),
              "missing newline after header or payload");
}

TEST(Envelope, ExactLengthAtEndOfInput) {
    Envelope env = parse_ok("{}\n{\"type\":\"attachment\",\"length\":10}\n0123456789");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].payload, "0123456789");
    // The final newline may be counted into the payload.
    env = parse_ok("{}\n{\"type\":\"attachment\",\"length\":11}\n0123456789\n");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].payload, "0123456789\n");
}

TEST(Envelope, PayloadMayHoldAnyBytes) {
    const std::string payload = "a\nb\r\n\0c\n"s;
    const std::string body =
        "{}\n{\"type\":\"attachment\",\"length\":8}\n"s + payload + "\n{\"type\":\"event\"}\n{}";
    const Envelope env = parse_ok(body);
    ASSERT_EQ(env.items.size(), 2u);
    EXPECT_EQ(env.items[0].payload, payload);
    EXPECT_EQ(env.items[1].payload, "{}");
}

TEST(Envelope, EmptyPayloads) {
    Envelope env = parse_ok("{}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"event\"}\n");
    ASSERT_EQ(env.items.size(), 2u);
    EXPECT_EQ(env.items[0].payload, "");
    EXPECT_EQ(env.items[1].payload, "");
    // A final item header at the end of input is an empty item.
    env = parse_ok("{}\n{\"type\":\"client_report\"}");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].payload, "");
    env = parse_ok("{}\n{\"type\":\"attachment\",\"length\":0}");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].payload, "");
}

TEST(Envelope, BlankLinesAreTolerated) {
    const Envelope env = parse_ok(
        "{}\n\n{\"type\":\"event\"}\n{}\n\n\n{\"type\":\"attachment\",\"length\":2}\nab\n\n"
        "{\"type\":\"session\"}\n{\"s\":1}\n\n\n");
    ASSERT_EQ(env.items.size(), 3u);
    EXPECT_EQ(env.items[0].type, "event");
    EXPECT_EQ(env.items[1].payload, "ab");
    EXPECT_EQ(env.items[2].payload, "{\"s\":1}");
}

TEST(Envelope, MissingType) {
    EXPECT_EQ(parse_error("{}\n{\"length\":2}\n{}"), "invalid item header: missing type");
    EXPECT_EQ(parse_error("{}\n{\"type\":7}\n{}"), "invalid item header: missing type");
    EXPECT_EQ(parse_error("{}\n{\"type\":null}\n{}"), "invalid item header: missing type");
    EXPECT_EQ(parse_error("{}\n{}\n{}"), "invalid item header: missing type");
}

TEST(Envelope, InvalidHeaderJson) {
    EXPECT_TRUE(parse_error("").starts_with("invalid envelope header: "));
    EXPECT_TRUE(parse_error("\n{\"type\":\"event\"}\n{}").starts_with("invalid envelope header: "));
    EXPECT_TRUE(parse_error("{\n}").starts_with("invalid envelope header: "));
    EXPECT_TRUE(parse_error("{\"a\":}\n").starts_with("invalid envelope header: "));
    EXPECT_TRUE(parse_error("{}{}\n").starts_with("invalid envelope header: "));
    EXPECT_EQ(parse_error("[]\n"), "invalid envelope header: not a JSON object");
    EXPECT_EQ(parse_error("\"x\"\n"), "invalid envelope header: not a JSON object");
    EXPECT_TRUE(parse_error("{}\n{\"type\":\"event\"\n{}").starts_with("invalid item header: "));
    EXPECT_TRUE(parse_error("{}\n \n{}").starts_with("invalid item header: "));
    EXPECT_TRUE(parse_error("{}\n\r\n{}").starts_with("invalid item header: "));
    EXPECT_EQ(parse_error("{}\n[\"event\"]\n{}"), "invalid item header: not a JSON object");
    // Invalid UTF-8 inside a header string.
    EXPECT_TRUE(parse_error("{}\n{\"type\":\"ev\xff\"}\n{}").starts_with("invalid item header: "));
}

TEST(Envelope, InvalidLength) {
    for (const char* length : {"-1", "1.5", "\"10\"", "true", "[]"}) {
        EXPECT_EQ(parse_error("{}\n{\"type\":\"attachment\",\"length\":"s + length + "}\nab"),
                  "invalid item header: invalid length")
            << length;
    }
    const Envelope env = parse_ok("{}\n{\"type\":\"event\",\"length\":null}\n{}");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].length, std::nullopt);
    EXPECT_EQ(env.items[0].payload, "{}");
}

TEST(Envelope, EventIdIsNormalized) {
    EXPECT_EQ(parse_ok("{\"event_id\":\"9EC79C33-EC99-42AB-8353-589FCB2E04DC\"}").event_id,
              "9ec79c33ec9942ab8353589fcb2e04dc");
    EXPECT_EQ(parse_ok("{\"event_id\":null}").event_id, "");
    EXPECT_EQ(parse_error("{\"event_id\":\"not-a-uuid\"}\n"), "invalid event id");
    EXPECT_EQ(parse_error("{\"event_id\":\"\"}\n"), "invalid event id");
    EXPECT_EQ(parse_error("{\"event_id\":12345}\n"), "invalid event id");
}

TEST(Envelope, SentAt) {
    EXPECT_EQ(parse_ok("{\"sent_at\":\"2026-01-01T10:00:00.5Z\"}").sent_at, 1767261600.5);
    EXPECT_EQ(parse_ok("{\"sent_at\":1767261600.25}").sent_at, 1767261600.25);
    EXPECT_EQ(parse_ok("{\"sent_at\":1767261600}").sent_at, 1767261600.0);
    // An unusable sent_at is ignored, not an error.
    EXPECT_EQ(parse_ok("{\"sent_at\":\"yesterday\"}").sent_at, std::nullopt);
    EXPECT_EQ(parse_ok("{\"sent_at\":null}").sent_at, std::nullopt);
    EXPECT_EQ(parse_ok("{\"sent_at\":{}}").sent_at, std::nullopt);
}

TEST(Envelope, UnknownAndOddHeaderFieldsAreTolerated) {
    const Envelope env = parse_ok(
        "{\"dsn\":42,\"sdk\":{\"name\":\"x\"},\"trace\":{\"trace_id\":\"abc\"},\"future\":[1,2]}\n"
        "{\"type\":\"whatever\",\"content_type\":7,\"filename\":null,\"item_count\":-1,\"x\":{}}\n"
        "payload\n");
    EXPECT_EQ(env.dsn, "");
    ASSERT_EQ(env.items.size(), 1u);
    EXPECT_EQ(env.items[0].type, "whatever");
    EXPECT_EQ(env.items[0].content_type, "");
    EXPECT_EQ(env.items[0].filename, "");
    EXPECT_EQ(env.items[0].item_count, std::nullopt);
    EXPECT_EQ(env.items[0].payload, "payload");
}

TEST(Envelope, MaxItems) {
    std::string body = "{}\n";
    for (int i = 0; i < 5; ++i) body += "{\"type\":\"event\"}\n{}\n";
    EXPECT_EQ(parse_envelope(body, 5).envelope->items.size(), 5u);
    EXPECT_EQ(parse_error(body, 4), "too many items (more than 4)");
    // Trailing blank lines do not count as items.
    EXPECT_TRUE(parse_envelope(body + "\n\n", 5).envelope.has_value());
}

TEST(Envelope, LargeHeaderLine) {
    const std::string big(200'000, 'x');
    const std::string body = "{\"pad\":\"" + big + "\"}\n{\"type\":\"event\",\"pad\":\"" + big +
                             "\"}\n{}\n{\"type\":\"session\"}\n{}";
    const Envelope env = parse_ok(body);
    ASSERT_EQ(env.items.size(), 2u);
    EXPECT_EQ(env.items[0].header_json, "{\"type\":\"event\",\"pad\":\"" + big + "\"}");
    EXPECT_EQ(env.items[0].payload, "{}");
    EXPECT_EQ(env.items[1].type, "session");
}

TEST(Envelope, ParsesConcurrently) {
    const std::string body =
        "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\",\"length\":2}\n"
        "{}\n{\"type\":\"attachment\",\"filename\":\"a.txt\"}\nhello";
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                const EnvelopeParse r = parse_envelope(body);
                if (r.envelope && r.envelope->items.size() == 2 &&
                    r.envelope->items[1].filename == "a.txt") {
                    ++good;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(good.load(), 8000);
}

// Every envelope a real SDK sent parses, and agrees with the capture's own parse (.envelope.json).
TEST(Envelope, ParsesEveryCapturedEnvelope) {
    size_t checked = 0;
    simdjson::dom::parser json;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(LT_FIXTURES) / "corpus")) {
        if (entry.path().extension() != ".envelope") continue;
        SCOPED_TRACE(entry.path().string());
        const std::string body = read_file(entry.path());
        const EnvelopeParse r = parse_envelope(body);
        ASSERT_TRUE(r.envelope.has_value()) << r.error;
        const Envelope& env = *r.envelope;

        simdjson::padded_string expected;
        ASSERT_EQ(simdjson::padded_string::load(entry.path().string() + ".json").get(expected),
                  simdjson::SUCCESS);
        simdjson::dom::element doc;
        ASSERT_EQ(json.parse(expected).get(doc), simdjson::SUCCESS);
        std::string_view event_id;
        if (!doc["header"]["event_id"].get_string().get(event_id)) {
            EXPECT_EQ(env.event_id, normalize_uuid(event_id));  // sentry-cli sends dashes
        }
        std::string_view sent_at;
        if (!doc["header"]["sent_at"].get_string().get(sent_at)) {
            EXPECT_EQ(env.sent_at, parse_rfc3339(sent_at));
            EXPECT_TRUE(env.sent_at.has_value());
        }
        simdjson::dom::array items;
        ASSERT_EQ(doc["items"].get_array().get(items), simdjson::SUCCESS);
        ASSERT_EQ(env.items.size(), items.size());
        size_t i = 0;
        for (const simdjson::dom::element item : items) {
            const EnvelopeItem& got = env.items[i++];
            std::string_view type;
            std::string_view framing;
            uint64_t payload_len = 0;
            ASSERT_EQ(item["header"]["type"].get_string().get(type), simdjson::SUCCESS);
            ASSERT_EQ(item["framing"].get_string().get(framing), simdjson::SUCCESS);
            ASSERT_EQ(item["payload_len"].get_uint64().get(payload_len), simdjson::SUCCESS);
            EXPECT_EQ(got.type, type);
            EXPECT_EQ(got.payload.size(), payload_len);
            EXPECT_EQ(got.length.has_value(), framing == "length");
            uint64_t item_count = 0;
            if (!item["header"]["item_count"].get_uint64().get(item_count)) {
                EXPECT_EQ(got.item_count, item_count);
            }
        }
        ++checked;
    }
    EXPECT_GE(checked, 44u);
}

}  // namespace
}  // namespace lt
