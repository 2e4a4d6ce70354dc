#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace lt {

TEST(JsonWriter, StructureAndCommas) {
    JsonWriter json;
    json.begin_object();
    json.key("a").value(1);
    json.key("b").begin_array().value("x").null().value(true).value(2.5).end_array();
    json.key("c").begin_object().end_object();
    json.key("d").raw(R"({"k":[1]})");
    json.end_object();
    EXPECT_EQ(json.str(), R"({"a":1,"b":["x",null,true,2.5],"c":{},"d":{"k":[1]}})");
}

TEST(JsonWriter, NumbersRoundTripShortestAndNonFiniteIsNull) {
    JsonWriter json;
    json.begin_array()
        .value(0.1)
        .value(1700000000.25)
        .value(int64_t{-5})
        .value(uint64_t{18446744073709551615u});
    json.value(std::numeric_limits<double>::infinity()).end_array();
    EXPECT_EQ(json.str(), "[0.1,1700000000.25,-5,18446744073709551615,null]");
}

TEST(AppendJsonString, EscapesControlQuotesAndBackslash) {
    std::string out;
    append_json_string(out, "a\"b\\c\n\r\t\b\f\x01 end");
    EXPECT_EQ(out, R"("a\"b\\c\n\r\t\b\f\u0001 end")");
}

TEST(AppendJsonString, KeepsValidUtf8AndReplacesInvalidBytes) {
    std::string out;
    append_json_string(out, "caf\xC3\xA9 \xF0\x9F\x98\x80");
    EXPECT_EQ(out, "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
    out.clear();
    // A lone continuation byte, an overlong encoding, a surrogate and a truncated sequence.
    append_json_string(out,
                       "a\x80"
                       "b\xC0\xAF"
                       "c\xED\xA0\x80"
                       "d\xE2\x82");
    EXPECT_EQ(out,
              "\"a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD\xEF\xBF\xBD"
              "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
              "d\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

}  // namespace lt
