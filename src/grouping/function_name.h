// Function names as Sentry reads them from frames (SENTRY src/sentry/stacktraces/functions.py):
// native (C/C++/ObjC/Swift/Rust) and C# names are trimmed down to the bare function name.
//
// Contract:
// * trim_function_name(function, platform): for platform "csharp" everything from the first
//   " (" on is cut; for the native family (objc, cocoa, swift, native, c) the name is reduced as
//   Sentry's trim_native_function_name does: whitespace stripped, ObjC `[..]` names kept, C++
//   `const`/`&` trailers, argument lists, return types and template arguments (`<T>`, lambdas
//   kept) dropped, `operator<<`/`operator()` and `anonymous namespace` preserved, lambdas of
//   gcc/msvc/clang normalized to `lambda`, Rust `::h<16 hex>` hashes and Windows `@N` decorations
//   removed; "<redacted>"/"<unknown>" stay. Other platforms: unchanged. This is the long-standing
//   version of Sentry's trimming; its newest rules (IL2CPP method hashes, `[clone .cold]`,
//   `@GLIBC_x` symbol versions, `operator->`, Swift closure/thunk names) are not reproduced.
// * function_name_for_frame(frame, event_platform) is get_function_name_for_frame: when the frame
//   has a non-empty raw_function its `function` is returned as is; otherwise a non-empty
//   `function` trimmed for the frame's platform (else the event's); nullopt when there is none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "event/json.h"

namespace lt {

std::string trim_function_name(std::string_view function, std::string_view platform);

std::optional<std::string> function_name_for_frame(const json::Value& frame,
                                                   std::string_view event_platform);

}  // namespace lt
