#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "spool/record.h"

namespace lt {
namespace {

SpooledRequest sample() {
    SpooledRequest request;
    request.endpoint = IngestEndpoint::store;
    request.project_id = 4242;
    request.received_at = 1714000000.125;
    request.client_ip = "2001:db8::1";
    request.sdk_client = "sentry.python/2.0.0";
    request.event_id = "0123456789abcdef0123456789abcdef";
    request.body = std::string("\x1f\x8b\0binary\xff", 10);
    return request;
}

void expect_equal(const SpooledRequest& a, const SpooledRequest& b) {
    EXPECT_EQ(a.endpoint, b.endpoint);
    EXPECT_EQ(a.project_id, b.project_id);
    EXPECT_EQ(a.received_at, b.received_at);
    EXPECT_EQ(a.client_ip, b.client_ip);
    EXPECT_EQ(a.sdk_client, b.sdk_client);
    EXPECT_EQ(a.event_id, b.event_id);
    EXPECT_EQ(a.body, b.body);
}

TEST(SpoolRecord, RoundTrip) {
    const SpooledRequest request = sample();
    const auto decoded = decode_spooled_request(encode_spooled_request(request));
    ASSERT_TRUE(decoded);
    expect_equal(*decoded, request);
}

TEST(SpoolRecord, RoundTripEmptyFieldsAndExtremeNumbers) {
    SpooledRequest request;
    request.project_id = -1;
    request.received_at = -0.0;
    const auto decoded = decode_spooled_request(encode_spooled_request(request));
    ASSERT_TRUE(decoded);
    expect_equal(*decoded, request);
    EXPECT_TRUE(std::signbit(decoded->received_at));
}

TEST(SpoolRecord, StartsWithVersionOne) {
    EXPECT_EQ(encode_spooled_request(sample()).front(), '\x01');
}

TEST(SpoolRecord, RejectsEveryTruncation) {
    const std::string bytes = encode_spooled_request(sample());
    for (size_t size = 0; size < bytes.size(); ++size)
        EXPECT_FALSE(decode_spooled_request(std::string_view(bytes).substr(0, size))) << size;
}

TEST(SpoolRecord, RejectsTrailingBytes) {
    EXPECT_FALSE(decode_spooled_request(encode_spooled_request(sample()) + "x"));
}

TEST(SpoolRecord, RejectsUnknownVersionAndEndpoint) {
    std::string bytes = encode_spooled_request(sample());
    bytes[0] = 2;
    EXPECT_FALSE(decode_spooled_request(bytes));
    bytes = encode_spooled_request(sample());
    bytes[1] = 9;
    EXPECT_FALSE(decode_spooled_request(bytes));
}

TEST(SpoolRecord, RejectsLengthPastTheEnd) {
    std::string bytes = encode_spooled_request(sample());
    bytes[21] = '\x7f';  // top byte of client_ip's length
    EXPECT_FALSE(decode_spooled_request(bytes));
}

}  // namespace
}  // namespace lt
