#include "core/text.h"

#include <gtest/gtest.h>

#include "core/python_text.h"

namespace lt {

// "é" is 2 bytes, "€" 3, "𝄞" 4: lengths count characters, cuts never split one.
TEST(CodePoints, CountsCharactersNotBytes) {
    EXPECT_EQ(code_points(""), 0U);
    EXPECT_EQ(code_points("abc"), 3U);
    EXPECT_EQ(code_points("é€𝄞"), 3U);
    EXPECT_EQ(code_point_prefix("é€𝄞x", 2), "é€");
    EXPECT_EQ(code_point_prefix("é€", 5), "é€");
    EXPECT_EQ(code_point_prefix("abc", 0), "");
}

TEST(TruncateChars, KeepsShortTextAndEllipsizesLongText) {
    EXPECT_EQ(truncate_chars("abcde", 5), "abcde");
    EXPECT_EQ(truncate_chars("abcdef", 5), "ab...");
    EXPECT_EQ(truncate_chars("ééééééé", 6), "ééé...");
    EXPECT_EQ(truncate_chars("abcd", 2), "...");
    EXPECT_EQ(truncate_chars(std::string(101, 'x'), 100), std::string(97, 'x') + "...");
}

TEST(CharLength, StepsOverWholeSequencesAndSingleBadBytes) {
    const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E";
    EXPECT_EQ(char_length(text, 0), 1U);
    EXPECT_EQ(char_length(text, 1), 2U);
    EXPECT_EQ(code_point_at(text, 1, 2), U'é');
    EXPECT_EQ(char_length(text, 3), 3U);
    EXPECT_EQ(code_point_at(text, 3, 3), U'€');
    EXPECT_EQ(char_length(text, 6), 4U);
    EXPECT_EQ(code_point_at(text, 6, 4), U'\U0001D11E');
    EXPECT_EQ(char_length("\xE2\x82", 0), 1U);  // truncated sequence
    EXPECT_EQ(char_length("\x80z", 0), 1U);     // continuation byte alone
    EXPECT_EQ(char_length("\xC0\x80", 0), 1U);  // overlong lead
}

TEST(TrimAsciiSpace, BothEnds) {
    EXPECT_EQ(trim_ascii_space(" \t a b \r\n"), "a b");
    EXPECT_EQ(trim_ascii_space(" \v\f "), "");
    EXPECT_EQ(trim_ascii_space("\xC2\xA0x"), "\xC2\xA0x");  // NBSP is not ASCII space
}

TEST(PythonText, StripAndFirstLineFollowPython) {
    EXPECT_EQ(pytext::strip("\xC2\xA0\xE3\x80\x80 x y\x1C\n"), "x y");
    EXPECT_EQ(pytext::first_line("one\ntwo"), "one");
    EXPECT_EQ(pytext::first_line("one\r\ntwo"), "one");
    EXPECT_EQ(pytext::first_line("one\xE2\x80\xA8two"), "one");  // U+2028
    EXPECT_EQ(pytext::first_line("one\x1Etwo"), "one");
    EXPECT_EQ(pytext::first_line("one\x1Ftwo"), "one\x1Ftwo");  // unit separator: no break
    EXPECT_EQ(pytext::first_line("single"), "single");
}

}  // namespace lt
