#include "issues/summary.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/python_text.h"
#include "core/text.h"

namespace lt {
namespace {

using json::elements;
using json::field;
using json::is_true;
using json::Kind;
using json::text;
using json::Value;

constexpr size_t kMaxTitleChars = 100;        // Sentry: truncatechars(first line, 100)
constexpr size_t kMaxValueChars = 1024;       // metadata.value: trim(value, 1024)
constexpr size_t kMaxTypeChars = 128;         // metadata.type: trim(type, 128)
constexpr size_t kMaxCulpritChars = 200;      // MAX_CULPRIT_LENGTH
constexpr size_t kMaxTagValueChars = 200;     // MAX_TAG_VALUE_LENGTH
constexpr size_t kMaxSearchValueChars = 200;  // error.value in search_fields
constexpr size_t kMaxSearchExceptions = 64;
constexpr size_t kMaxStackValues = 16;

// Platforms whose error titles Sentry renders with tree labels (eventtypes/error.py).
constexpr std::array<std::string_view, 16> kNativeMobilePlatforms = {"cocoa",
                                                                     "objc",
                                                                     "native",
                                                                     "swift",
                                                                     "c",
                                                                     "android",
                                                                     "apple-ios",
                                                                     "cordova",
                                                                     "capacitor",
                                                                     "javascript-cordova",
                                                                     "javascript-capacitor",
                                                                     "react-native",
                                                                     "flutter",
                                                                     "dart-flutter",
                                                                     "unity",
                                                                     "dotnet-xamarin"};

bool is_native_or_mobile(std::string_view platform) {
    return std::find(kNativeMobilePlatforms.begin(), kNativeMobilePlatforms.end(), platform) !=
           kNativeMobilePlatforms.end();
}

// A URL without its query string and fragment (Relay moves them out of request.url).
std::string_view without_query(std::string_view url) {
    return url.substr(0, url.find_first_of("?#"));
}

// What Sentry's grouping preparation does to JavaScript frame filenames: the query of the URL
// (as urlparse finds it: after the first '?' that precedes any '#') is removed.
std::string strip_filename_query(std::string_view filename) {
    const size_t hash = filename.find('#');
    const size_t question = filename.find('?');
    if (question == std::string_view::npos || (hash != std::string_view::npos && hash < question)) {
        return std::string(filename);
    }
    const size_t end = hash == std::string_view::npos ? filename.size() : hash;
    if (end == question + 1) return std::string(filename);  // empty query
    const std::string needle(filename.substr(question, end - question));
    std::string out;
    size_t from = 0;
    for (size_t at = filename.find(needle); at != std::string_view::npos;
         at = filename.find(needle, from)) {
        out.append(filename.substr(from, at - from));
        from = at + needle.size();
    }
    out.append(filename.substr(from));
    return out;
}

bool is_ip_address(std::string_view text) {
    if (text.empty() || text.size() > 100 || text.find('\0') != std::string_view::npos) {
        return false;
    }
    std::string address(text);
    unsigned char buffer[16];
    if (inet_pton(AF_INET, address.c_str(), buffer) == 1) return true;
    const size_t zone = address.find('%');  // Python accepts scoped IPv6 ("fe80::1%eth0")
    if (zone != std::string::npos) {
        if (zone + 1 == address.size()) return false;
        address.resize(zone);
    }
    return inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

// ---- event access: a field of the wrong kind counts as missing -----------------------------

std::span<const Value> frames_of(const Value* stacktrace) {
    return elements(field(stacktrace, "frames"));
}

// A non-empty object (Python truthiness of a dict).
bool is_filled_object(const Value& value) {
    return value.is_object() && value.size() > 0;
}

// Relay's LenientString (user.id, user.username) of an optional field.
std::optional<std::string> lenient_string(const Value* value) {
    return value != nullptr ? json::lenient_string(*value) : std::nullopt;
}

// Relay's JsonLenientString (exception.value): any JSON value; containers as JSON text.
std::optional<std::string> json_lenient_string(const Value* value) {
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (value->is_array() || value->is_object()) return json::to_string(*value);
    return lenient_string(value);
}

// A frame's filename ("" when missing); query strings are cut for javascript events.
std::string frame_filename(const Value& frame, bool javascript) {
    const std::string_view filename = text(&frame, "filename");
    return javascript ? strip_filename_query(filename) : std::string(filename);
}

// ---- error metadata ----------------------------------------------------------------------

struct CrashLocation {
    std::string filename;
    std::string function;
};

// The main exception: the one grouping named (an exception group reduced to one member), else
// the last; nullptr without exceptions.
const Value* main_exception(const Value& event, std::optional<int64_t> main_exception_id) {
    const std::span<const Value> exceptions = elements(field(field(&event, "exception"), "values"));
    if (exceptions.empty()) return nullptr;
    if (main_exception_id) {
        for (const Value& exception : exceptions) {
            const Value* id = field(field(&exception, "mechanism"), "exception_id");
            if (id != nullptr && id->as_int64() == *main_exception_id) return &exception;
        }
    }
    return &exceptions.back();
}

// Sentry's get_crash_frame_from_event_data with get_crash_location's filter: the last in-app
// frame whose function is set and not <redacted>/<unknown>, else the last such frame, of the
// main exception's stacktrace, else of the top-level stacktrace, else of the only thread.
std::optional<CrashLocation> crash_location(const Value& event, const Value* main,
                                            bool javascript) {
    std::span<const Value> frames;
    if (main != nullptr) frames = frames_of(field(main, "stacktrace"));
    if (frames.empty()) frames = frames_of(field(&event, "stacktrace"));
    if (frames.empty()) {
        const std::span<const Value> threads = elements(field(field(&event, "threads"), "values"));
        if (threads.size() == 1) frames = frames_of(field(&threads[0], "stacktrace"));
    }
    const Value* fallback = nullptr;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        const Value* function = it->find("function");
        if (function == nullptr || !function->is_string()) continue;
        if (*function->as_string() == "<redacted>" || *function->as_string() == "<unknown>") {
            continue;
        }
        if (is_true(it->find("in_app"))) {
            fallback = &*it;
            break;
        }
        if (fallback == nullptr) fallback = &*it;
    }
    if (fallback == nullptr) return std::nullopt;
    CrashLocation location;
    location.filename = frame_filename(*fallback, javascript);
    if (location.filename.empty()) location.filename = text(fallback, "abs_path");
    location.function = text(fallback, "function");
    return location;
}

// Sentry's in_app_frame_mix over every stacktrace with frames (exceptions, the top-level one,
// threads, and the raw stacktraces of those exceptions and threads); frames without in_app count
// as system frames.
std::optional<std::string_view> in_app_frame_mix(const Value& event) {
    size_t total = 0;
    size_t app_only = 0;
    size_t system_only = 0;
    const auto classify = [&](const Value* stacktrace) {
        bool app = false;
        bool system = false;
        for (const Value& frame : frames_of(stacktrace)) {
            if (!is_filled_object(frame)) continue;
            (is_true(frame.find("in_app")) ? app : system) = true;
        }
        if (!app && !system) return false;
        ++total;
        if (!system) ++app_only;
        if (!app) ++system_only;
        return true;
    };
    std::vector<const Value*> containers;
    for (const Value& exception : elements(field(field(&event, "exception"), "values"))) {
        if (classify(field(&exception, "stacktrace"))) containers.push_back(&exception);
    }
    classify(field(&event, "stacktrace"));
    for (const Value& thread : elements(field(field(&event, "threads"), "values"))) {
        if (classify(field(&thread, "stacktrace"))) containers.push_back(&thread);
    }
    for (const Value* container : containers) classify(field(container, "raw_stacktrace"));
    if (total == 0) return std::nullopt;
    if (app_only == total) return "in-app-only";
    if (system_only == total) return "system-only";
    return "mixed";
}

// ---- culprit (sentry/culprit.py) -------------------------------------------------------------

std::string frame_culprit(const Value& frame, std::string_view event_platform, bool javascript) {
    std::string_view platform = text(&frame, "platform");
    if (platform.empty()) platform = event_platform;
    std::string function(text(&frame, "function"));
    if (function.empty()) function = "?";
    if (platform == "objc" || platform == "cocoa" || platform == "native") return function;
    std::string location(text(&frame, "module"));
    if (location.empty()) location = frame_filename(frame, javascript);
    if (location.empty()) return "";
    if (platform == "javascript" || platform == "node") return function + "(" + location + ")";
    return location + " in " + function;
}

std::string stacktrace_culprit(std::span<const Value> frames, std::string_view platform,
                               bool javascript) {
    std::optional<std::string> fallback;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (!is_filled_object(*it)) continue;
        if (is_true(it->find("in_app"))) {
            std::string culprit = frame_culprit(*it, platform, javascript);
            if (!culprit.empty()) return culprit;
        } else if (!fallback) {
            fallback = frame_culprit(*it, platform, javascript);
        }
    }
    return fallback.value_or("");
}

std::string generate_culprit(const Value& event, std::string_view platform, bool javascript) {
    std::span<const Value> frames;
    std::vector<const Value*> exceptions;
    for (const Value& exception : elements(field(field(&event, "exception"), "values"))) {
        if (!exception.is_null()) exceptions.push_back(&exception);
    }
    if (!exceptions.empty()) {
        // Synthetic exceptions (attached stack traces of messages) no longer get a culprit.
        if (is_true(field(field(exceptions.back(), "mechanism"), "synthetic"))) return "";
        for (auto it = exceptions.rbegin(); it != exceptions.rend() && frames.empty(); ++it) {
            frames = frames_of(field(*it, "stacktrace"));
        }
    } else {
        frames = frames_of(field(&event, "stacktrace"));
    }
    std::string culprit = stacktrace_culprit(frames, platform, javascript);
    const Value* request = field(&event, "request");
    if (culprit.empty() && request != nullptr && is_filled_object(*request)) {
        culprit = std::string(without_query(text(request, "url")));
    }
    return truncate_chars(culprit, kMaxCulpritChars);
}

// ---- tags ------------------------------------------------------------------------------------

// The event's tags with Sentry's set_tag / get_tag. Entries that are not [string, string] pairs
// are kept as they are (and pairs with a string key can still be replaced).
class TagList {
public:
    explicit TagList(const Value* tags) {
        for (const Value& tag : elements(tags)) {
            Entry entry;
            const std::span<const Value> pair = tag.elements();
            auto key = pair.size() >= 1 ? pair[0].as_string() : std::nullopt;
            auto value = pair.size() == 2 ? pair[1].as_string() : std::nullopt;
            if (key && value) {
                entry.key = std::string(*key);
                entry.value = std::string(*value);
            } else {
                entry.raw = &tag;
                if (key) entry.key = std::string(*key);
            }
            add(std::move(entry));
        }
    }

