// Size limits (trim.h), through normalize_event(): string limits, databags, frames, breadcrumbs,
// and the `_meta` remarks they leave.
#include "event/trim.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "core/text.h"
#include "event/normalize.h"
#include "event/process.h"

namespace lt {

namespace {

constexpr double kNow = 1795312826.5;

NormalizeContext context() {
    NormalizeContext ctx;
    ctx.received_at = kNow;
    ctx.client_ip = "203.0.113.7";
    ctx.event_id = "e3fc6e8b586a406eafd31d024cc5fe0a";
    return ctx;
}

// Normalizes `text` (parsed as deep as it is) and checks a second pass changes nothing.
json::Document normalized(const std::string& text) {
    json::ParseResult parsed = json::parse(text, {.max_depth = 5000});
    EXPECT_TRUE(parsed.document) << parsed.error;
    json::Document doc = std::move(*parsed.document);
    normalize_event(doc, context());
    const std::string once = json::to_string(doc.root());
    normalize_event(doc, context());
    EXPECT_EQ(json::to_string(doc.root()), once) << "normalizing twice changed the event";
    return doc;
}

// The value at a dotted path ("a.b.0"); an empty segment is the key "" ("_meta.x." is x's "").
const json::Value* at(const json::Value& root, std::string_view path) {
    const json::Value* value = &root;
    while (value != nullptr) {
        const size_t dot = path.find('.');
        const std::string_view part = path.substr(0, dot);
        if (value->is_array()) {
            const size_t index = std::stoul(std::string(part));
            value = index < value->size() ? &value->elements()[index] : nullptr;
        } else {
            value = value->find(part);
        }
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
    }
    return value;
}

std::string json_at(const json::Document& doc, std::string_view path) {
    const json::Value* value = at(doc.root(), path);
    return value != nullptr ? json::to_string(*value) : "<missing>";
}

std::string str(const json::Document& doc, std::string_view path) {
    const json::Value* value = at(doc.root(), path);
    auto text = value != nullptr ? value->as_string() : std::nullopt;
    return text ? std::string(*text) : "<not a string>";
}

std::string jstr(const std::string& text) {
    return "\"" + text + "\"";
}

// The string remark of a value cut to `kept` code points from `original`.
std::string string_meta(size_t original, size_t kept) {
    return R"({"":{"rem":[["!limit","s",)" + std::to_string(kept - 3) + "," + std::to_string(kept) +
           R"(]],"len":)" + std::to_string(original) + "}}";
}

std::string nested(size_t depth, const std::string& key, const std::string& leaf) {
    std::string text;
    for (size_t i = 0; i < depth; ++i) text += "{\"" + key + "\":";
    text += leaf;
    text += std::string(depth, '}');
    return text;
}

}  // namespace

// ---- strings with a limit ------------------------------------------------------------------

TEST(EventTrim, ExceptionStrings) {
    auto doc = normalized(R"({"exception":{"values":[{"type":)" + jstr(std::string(300, 't')) +
                          R"(,"value":)" + jstr(std::string(9000, 'v')) + R"(,"module":"m"}]}})");
    EXPECT_EQ(str(doc, "exception.values.0.type"), std::string(253, 't') + "...");
    EXPECT_EQ(str(doc, "exception.values.0.value"), std::string(8189, 'v') + "...");
    EXPECT_EQ(str(doc, "exception.values.0.module"), "m");
    EXPECT_EQ(json_at(doc, "_meta.exception.values.0.type"), string_meta(300, 256));
    EXPECT_EQ(json_at(doc, "_meta.exception.values.0.value"), string_meta(9000, 8192));
    EXPECT_EQ(json_at(doc, "errors"), "<missing>");  // cuts are remarks, not errors
}

TEST(EventTrim, AllowanceKeepsSlightlyLongStrings) {
    const std::string value(8192 + 200, 'v');
    const std::string type(276, 't');
    auto doc = normalized(R"({"exception":{"values":[{"type":)" + jstr(type) + R"(,"value":)" +
                          jstr(value) + "}]}}");
    EXPECT_EQ(str(doc, "exception.values.0.value"), value);
    EXPECT_EQ(str(doc, "exception.values.0.type"), type);
    EXPECT_EQ(json_at(doc, "_meta"), "<missing>");
}

TEST(EventTrim, LimitsCountCodePoints) {
    std::string value;
    for (int i = 0; i < 9000; ++i) value += "é";
    auto doc = normalized(R"({"exception":{"values":[{"value":)" + jstr(value) + "}]}}");
    const std::string cut = str(doc, "exception.values.0.value");
    EXPECT_EQ(code_points(cut), 8192u);
    EXPECT_TRUE(cut.ends_with("é..."));
    EXPECT_EQ(json_at(doc, "_meta.exception.values.0.value"), string_meta(9000, 8192));
}

TEST(EventTrim, FrameBreadcrumbAndRequestStrings) {
    auto doc =
        normalized(R"({"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"function":)" +
                   jstr(std::string(300, 'f')) + R"(,"abs_path":)" + jstr(std::string(297, 'p')) +
                   R"(,"filename":)" + jstr(std::string(296, 'n')) + R"(}]}}]},)" +
                   R"("breadcrumbs":[{"category":)" + jstr(std::string(129, 'c')) +
                   R"(,"message":)" + jstr(std::string(9000, 'm')) + R"(}],)" +
                   R"("request":{"url":"https://x.io/)" + std::string(400, 'u') + R"("},)" +
                   R"("user":{"id":42,"email":)" + jstr(std::string(80, 'e')) + "}}");
    EXPECT_EQ(code_points(str(doc, "exception.values.0.stacktrace.frames.0.function")), 256u);
    EXPECT_EQ(code_points(str(doc, "exception.values.0.stacktrace.frames.0.abs_path")), 256u);
    EXPECT_EQ(code_points(str(doc, "exception.values.0.stacktrace.frames.0.filename")), 296u);
    EXPECT_EQ(code_points(str(doc, "breadcrumbs.values.0.category")), 128u);
    EXPECT_EQ(code_points(str(doc, "breadcrumbs.values.0.message")), 8192u);
    EXPECT_EQ(code_points(str(doc, "request.url")), 256u);
    EXPECT_EQ(json_at(doc, "user.id"), "42");
    EXPECT_EQ(str(doc, "user.email"), std::string(72, 'e') + "...");  // Relay's 75
    EXPECT_EQ(json_at(doc, "_meta.user.email"), string_meta(80, 75));
    EXPECT_EQ(json_at(doc, "_meta.exception.values.0.stacktrace.frames.0.function"),
              string_meta(300, 256));
    EXPECT_EQ(json_at(doc, "_meta.breadcrumbs.values.0.message"), string_meta(9000, 8192));
    EXPECT_EQ(json_at(doc, "_meta.request.url"), string_meta(413, 256));
}

