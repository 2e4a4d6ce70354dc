// Sentry's `_meta`: remarks on what the server changed in an event, kept beside the event in a
// root `_meta` object that mirrors the changed value's path (array indexes as decimal keys):
//   {"_meta":{"request":{"headers":{"Authorization":{"":{"rem":[["@password:filter","s",0,10]],
//   "len":23}}}}}}
// Trimming and scrubbing both write there through these functions, merging into a `_meta` the
// event may already carry.
//
// Contract:
// * meta_entry(event, path) is the remark object ("" key) for `path`, created along the way; any
//   non-object found on the way is replaced by {}. The event's root must be an object.
// * add_remark appends [rule, type] or [rule, type, begin, end] to the entry's "rem" array
//   (made an array when missing or of another kind). Types: "s" substituted, "x" removed.
// * set_original_length sets the entry's "len" unless an earlier change already did: the
//   length reported is the one the client sent.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "event/json.h"

namespace lt {

json::Value& meta_entry(json::Document& event, std::span<const std::string> path);

void add_remark(json::Document& event, json::Value& entry, std::string_view rule,
                std::string_view type, std::optional<std::pair<size_t, size_t>> range);

void set_original_length(json::Document& event, json::Value& entry, size_t length);

}  // namespace lt