    bool has(const std::string& key) const {
        auto it = index_.find(key);
        return it != index_.end() && !it->second.empty();
    }

    // Removes every tag named `key`, then appends it when `value` is set (≤200 characters).
    void set(const std::string& key, const std::optional<std::string>& value) {
        if (auto it = index_.find(key); it != index_.end()) {
            for (const size_t at : it->second) entries_[at].removed = true;
            it->second.clear();
        }
        if (!value) return;
        Entry entry;
        entry.key = key;
        entry.value = truncate_chars(*value, kMaxTagValueChars);
        add(std::move(entry));
    }

    json::Value to_json(json::Document& doc) const {
        Value array = doc.make_array();
        for (const Entry& entry : entries_) {
            if (entry.removed) continue;
            if (entry.raw != nullptr) {
                array.push_back(doc.copy(*entry.raw));
                continue;
            }
            Value& pair = array.push_back(doc.make_array());
            pair.push_back(doc.make_string(*entry.key));
            pair.push_back(doc.make_string(entry.value));
        }
        return array;
    }

    std::vector<TagPair> pairs() const {
        std::vector<TagPair> out;
        for (const Entry& entry : entries_) {
            if (!entry.removed && entry.raw == nullptr) out.emplace_back(*entry.key, entry.value);
        }
        return out;
    }

private:
    struct Entry {
        std::optional<std::string> key;
        std::string value;
        const Value* raw = nullptr;  // kept unchanged (not a [string, string] pair)
        bool removed = false;
    };