// ---- extra -----------------------------------------------------------------------------------

TEST(EventTrim, MebibyteStringInExtra) {
    const std::string big(1 << 20, 'x');
    auto doc = normalized(R"({"extra":{"small":"ok","big":)" + jstr(big) + R"(,"n":1}})");
    EXPECT_EQ(str(doc, "extra.small"), "ok");
    EXPECT_EQ(str(doc, "extra.big"), std::string(16381, 'x') + "...");
    EXPECT_EQ(json_at(doc, "extra.n"), "1");
    EXPECT_EQ(json_at(doc, "_meta"), R"({"extra":{"big":)" + string_meta(1 << 20, 16384) + "}}");
}

TEST(EventTrim, ExtraTotalSize) {
    // Relay's numbers: each value holds at most 16 KiB, the whole bag 256 KiB; each 16384-char
    // value counts 16384 + 2 + 1, so the 16th still fits (the per-value bag decides a string's
    // room) and the rest is cut.
    std::string extra = "{";
    for (int i = 0; i < 100; ++i) {
        extra +=
            (i ? "," : "") + jstr("key_" + std::to_string(i)) + ":" + jstr(std::string(50000, 'x'));
    }
    extra += "}";
    auto doc = normalized(R"({"extra":)" + extra + "}");
    const json::Value* kept = at(doc.root(), "extra");
    ASSERT_TRUE(kept != nullptr && kept->is_object());
    EXPECT_EQ(kept->size(), 16u);
    EXPECT_EQ(str(doc, "extra.key_15"), std::string(16381, 'x') + "...");
    EXPECT_EQ(json_at(doc, "_meta.extra."), R"({"len":100})");
    EXPECT_EQ(json_at(doc, "_meta.extra.key_0"), string_meta(50000, 16384));
}

