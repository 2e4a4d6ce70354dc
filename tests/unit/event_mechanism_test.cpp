// Exception mechanism normalization (normalize_mechanism.h), through normalize_event().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "event/normalize.h"
#include "event/normalize_mechanism.h"

namespace lt {

namespace {

constexpr double kNow = 1795312826.5;

json::Document normalized(std::string_view text) {
    json::ParseResult parsed = json::parse(text);
    EXPECT_TRUE(parsed.document) << parsed.error;
    json::Document doc = std::move(*parsed.document);
    NormalizeContext ctx;
    ctx.received_at = kNow;
    ctx.event_id = "e3fc6e8b586a406eafd31d024cc5fe0a";
    normalize_event(doc, ctx);
    // Normalizing again changes nothing.
    const std::string once = json::to_string(doc.root());
    normalize_event(doc, ctx);
    EXPECT_EQ(json::to_string(doc.root()), once);
    return doc;
}

// The first exception's mechanism of an event with `os` as contexts.os.name ("" for none).
json::Document with_mechanism(std::string_view mechanism, std::string_view os = "") {
    std::string event =
        R"({"exception":{"values":[{"type":"E","mechanism":)" + std::string(mechanism) + "}]}";
    if (!os.empty()) event += R"(,"contexts":{"os":{"name":")" + std::string(os) + R"("}})";
    return normalized(event + "}");
}

std::string mechanism_json(const json::Document& doc) {
    const json::Value* values = doc.root().find("exception")->find("values");
    const json::Value* mechanism = values->elements()[0].find("mechanism");
    return mechanism != nullptr ? json::to_string(*mechanism) : "<missing>";
}

std::vector<std::string> errors(const json::Document& doc) {
    std::vector<std::string> out;
    if (const json::Value* list = doc.root().find("errors")) {
        for (const json::Value& entry : list->elements()) {
            out.push_back(std::string(*entry.find("type")->as_string()) + ":" +
                          std::string(*entry.find("name")->as_string()));
        }
    }
    return out;
}

using Errors = std::vector<std::string>;

std::optional<OsHint> hint(std::string_view event) {
    return os_hint_of(json::parse(event).document->root());
}

}  // namespace

TEST(MechanismTables, Errno) {
    EXPECT_EQ(errno_name(2, OsHint::Linux), "ENOENT");
    EXPECT_EQ(errno_name(11, OsHint::Linux), "EAGAIN");
    EXPECT_EQ(errno_name(11, OsHint::Darwin), "EDEADLK");
    EXPECT_EQ(errno_name(35, OsHint::Linux), "EDEADLK");
    EXPECT_EQ(errno_name(35, OsHint::Darwin), "EAGAIN");
    EXPECT_EQ(errno_name(133, OsHint::Linux), "EHWPOISON");
    EXPECT_EQ(errno_name(106, OsHint::Darwin), "EQFULL");
    EXPECT_EQ(errno_name(80, OsHint::Windows), "STRUNCATE");
    EXPECT_EQ(errno_name(140, OsHint::Windows), "EWOULDBLOCK");
    for (int64_t none : {0, -1, 41, 58, 134, 1000}) {
        EXPECT_EQ(errno_name(none, OsHint::Linux), std::nullopt) << none;
    }
    EXPECT_EQ(errno_name(107, OsHint::Darwin), std::nullopt);
    EXPECT_EQ(errno_name(15, OsHint::Windows), std::nullopt);
}

TEST(MechanismTables, Signals) {
    EXPECT_EQ(signal_name(11, OsHint::Linux), "SIGSEGV");
    EXPECT_EQ(signal_name(11, OsHint::Darwin), "SIGSEGV");
    EXPECT_EQ(signal_name(7, OsHint::Linux), "SIGBUS");
    EXPECT_EQ(signal_name(10, OsHint::Darwin), "SIGBUS");
    EXPECT_EQ(signal_name(10, OsHint::Linux), "SIGUSR1");
    EXPECT_EQ(signal_name(7, OsHint::Darwin), "SIGPOLL");
    EXPECT_EQ(signal_name(16, OsHint::Linux), "SIGSTKFLT");
    EXPECT_EQ(signal_name(29, OsHint::Darwin), "SIGINFO");
    EXPECT_EQ(signal_name(31, OsHint::Linux), "SIGSYS");
    EXPECT_EQ(signal_name(32, OsHint::Linux), std::nullopt);
    EXPECT_EQ(signal_name(0, OsHint::Darwin), std::nullopt);
    EXPECT_EQ(signal_name(11, OsHint::Windows), std::nullopt);

    EXPECT_EQ(darwin_signal_code_name(11, 0), "SEGV_NOOP");
    EXPECT_EQ(darwin_signal_code_name(11, 2), "SEGV_ACCERR");
    EXPECT_EQ(darwin_signal_code_name(8, 7), "FPE_INTDIV");
    EXPECT_EQ(darwin_signal_code_name(4, 8), "ILL_BADSTK");
    EXPECT_EQ(darwin_signal_code_name(10, 1), "BUS_ADRALN");
    EXPECT_EQ(darwin_signal_code_name(20, 6), "CLD_CONTINUED");
    EXPECT_EQ(darwin_signal_code_name(7, 6), "POLL_HUP");
    EXPECT_EQ(darwin_signal_code_name(5, 1), "TRAP_BRKPT");
    EXPECT_EQ(darwin_signal_code_name(5, 0), std::nullopt);
    EXPECT_EQ(darwin_signal_code_name(11, 3), std::nullopt);
    EXPECT_EQ(darwin_signal_code_name(6, 0), std::nullopt);

    EXPECT_EQ(mach_exception_name(1), "EXC_BAD_ACCESS");
    EXPECT_EQ(mach_exception_name(10), "EXC_CRASH");
    EXPECT_EQ(mach_exception_name(13), "EXC_CORPSE_NOTIFY");
    EXPECT_EQ(mach_exception_name(0), std::nullopt);
    EXPECT_EQ(mach_exception_name(99), std::nullopt);
}

TEST(MechanismOsHint, FromSystemSdkThenOsContext) {
    EXPECT_EQ(hint(R"({"contexts":{"os":{"name":"iOS"}}})"), OsHint::Darwin);
    EXPECT_EQ(hint(R"({"contexts":{"os":{"name":"macOS"}}})"), OsHint::Darwin);
    EXPECT_EQ(hint(R"({"contexts":{"os":{"name":"Android"}}})"), OsHint::Linux);
    EXPECT_EQ(hint(R"({"contexts":{"os":{"name":"Windows"}}})"), OsHint::Windows);
    EXPECT_EQ(hint(R"({"contexts":{"os":{"name":"Ubuntu"}}})"), std::nullopt);
    EXPECT_EQ(hint(R"({"contexts":{"os":{"name":7}}})"), std::nullopt);
    EXPECT_EQ(hint(R"({})"), std::nullopt);
    EXPECT_EQ(hint(R"({"debug_meta":{"system_sdk":{"sdk_name":"tvOS"}},)"
                   R"("contexts":{"os":{"name":"Linux"}}})"),
              OsHint::Darwin);
    // A system SDK name decides even when it is unknown (as Relay).
    EXPECT_EQ(hint(R"({"debug_meta":{"system_sdk":{"sdk_name":"Fuchsia"}},)"
                   R"("contexts":{"os":{"name":"Linux"}}})"),
              std::nullopt);
}

TEST(Mechanism, MissingTypeBecomesGeneric) {
    auto doc = with_mechanism(R"({"handled":false})");
    EXPECT_EQ(mechanism_json(doc), R"({"handled":false,"type":"generic"})");
    EXPECT_EQ(errors(doc), Errors{});
    auto null_type = with_mechanism(R"({"type":null,"synthetic":true})");
    EXPECT_EQ(mechanism_json(null_type), R"({"synthetic":true,"type":"generic"})");
    EXPECT_EQ(errors(null_type), Errors{});
}

TEST(Mechanism, WellFormedIsUntouched) {
    const std::string sent =
        R"({"type":"onerror","handled":false,"synthetic":true,"help_link":"https://x.io/a",)"
        R"("data":{"k":"v"},"meta":{"signal":{"number":11,"code":0,"name":"SIGSEGV",)"
        R"("code_name":"SEGV_NOOP"}}})";
    auto doc = with_mechanism(sent, "iOS");
    EXPECT_EQ(mechanism_json(doc), sent);
    EXPECT_EQ(errors(doc), Errors{});
}

TEST(Mechanism, SignalNamesOnLinux) {
    auto doc = with_mechanism(
        R"({"type":"signalhandler","meta":{"signal":{"number":11,"code":1}}})", "Linux");
    // Linux signals carry no code name.
    EXPECT_EQ(
        mechanism_json(doc),
        R"({"type":"signalhandler","meta":{"signal":{"number":11,"code":1,"name":"SIGSEGV"}}})");
    auto usr1 = with_mechanism(R"({"type":"t","meta":{"signal":{"number":10}}})", "android");
    EXPECT_EQ(mechanism_json(usr1),
              R"({"type":"t","meta":{"signal":{"number":10,"name":"SIGUSR1"}}})");
}

TEST(Mechanism, SignalAndCodeNamesOnDarwin) {
    auto doc = with_mechanism(R"({"type":"t","meta":{"signal":{"number":10,"code":1}}})", "iOS");
    EXPECT_EQ(mechanism_json(doc),
              R"({"type":"t","meta":{"signal":{"number":10,"code":1,"name":"SIGBUS",)"
              R"("code_name":"BUS_ADRALN"}}})");
    // Names the SDK sent win; a null name is filled.
    auto sent = with_mechanism(
        R"({"type":"t","meta":{"signal":{"number":11,"code":0,"name":"MINE","code_name":null}}})",
        "macOS");
    EXPECT_EQ(mechanism_json(sent),
              R"({"type":"t","meta":{"signal":{"number":11,"code":0,"name":"MINE",)"
              R"("code_name":"SEGV_NOOP"}}})");
}

TEST(Mechanism, ErrnoNamesByOs) {
    const std::string errno_35 = R"({"type":"t","meta":{"errno":{"number":35}}})";
    EXPECT_EQ(mechanism_json(with_mechanism(errno_35, "Linux")),
              R"({"type":"t","meta":{"errno":{"number":35,"name":"EDEADLK"}}})");
    EXPECT_EQ(mechanism_json(with_mechanism(errno_35, "iOS")),
              R"({"type":"t","meta":{"errno":{"number":35,"name":"EAGAIN"}}})");
    EXPECT_EQ(mechanism_json(with_mechanism(errno_35, "Windows")),
              R"({"type":"t","meta":{"errno":{"number":35}}})");
    // Without an OS nothing is guessed.
    EXPECT_EQ(mechanism_json(with_mechanism(errno_35)), errno_35);
    // Overrides and unknown numbers stay as sent.
    EXPECT_EQ(mechanism_json(with_mechanism(
                  R"({"type":"t","meta":{"errno":{"number":2,"name":"MINE"}}})", "Linux")),
              R"({"type":"t","meta":{"errno":{"number":2,"name":"MINE"}}})");
    EXPECT_EQ(
        mechanism_json(with_mechanism(R"({"type":"t","meta":{"errno":{"number":9999}}})", "Linux")),
        R"({"type":"t","meta":{"errno":{"number":9999}}})");
    EXPECT_EQ(
        mechanism_json(with_mechanism(R"({"type":"t","meta":{"errno":{"number":"2"}}})", "Linux")),
        R"({"type":"t","meta":{"errno":{"number":"2"}}})");
}

TEST(Mechanism, MachExceptionNamesWithoutOs) {
    EXPECT_EQ(
        mechanism_json(with_mechanism(
            R"({"type":"mach","meta":{"mach_exception":{"exception":1,"code":1,"subcode":8}}})")),
        R"({"type":"mach","meta":{"mach_exception":{"exception":1,"code":1,"subcode":8,)"
        R"("name":"EXC_BAD_ACCESS"}}})");
    EXPECT_EQ(mechanism_json(
                  with_mechanism(R"({"type":"mach","meta":{"mach_exception":{"exception":99}}})")),
              R"({"type":"mach","meta":{"mach_exception":{"exception":99}}})");
    EXPECT_EQ(mechanism_json(with_mechanism(
                  R"({"type":"mach","meta":{"mach_exception":{"exception":6,"name":"X"}}})")),
              R"({"type":"mach","meta":{"mach_exception":{"exception":6,"name":"X"}}})");
}

TEST(Mechanism, LegacyFormMovesIntoMetaAndData) {
    auto doc = with_mechanism(
        R"({"posix_signal":{"signal":11,"code":0,"name":"SIGSEGV"},)"
        R"("mach_exception":{"exception":1,"code":1,"subcode":8,"exception_name":"EXC_BAD_ACCESS"},)"
        R"("relevant_address":"0x1","handled":false})",
        "iOS");
    EXPECT_EQ(mechanism_json(doc),
              R"({"handled":false,"meta":{"signal":{"number":11,"code":0,"name":"SIGSEGV",)"
              R"("code_name":"SEGV_NOOP"},"mach_exception":{"exception":1,"code":1,"subcode":8,)"
              R"("name":"EXC_BAD_ACCESS"}},"data":{"relevant_address":"0x1"},"type":"generic"})");
    EXPECT_EQ(errors(doc), Errors{});
    // meta already holding a signal keeps it; the legacy one goes to data.
    auto both = with_mechanism(
        R"({"posix_signal":{"signal":6},"meta":{"signal":{"number":11}},"data":{"a":1}})", "Linux");
    EXPECT_EQ(mechanism_json(both),
              R"({"meta":{"signal":{"number":11,"name":"SIGSEGV"}},)"
              R"("data":{"a":1,"posix_signal":{"signal":6}},"type":"generic"})");
}

TEST(Mechanism, BadShapesAreDroppedWithErrors) {
    auto text = with_mechanism(R"("onerror")");
    EXPECT_EQ(mechanism_json(text), "<missing>");
    EXPECT_EQ(errors(text), Errors{"invalid_data:exception.values.0.mechanism"});
    auto empty = with_mechanism("{}");
    EXPECT_EQ(mechanism_json(empty), "<missing>");
    EXPECT_EQ(errors(empty), Errors{});

    auto type = with_mechanism(R"({"type":5})");
    EXPECT_EQ(mechanism_json(type), R"({"type":"generic"})");
    EXPECT_EQ(errors(type), Errors{"invalid_data:exception.values.0.mechanism.type"});
    auto blank = with_mechanism(R"({"type":""})");
    EXPECT_EQ(mechanism_json(blank), R"({"type":"generic"})");
    EXPECT_EQ(errors(blank), Errors{"invalid_data:exception.values.0.mechanism.type"});

    auto link = with_mechanism(R"({"type":"t","help_link":"javascript:void 0"})");
    EXPECT_EQ(mechanism_json(link), R"({"type":"t"})");
    EXPECT_EQ(errors(link), Errors{"invalid_data:exception.values.0.mechanism.help_link"});
    EXPECT_EQ(json::to_string(*link.root().find("errors")),
              R"([{"type":"invalid_data","name":"exception.values.0.mechanism.help_link",)"
              R"("value":"javascript:void 0"}])");

    auto shapes = with_mechanism(
        R"({"type":"t","data":"x","meta":{"signal":11,"errno":{"number":2},"ns_error":{"code":1}}})",
        "Linux");
    EXPECT_EQ(
        mechanism_json(shapes),
        R"({"type":"t","meta":{"errno":{"number":2,"name":"ENOENT"},"ns_error":{"code":1}}})");
    EXPECT_EQ(errors(shapes), (Errors{"invalid_data:exception.values.0.mechanism.data",
                                      "invalid_data:exception.values.0.mechanism.meta.signal"}));
    auto meta = with_mechanism(R"({"type":"t","meta":[1]})");
    EXPECT_EQ(mechanism_json(meta), R"({"type":"t"})");
    EXPECT_EQ(errors(meta), Errors{"invalid_data:exception.values.0.mechanism.meta"});
}

TEST(Mechanism, EveryException) {
    auto doc =
        normalized(R"({"contexts":{"os":{"name":"Linux"}},"exception":[)"
                   R"({"type":"A","mechanism":{"meta":{"signal":{"number":6}}}},{"type":"B"},)"
                   R"({"type":"C","mechanism":{"type":"x","meta":{"errno":{"number":12}}}}]})");
    const auto values = doc.root().find("exception")->find("values")->elements();
    ASSERT_EQ(values.size(), 3u);
    EXPECT_EQ(json::to_string(*values[0].find("mechanism")),
              R"({"meta":{"signal":{"number":6,"name":"SIGABRT"}},"type":"generic"})");
    EXPECT_EQ(values[1].find("mechanism"), nullptr);
    EXPECT_EQ(json::to_string(*values[2].find("mechanism")),
              R"({"type":"x","meta":{"errno":{"number":12,"name":"ENOMEM"}}})");
}

}  // namespace lt