    void add(Entry entry) {
        if (entry.key) index_[*entry.key].push_back(entries_.size());
        entries_.push_back(std::move(entry));
    }

    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::vector<size_t>> index_;
};

// Sentry's EventUser.tag_value: the first of id, username, email and a valid ip_address.
std::optional<std::string> user_tag_value(const Value* user) {
    if (auto id = lenient_string(field(user, "id")); id && !id->empty()) return "id:" + *id;
    if (auto name = lenient_string(field(user, "username")); name && !name->empty()) {
        return "username:" + *name;
    }
    if (const std::string_view email = text(user, "email"); !email.empty()) {
        return "email:" + std::string(email);
    }
    if (const std::string_view ip = text(user, "ip_address"); is_ip_address(ip)) {
        return "ip:" + std::string(ip);
    }
    return std::nullopt;
}

// A context field formatted as Sentry's context_to_tag_mapping does ("{field}", stripped);
// booleans read yes/no. nullopt when missing, of another kind, or empty after stripping.
std::optional<std::string> context_text(const Value* value, bool strings_only = true) {
    if (value == nullptr) return std::nullopt;
    std::string out;
    if (auto string = value->as_string()) {
        out = std::string(pytext::strip(*string));
    } else if (strings_only) {
        return std::nullopt;
    } else if (auto flag = value->as_bool()) {
        out = *flag ? "yes" : "no";
    } else if (value->is_number()) {
        out = *json::lenient_string(*value);
    } else {
        return std::nullopt;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

// Relay's computed `browser` / `os` / `runtime` field: the context's own when it is a string,
// else "name version" (name alone unless `need_version`).
std::optional<std::string> computed_name(const Value& context, std::string_view key,
                                         bool need_version) {
    if (const Value* own = context.find(key); own != nullptr && own->is_string()) {
        return context_text(own);
    }
    const Value* name = context.find("name");
    const Value* version = context.find("version");
    if (name == nullptr || !name->is_string()) return std::nullopt;
    if (version != nullptr && version->is_string()) {
        return std::string(pytext::strip(std::string(*name->as_string()) + " " +
                                         std::string(*version->as_string())));
    }
    if (need_version) return std::nullopt;
    return context_text(name);
}

void derive_context_tags(const Value& event, TagList& tags) {
    const Value* contexts = field(&event, "contexts");
    if (contexts == nullptr || !contexts->is_object()) return;
    for (const auto& [alias_view, context] : contexts->members()) {
        if (!context.is_object()) continue;
        const std::string alias(alias_view);
        std::string_view type = alias_view;
        if (const Value* declared = context.find("type")) {
            if (!declared->is_string()) continue;
            type = *declared->as_string();
        }
        const auto tag = [&](std::string_view suffix, std::optional<std::string> value) {
            if (!value) return;
            tags.set(suffix.empty() ? alias : alias + "." + std::string(suffix), value);
        };
        if (type == "app") {
            tag("device", context_text(context.find("device_app_hash")));
        } else if (type == "device") {
            tag("", context_text(context.find("model")));
            tag("family", context_text(context.find("family")));
        } else if (type == "runtime" || type == "browser" || type == "os") {
            tag("", computed_name(context, type, type == "runtime"));
            tag("name", context_text(context.find("name")));
            if (type == "os") {
                const Value* rooted = context.find("rooted");
                if (rooted != nullptr && rooted->is_bool())
                    tag("rooted", context_text(rooted, false));
            }
        } else if (type == "gpu") {
            tag("name", context_text(context.find("name")));
            tag("vendor", context_text(context.find("vendor_name")));
        } else if (type == "monitor") {
            tag("id", context_text(context.find("id"), false));
            tag("slug", context_text(context.find("slug"), false));
        }
    }
}

// ---- search fields ---------------------------------------------------------------------------

void add_distinct(std::vector<TagPair>& out, std::vector<std::string>& seen, std::string_view key,
                  std::string value) {
    if (value.empty() || seen.size() >= kMaxStackValues) return;
    if (std::find(seen.begin(), seen.end(), value) != seen.end()) return;
    seen.push_back(value);
    out.emplace_back(std::string(key), std::move(value));
}

std::vector<TagPair> search_fields(const Value& event, const Value* main, bool javascript) {
    std::vector<TagPair> out;
    const Value* user = field(&event, "user");
    if (const std::string_view email = text(user, "email"); !email.empty()) {
        out.emplace_back("user.email", std::string(email));
    }
    if (auto id = lenient_string(field(user, "id")); id && !id->empty()) {
        out.emplace_back("user.id", *id);
    }
    if (auto name = lenient_string(field(user, "username")); name && !name->empty()) {
        out.emplace_back("user.username", *name);
    }
    if (const std::string_view ip = text(user, "ip_address"); is_ip_address(ip)) {
        out.emplace_back("user.ip", std::string(ip));
    }

    const std::span<const Value> exceptions = elements(field(field(&event, "exception"), "values"));
    std::vector<TagPair> types;
    std::vector<TagPair> values;
    size_t seen = 0;
    for (const Value& exception : exceptions) {
        if (!exception.is_object()) continue;
        if (++seen > kMaxSearchExceptions) break;
        if (const std::string_view type = text(&exception, "type"); !type.empty()) {
            TagPair pair("error.type", std::string(type));
            if (std::find(types.begin(), types.end(), pair) == types.end()) types.push_back(pair);
        }
        if (auto value = json_lenient_string(exception.find("value")); value && !value->empty()) {
            TagPair pair("error.value", truncate_chars(*value, kMaxSearchValueChars));
            if (std::find(values.begin(), values.end(), pair) == values.end()) {
                values.push_back(pair);
            }
        }
    }
    out.insert(out.end(), types.begin(), types.end());
    out.insert(out.end(), values.begin(), values.end());

    if (main != nullptr) {
        const std::span<const Value> frames = frames_of(field(main, "stacktrace"));
        std::vector<TagPair> functions;
        std::vector<std::string> seen_files;
        std::vector<std::string> seen_functions;
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
            if (seen_files.size() >= kMaxStackValues && seen_functions.size() >= kMaxStackValues) {
                break;
            }
            if (!it->is_object()) continue;
            add_distinct(out, seen_files, "stack.filename", frame_filename(*it, javascript));
            add_distinct(functions, seen_functions, "stack.function",
                         std::string(text(&*it, "function")));
        }
        out.insert(out.end(), functions.begin(), functions.end());
    }
    return out;
}

// The hashes, the grouping config and the fingerprint rule that matched, as the API shows them.
void record_grouping(json::Document& event, const GroupingResult& grouping) {
    Value& root = event.root();
    if (!grouping.fingerprint_rule.empty()) {
        Value rule = event.make_object();
        rule.set("text", event.make_string(grouping.fingerprint_rule));
        Value info = event.make_object();
        info.set("matched_rule", std::move(rule));
        root.set("_fingerprint_info", std::move(info));
    }
    Value hashes = event.make_array();
    for (const std::string& hash : grouping.hashes) hashes.push_back(event.make_string(hash));
    root.set("hashes", std::move(hashes));
    Value config = event.make_object();
    config.set("id", event.make_string(grouping.config_id));
    root.set("grouping_config", std::move(config));
}

// What an error event's main exception gives its metadata and title (eventtypes/error.py).
struct ErrorHeadline {
    bool has_main = false;
    std::optional<std::string> type;  // absent for a synthetic exception
    std::string value;
    std::string filename;  // of the crash frame
    std::string function;  // of the crash frame
    bool tree_label = true;
};

ErrorHeadline error_headline(const Value& root, const Value& main, bool javascript) {
    ErrorHeadline headline;
    headline.has_main = main.is_object();
    headline.tree_label = !headline.has_main || is_native_or_mobile(text(&root, "platform"));
    if (!headline.has_main) return headline;
    headline.value =
        truncate_chars(json_lenient_string(main.find("value")).value_or(""), kMaxValueChars);
    if (!is_true(field(field(&main, "mechanism"), "synthetic"))) {
        const Value* declared = main.find("type");
        headline.type =
            truncate_chars(declared != nullptr && declared->is_string() ? *declared->as_string()
                                                                        : std::string_view("Error"),
                           kMaxTypeChars);
    }
    if (auto crash = crash_location(root, &main, javascript)) {
        headline.filename = std::move(crash->filename);
        headline.function = std::move(crash->function);
    }
    return headline;
}

std::string error_title(const Value& root, const ErrorHeadline& headline) {
    std::optional<std::string> title = headline.type;
    if (title && !headline.value.empty()) {
        *title += ": " + truncate_chars(pytext::first_line(headline.value), kMaxTitleChars);
    }
    // A synthetic exception beside a logentry only carries a stack for a message
    // (JavaScript SDKs send captureMessage that way): its value, the message, names the
    // issue better than the crash function ("?" for top-level code) Sentry's rule picks.
    if (!title && headline.has_main && !headline.value.empty() &&
        field(&root, "logentry") != nullptr) {
        title = truncate_chars(pytext::first_line(pytext::strip(headline.value)), kMaxTitleChars);
    }
    const std::string& function = headline.function;
    std::string chosen;
    if (headline.tree_label) {
        chosen = title ? *title : (function.empty() ? "<unknown>" : function);
    } else {
        chosen = title && !title->empty() ? *title : !function.empty() ? function : "<unknown>";
    }
    return chosen.empty() ? "<untitled>" : chosen;
}

std::string default_title(const Value& root) {
    const Value* logentry = field(&root, "logentry");
    std::string_view message = text(logentry, "formatted");
    if (message.empty()) message = text(logentry, "message");
    message = pytext::strip(message);
    return message.empty() ? "<unlabeled event>"
                           : truncate_chars(pytext::first_line(message), kMaxTitleChars);
}

}  // namespace

EventIssueFacts summarize_event(json::Document& event, const GroupingResult& grouping) {
    EventIssueFacts facts;
    facts.hashes = grouping.hashes;
    facts.grouping_config = grouping.config_id;
    Value& root = event.root();
    if (!root.is_object()) {
        facts.type = "default";
        facts.title = "<unlabeled event>";
        facts.metadata_json = R"({"title":"<unlabeled event>"})";
        return facts;
    }

    const std::string platform(text(&root, "platform"));
    const bool javascript = platform == "javascript";
    const std::span<const Value> exceptions = elements(field(field(&root, "exception"), "values"));
    const bool is_error = !exceptions.empty();
    facts.type = is_error ? "error" : "default";
    facts.platform = platform;
    facts.level = std::string(text(&root, "level"));
    facts.logger = std::string(text(&root, "logger"));
    facts.release = std::string(text(&root, "release"));
    facts.environment = std::string(text(&root, "environment"));

    // Metadata, title and location (eventtypes/error.py, eventtypes/base.py).
    Value metadata = event.make_object();
    std::optional<std::string> location;
    if (is_error) {
        const ErrorHeadline headline =
            error_headline(root, *main_exception(root, grouping.main_exception_id), javascript);
        if (headline.has_main) {
            metadata.set("value", event.make_string(headline.value));
            if (headline.type) metadata.set("type", event.make_string(*headline.type));
            if (!headline.filename.empty()) {
                metadata.set("filename", event.make_string(headline.filename));
                location = headline.filename;
            }
            if (!headline.function.empty()) {
                metadata.set("function", event.make_string(headline.function));
            }
            metadata.set("display_title_with_tree_label", event.make_bool(headline.tree_label));
        }
        facts.title = error_title(root, headline);
    } else {
        facts.title = default_title(root);
        metadata.set("title", event.make_string(facts.title));
    }
    // A matching server-side fingerprint rule's title names the issue.
    if (grouping.title_override) facts.title = *grouping.title_override;
    if (auto mix = in_app_frame_mix(root)) {
        metadata.set("in_app_frame_mix", event.make_string(*mix));
    }
    facts.metadata_json = json::to_string(metadata);

    // Culprit (event_manager.get_culprit).
    if (std::string_view own = text(&root, "culprit"); !own.empty()) {
        facts.culprit = std::string(own);
    } else if (std::string_view transaction = text(&root, "transaction"); !transaction.empty()) {
        facts.culprit = std::string(transaction);
    } else {
        facts.culprit = generate_culprit(root, platform, javascript);
    }

    // Tags, in the order Sentry's event manager derives them.
    TagList tags(field(&root, "tags"));
    const Value* level = field(&root, "level");
    tags.set("level", level != nullptr && level->is_string()
                          ? std::optional<std::string>(facts.level)
                          : std::nullopt);
    if (!facts.logger.empty()) tags.set("logger", facts.logger);
    if (!facts.environment.empty()) tags.set("environment", facts.environment);
    if (std::string_view transaction = text(&root, "transaction"); !transaction.empty()) {
        tags.set("transaction", std::string(transaction));
    }
    if (!facts.release.empty()) {
        tags.set("release", facts.release);
        if (std::string_view dist = text(&root, "dist"); !dist.empty()) {
            tags.set("dist", std::string(dist));
        }
    }
    if (const Value* user = field(&root, "user"); user != nullptr && is_filled_object(*user)) {
        const std::optional<std::string> value = user_tag_value(user);
        tags.set("user", value);
        if (value) facts.user_key = truncate_chars(*value, kMaxTagValueChars);
    }
    if (!tags.has("url")) {
        const std::string_view url = without_query(text(field(&root, "request"), "url"));
        if (!url.empty()) tags.set("url", std::string(url));
    }
    // Sentry's Exception interface takes its tags from the first exception's mechanism.
    if (!exceptions.empty() && exceptions.front().is_object()) {
        const Value* mechanism = exceptions.front().find("mechanism");
        if (mechanism != nullptr && is_filled_object(*mechanism)) {
            // A mechanism without a type only removes the tag (set_tag with None).
            const Value* type = mechanism->find("type");
            tags.set("mechanism", type != nullptr && type->is_string()
                                      ? std::optional<std::string>(std::string(*type->as_string()))
                                      : std::nullopt);
            if (auto handled = field(mechanism, "handled"); handled && handled->is_bool()) {
                tags.set("handled", std::string(*handled->as_bool() ? "yes" : "no"));
            }
        }
    }
    derive_context_tags(root, tags);
    facts.tags = tags.pairs();

    for (const Value& exception : exceptions) {
        const Value* handled = field(field(&exception, "mechanism"), "handled");
        if (handled != nullptr && handled->as_bool() == false) {
            facts.unhandled = true;
            break;
        }
    }
    facts.search_fields =
        search_fields(root, main_exception(root, grouping.main_exception_id), javascript);

    // Write the derived fields into the event.
    Value tag_array = tags.to_json(event);
    root.set("type", event.make_string(facts.type));
    root.set("title", event.make_string(facts.title));
    root.set("culprit", event.make_string(facts.culprit));
    root.set("metadata", std::move(metadata));
    root.set("location", location ? event.make_string(*location) : event.make_null());
    root.set("tags", std::move(tag_array));
    record_grouping(event, grouping);
    return facts;
}

std::string event_title(const json::Value& event) {
    if (!event.is_object()) return "<unlabeled event>";
    const Value* main = main_exception(event, std::nullopt);
    if (main == nullptr) return default_title(event);
    return error_title(event,
                       error_headline(event, *main, text(&event, "platform") == "javascript"));
}

}  // namespace lt
