#include "event/meta.h"

namespace lt {

json::Value& meta_entry(json::Document& event, std::span<const std::string> path) {
    json::Value* node = &event.root().object_at("_meta");
    for (const std::string& segment : path) node = &node->object_at(segment);
    return node->object_at("");
}

void add_remark(json::Document& event, json::Value& entry, std::string_view rule,
                std::string_view type, std::optional<std::pair<size_t, size_t>> range) {
    json::Value* remarks = entry.find("rem");
    if (remarks == nullptr || !remarks->is_array()) remarks = &entry.set("rem", event.make_array());
    json::Value item = event.make_array();
    item.push_back(event.make_string(rule));
    item.push_back(event.make_string(type));
    if (range) {
        item.push_back(event.make_uint64(range->first));
        item.push_back(event.make_uint64(range->second));
    }
    remarks->push_back(std::move(item));
}

void set_original_length(json::Document& event, json::Value& entry, size_t length) {
    if (entry.find("len") == nullptr) entry.set("len", event.make_uint64(length));
}

}  // namespace lt
