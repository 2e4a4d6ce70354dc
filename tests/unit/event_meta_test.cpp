#include "event/meta.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "event_support.h"

namespace lt {
namespace {

using testing_support::parse_or_die;

TEST(EventMeta, MergesIntoTheClientsMetaAndKeepsTheFirstLength) {
    json::Document event =
        parse_or_die(R"({"_meta":{"extra":{"a":{"":{"len":7,"rem":"odd"}}},"user":5},"x":1})");
    const std::vector<std::string> path{"extra", "a"};
    json::Value& entry = meta_entry(event, path);
    add_remark(event, entry, "!limit", "s", std::pair<size_t, size_t>{3, 6});
    set_original_length(event, entry, 40);  // the client's 7 stays
    json::Value& removed = meta_entry(event, std::vector<std::string>{"user", "ip_address"});
    add_remark(event, removed, "@anything:remove", "x", std::nullopt);
    set_original_length(event, removed, 9);
    EXPECT_EQ(json::to_string(event.root()),
              R"({"_meta":{"extra":{"a":{"":{"len":7,"rem":[["!limit","s",3,6]]}}},)"
              R"("user":{"ip_address":{"":{"rem":[["@anything:remove","x"]],"len":9}}}},"x":1})");
}

TEST(EventMeta, RemarksAccumulateOnOneEntry) {
    json::Document event = parse_or_die(R"({})");
    const std::vector<std::string> path{"message"};
    add_remark(event, meta_entry(event, path), "@ip:replace", "s", std::pair<size_t, size_t>{0, 4});
    add_remark(event, meta_entry(event, path), "!limit", "s", std::pair<size_t, size_t>{9, 12});
    EXPECT_EQ(
        json::to_string(event.root()),
        R"({"_meta":{"message":{"":{"rem":[["@ip:replace","s",0,4],["!limit","s",9,12]]}}}})");
}

}  // namespace
}  // namespace lt
