#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <set>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace lt {
namespace {

bool is_lower_hex(std::string_view s) {
    return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(Ids, RandomHexHasRequestedLengthAndAlphabet) {
    EXPECT_EQ(random_hex(0), "");
    for (const size_t bytes : {1u, 16u, 32u, 100u}) {
        const std::string id = random_hex(bytes);
        EXPECT_EQ(id.size(), bytes * 2);
        EXPECT_TRUE(is_lower_hex(id)) << id;
    }
}

TEST(Ids, RandomHexDoesNotRepeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(random_hex(16));
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, RandomHexIsSafeFromManyThreads) {
    std::vector<std::vector<std::string>> results(8);
    std::vector<std::thread> threads;
    for (auto& out : results) {
        threads.emplace_back([&out] {
            for (int i = 0; i < 200; ++i) out.push_back(random_hex(16));
        });
    }
    for (auto& t : threads) t.join();
    std::set<std::string> seen;
    for (const auto& out : results) seen.insert(out.begin(), out.end());
    EXPECT_EQ(seen.size(), 8u * 200u);
}

TEST(Ids, NormalizeUuidAcceptedSpellings) {
    const std::string expected = "9ec79c33ec9942ab8353589fcb2e04dc";
    for (const char* text :
         {"9ec79c33ec9942ab8353589fcb2e04dc", "9EC79C33EC9942AB8353589FCB2E04DC",
          "9ec79c33-ec99-42ab-8353-589fcb2e04dc", "9EC79C33-ec99-42AB-8353-589fcb2e04dc",
          "{9ec79c33-ec99-42ab-8353-589fcb2e04dc}", "{9ec79c33ec9942ab8353589fcb2e04dc}"}) {
        EXPECT_EQ(normalize_uuid(text), expected) << text;
    }
    EXPECT_EQ(normalize_uuid("00000000000000000000000000000000"),
              "00000000000000000000000000000000");
}

TEST(Ids, NormalizeUuidRejects) {
    for (const char* text :
         {"", "9ec79c33ec9942ab8353589fcb2e04d", "9ec79c33ec9942ab8353589fcb2e04dcc",
          "9ec79c33ec9942ab8353589fcb2e04dg", "9ec79c33-ec9942ab-8353-589fcb2e04dc",
          "9ec79c33-ec99-42ab-8353-589fcb2e04d-", "9ec79c3-3ec99-42ab-8353-589fcb2e04dc",
          "{9ec79c33-ec99-42ab-8353-589fcb2e04dc", "9ec79c33ec9942ab8353589fcb2e04dc}",
          " 9ec79c33ec9942ab8353589fcb2e04dc", "not a uuid at all, not a uuid!!",
          "urn:uuid:9ec79c33-ec99-42ab-8353-589fcb2e04dc"}) {
        EXPECT_EQ(normalize_uuid(text), std::nullopt) << text;
    }
}

TEST(Ids, Sha256KnownVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(std::string_view("a\0b", 3)), sha256_hex(std::string("a\0b", 3)));
    EXPECT_NE(sha256_hex(std::string_view("a\0b", 3)), sha256_hex("a"));
}

TEST(Time, NowIsCurrent) {
    const double now = now_seconds();
    EXPECT_NEAR(now, static_cast<double>(std::time(nullptr)), 2.0);
}

TEST(Time, FormatKnownInstants) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(1767261600.123456), "2026-01-01T10:00:00.123456Z");
    EXPECT_EQ(format_rfc3339(1709251199), "2024-02-29T23:59:59.000000Z");
    EXPECT_EQ(format_rfc3339(951868800), "2000-03-01T00:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.000000Z");
    EXPECT_EQ(format_rfc3339(-0.5), "1969-12-31T23:59:59.500000Z");
    EXPECT_EQ(format_rfc3339(-62135596800.0), "0001-01-01T00:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(253402300799.0), "9999-12-31T23:59:59.000000Z");
}

TEST(Time, FormatRoundsToMicroseconds) {
    EXPECT_EQ(format_rfc3339(1767261599.9999996), "2026-01-01T10:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(1767261600.0000004), "2026-01-01T10:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(1767261600.25), "2026-01-01T10:00:00.250000Z");
}

