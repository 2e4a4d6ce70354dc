#include "core/url.h"

#include <gtest/gtest.h>

namespace lt {

TEST(FormDecode, PlusPercentAndMalformedEscapes) {
    EXPECT_EQ(form_decode("a+b%20c%2Fd%2f"), "a b c/d/");
    EXPECT_EQ(form_decode("100%"), "100%");
    EXPECT_EQ(form_decode("%zz%4"), "%zz%4");
    EXPECT_EQ(form_decode("%00"), std::string(1, '\0'));
    EXPECT_EQ(form_decode(""), "");
}

TEST(PathDecode, KeepsPlus) {
    EXPECT_EQ(path_decode("1.0+build%2F7"), "1.0+build/7");
}

TEST(QueryParam, FindsFirstDecodedValue) {
    const std::string query = "sentry_version=7&sentry_key=abc&x=1+2&x=3&flag";
    EXPECT_EQ(query_param(query, "sentry_key"), "abc");
    EXPECT_EQ(query_param(query, "x"), "1 2");
    EXPECT_EQ(query_param(query, "flag"), "");
    EXPECT_EQ(query_param(query, "missing"), "");
    EXPECT_EQ(query_param("", "x"), "");
}

TEST(QueryParams, EveryValueInOrder) {
    const std::string query = "id=1&project=-1&id=2&query=&id=%33&&id";
    EXPECT_EQ(query_params(query, "id"), (std::vector<std::string>{"1", "2", "3", ""}));
    EXPECT_EQ(query_params(query, "query"), std::vector<std::string>{""});
    EXPECT_TRUE(query_params(query, "missing").empty());
}

}  // namespace lt