TEST(EventTrim, ExtraLongArray) {
    std::string ones = "[1";
    for (int i = 1; i < 200000; ++i) ones += ",1";
    ones += "]";
    auto doc = normalized(R"({"extra":{"foo":)" + ones + "}}");
    // Each "1" counts 1 + 1 bytes of the value's 16 KiB.
    EXPECT_EQ(at(doc.root(), "extra.foo")->size(), 8192u);
    EXPECT_EQ(json_at(doc, "_meta.extra.foo."), R"({"len":200000})");
}

TEST(EventTrim, ExtraDepth) {
    // Relay's test_databag_stripping: 8 levels below a key lose their last ones to JSON text,
    // 5 levels fit.
    auto doc = normalized(R"({"extra":{"key_1":"value 1","key_2":{"key8":{"key7":{"key6":)"
                          R"({"key5":{"key4":{"key3":{"key2":{"key1":"max depth"}}}}}}}},)"
                          R"("key_3":{"key5":{"key4":{"key3":{"key2":{"key1":"max depth"}}}}}}})");
    EXPECT_EQ(json_at(doc, "extra"),
              R"({"key_1":"value 1","key_2":{"key8":{"key7":{"key6":{"key5":{"key4":)"
              R"("{\"key3\":{\"key2\":{\"key1\":\"max depth\"}}}"}}}}},)"
              R"("key_3":{"key5":{"key4":{"key3":{"key2":{"key1":"max depth"}}}}}})");
    EXPECT_EQ(json_at(doc, "_meta"), "<missing>");
}

TEST(EventTrim, DeepSelfSimilarNestingInExtra) {
    // 1000 levels (deeper than ingest lets through, so normalization is tested on its own): the
    // part below depth 6 becomes text, cut to the value's 16 KiB.
    const std::string deep = nested(1000, "a", R"("bottom")");
    auto doc = normalized(R"({"extra":{"cycle":)" + deep + R"(,"after":"kept"}})");
    const json::Value* text = at(doc.root(), "extra.cycle.a.a.a.a.a");
    ASSERT_NE(text, nullptr);
    ASSERT_TRUE(text->is_string());
    const std::string expected_text = nested(995, "a", R"("bottom")");
    EXPECT_EQ(expected_text.size(), 995u * 6 + 8);  // {"a": and } per level
    EXPECT_EQ(*text->as_string(), expected_text);   // fits in the value's 16 KiB
    EXPECT_EQ(str(doc, "extra.after"), "kept");

    // Twice as wide per level: the text exceeds 16 KiB and is cut, with a remark.
    const std::string wide_key(20, 'k');
    auto wide = normalized(R"({"extra":{"cycle":)" + nested(1000, wide_key, "1") + "}}");
    const std::string path = "extra.cycle." + wide_key + "." + wide_key + "." + wide_key + "." +
                             wide_key + "." + wide_key;
    const std::string cut = str(wide, path);
    // Nothing of the value's bag is used yet (containers count once done): 16 KiB of text.
    EXPECT_EQ(cut.size(), 16384u);
    EXPECT_TRUE(cut.ends_with("..."));
    EXPECT_TRUE(cut.starts_with("{\"" + wide_key + "\":{"));
    EXPECT_NE(json_at(wide, "_meta." + path + "."), "<missing>");
    // The stored event is shallow now.
    EXPECT_TRUE(json::parse(json::to_string(wide.root())).document);
}

TEST(EventTrim, DeepNestingThroughTheEventProcessor) {
    // As deep as ingest admits (256 levels in all): prepare_event stores it, depth bounded.
    const std::string payload = R"({"extra":{"cycle":)" + nested(250, "a", "[1,2]") + "}}";
    EventProcessing processing;
    processing.normalize = context();
    std::optional<json::Document> doc = prepare_event(payload, processing);
    ASSERT_TRUE(doc);
    EXPECT_EQ(str(*doc, "extra.cycle.a.a.a.a.a"), nested(245, "a", "[1,2]"));
}

// ---- contexts, request, breadcrumb data, mechanism data, frame vars -------------------------

TEST(EventTrim, ContextsEachHaveEightKiB) {
    // Relay's test_custom_context_trimming: 5000 + 2 + 1 used, 3189 left for the next string.
    auto doc =
        normalized(R"({"contexts":{"despacito":{"bar":)" + jstr(std::string(5000, 'a')) +
                   R"(,"foo":)" + jstr(std::string(4000, 'a')) + R"(},"os":{"name":"Linux"}}})");
    EXPECT_EQ(str(doc, "contexts.despacito.bar").size(), 5000u);
    EXPECT_EQ(str(doc, "contexts.despacito.foo").size(), 3189u);
    // The bag is used up: `type` (appended by normalization) was cut, and is put back.
    EXPECT_EQ(str(doc, "contexts.despacito.type"), "despacito");
    EXPECT_EQ(json_at(doc, "_meta.contexts.despacito.foo"), string_meta(4000, 3189));
    EXPECT_EQ(json_at(doc, "_meta.contexts.despacito."), R"({"len":3})");
    EXPECT_EQ(json_at(doc, "contexts.os"), R"({"name":"Linux","type":"os"})");
}

