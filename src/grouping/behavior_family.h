// Sentry's platform families for grouping and fingerprint rules: "javascript" (javascript,
// node), "native" (objc, cocoa, swift, native, c) and "other".
#pragma once

#include <string_view>

namespace lt {

inline std::string_view behavior_family(std::string_view platform) {
    if (platform == "javascript" || platform == "node") return "javascript";
    if (platform == "objc" || platform == "cocoa" || platform == "swift" || platform == "native" ||
        platform == "c") {
        return "native";
    }
    return "other";
}

}  // namespace lt
