// Event JSON helpers for the unit tests of modules that link lt_event.
#pragma once

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

#include "event/json.h"

namespace lt::testing_support {

// The parsed document; an empty one and a test failure when `text` is not JSON.
inline json::Document parse_or_die(std::string_view text) {
    json::ParseResult parsed = json::parse(text);
    if (!parsed.document) {
        ADD_FAILURE() << parsed.error << "\n" << text.substr(0, 200);
        return json::Document();
    }
    return std::move(*parsed.document);
}

}  // namespace lt::testing_support
