#include "grouping/glob.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace lt {
namespace {

// Cases from Relay's relay_is_glob_match tests and the globset crate's documented syntax.

bool glob(std::string_view value, std::string_view pattern, GlobOptions options = {}) {
    const std::optional<Glob> compiled = Glob::compile(pattern, options);
    return compiled && compiled->matches(value);
}

constexpr GlobOptions kDoubleStar{true, false, false};
constexpr GlobOptions kPath{true, true, true};

TEST(Glob, RelayCases) {
    EXPECT_TRUE(glob("hello.py", "*.py"));
    EXPECT_FALSE(glob("hello.py", "*.js"));
    EXPECT_TRUE(glob("foo/hello.py", "*.py"));
    EXPECT_FALSE(glob("foo/hello.py", "*.py", kDoubleStar));
    EXPECT_TRUE(glob("foo/hello.py", "**/*.py", kDoubleStar));
    EXPECT_FALSE(glob("foo/hello.PY", "**/*.py", kDoubleStar));
    EXPECT_TRUE(glob("foo/hello.PY", "**/*.py", GlobOptions{true, true, false}));
    EXPECT_FALSE(glob("foo\\hello\\bar.PY", "foo/**/*.py", GlobOptions{true, true, false}));
    EXPECT_TRUE(glob("foo\\hello\\bar.PY", "foo/**/*.py", kPath));
    EXPECT_TRUE(glob("foo\nbar", "foo*"));  // Sentry always allows newlines
    EXPECT_TRUE(glob("1.18.4.2153-2aa83397b", "1.18.[0-4].*"));
    // Relay checks a long value against many stars for backtracking blow-ups; the NFA is linear.
    std::string long_value(100'000, 'x');
    long_value += ".PY";
    EXPECT_TRUE(glob(long_value, "*************************.py", kPath));
    EXPECT_FALSE(glob(long_value, "*************************.js", kPath));
}

TEST(Glob, DoubleStarSegments) {
    EXPECT_TRUE(glob("a/b", "a/**/b", kDoubleStar));
    EXPECT_TRUE(glob("a/x/y/b", "a/**/b", kDoubleStar));
    EXPECT_FALSE(glob("ab", "a/**/b", kDoubleStar));
    EXPECT_TRUE(glob("b", "**/b", kDoubleStar));
    EXPECT_TRUE(glob("/b", "**/b", kDoubleStar));
    EXPECT_TRUE(glob("x/y/b", "**/b", kDoubleStar));
    EXPECT_TRUE(glob("a/x/y", "a/**", kDoubleStar));
    EXPECT_FALSE(glob("a", "a/**", kDoubleStar));
    EXPECT_TRUE(glob("anything/at/all", "**", kDoubleStar));
    EXPECT_TRUE(glob("", "**", kDoubleStar));
    // Not a whole segment: two single stars, which stop at '/'.
    EXPECT_TRUE(glob("abxc", "a**c", kDoubleStar));
    EXPECT_FALSE(glob("ab/c", "a**c", kDoubleStar));
    // Without double_star, '*' and '?' cross '/'.
    EXPECT_TRUE(glob("a/b/c", "a*c"));
    EXPECT_TRUE(glob("a/c", "a?c"));
    EXPECT_FALSE(glob("a/c", "a?c", kDoubleStar));
}

TEST(Glob, ClassesAlternatesAndEscapes) {
    EXPECT_TRUE(glob("b", "[abc]"));
    EXPECT_TRUE(glob("q", "[!abc]"));
    EXPECT_TRUE(glob("q", "[^abc]"));
    EXPECT_FALSE(glob("a", "[!abc]"));
    EXPECT_TRUE(glob("]", "[]]"));
    EXPECT_TRUE(glob("-", "[-a]"));
    EXPECT_TRUE(glob("-", "[a-]"));
    EXPECT_TRUE(glob("*", "[*]"));
    EXPECT_TRUE(glob("B", "[a-c]", GlobOptions{false, true, false}));
    EXPECT_FALSE(glob("B", "[!a-c]", GlobOptions{false, true, false}));
    EXPECT_TRUE(glob("foo.js", "*.{js,ts}"));
    EXPECT_TRUE(glob("foo.ts", "*.{js,ts}"));
    EXPECT_FALSE(glob("foo.py", "*.{js,ts}"));
    EXPECT_TRUE(glob("ab", "a{b,{c,d}}"));  // nested alternates
    EXPECT_TRUE(glob("ad", "a{b,{c,d}}"));
    // Empty alternatives are dropped.
    EXPECT_TRUE(glob("foobar", "foo{,bar}"));
    EXPECT_FALSE(glob("foo", "foo{,bar}"));
    EXPECT_TRUE(glob("a,b", "a,b"));  // a comma outside braces is literal
    EXPECT_TRUE(glob("a*b", "a\\*b"));
    EXPECT_FALSE(glob("axb", "a\\*b"));
    EXPECT_TRUE(glob("{x}", "\\{x\\}"));
}

TEST(Glob, InvalidPatternsNeverMatch) {
    for (std::string_view bad : {"[abc", "{a,b", "a}", "abc\\", "[z-a]"}) {
        EXPECT_FALSE(Glob::compile(bad, {})) << bad;
    }
}

TEST(Glob, BytesAndCase) {
    // `?` is one byte: a two-byte character needs two.
    EXPECT_FALSE(glob("\xC3\xA9", "?"));
    EXPECT_TRUE(glob("\xC3\xA9", "??"));
    EXPECT_TRUE(glob("caf\xC3\xA9", "caf\xC3\xA9"));
    // Case folding is ASCII only.
    EXPECT_TRUE(glob("HELLO", "hello", GlobOptions{false, true, false}));
    EXPECT_FALSE(glob("\xC3\x89", "\xC3\xA9", GlobOptions{false, true, false}));
    EXPECT_FALSE(glob("HELLO", "hello"));
}

}  // namespace
}  // namespace lt