TEST(EventTrim, ContextDepth) {
    auto doc = normalized(R"({"contexts":{"app":)" + nested(9, "k", "1") + "}}");
    EXPECT_EQ(json_at(doc, "contexts.app.k.k.k.k.k.k"), R"("{\"k\":{\"k\":{\"k\":1}}}")");
}

TEST(EventTrim, RequestBags) {
    std::string headers = "[";
    for (int i = 0; i < 100; ++i) {
        headers += (i ? "," : "") + std::string(R"(["X-H)") + std::to_string(i) + R"(",")" +
                   std::string(100, 'h') + R"("])";
    }
    headers += "]";
    auto doc = normalized(R"({"request":{"data":)" + jstr(std::string(10000, 'd')) +
                          R"(,"headers":)" + headers + R"(,"env":{"REMOTE_ADDR":"{{auto}}",)" +
                          R"("HUGE":)" + jstr(std::string(9000, 'e')) + R"(},)" +
                          R"("query_string":)" + jstr(std::string(2000, 'q')) + "}}");
    EXPECT_EQ(str(doc, "request.data"), std::string(8189, 'd') + "...");
    EXPECT_EQ(json_at(doc, "_meta.request.data"), string_meta(10000, 8192));
    // Each header pair: 2 + 1, name (5..6 + 2 + 1), value 100 + 2 + 1.
    const json::Value* kept = at(doc.root(), "request.headers");
    ASSERT_NE(kept, nullptr);
    EXPECT_LT(kept->size(), 100u);
    EXPECT_GT(kept->size(), 60u);
    EXPECT_EQ(json_at(doc, "_meta.request.headers."), R"({"len":100})");
    for (const json::Value& pair : kept->elements()) EXPECT_EQ(pair.size(), 2u);
    EXPECT_EQ(str(doc, "request.env.REMOTE_ADDR"), "203.0.113.7");
    EXPECT_EQ(code_points(str(doc, "request.env.HUGE")), 8192u - (11 + 2 + 1));
    // A query string "qqq…" is one key with an empty value: the key takes the small bag's
    // 1 KiB; the pair stays a pair.
    EXPECT_EQ(str(doc, "request.query_string.0.0").size(), 1024u);
    EXPECT_EQ(str(doc, "request.query_string.0.1"), "");
}

TEST(EventTrim, HeaderPairsAreNeverSplit) {
    auto doc = normalized(R"({"request":{"headers":[[)" + jstr(std::string(9000, 'N')) +
                          R"(,"hello"],["B","x"]]}})");
    EXPECT_EQ(json_at(doc, "request.headers.0.1"), R"("...")");
    EXPECT_EQ(str(doc, "request.headers.0.0"), std::string(8189, 'N') + "...");
    EXPECT_EQ(json_at(doc, "request.headers.1"), "<missing>");
    EXPECT_EQ(json_at(doc, "_meta.request.headers"), R"({"0":{"0":)" + string_meta(9000, 8192) +
                                                         R"(,"1":)" + string_meta(5, 3) +
                                                         R"(},"":{"len":2}})");
}

