#include "event/user_agent.h"

#include <gtest/gtest.h>
#include <yaml.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace lt {

namespace {

namespace fs = std::filesystem;

const std::string kRegexes(UserAgentParser::kDefaultRegexesPath);
const fs::path kUapCore = fs::path(kRegexes).parent_path();

using Fields = std::map<std::string, std::optional<std::string>>;

// The `test_cases` of an uap-core test file; empty plain scalars (`patch:`) are nullopt.
std::vector<Fields> load_cases(const fs::path& path) {
    std::vector<Fields> cases;
    const std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) return cases;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, file.get());
    yaml_document_t doc;
    if (yaml_parser_load(&parser, &doc) == 0) {
        yaml_parser_delete(&parser);
        return cases;
    }
    auto text = [](const yaml_node_t* node) {
        return std::string(reinterpret_cast<const char*>(node->data.scalar.value),
                           node->data.scalar.length);
    };
    const yaml_node_t* root = yaml_document_get_root_node(&doc);
    for (const yaml_node_pair_t* top = root->data.mapping.pairs.start;
         top < root->data.mapping.pairs.top; ++top) {
        if (text(yaml_document_get_node(&doc, top->key)) != "test_cases") continue;
        const yaml_node_t* list = yaml_document_get_node(&doc, top->value);
        for (const yaml_node_item_t* item = list->data.sequence.items.start;
             item < list->data.sequence.items.top; ++item) {
            const yaml_node_t* entry = yaml_document_get_node(&doc, *item);
            Fields fields;
            for (const yaml_node_pair_t* pair = entry->data.mapping.pairs.start;
                 pair < entry->data.mapping.pairs.top; ++pair) {
                const yaml_node_t* value = yaml_document_get_node(&doc, pair->value);
                std::optional<std::string> v = text(value);
                if (value->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                    (v->empty() || *v == "~" || *v == "null")) {
                    v.reset();
                }
                fields[text(yaml_document_get_node(&doc, pair->key))] = v;
            }
            cases.push_back(std::move(fields));
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return cases;
}

std::string show(const std::optional<std::string>& value) {
    return value ? "'" + *value + "'" : "null";
}

// Runs every case of `file` through `check` (which lists the fields that differ) and fails
// with the first disagreements.
template <typename Check>
void expect_upstream_agreement(const fs::path& file, Check&& check) {
    const std::vector<Fields> cases = load_cases(file);
    ASSERT_FALSE(cases.empty()) << file << " missing or empty: install uap-core (scripts/setup.sh)";
    const UserAgentParser& parser = UserAgentParser::default_instance();
    ASSERT_TRUE(parser.loaded());
    size_t failures = 0;
    std::string report;
    for (const Fields& expected : cases) {
        const std::string ua = expected.at("user_agent_string").value_or("");
        const std::string diff = check(parser.classify(ua), expected);
        if (diff.empty()) continue;
        if (++failures <= 20) report += "\n  " + ua + "\n    " + diff;
    }
    EXPECT_EQ(failures, 0u) << "of " << cases.size() << " cases in " << file << report;
}

std::string compare(const char* name, const std::optional<std::string>& actual,
                    const Fields& expected) {
    const auto found = expected.find(name);
    const std::optional<std::string> want = found == expected.end() ? std::nullopt : found->second;
    if (actual == want) return {};
    return std::string(name) + ": got " + show(actual) + ", want " + show(want) + "; ";
}

std::string check_agent(const UapResult& result, const Fields& expected) {
    const auto& ua = result.user_agent;
    return compare("family", ua.family, expected) + compare("major", ua.major, expected) +
           compare("minor", ua.minor, expected) + compare("patch", ua.patch, expected);
}

std::string check_os(const UapResult& result, const Fields& expected) {
    const auto& os = result.os;
    return compare("family", os.family, expected) + compare("major", os.major, expected) +
           compare("minor", os.minor, expected) + compare("patch", os.patch, expected) +
           compare("patch_minor", os.patch_minor, expected);
}

std::string check_device(const UapResult& result, const Fields& expected) {
    const auto& device = result.device;
    return compare("family", device.family, expected) + compare("brand", device.brand, expected) +
           compare("model", device.model, expected);
}

// A regexes file of our own, for the rule semantics (deleted with the object).
class TempRegexes {
public:
    explicit TempRegexes(const std::string& yaml)
        : path_(fs::temp_directory_path() / ("lighttrace-ua-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(counter_++) + ".yaml")) {
        std::ofstream(path_) << yaml;
    }
    ~TempRegexes() { fs::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

const char* const kCustomRules = R"(
user_agent_parsers:
  - regex: '^Echo (.*)$'
  - regex: '(Empty)?Skip'
  - regex: 'Skip(\d+)'
    family_replacement: 'Skipper $1'
  - regex: '(Acme)/(\d+)\.(\d+)'
    family_replacement: '$1 Browser'
  - regex: 'Fixed/(\d+)'
    family_replacement: 'Fixed'
    v1_replacement: '9'
  - regex: '(Opt)(?:ional)?Browser/(\d+)'
  - regex: '(?:Foo|Bar)Baz x{2}(yz)'
    family_replacement: 'Foobaz $1'
os_parsers:
  - regex: '(AcmeOS) (\d+)_(\d+)_(\d+)_(\d+)'
    os_replacement: 'Acme OS'
  - regex: 'Win ?(NT)'
    os_replacement: 'Windows'
    os_v1_replacement: '10'
device_parsers:
  - regex: 'gadget ([a-z]+)'
    regex_flag: 'i'
    device_replacement: '  Gadget $1 $2 '
    brand_replacement: 'Gadgets'
    model_replacement: '$1'
  - regex: '; ([^;]+) Build/'
)";

}  // namespace

// Readable failure messages (found by argument-dependent lookup, so outside the anonymous
// namespace).
void PrintTo(const BrowserContext& b, std::ostream* out) {
    *out << "browser{" << b.name << ", " << show(b.version) << "}";
}
void PrintTo(const OsContext& o, std::ostream* out) {
    *out << "os{" << o.name << ", " << show(o.version) << "}";
}
void PrintTo(const DeviceContext& d, std::ostream* out) {
    *out << "device{" << show(d.family) << ", " << show(d.model) << ", " << show(d.brand) << "}";
}
void PrintTo(const UserAgentInfo& info, std::ostream* out) {
    *out << "{" << testing::PrintToString(info.browser) << ", " << testing::PrintToString(info.os)
         << ", " << testing::PrintToString(info.device) << "}";
}

namespace {

BrowserContext browser(std::string name, std::optional<std::string> version) {
    return {std::move(name), std::move(version)};
}
OsContext os(std::string name, std::optional<std::string> version) {
    return {std::move(name), std::move(version)};
}
DeviceContext device(std::optional<std::string> family, std::optional<std::string> model,
                     std::optional<std::string> brand) {
    return {std::move(family), std::move(model), std::move(brand)};
}

const std::string kChromeWindows =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36";
const std::string kChromeMac =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/109.0.0.0 Safari/537.36";
const std::string kChromeAndroid =
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36";
const std::string kSafariIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.2 Mobile/15E148 Safari/604.1";
const std::string kFirefoxLinux =
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
const std::string kGalaxyNexus =
    "Mozilla/5.0 (Linux; Android 4.0.4; Galaxy Nexus Build/IMM76B) AppleWebKit/535.19 (KHTML, "
    "like Gecko) Chrome/18.0.1025.133 Mobile Safari/535.19";

}  // namespace

// ---- uap-core's own test files (what its reference test.js runs) ---------------------------

TEST(UapCoreUpstream, UserAgents) {
    expect_upstream_agreement(kUapCore / "tests/test_ua.yaml", check_agent);
}

TEST(UapCoreUpstream, UserAgentResources) {
    for (const char* name :
         {"firefox_user_agent_strings.yaml", "pgts_browser_list.yaml",
          "opera_mini_user_agent_strings.yaml", "podcasting_user_agent_strings.yaml"}) {
        expect_upstream_agreement(kUapCore / "test_resources" / name, check_agent);
    }
}

TEST(UapCoreUpstream, OperatingSystems) {
    expect_upstream_agreement(kUapCore / "tests/test_os.yaml", check_os);
    expect_upstream_agreement(kUapCore / "test_resources/additional_os_tests.yaml", check_os);
}

TEST(UapCoreUpstream, Devices) {
    expect_upstream_agreement(kUapCore / "tests/test_device.yaml", check_device);
}

// ---- rule semantics, on a rules file of our own ----------------------------------------------

TEST(UserAgentRules, ReplacementsGroupsAndFirstMatch) {
    const TempRegexes rules(kCustomRules);
    const UserAgentParser parser(rules.path());
    ASSERT_TRUE(parser.loaded());

    const UapResult skipped = parser.classify("Skip7");  // rule 2 matches but yields no family
    EXPECT_EQ(skipped.user_agent.family, "Skipper 7");
    EXPECT_EQ(parser.classify("Skip").user_agent.family, "Other");

    const UapResult acme = parser.classify("Acme/3.4");
    EXPECT_EQ(acme.user_agent.family, "Acme Browser");
    EXPECT_EQ(acme.user_agent.major, "3");
    EXPECT_EQ(acme.user_agent.minor, "4");
    EXPECT_EQ(acme.user_agent.patch, std::nullopt);
    EXPECT_EQ(parser.classify("Fixed/5").user_agent.major, "9");

    const UapResult acme_os = parser.classify("AcmeOS 1_2_3_4");
    EXPECT_EQ(acme_os.os.family, "Acme OS");
    EXPECT_EQ(acme_os.os.major, "1");
    EXPECT_EQ(acme_os.os.patch_minor, "4");
    EXPECT_EQ(parser.parse("AcmeOS 1_2_3_4").os, os("Acme OS", "1.2.3"));
    EXPECT_EQ(parser.parse("Win NT").os, os("Windows", ">=10"));

    // Caseless flag, $2 of a rule without group 2 is "", and the result is trimmed.
    const UapResult gadget = parser.classify("x; GADGET Abc");
    EXPECT_EQ(gadget.device.family, "Gadget Abc");
    EXPECT_EQ(gadget.device.brand, "Gadgets");
    EXPECT_EQ(gadget.device.model, "Abc");
    const UapResult plain = parser.classify("Foo; Bar Baz Build/1");
    EXPECT_EQ(plain.device.family, "Bar Baz");
    EXPECT_EQ(plain.device.model, "Bar Baz");
    EXPECT_EQ(plain.device.brand, std::nullopt);
    EXPECT_EQ(parser.parse("Foo; Bar Baz Build/1").device, device("Bar Baz", "Bar Baz", {}));
}

// Rules are skipped early when a text every match needs is absent; optional and alternative
// parts are not such text.
TEST(UserAgentRules, PreFilterKeepsOptionalAndAlternativeParts) {
    const TempRegexes rules(kCustomRules);
    const UserAgentParser parser(rules.path());
    EXPECT_EQ(parser.classify("OptBrowser/3").user_agent.family, "Opt");
    EXPECT_EQ(parser.classify("OptionalBrowser/3").user_agent.major, "3");
    EXPECT_EQ(parser.classify("BarBaz xxyz").user_agent.family, "Foobaz yz");
    EXPECT_EQ(parser.classify("FooBaz xxxyz").user_agent.family, "Other");
    EXPECT_EQ(parser.classify("x; gAdGeT q").device.family, "Gadget q");
}

TEST(UserAgentRules, CutsLongInputAtACharacterBoundary) {
    const TempRegexes rules(kCustomRules);
    const UserAgentParser parser(rules.path());
    const std::string echo = "Echo ";
    EXPECT_EQ(parser.classify(echo + std::string(600, 'a')).user_agent.family,
              std::string(UserAgentParser::kMaxUserAgentBytes - echo.size(), 'a'));
    // 506 + 5 = 511 bytes, then a 2-byte character that would straddle the 512 limit.
    EXPECT_EQ(parser.classify(echo + std::string(506, 'a') + "\xC3\xA9tail").user_agent.family,
              std::string(506, 'a'));
}

TEST(UserAgentRules, MissingOrInvalidFileGivesEmptyAnswersAndOneWarning) {
    const TempRegexes bad_yaml("user_agent_parsers: [\n");
    const TempRegexes bad_regex(
        "user_agent_parsers:\n  - regex: 'a('\nos_parsers: []\ndevice_parsers: []\n");
    const TempRegexes no_sections("just: text\n");
    for (const std::string& path : {std::string("/nonexistent/regexes.yaml"), bad_yaml.path(),
                                    bad_regex.path(), no_sections.path()}) {
        testing::internal::CaptureStderr();
        const UserAgentParser parser(path);
        EXPECT_FALSE(parser.loaded()) << path;
        EXPECT_EQ(parser.parse(kChromeWindows), UserAgentInfo{}) << path;
        EXPECT_EQ(parser.parse(kChromeWindows, {.platform = "Windows"}), UserAgentInfo{}) << path;
        EXPECT_EQ(parser.classify(kChromeWindows).user_agent.family, "Other") << path;
        const std::string log = testing::internal::GetCapturedStderr();
        const size_t first = log.find("user_agent.regexes_unavailable");
        EXPECT_NE(first, std::string::npos) << path;
        EXPECT_EQ(log.find("user_agent.regexes_unavailable", first + 1), std::string::npos);
    }
}

// ---- Sentry context shapes (Relay's mapping) ------------------------------------------------

TEST(UserAgentContexts, RealUserAgents) {
    const struct {
        std::string user_agent;
        UserAgentInfo expected;
    } cases[] = {
        {kChromeWindows, {browser("Chrome", "120.0.6099"), os("Windows", ">=10"), std::nullopt}},
        {kChromeMac,
         {browser("Chrome", "109.0.0"), os("Mac OS X", ">=10.15.7"),
          device("Mac", "Mac", "Apple")}},
        {kChromeAndroid,
         {browser("Chrome Mobile", "120.0.6099"), os("Android", "14"),
          device("Samsung SM-S918B", "SM-S918B", "Samsung")}},
        {kSafariIphone,
         {browser("Mobile Safari", "17.2"), os("iOS", "17.2"),
          device("iPhone", "iPhone", "Apple")}},
        {kFirefoxLinux, {browser("Firefox", "121.0"), os("Linux", std::nullopt), std::nullopt}},
        {kGalaxyNexus,
         {browser("Chrome Mobile", "18.0.1025"), os("Android", "4.0.4"),
          device("Samsung Galaxy Nexus", "Galaxy Nexus", "Samsung")}},
        // Relay's own snapshots: partial strings give partial contexts.
        {"Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) - -",
         {std::nullopt, os("Windows", "7"), std::nullopt}},
        {"Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) - (-)",
         {browser("Mobile Safari UI/WKWebView", std::nullopt), os("iOS", "12.1"),
          device("iPhone", "iPhone", "Apple")}},
        {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_4) - (-)",
         {std::nullopt, os("Mac OS X", "10.13.4"), device("Mac", "Mac", "Apple")}},
        {"- (-; -; Galaxy Nexus Build/IMM76B) - (-) ",
         {std::nullopt, std::nullopt, device("Samsung Galaxy Nexus", "Galaxy Nexus", "Samsung")}},
        {"curl/8.5.0", {browser("curl", "8.5.0"), std::nullopt, std::nullopt}},
        // Everything "Other": no contexts at all.
        {"a dont no", {}},
        {"sentry.python/2.0.0", {}},
    };
    for (const auto& c : cases) {
        const UserAgentInfo info = parse_user_agent(c.user_agent);
        EXPECT_EQ(info.browser, c.expected.browser) << c.user_agent;
        EXPECT_EQ(info.os, c.expected.os) << c.user_agent;
        EXPECT_EQ(info.device, c.expected.device) << c.user_agent;
    }
}

TEST(UserAgentContexts, ClientHintsWinOverTheUserAgent) {
    const ClientHints hints{
        .sec_ch_ua = R"h("Not_A Brand";v="8", "Chromium";v="120", "Google Chrome";v="120")h",
        .platform = R"h("macOS")h",
        .platform_version = R"h( "13.2.0" )h",
        .model = R"h(   "moto g31(w)")h"};
    const UserAgentInfo info = parse_user_agent(kChromeAndroid, hints);
    EXPECT_EQ(info.browser, browser("Google Chrome", "120"));
    EXPECT_EQ(info.os, os("macOS", "13.2.0"));
    EXPECT_EQ(info.device, device(std::nullopt, "moto g31(w)", std::nullopt));

    // Hints alone are enough.
    EXPECT_EQ(parse_user_agent("", hints), info);

    // Any entry order; GREASE and engine entries skipped; unknown brands taken as they are.
    EXPECT_EQ(parse_user_agent("", {.sec_ch_ua = R"h("Chromium";v="108", "Opera";v="94", )h"
                                                 R"h("Not)A;Brand";v="99")h"})
                  .browser,
              browser("Opera", "94"));
    EXPECT_EQ(
        parse_user_agent("", {.sec_ch_ua = R"h("weird browser";v="109", "Chromium";v="109")h"})
            .browser,
        browser("weird browser", "109"));
    EXPECT_EQ(parse_user_agent("", {.platform = "Windows"}).os, os("Windows", std::nullopt));
}