TEST(Time, FormatClampsOutOfRange) {
    EXPECT_EQ(format_rfc3339(1e300), "9999-12-31T23:59:59.000000Z");
    EXPECT_EQ(format_rfc3339(-1e300), "0001-01-01T00:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(INFINITY), "9999-12-31T23:59:59.000000Z");
    EXPECT_EQ(format_rfc3339(NAN), "1970-01-01T00:00:00.000000Z");
}

TEST(Time, ParseForms) {
    const double t = 1767261600;  // 2026-01-01T10:00:00Z
    EXPECT_EQ(parse_rfc3339("2026-01-01T10:00:00Z"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T10:00:00z"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01t10:00:00Z"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01 10:00:00Z"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T10:00:00"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T10:00:00+00:00"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T10:00:00-00:00"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T12:30:00+02:30"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T12:30:00+0230"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T05:00:00-0500"), t);
    EXPECT_EQ(parse_rfc3339("2026-01-01T05:00:00-05"), t);
    EXPECT_EQ(parse_rfc3339("2025-12-31T23:00:00-11:00"), t);
}

TEST(Time, ParseFractionsOfAnyLength) {
    const double t = 1767261600;
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00.5Z"), t + 0.5);
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00,5Z"), t + 0.5);
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00.123Z"), t + 0.123);
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00.123456Z"), t + 0.123456);
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00.123456789Z"), t + 0.123456789);
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00.12345678912345678912345+00:00"),
                     t + 0.123456789);
    EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-01-01T10:00:00.000001"), t + 0.000001);
    EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-22T02:00:19.433921Z")),
              "2026-11-22T02:00:19.433921Z");
}

TEST(Time, ParseCalendarEdges) {
    EXPECT_EQ(parse_rfc3339("2024-02-29T23:59:59Z"), 1709251199);
    EXPECT_EQ(parse_rfc3339("2000-02-29T00:00:00Z").has_value(), true);
    EXPECT_EQ(parse_rfc3339("1900-02-29T00:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_rfc3339("2025-02-29T00:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_rfc3339("2026-04-31T00:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1);
    EXPECT_EQ(parse_rfc3339("0001-01-01T00:00:00Z"), -62135596800.0);
    EXPECT_EQ(parse_rfc3339("9999-12-31T23:59:59Z"), 253402300799.0);
    EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), parse_rfc3339("2017-01-01T00:00:00Z"));
}

TEST(Time, ParseRejects) {
    for (const char* bad : {"",
                            "2026",
                            "2026-01-01",
                            "2026-01-01T10:00",
                            "2026-01-01T10:00Z",
                            "2026-1-01T10:00:00Z",
                            "26-01-01T10:00:00Z",
                            "2026/01/01T10:00:00Z",
                            "2026-00-01T10:00:00Z",
                            "2026-13-01T10:00:00Z",
                            "2026-01-00T10:00:00Z",
                            "2026-01-32T10:00:00Z",
                            "2026-01-01T24:00:00Z",
                            "2026-01-01T10:60:00Z",
                            "2026-01-01T10:00:61Z",
                            "2026-01-01X10:00:00Z",
                            "2026-01-01T10:00:00.Z",
                            "2026-01-01T10:00:00.",
                            "2026-01-01T10:00:00ZZ",
                            "2026-01-01T10:00:00 ",
                            " 2026-01-01T10:00:00",
                            "2026-01-01T10:00:00+1",
                            "2026-01-01T10:00:00+24:00",
                            "2026-01-01T10:00:00+01:60",
                            "2026-01-01T10:00:00+01:",
                            "2026-01-01T10:00:00+01:0",
                            "2026-01-01T10:00:00+01:000",
                            "2026-01-01T10:00:00UTC",
                            "١٢٣٤-01-01T10:00:00Z",
                            "2026-01-01T10:00:00.1e3Z",
                            "2026-01-01T10:00:00.+1"}) {
        EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << bad;
    }
}

// Checks the calendar arithmetic against the C library for every day of two centuries.
TEST(Time, AgreesWithGmtime) {
    for (int64_t day = -25000; day < 60000; ++day) {
        const int64_t second_of_day = ((day * 7919) % 86400 + 86400) % 86400;
        const auto when = static_cast<time_t>(day * 86400 + second_of_day);
        std::tm tm{};
        gmtime_r(&when, &tm);
        char text[64];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
        ASSERT_EQ(parse_rfc3339(text), static_cast<double>(when)) << text;
        ASSERT_EQ(format_rfc3339(static_cast<double>(when)).substr(0, 19),
                  std::string_view(text).substr(0, 19));
    }
}

TEST(Time, ParseAndFormatRoundTrip) {
    for (double t = -5e10; t < 2.5e11; t += 987654.321) {
        const double micros = std::round(t * 1e6) / 1e6;
        const auto back = parse_rfc3339(format_rfc3339(micros));
        ASSERT_TRUE(back.has_value()) << format_rfc3339(micros);
        ASSERT_NEAR(*back, micros, 1e-4) << format_rfc3339(micros);
    }
}

}  // namespace
}  // namespace lt
