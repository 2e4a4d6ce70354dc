#include "event/json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include "test_support.h"

namespace lt::json {
namespace {

using testing_support::read_file;

namespace fs = std::filesystem;

Document parse_ok(std::string_view text, ParseOptions options = {}) {
    ParseResult result = parse(text, options);
    EXPECT_TRUE(result.document.has_value()) << result.error << " for " << text;
    if (!result.document) return Document();
    return std::move(*result.document);
}

std::string round_trip(std::string_view text) {
    return to_string(parse_ok(text).root());
}

// Same types, same values, same member order.
::testing::AssertionResult same_json(simdjson::dom::element a, simdjson::dom::element b,
                                     const std::string& path = "$") {
    using Type = simdjson::dom::element_type;
    if (a.type() != b.type()) return ::testing::AssertionFailure() << path << ": types differ";
    switch (a.type()) {
        case Type::ARRAY: {
            const simdjson::dom::array x = a.get_array().value_unsafe();
            const simdjson::dom::array y = b.get_array().value_unsafe();
            if (x.size() != y.size()) return ::testing::AssertionFailure() << path << ": sizes";
            auto it = y.begin();
            size_t i = 0;
            for (const simdjson::dom::element item : x) {
                auto same = same_json(item, *it, path + "[" + std::to_string(i++) + "]");
                if (!same) return same;
                ++it;
            }
            return ::testing::AssertionSuccess();
        }
        case Type::OBJECT: {
            const simdjson::dom::object x = a.get_object().value_unsafe();
            const simdjson::dom::object y = b.get_object().value_unsafe();
            if (x.size() != y.size()) return ::testing::AssertionFailure() << path << ": sizes";
            auto it = y.begin();
            for (const simdjson::dom::key_value_pair field : x) {
                if (field.key != it.key()) {
                    return ::testing::AssertionFailure() << path << ": key " << field.key;
                }
                auto same = same_json(field.value, it.value(), path + "." + std::string(field.key));
                if (!same) return same;
                ++it;
            }
            return ::testing::AssertionSuccess();
        }
        case Type::INT64:
            if (int64_t(a) == int64_t(b)) return ::testing::AssertionSuccess();
            break;
        case Type::UINT64:
            if (uint64_t(a) == uint64_t(b)) return ::testing::AssertionSuccess();
            break;
        case Type::DOUBLE:
            if (double(a) == double(b)) return ::testing::AssertionSuccess();
            break;
        case Type::STRING:
            if (std::string_view(a) == std::string_view(b)) return ::testing::AssertionSuccess();
            break;
        case Type::BOOL:
            if (bool(a) == bool(b)) return ::testing::AssertionSuccess();
            break;
        case Type::NULL_VALUE:
            return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << path << ": values differ";
}

// The event and transaction payloads of every captured envelope (located with the capture's
// own parse, NNN.envelope.json), and every legacy /store/ body.
std::vector<std::pair<std::string, std::string>> captured_event_payloads() {
    std::vector<std::pair<std::string, std::string>> payloads;
    simdjson::dom::parser parser;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(LT_FIXTURES) / "corpus")) {
        const fs::path& path = entry.path();
        if (path.extension() == ".envelope") {
            const std::string raw = read_file(path);
            simdjson::dom::element capture = parser.load(path.string() + ".json");
            size_t pos = raw.find('\n') + 1;  // after the envelope header
            for (const simdjson::dom::element item : capture["items"].get_array()) {
                pos = raw.find('\n', pos) + 1;  // after the item header
                const size_t length = uint64_t(item["payload_len"]);
                const std::string_view type = item["header"]["type"];
                if (type == "event" || type == "transaction") {
                    payloads.emplace_back(path.string(), raw.substr(pos, length));
                }
                pos += length + 1;
            }
        } else if (path.filename() == "index.tsv") {
            std::istringstream lines(read_file(path));
            std::string line;
            while (std::getline(lines, line)) {
                if (line.find("/store/") == std::string::npos) continue;
                const fs::path base = path.parent_path() / line.substr(0, line.find('\t'));
                const fs::path decoded = base.string() + ".decoded.bin";
                const fs::path body =
                    fs::exists(decoded) ? decoded : fs::path(base.string() + ".bin");
                payloads.emplace_back(body.string(), read_file(body));
            }
        }
    }
    return payloads;
}

TEST(Json, RoundTripsEveryCapturedEventAndTransaction) {
    const auto payloads = captured_event_payloads();
    simdjson::dom::parser original_parser;
    simdjson::dom::parser written_parser;
    size_t transactions = 0;
    size_t store_events = 0;
    for (const auto& [name, payload] : payloads) {
        SCOPED_TRACE(name);
        ParseResult parsed = parse(payload);
        ASSERT_TRUE(parsed.document) << parsed.error;
        EXPECT_EQ(parsed.utf8_replacements, 0u);
        const std::string written = to_string(parsed.document->root());
        simdjson::dom::element original;
        simdjson::dom::element reparsed;
        ASSERT_EQ(original_parser.parse(payload).get(original), simdjson::SUCCESS);
        ASSERT_EQ(written_parser.parse(written).get(reparsed), simdjson::SUCCESS);
        EXPECT_TRUE(same_json(original, reparsed));
        const Value* type = parsed.document->root().find("type");
        if (type && type->as_string() == "transaction") ++transactions;
        if (name.ends_with(".bin")) ++store_events;
    }
    EXPECT_GE(payloads.size(), 30u);
    EXPECT_GE(transactions, 10u);
    EXPECT_GE(store_events, 8u);
}

TEST(Json, ParsesEveryKind) {
    const std::string text =
        R"({"n":null,"t":true,"f":false,"i":-42,"u":18446744073709551615,"d":2.5,"s":"x",)"
        R"("a":[1,"two",[]],"o":{}})";
    Document doc = parse_ok(text);
    const Value& root = doc.root();
    ASSERT_TRUE(root.is_object());
    EXPECT_EQ(root.size(), 9u);
    EXPECT_TRUE(root.find("n")->is_null());
    EXPECT_EQ(root.find("t")->as_bool(), true);
    EXPECT_EQ(root.find("f")->as_bool(), false);
    EXPECT_EQ(root.find("i")->kind(), Kind::int64);
    EXPECT_EQ(root.find("u")->kind(), Kind::uint64);
    EXPECT_EQ(root.find("d")->kind(), Kind::float64);
    EXPECT_TRUE(root.find("d")->is_number());
    EXPECT_EQ(root.find("s")->as_string(), "x");
    EXPECT_TRUE(root.find("a")->is_array());
    EXPECT_EQ(root.find("a")->size(), 3u);
    EXPECT_EQ(root.find("a")->elements()[1].as_string(), "two");
    EXPECT_TRUE(root.find("o")->is_object());
    EXPECT_EQ(root.find("missing"), nullptr);
    EXPECT_EQ(to_string(root), text);

    for (const char* scalar : {"null", "true", "3", "-1.5", "\"s\"", "[]", "{}"}) {
        EXPECT_EQ(round_trip(scalar), scalar);
    }
}

TEST(Json, TruthyAndElementsAreNullSafe) {
    Document doc =
        parse_ok(R"({"t":true,"f":false,"z":0,"one":1.5,"e":"","s":"x","ea":[],"a":[1,2],"eo":{},)"
                 R"("o":{"k":1},"n":null})");
    const Value& root = doc.root();
    for (const char* key : {"t", "one", "s", "a", "o"}) EXPECT_TRUE(truthy(root.find(key))) << key;
    for (const char* key : {"f", "z", "e", "ea", "eo", "n", "missing"}) {
        EXPECT_FALSE(truthy(root.find(key))) << key;
    }
    EXPECT_EQ(elements(root.find("a")).size(), 2u);
    EXPECT_TRUE(elements(root.find("o")).empty());
    EXPECT_TRUE(elements(nullptr).empty());

    EXPECT_EQ(field(&root, "o"), root.find("o"));
    EXPECT_EQ(field(field(&root, "o"), "k")->as_int64(), 1);
    EXPECT_EQ(field(field(&root, "s"), "k"), nullptr);  // not an object
    EXPECT_EQ(field(nullptr, "k"), nullptr);
    EXPECT_EQ(text(&root, "s"), "x");
    EXPECT_EQ(text(&root, "one"), "");  // not a string
    EXPECT_EQ(text(nullptr, "s"), "");
    EXPECT_TRUE(is_true(root.find("t")));
    for (const char* key : {"f", "one", "s", "n", "missing"}) {
        EXPECT_FALSE(is_true(root.find(key))) << key;
    }
}

TEST(Json, AccessorsOfAnotherKindReturnNothing) {
    Document doc = parse_ok(R"({"s":"x","n":1,"a":[1]})");
    const Value& s = *doc.root().find("s");
    EXPECT_EQ(s.as_bool(), std::nullopt);
    EXPECT_EQ(s.as_int64(), std::nullopt);
    EXPECT_EQ(s.as_uint64(), std::nullopt);
    EXPECT_EQ(s.as_double(), std::nullopt);
    EXPECT_EQ(s.find("x"), nullptr);
    EXPECT_EQ(s.size(), 0u);
    EXPECT_TRUE(s.members().empty());
    EXPECT_TRUE(s.elements().empty());
    EXPECT_EQ(doc.root().find("n")->as_string(), std::nullopt);
    EXPECT_TRUE(doc.root().find("a")->members().empty());
    EXPECT_TRUE(doc.root().elements().empty());
    Value& n = *doc.root().find("n");
    EXPECT_FALSE(n.erase("x"));
    EXPECT_EQ(n.take("x"), std::nullopt);
}

TEST(Json, BigIntegers) {
    Document doc = parse_ok(
        "[18446744073709551615,-9223372036854775808,9223372036854775807,9223372036854775808,"
        "100000000000000000000,-9223372036854775809]");
    const auto items = doc.root().elements();
    EXPECT_EQ(items[0].kind(), Kind::uint64);
    EXPECT_EQ(items[0].as_uint64(), std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(items[0].as_int64(), std::nullopt);
    EXPECT_EQ(items[1].kind(), Kind::int64);
    EXPECT_EQ(items[1].as_int64(), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(items[1].as_uint64(), std::nullopt);
    EXPECT_EQ(items[2].kind(), Kind::int64);
    EXPECT_EQ(items[3].kind(), Kind::uint64);
    // Beyond 64 bits: doubles, as JSON.parse and Relay read them.
    EXPECT_EQ(items[4].kind(), Kind::float64);
    EXPECT_EQ(items[4].as_double(), 1e20);
    EXPECT_EQ(items[5].kind(), Kind::float64);
    EXPECT_EQ(to_string(doc.root()),
              "[18446744073709551615,-9223372036854775808,9223372036854775807,"
              "9223372036854775808,1e+20,-9223372036854775808.0]");

    EXPECT_EQ(doc.make_uint64(5).kind(), Kind::int64);  // one representation per number
    EXPECT_EQ(doc.make_uint64(uint64_t{1} << 63).kind(), Kind::uint64);
    EXPECT_EQ(to_string(doc.make_int64(std::numeric_limits<int64_t>::min())),
              "-9223372036854775808");
}

TEST(Json, Doubles) {
    Document doc = parse_ok("[0.1,1e300,-0.0,1.0,1700000000.25,2.5e-8,-3]");
    const auto items = doc.root().elements();
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(items[i].kind(), Kind::float64) << i;
    EXPECT_EQ(items[0].as_double(), 0.1);
    EXPECT_EQ(items[1].as_double(), 1e300);
    EXPECT_TRUE(std::signbit(*items[2].as_double()));
    EXPECT_EQ(to_string(doc.root()), "[0.1,1e+300,-0.0,1.0,1700000000.25,2.5e-08,-3]");
    // Kinds survive a round trip.
    EXPECT_EQ(round_trip(to_string(doc.root())), to_string(doc.root()));

    EXPECT_EQ(items[3].as_int64(), 1);  // integral doubles convert
    EXPECT_EQ(items[0].as_int64(), std::nullopt);
    EXPECT_EQ(items[1].as_int64(), std::nullopt);
    EXPECT_EQ(items[2].as_uint64(), 0u);
    EXPECT_EQ(items[6].as_double(), -3.0);
    EXPECT_EQ(doc.make_double(1e19).as_uint64(), 10000000000000000000u);
    EXPECT_EQ(doc.make_double(1e19).as_int64(), std::nullopt);
    EXPECT_EQ(doc.make_double(-1.0).as_uint64(), std::nullopt);

    EXPECT_TRUE(doc.make_double(std::nan("")).is_null());
    EXPECT_TRUE(doc.make_double(std::numeric_limits<double>::infinity()).is_null());
    EXPECT_EQ(to_string(doc.make_double(-std::numeric_limits<double>::infinity())), "null");
}

TEST(Json, Escapes) {
    Document doc = parse_ok(R"(["q\"b\\s\/n\nt\tc\u0001e\u00e9p\ud83d\ude00z\u0000!"])");
    const std::string_view text = *doc.root().elements()[0].as_string();
    EXPECT_EQ(text, std::string_view("q\"b\\s/n\nt\tc\x01"
                                     "e\xC3\xA9p\xF0\x9F\x98\x80z\0!",
                                     23));
    EXPECT_EQ(to_string(doc.root()),
              "[\"q\\\"b\\\\s/n\\nt\\tc\\u0001e\xC3\xA9p\xF0\x9F\x98\x80z\\u0000!\"]");
}

TEST(Json, UnicodePassesThrough) {
    const std::string text = "{\"caf\xC3\xA9\":\"\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80\"}";
    ParseResult result = parse(text);
    ASSERT_TRUE(result.document);
    EXPECT_EQ(result.utf8_replacements, 0u);
    EXPECT_NE(result.document->root().find("caf\xC3\xA9"), nullptr);
    EXPECT_EQ(to_string(result.document->root()), text);
}

TEST(Json, InvalidUtf8IsRepairedAndCounted) {
    ParseResult result = parse(
        "{\"a\xFF\":\"b\xC0\xAF"
        "c\",\"ok\":\"\xE2\x82\"}");
    ASSERT_TRUE(result.document) << result.error;
    EXPECT_EQ(result.utf8_replacements, 5u);
    const Value& root = result.document->root();
    EXPECT_EQ(root.find("a\xEF\xBF\xBD")->as_string(),
              "b\xEF\xBF\xBD\xEF\xBF\xBD"
              "c");
    EXPECT_EQ(root.find("ok")->as_string(), "\xEF\xBF\xBD\xEF\xBF\xBD");

    Document doc;
    EXPECT_EQ(doc.make_string("x\xFFy").as_string(), "x\xEF\xBF\xBDy");
    doc.root() = doc.make_object();
    doc.root().set("k\xFF", doc.make_null());
    EXPECT_NE(doc.root().find("k\xEF\xBF\xBD"), nullptr);
    doc.root().set("k\xFE", doc.make_bool(true));  // same key once repaired: replaced
    EXPECT_EQ(doc.root().size(), 1u);
}

TEST(Json, LoneSurrogateEscapesBecomeReplacementCharacters) {
    // JavaScript truncation can cut a surrogate pair; JSON.stringify then escapes the half.
    ParseResult result =
        parse(R"(["ab\ud83d","\udc00x","\ud83d\ud83d\ude00","\\ud83d","\ud83d\u0041"])");
    ASSERT_TRUE(result.document) << result.error;
    EXPECT_EQ(result.utf8_replacements, 4u);
    const auto items = result.document->root().elements();
    EXPECT_EQ(items[0].as_string(), "ab\xEF\xBF\xBD");
    EXPECT_EQ(items[1].as_string(), "\xEF\xBF\xBDx");
    EXPECT_EQ(items[2].as_string(), "\xEF\xBF\xBD\xF0\x9F\x98\x80");
    EXPECT_EQ(items[3].as_string(), "\\ud83d");  // an escaped backslash, not an escape
    EXPECT_EQ(items[4].as_string(),
              "\xEF\xBF\xBD"
              "A");
}

TEST(Json, DuplicateKeysKeepTheLastValueAtTheFirstPosition) {
    Document doc = parse_ok(R"({"a":1,"b":2,"a":{"x":3},"c":4,"b":5})");
    EXPECT_EQ(to_string(doc.root()), R"({"a":{"x":3},"b":5,"c":4})");

    // Large objects take another path.
    std::string text = "{";
    for (int i = 0; i < 40; ++i)
        text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    text += R"("k5":"five","k39":"last","k5":"again"})";
    Document large = parse_ok(text);
    EXPECT_EQ(large.root().size(), 40u);
    EXPECT_EQ(large.root().members()[5].key(), "k5");
    EXPECT_EQ(large.root().members()[5].value().as_string(), "again");
    EXPECT_EQ(large.root().members()[39].value().as_string(), "last");
    EXPECT_EQ(large.root().members()[6].value().as_int64(), 6);

    // Duplicates inside nested objects, and keys that only share sizes and first letters.
    EXPECT_EQ(round_trip(R"({"a":{"x":1,"x":2},"b":[{"y":1,"yy":2,"y":3}],"c":{"ab":1,"ac":2}})"),
              R"({"a":{"x":2},"b":[{"y":3,"yy":2}],"c":{"ab":1,"ac":2}})");
}

TEST(Json, LargeObjectsWithLookalikeKeysAreDedupedInLinearithmicTime) {
    // Keys that agree in size and first and last bytes all get the same fingerprint.
    std::string text = "{";
    for (int i = 0; i < 20000; ++i) {
        char key[32];
        std::snprintf(key, sizeof key, "\"aaaa%06daaaa\":%d,", i, i);
        text += key;
    }
    text += R"("aaaa000007aaaa":"last"})";
    Document doc = parse_ok(text);
    ASSERT_EQ(doc.root().size(), 20000u);
    EXPECT_EQ(doc.root().members()[7].value().as_string(), "last");
    EXPECT_EQ(doc.root().members()[19999].key(), "aaaa019999aaaa");
}

std::string nested_arrays(size_t depth, std::string_view inner = "1") {
    return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

TEST(Json, DepthLimit) {
    const ParseOptions three{.max_depth = 3};
    EXPECT_TRUE(parse(nested_arrays(3), three).document);
    EXPECT_TRUE(parse(nested_arrays(3, ""), three).document);
    EXPECT_TRUE(parse(R"({"a":{"b":[1]}})", three).document);
    for (const std::string& deep :
         {nested_arrays(4), nested_arrays(4, ""), std::string(R"({"a":{"b":[{}]}})")}) {
        const ParseResult result = parse(deep, three);
        EXPECT_FALSE(result.document) << deep;
        EXPECT_NE(result.error.find("deeper than 3"), std::string::npos) << result.error;
    }
    EXPECT_TRUE(parse("1", {.max_depth = 0}).document);
    EXPECT_FALSE(parse("[]", {.max_depth = 0}).document);

    EXPECT_TRUE(parse(nested_arrays(256)).document);
    EXPECT_FALSE(parse(nested_arrays(257)).document);
    EXPECT_FALSE(parse(nested_arrays(257, "")).document);
}

TEST(Json, TenThousandDeepInputsFailWithoutRecursion) {
    for (const std::string& deep : {nested_arrays(10000), std::string(10000, '['), [] {
                                        std::string s;
                                        for (int i = 0; i < 10000; ++i) s += "{\"a\":";
                                        return s + "1" + std::string(10000, '}');
                                    }()}) {
        const ParseResult result = parse(deep);
        EXPECT_FALSE(result.document);
        EXPECT_FALSE(result.error.empty());
    }
}

TEST(Json, ParsesInputsOverAMegabyteAndConcurrently) {
    std::string big = "[";
    for (int i = 0; i < 100000; ++i) big += R"("a string of some length",)";
    big += "1]";
    ASSERT_GT(big.size(), size_t{1} << 20);
    Document doc = parse_ok(big);
    EXPECT_EQ(doc.root().size(), 100001u);

    const auto payloads = captured_event_payloads();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int round = 0; round < 20; ++round) {
                for (const auto& [name, payload] : payloads) {
                    ParseResult result = parse(payload);
                    if (!result.document || to_string(result.document->root()).empty()) ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST(Json, MalformedInputIsAnError) {
    for (const char* bad : {"", "{", "[1,]", "nul", "\"open", "{\"a\" 1}", "1 2", "01", "1e400",
                            "\"\\x\"", "\"\\uZZZZ\""}) {
        const ParseResult result = parse(bad);
        EXPECT_FALSE(result.document) << bad;
        EXPECT_FALSE(result.error.empty()) << bad;
    }
}

TEST(Json, SetEraseTake) {
    Document doc = parse_ok(R"({"a":1,"b":2,"c":3})");
    Value& root = doc.root();
    root.set("b", doc.make_string("two"));  // replaced in place
    root.set("d", doc.make_bool(false));    // appended
    EXPECT_EQ(to_string(root), R"({"a":1,"b":"two","c":3,"d":false})");
    Value& stored = root.set("e", doc.make_array());
    stored.push_back(doc.make_int64(7));
    EXPECT_EQ(to_string(*root.find("e")), "[7]");

    EXPECT_TRUE(root.erase("a"));
    EXPECT_FALSE(root.erase("a"));
    std::optional<Value> taken = root.take("c");
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->as_int64(), 3);
    EXPECT_EQ(root.take("c"), std::nullopt);
    EXPECT_EQ(to_string(root), R"({"b":"two","d":false,"e":[7]})");
    root.set("c", std::move(*taken));  // back, at the end
    EXPECT_EQ(to_string(root), R"({"b":"two","d":false,"e":[7],"c":3})");
    root.append("g\xFF", doc.make_int64(4));  // no lookup; the key is repaired as set() does
    EXPECT_EQ(root.find("g\xEF\xBF\xBD")->as_int64(), 4);
    EXPECT_TRUE(root.erase("g\xEF\xBF\xBD"));

    // Moving a member's value to a new key of the same object (the object may reallocate).
    root.set("f", std::move(*root.find("e")));
    EXPECT_EQ(to_string(root), R"({"b":"two","d":false,"e":null,"c":3,"f":[7]})");
}

TEST(Json, MembersAndElementsIterate) {
    Document doc = parse_ok(R"({"x":1,"y":"s","z":[1,2,3]})");
    std::string keys;
    for (auto& [key, value] : doc.root().members()) {
        keys += key;
        if (value.is_int64()) value = doc.make_int64(*value.as_int64() * 10);
    }
    EXPECT_EQ(keys, "xyz");
    int64_t sum = 0;
    for (const Value& item : doc.root().find("z")->elements()) sum += *item.as_int64();
    EXPECT_EQ(sum, 6);
    const Document& constant = doc;
    for (const auto& [key, value] : constant.root().members()) {
        if (key == "x") {
            EXPECT_EQ(value.as_int64(), 10);
        }
    }
}

TEST(Json, ObjectAt) {
    Document doc = parse_ok(R"({"contexts":{"os":{"name":"Linux"}},"extra":"not an object"})");
    Value& root = doc.root();
    Value& os = root.object_at("contexts").object_at("os");
    EXPECT_EQ(os.find("name")->as_string(), "Linux");  // existing objects are kept
    root.object_at("contexts").object_at("runtime").set("name", doc.make_string("node"));
    root.object_at("extra").set("k", doc.make_int64(1));  // a non-object is replaced, in place
    EXPECT_EQ(to_string(root),
              R"({"contexts":{"os":{"name":"Linux"},"runtime":{"name":"node"}},"extra":{"k":1}})");
}

TEST(Json, ArraysGrow) {
    Document doc;
    Value& root = doc.root();
    root = doc.make_array();
    root.reserve(2);
    for (int i = 0; i < 100; ++i) root.push_back(doc.make_int64(i));
    EXPECT_EQ(root.size(), 100u);
    EXPECT_EQ(root.elements()[99].as_int64(), 99);
    root.elements()[0] = doc.make_string("first");
    EXPECT_EQ(root.elements()[0].as_string(), "first");

    Value object = doc.make_object();
    object.reserve(50);
    for (int i = 0; i < 50; ++i) object.set("k" + std::to_string(i), doc.make_int64(i));
    EXPECT_EQ(object.size(), 50u);
    EXPECT_EQ(object.find("k49")->as_int64(), 49);
}

TEST(Json, ContainerMutatorsOfAnotherKindThrow) {
    Document doc = parse_ok(R"({"a":[],"s":"x"})");
    Value& array = *doc.root().find("a");
    Value& string = *doc.root().find("s");
    EXPECT_THROW(array.set("k", doc.make_null()), std::logic_error);
    EXPECT_THROW(array.object_at("k"), std::logic_error);
    EXPECT_THROW(doc.root().push_back(doc.make_null()), std::logic_error);
    EXPECT_THROW(string.reserve(3), std::logic_error);
    EXPECT_NO_THROW(array.reserve(3));
    EXPECT_NO_THROW(doc.root().reserve(3));
}

TEST(Json, MovedFromValueIsNull) {
    Document doc;
    Value text = doc.make_string("x");
    Value moved = std::move(text);
    EXPECT_TRUE(text.is_null());
    EXPECT_EQ(moved.as_string(), "x");
}

TEST(Json, ValuesOfAnotherDocumentAreDeepCopied) {
    Document target = parse_ok(R"({"list":[]})");
    {
        Document source = parse_ok(R"({"user":{"id":"42","tags":["a","b"]},"n":1.5})");
        Value copy = target.copy(*source.root().find("user"));
        target.root().set("user", std::move(copy));
        // Moving across documents copies, whichever way the value arrives.
        target.root().set("moved", std::move(*source.root().find("n")));
        target.root().find("list")->push_back(std::move(*source.root().find("user")));
        Value& slot = target.root().set("assigned", target.make_null());
        slot = source.make_string("from source");
        // Changing the copy leaves the original alone.
        target.root().find("user")->set("id", target.make_string("43"));
        EXPECT_EQ(source.root().find("user")->find("id"), nullptr);  // moved out: null now
        EXPECT_TRUE(source.root().find("user")->is_null());
    }  // source's arena is gone
    EXPECT_EQ(to_string(target.root()),
              R"({"list":[{"id":"42","tags":["a","b"]}],"user":{"id":"43","tags":["a","b"]},)"
              R"("moved":1.5,"assigned":"from source"})");
}

TEST(Json, MovingADocumentKeepsItsValues) {
    ParseResult result = parse(R"({"exception":{"values":[{"type":"Error"}]}})");
    ASSERT_TRUE(result.document);
    const Value* root = &result.document->root();
    const Value* type =
        result.document->root().find("exception")->find("values")->elements()[0].find("type");
    Document moved = std::move(*result.document);
    std::vector<Document> documents;
    documents.push_back(std::move(moved));
    for (int i = 0; i < 10; ++i) documents.emplace_back();  // the vector reallocates
    EXPECT_EQ(&documents[0].root(), root);
    EXPECT_EQ(type->as_string(), "Error");
    Document assigned;
    assigned = std::move(documents[0]);
    EXPECT_EQ(to_string(assigned.root()), R"({"exception":{"values":[{"type":"Error"}]}})");
}

TEST(Json, WriteAppendsToAWriter) {
    Document doc = parse_ok(R"({"k":[1,"v"]})");
    JsonWriter out;
    out.begin_object().key("event");
    write(doc.root(), out);
    out.key("n").value(1).end_object();
    EXPECT_EQ(out.str(), R"({"event":{"k":[1,"v"]},"n":1})");
}

}  // namespace
}  // namespace lt::json