TEST(UserAgentContexts, UnusableHintsFallBackToTheUserAgent) {
    const UserAgentInfo from_ua = parse_user_agent(kChromeAndroid);
    const ClientHints unusable[] = {
        {.sec_ch_ua = R"h("Not_A Brand";v="99", "Chromium";v="108")h"},  // no browser entry
        {.sec_ch_ua = R"h("Not_A Brand";v="99", " ";v="109", "Chromium";v="109")h"},  // blank
        {.sec_ch_ua = R"h(Foo, "Google Chrome";v="120")h"},  // first candidate malformed
        {.platform = R"h( "" )h", .platform_version = "\"14.0.0\""},
        {.model = R"h("")h"},  // what desktop Chrome sends
    };
    for (const ClientHints& hints : unusable) {
        const UserAgentInfo info = parse_user_agent(kChromeAndroid, hints);
        EXPECT_EQ(info, from_ua) << hints.sec_ch_ua << hints.platform << hints.model;
        EXPECT_EQ(parse_user_agent("", hints), UserAgentInfo{});
    }
}

// ---- cache, bounds, hostile input -----------------------------------------------------------

TEST(UserAgentCache, SameAnswerTwiceAndHintsArePartOfTheKey) {
    const UserAgentParser parser(kRegexes);
    const UserAgentInfo first = parser.parse(kChromeMac);
    EXPECT_EQ(parser.cached_entries(), 1u);
    EXPECT_EQ(parser.parse(kChromeMac), first);
    EXPECT_EQ(parser.cached_entries(), 1u);
    const UserAgentInfo hinted = parser.parse(kChromeMac, {.platform = "\"macOS\""});
    EXPECT_EQ(hinted.os, os("macOS", std::nullopt));
    EXPECT_EQ(parser.cached_entries(), 2u);
    EXPECT_EQ(parser.parse(kChromeMac), first);
    EXPECT_EQ(parser.parse("", {}), UserAgentInfo{});  // nothing to parse: not cached
    EXPECT_EQ(parser.cached_entries(), 2u);
}

