// Exception mechanism normalization, after Relay (protocol reference §4.4, §4.6): a part of
// normalize_event(), kept apart for its tables.
//
// Contract
// - normalize_mechanism() works on one exception's `mechanism` member (`exception` is the
//   exception object). Problems go to `report(type, name, value)`, the caller's `errors` sink,
//   with `name` = `path` + ".<field>"; the exception itself is never dropped.
//   - Not an object: removed (invalid_data). An empty object is removed silently.
//   - No `type` (absent or null): the legacy form. `type` becomes "generic"; `posix_signal`
//     {signal, code, name, code_name} becomes meta.signal {number, code, name, code_name} and
//     `mach_exception` {exception, code, subcode, exception_name} becomes meta.mach_exception
//     {exception, code, subcode, name} (unless meta already has them); the other unknown members
//     move into `data`, as Relay does. The known mechanism fields (handled, synthetic,
//     description, help_link, source, is_exception_group, exception_id, parent_id, data, meta)
//     stay where they are (Relay would move them into `data` too; keeping `handled` matters).
//   - `type` of another kind or "": "generic" (invalid_data).
//   - `help_link` must be a string starting with http:// or https://, `data` and `meta` (and
//     meta.errno, meta.signal, meta.mach_exception) objects; otherwise removed (invalid_data).
//   - Names are filled in only when missing (or null), from integer numbers:
//     meta.errno.name from `number` by the OS's errno table (Linux, Darwin, Windows);
//     meta.signal.name from `number` by the OS's signal table (Linux, Darwin) and, on Darwin
//     only, meta.signal.code_name from (`number`, `code`); meta.mach_exception.name from
//     `exception` (EXC_BAD_ACCESS ... EXC_CORPSE_NOTIFY) whatever the OS. Unknown numbers stay
//     without a name; names an SDK sent are kept.
// - The OS comes from debug_meta.system_sdk.sdk_name, else contexts.os.name (case-insensitive):
//   ios, watchos, tvos, macos -> Darwin; linux, android -> Linux; windows -> Windows. Without one
//   only mach exception names are filled in.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "event/json.h"

namespace lt {

enum class OsHint { Linux, Darwin, Windows };  // capitalized: `linux` can be a macro

std::optional<OsHint> os_hint_of(const json::Value& event);

// The table lookups (exposed for tests); nullopt when the number has no name.
std::optional<std::string_view> errno_name(int64_t number, OsHint os);
std::optional<std::string_view> signal_name(int64_t number, OsHint os);
std::optional<std::string_view> darwin_signal_code_name(int64_t signal, int64_t code);
std::optional<std::string_view> mach_exception_name(int64_t number);

using ErrorReport =
    std::function<void(std::string_view type, std::string_view name, const json::Value* value)>;

void normalize_mechanism(json::Document& doc, json::Value& exception, std::string_view path,
                         std::optional<OsHint> os, const ErrorReport& report);

}  // namespace lt