TEST(EventTrim, BreadcrumbAndMechanismData) {
    auto doc =
        normalized(R"({"breadcrumbs":[{"message":"m","data":{"url":)" +
                   jstr(std::string(3000, 'u')) + R"(,"deep":)" + nested(6, "d", "1") + R"(}}],)" +
                   R"("exception":[{"type":"E","mechanism":{"type":"t","data":{"x":)" +
                   jstr(std::string(2100, 'x')) + R"(}}}]})");
    EXPECT_EQ(str(doc, "breadcrumbs.values.0.data.url"), std::string(2045, 'u') + "...");
    EXPECT_EQ(json_at(doc, "_meta.breadcrumbs.values.0.data.url"), string_meta(3000, 2048));
    // The bag is used up by the url: the rest is cut.
    EXPECT_EQ(json_at(doc, "breadcrumbs.values.0.data.deep"), "<missing>");
    EXPECT_EQ(json_at(doc, "_meta.breadcrumbs.values.0.data."), R"({"len":2})");
    EXPECT_EQ(str(doc, "exception.values.0.mechanism.data.x"), std::string(2045, 'x') + "...");

    auto deep = normalized(R"({"breadcrumbs":[{"data":{"deep":)" + nested(6, "d", "1") + "}}]}");
    EXPECT_EQ(json_at(deep, "breadcrumbs.values.0.data.deep.d.d.d"),
              R"("{\"d\":{\"d\":{\"d\":1}}}")");
}

TEST(EventTrim, FrameVars) {
    auto doc = normalized(R"({"exception":[{"type":"E","stacktrace":{"frames":[)"
                          R"({"function":"a","vars":["x",{"y":1}]},)"
                          R"({"function":"b","vars":{"big":)" +
                          jstr(std::string(5000, 'v')) + R"(,"after":1}}]}}]})");
    EXPECT_EQ(json_at(doc, "exception.values.0.stacktrace.frames.0.vars"),
              R"({"0":"x","1":{"y":1}})");
    EXPECT_EQ(code_points(str(doc, "exception.values.0.stacktrace.frames.1.vars.big")), 2048u);
    EXPECT_EQ(json_at(doc, "_meta.exception.values.0.stacktrace.frames.1.vars."), R"({"len":2})");
}

// ---- stack traces --------------------------------------------------------------------------

std::string frames_event(size_t count) {
    std::string frames;
    for (size_t i = 0; i < count; ++i) {
        frames += (i ? "," : "") + std::string(R"({"function":"f)") + std::to_string(i) +
                  R"(","in_app":)" + (i % 2 == 0 ? "true" : "false") + R"(,"vars":{"i":)" +
                  std::to_string(i) + R"(},"pre_context":["p"],"context_line":"c",)" +
                  R"("post_context":["q"]})";
    }
    return R"({"exception":{"values":[{"type":"E","stacktrace":{"frames":[)" + frames + "]}}]}}";
}

TEST(EventTrim, TwentyThousandFramesKeepTheCrashingEnd) {
    auto doc = normalized(frames_event(20000));
    const json::Value* frames = at(doc.root(), "exception.values.0.stacktrace.frames");
    ASSERT_NE(frames, nullptr);
    ASSERT_EQ(frames->size(), 250u);
    EXPECT_EQ(str(doc, "exception.values.0.stacktrace.frames.0.function"), "f19750");
    EXPECT_EQ(str(doc, "exception.values.0.stacktrace.frames.249.function"), "f19999");
    EXPECT_EQ(json_at(doc, "_meta.exception.values.0.stacktrace.frames."), R"({"len":20000})");
    EXPECT_EQ(json_at(doc, "exception.values.0.stacktrace.frames_omitted"), "<missing>");
    // Beyond 50 frames: every system frame and the middle in-app frames lose vars and context;
    // the first and last 25 in-app frames keep them.
    std::vector<std::string> with_vars;
    for (const json::Value& frame : frames->elements()) {
        EXPECT_NE(frame.find("context_line"), nullptr);
        if (frame.find("vars") != nullptr) {
            EXPECT_NE(frame.find("pre_context"), nullptr);
            with_vars.push_back(std::string(*frame.find("function")->as_string()));
        } else {
            EXPECT_EQ(frame.find("post_context"), nullptr);
        }
    }
    ASSERT_EQ(with_vars.size(), 50u);
    EXPECT_EQ(with_vars.front(), "f19750");
    EXPECT_EQ(with_vars[24], "f19798");
    EXPECT_EQ(with_vars[25], "f19950");
    EXPECT_EQ(with_vars.back(), "f19998");
}

TEST(EventTrim, SlimmingSystemFramesOnly) {
    std::string frames;
    for (int i = 0; i < 60; ++i) {
        frames += (i ? "," : "") + std::string(R"({"function":"s)") + std::to_string(i) +
                  R"(","vars":{"i":1}})";
    }
    auto doc =
        normalized(R"({"exception":[{"type":"E","stacktrace":{"frames":[)" + frames + "]}}]}");
    const auto items = at(doc.root(), "exception.values.0.stacktrace.frames")->elements();
    ASSERT_EQ(items.size(), 60u);
    for (size_t i = 0; i < items.size(); ++i) {
        const bool slimmed = i >= 25 && i < 35;  // the middle 10
        EXPECT_EQ(items[i].find("vars") == nullptr, slimmed) << i;
    }
    EXPECT_EQ(json_at(doc, "_meta"), "<missing>");
}