TEST(UserAgentCache, StaysWithinItsCapacity) {
    const UserAgentParser parser(kRegexes, 64);
    const UserAgentParser uncached(kRegexes, 0);
    for (int i = 0; i < 2000; ++i) {
        const std::string ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/" +
                               std::to_string(i) + ".0";
        ASSERT_EQ(parser.parse(ua).browser, browser("Firefox", std::to_string(i) + ".0"));
        ASSERT_LE(parser.cached_entries(), 64u);
    }
    EXPECT_GE(parser.cached_entries(), 32u);
    EXPECT_EQ(uncached.parse(kChromeMac), parser.parse(kChromeMac));
    EXPECT_EQ(uncached.cached_entries(), 0u);
}

TEST(UserAgentCache, ConcurrentCallersAgreeWithASerialRun) {
    const UserAgentParser uncached(kRegexes, 0);
    const std::vector<std::string> agents{kChromeWindows, kChromeMac,    kChromeAndroid,
                                          kSafariIphone,  kFirefoxLinux, kGalaxyNexus};
    std::vector<UserAgentInfo> expected;
    for (const auto& ua : agents) expected.push_back(uncached.parse(ua));

    const UserAgentParser parser(kRegexes, 16);  // small: evictions race with lookups
    std::vector<std::thread> threads;
    std::vector<int> mismatches(8, 0);
    for (size_t t = 0; t < mismatches.size(); ++t) {
        threads.emplace_back([&, t] {
            for (size_t i = 0; i < 300; ++i) {
                const size_t k = (i * 7 + t) % agents.size();
                const std::string variant = agents[k] + " v" + std::to_string(i % 40);
                if (parser.parse(agents[k]) != expected[k]) ++mismatches[t];
                if (!parser.parse(variant).browser) ++mismatches[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (const int count : mismatches) EXPECT_EQ(count, 0);
    EXPECT_LE(parser.cached_entries(), 16u);
}

TEST(UserAgentInput, EmptyGarbageAndHuge) {
    const UserAgentParser& parser = UserAgentParser::default_instance();
    EXPECT_EQ(parser.parse(""), UserAgentInfo{});
    EXPECT_EQ(parser.parse("   "), UserAgentInfo{});
    const std::string binary("\0\xff\xfe(;;)\x80\0Build/\xc3", 16);
    EXPECT_NO_THROW(parser.parse(binary));
    EXPECT_NO_THROW(parser.classify(binary));

    // A megabyte: only the first kMaxUserAgentBytes count, and it stays quick.
    const std::string huge = kChromeWindows + std::string(1 << 20, 'x');
    const auto start = std::chrono::steady_clock::now();
    const UserAgentInfo info = parser.parse(huge);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    EXPECT_EQ(info, parser.parse(huge.substr(0, UserAgentParser::kMaxUserAgentBytes)));
    EXPECT_EQ(info.os, os("Windows", ">=10"));

    // Pathological repetitions stay bounded too.
    for (const std::string& text :
         {std::string(100000, 'a'), std::string(100000, ';'), std::string(100000, '(')}) {
        const auto t0 = std::chrono::steady_clock::now();
        EXPECT_NO_THROW(parser.parse(text, {.sec_ch_ua = text, .platform = text, .model = text}));
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
    }
}

}  // namespace lt