TEST(EventTrim, ThreadRawAndTopLevelStacktraces) {
    std::string frames;
    for (int i = 0; i < 300; ++i) {
        frames += (i ? "," : "") + std::string(R"({"function":"t)") + std::to_string(i) + R"("})";
    }
    const std::string stacktrace = R"({"frames":[)" + frames + "]}";
    auto doc =
        normalized(R"({"threads":[{"id":1,"stacktrace":)" + stacktrace + R"(,"raw_stacktrace":)" +
                   stacktrace + R"(}],"stacktrace":)" + stacktrace + "}");
    for (const char* path :
         {"threads.values.0.stacktrace", "threads.values.0.raw_stacktrace", "stacktrace"}) {
        const std::string frames_path = std::string(path) + ".frames";
        EXPECT_EQ(at(doc.root(), frames_path)->size(), 250u) << path;
        EXPECT_EQ(str(doc, frames_path + ".0.function"), "t50") << path;
        EXPECT_EQ(json_at(doc, "_meta." + frames_path + "."), R"({"len":300})") << path;
    }
}

// ---- breadcrumbs ---------------------------------------------------------------------------

TEST(EventTrim, TenThousandBreadcrumbsKeepTheNewest) {
    std::string crumbs;
    for (int i = 0; i < 10000; ++i) {
        crumbs += (i ? "," : "") + std::string(R"({"message":"crumb )") + std::to_string(i) +
                  R"(","timestamp":)" + (i == 9500 ? R"("bad")" : "1795312800") + "}";
    }
    auto doc = normalized(R"({"breadcrumbs":{"values":[)" + crumbs + "]}}");
    const json::Value* values = at(doc.root(), "breadcrumbs.values");
    ASSERT_EQ(values->size(), kMaxBreadcrumbs);
    EXPECT_EQ(str(doc, "breadcrumbs.values.0.message"), "crumb 9000");
    EXPECT_EQ(str(doc, "breadcrumbs.values.999.message"), "crumb 9999");
    EXPECT_EQ(json_at(doc, "_meta.breadcrumbs.values."), R"({"len":10000})");
    // Error names index the kept list.
    EXPECT_EQ(
        json_at(doc, "errors"),
        R"([{"type":"invalid_data","name":"breadcrumbs.values.500.timestamp","value":"bad"}])");
    EXPECT_EQ(json_at(doc, "breadcrumbs.values.500.timestamp"), "<missing>");
}

TEST(EventTrim, ExactlyTheLimitIsUntouched) {
    std::string crumbs;
    for (size_t i = 0; i < kMaxBreadcrumbs; ++i) crumbs += (i ? "," : "") + std::string("{}");
    auto doc = normalized(R"({"breadcrumbs":[)" + crumbs + "]}");
    EXPECT_EQ(at(doc.root(), "breadcrumbs.values")->size(), kMaxBreadcrumbs);
    EXPECT_EQ(json_at(doc, "_meta"), "<missing>");
}

// ---- _meta ---------------------------------------------------------------------------------

TEST(EventTrim, MetaMergesIntoAnExistingOne) {
    auto doc = normalized(R"({"_meta":{"other":{"":{"err":["x"]}},"extra":{"k":{"":{"len":99}}}},)"
                          R"("extra":{"k":)" +
                          jstr(std::string(20000, 'k')) + "}}");
    EXPECT_EQ(json_at(doc, "_meta.other"), R"({"":{"err":["x"]}})");
    // An existing "len" is older: it stays.
    EXPECT_EQ(json_at(doc, "_meta.extra.k"),
              R"({"":{"len":99,"rem":[["!limit","s",16381,16384]]}})");
}

TEST(EventTrim, ScrubbingAfterTrimmingKeepsBothRemarks) {
    EventProcessing processing;
    processing.normalize = context();
    const std::string payload =
        R"({"extra":{"note":"password=hunter2 )" + std::string(20000, 'z') + R"("}})";
    std::optional<json::Document> doc = prepare_event(payload, processing);
    ASSERT_TRUE(doc);
    EXPECT_TRUE(str(*doc, "extra.note").starts_with("password=[Filtered] zzz"));
    EXPECT_EQ(json_at(*doc, "_meta.extra.note"),
              R"({"":{"rem":[["!limit","s",16381,16384],["@password:filter","s",9,19]],)"
              R"("len":20017}})");
}

}  // namespace lt
