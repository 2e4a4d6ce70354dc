#include "grouping/grouping.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/python_text.h"
#include "core/text.h"
#include "grouping/behavior_family.h"
#include "grouping/fingerprint_rules.h"
#include "grouping/function_name.h"
#include "grouping/guarded_regex.h"
#include "grouping/parameterize.h"

namespace lt {
namespace {

using json::elements;
using json::field;
using json::is_true;
using json::text;
using json::truthy;
using json::Value;

// Sentry's grouping component: leaf values or child components, never both. `contributes` is
// computed when the component is made and, as in Sentry, not recomputed when a child changes
// later. `hint` records why Sentry changed or ignored a value (our own short wording); hashes never
// include it, but it tells exceptions apart when exception groups are deduplicated. Ids and hints
// are string literals.
struct Component {
    std::string_view id;
    std::vector<std::string> values;
    std::vector<Component> children;
    bool contributes = false;
    std::string_view hint;
};

void ignore(Component& component, std::string_view hint) {
    component.contributes = false;
    component.hint = hint;
}

Component leaf(std::string_view id, std::optional<std::string> value) {
    Component component{id, {}, {}, false, {}};
    if (value) {
        component.values.push_back(std::move(*value));
        component.contributes = true;
    }
    return component;
}

Component parent(std::string_view id, std::vector<Component> children) {
    const bool contributes = std::any_of(children.begin(), children.end(),
                                         [](const Component& c) { return c.contributes; });
    return Component{id, {}, std::move(children), contributes, {}};
}

void collect_values(const Component& component, std::vector<std::string>& out) {
    if (!component.contributes) {
        return;
    }
    out.insert(out.end(), component.values.begin(), component.values.end());
    for (const Component& child : component.children) {
        collect_values(child, out);
    }
}

bool has_contributing_stacktrace(const Component& component) {
    return std::any_of(
        component.children.begin(), component.children.end(), [](const Component& c) {
            return c.contributes && (c.id == "stacktrace" || has_contributing_stacktrace(c));
        });
}

// Variant name -> component, in the order the variants appeared.
using Variants = std::vector<std::pair<std::string, Component>>;

struct EvpMdCtxFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

std::string md5_hex(const std::vector<std::string>& values) {
    const std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> context(EVP_MD_CTX_new());
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    bool ok = context && EVP_DigestInit_ex(context.get(), EVP_md5(), nullptr) == 1;
    for (const std::string& value : values) {
        ok = ok && EVP_DigestUpdate(context.get(), value.data(), value.size()) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(context.get(), digest.data(), &size) == 1;
    if (!ok) {
        throw std::runtime_error("OpenSSL MD5 failed");
    }
    static constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

// --- event access (Python truthiness: missing, null and "" are all "not set") ---------------

std::span<const Value> frames_of(const Value* stacktrace) {
    return elements(field(stacktrace, "frames"));
}

bool starts_with_any(std::string_view text_in, std::initializer_list<std::string_view> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return text_in.starts_with(prefix); });
}

// SENTRY strategies/utils.py has_url_origin.
bool has_url_origin(std::string_view path, bool allow_file_origin) {
    if (starts_with_any(path, {"http:", "https:", "applewebdata:", "blob:"})) {
        return true;
    }
    return path.starts_with("file:") && !allow_file_origin;
}

// The string itself, or the JSON text of a value of another kind (str() of it, as Sentry
// compares); the JSON is only written when needed.
std::string string_or_json(const Value& value) {
    if (const auto text = value.as_string()) return std::string(*text);
    return json::to_string(value);
}

std::string ascii_lower(std::string_view in) {
    std::string out(in);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

// " ".join(line.split())
std::string collapse_whitespace(std::string_view line) {
    std::string out;
    size_t pos = 0;
    bool pending_space = false;
    while (pos < line.size()) {
        if (const size_t ws = pytext::space_at(line, pos); ws > 0) {
            pending_space = !out.empty();
            pos += ws;
            continue;
        }
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        out += line[pos++];
    }
    return out;
}

// --- frame:v1 -------------------------------------------------------------------------------

// Java code generation markers, replaced by "<auto>" (newstyle.py's _java_*_enhancer_re).
const GuardedRegex& reflect_marker() {
    static const GuardedRegex re(
        {"sun.reflect.Generated"},
        R"((sun\.reflect\.Generated(?:Serialization)?ConstructorAccessor)\d+)");
    return re;
}
const GuardedRegex& cglib_marker() {
    static const GuardedRegex re({"CGLIB$$"}, R"((\$\$\w+?CGLIB\$\$)[a-fA-F0-9]+(_[0-9]+)?)");
    return re;
}
const GuardedRegex& javassist_marker() {
    static const GuardedRegex re({"$$_javassist"}, R"((\$\$_javassist)(?:_seam)?(?:_[0-9]+)?)");
    return re;
}
const GuardedRegex& clojure_marker() {
    static const GuardedRegex re({"$fn__"}, R"((\$fn__)\d+)");
    return re;
}

constexpr std::array<std::string_view, 5> kContextLinePlatforms = {"javascript", "node", "python",
                                                                   "php", "ruby"};

Component filename_component(std::string_view abs_path, const Value* frame,
                             std::string_view platform) {
    const Value* filename_value = field(frame, "filename");
    if (filename_value == nullptr || !filename_value->is_string()) {
        return leaf("filename", std::nullopt);
    }
    std::string_view name = *filename_value->as_string();
    name = name.substr(0, name.find_first_of("?#"));
    if (const size_t slash = name.find_last_of("/\\"); slash != std::string_view::npos) {
        name = name.substr(slash + 1);
    }
    Component component = leaf("filename", ascii_lower(name));
    const std::string& lowered = component.values.front();
    if (has_url_origin(abs_path, /*allow_file_origin=*/true)) {
        ignore(component, "frame has a URL");
    } else if (lowered == "<anonymous>") {
        ignore(component, "anonymous filename");
    } else if (lowered == "[native code]") {
        ignore(component, "native code filename");
    } else if (platform == "java") {
        std::string cleaned = javassist_marker().replace(lowered, "$1<auto>");
        if (cleaned != lowered) {
            component.values.front() = std::move(cleaned);
            component.hint = "javassist parts cleaned";
        }
    }
    return component;
}

Component module_component(std::string_view abs_path, const Value* frame,
                           std::string_view platform) {
    const Value* module_value = field(frame, "module");
    if (module_value == nullptr || !module_value->is_string()) {
        return leaf("module", std::nullopt);
    }
    const std::string_view module = *module_value->as_string();
    Component component = leaf("module", std::string(module));
    if (platform == "javascript" && module.find('/') != std::string_view::npos &&
        !abs_path.empty() && abs_path.ends_with(module)) {
        ignore(component, "bad javascript module");
    } else if (platform == "java") {
        if (module.find("$$Lambda$") != std::string_view::npos) {
            ignore(component, "java lambda");
        }
        bool accessor = false;
        for (std::string_view prefix :
             {std::string_view("sun.reflect.GeneratedMethodAccessor"),
              std::string_view("jdk.internal.reflect.GeneratedMethodAccessor")}) {
            if (!accessor && module.starts_with(prefix)) {
                accessor = true;
                // Sentry replaces the values, which makes the component contribute again.
                component = leaf("module", std::string(prefix));
                component.hint = "reflection marker removed";
            }
        }
        if (!accessor) {
            std::string cleaned = reflect_marker().replace(std::string(module), "$1<auto>");
            cleaned = cglib_marker().replace(std::move(cleaned), "$1<auto>");
            cleaned = javassist_marker().replace(std::move(cleaned), "$1<auto>");
            cleaned = clojure_marker().replace(std::move(cleaned), "$1<auto>");
            if (cleaned != module) {
                component = leaf("module", std::move(cleaned));
                component.hint = "codegen marker removed";
            }
        }
    }
    return component;
}

// C# prefers the raw name; elsewhere a function without raw_function is trimmed as Sentry does.
std::optional<std::string> function_name(const Value* frame, std::string_view platform) {
    const std::string_view function = text(frame, "function");
    const std::string_view raw_function = text(frame, "raw_function");
    if (platform == "csharp") {
        const std::string_view name = raw_function.empty() ? function : raw_function;
        return name.empty() ? std::nullopt : std::optional<std::string>(name);
    }
    if (!function.empty()) {
        std::string name =
            raw_function.empty() ? trim_function_name(function, platform) : std::string(function);
        return name.empty() ? std::nullopt : std::optional<std::string>(std::move(name));
    }
    return raw_function.empty() ? std::nullopt : std::optional<std::string>(raw_function);
}

bool ends_with_erb_suffix(std::string_view name, size_t& suffix_start) {
    // __\d{4,}_\d{4,}$
    size_t end = name.size();
    size_t digits = 0;
    while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1]))) {
        --end;
        ++digits;
    }
    if (digits < 4 || end == 0 || name[end - 1] != '_') {
        return false;
    }
    --end;
    digits = 0;
    while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1]))) {
        --end;
        ++digits;
    }
    if (digits < 4 || end < 2 || name.substr(end - 2, 2) != "__") {
        return false;
    }
    suffix_start = end - 2;
    return true;
}

Component function_component(const Value* frame, std::string_view platform, bool sourcemap_used,
                             bool context_line_contributes) {
    const std::optional<std::string> name = function_name(frame, platform);
    if (!name) {
        return leaf("function", std::nullopt);
    }
    Component component = leaf("function", *name);
    const std::string_view func = *name;
    if (platform == "ruby") {
        size_t suffix = 0;
        if (func.starts_with("block ")) {
            component.values.front() = "block";
            component.hint = "ruby block";
        } else if (ends_with_erb_suffix(func, suffix)) {
            component.values.front() = std::string(func.substr(0, suffix));
            component.hint = "erb template suffix removed";
        }
    } else if (platform == "php") {
        if (func.starts_with("[Anonymous") ||
            func.starts_with(std::string_view("class@anonymous\0", 16))) {
            ignore(component, "anonymous function");
        }
        if (func.starts_with("class@anonymous")) {
            if (const size_t sep = func.rfind("::"); sep != std::string_view::npos) {
                component.values.front() = std::string(func.substr(sep + 2));
                component.hint = "anonymous class method";
            }
        }
    } else if (platform == "java") {
        if (func.starts_with("lambda$")) {
            ignore(component, "lambda function");
        }
    } else if (behavior_family(platform) == "native") {
        if (func == "<redacted>" || func == "<unknown>") {
            ignore(component, "unknown function");
        }
    } else if (behavior_family(platform) == "javascript") {
        if (const size_t dot = func.rfind('.'); dot != std::string_view::npos) {
            component.values.front() = std::string(func.substr(dot + 1));
            component.hint = "javascript function trimmed";
        }
        if (sourcemap_used && context_line_contributes) {
            ignore(component, "source map used and context line available");
        }
    }
    return component;
}

std::optional<Component> context_line_component(const Value* frame, std::string_view platform,
                                                std::string_view abs_path) {
    if (std::find(kContextLinePlatforms.begin(), kContextLinePlatforms.end(), platform) ==
        kContextLinePlatforms.end()) {
        return std::nullopt;
    }
    const std::string_view raw = text(frame, "context_line");
    std::string line = collapse_whitespace(raw);
    if (line.empty()) {
        return leaf("context-line", std::nullopt);
    }
    Component component = leaf("context-line", std::move(line));
    if (code_points(raw) > 120) {
        ignore(component, "line too long");
    } else if (behavior_family(platform) == "javascript" && !truthy(field(frame, "function")) &&
               has_url_origin(abs_path, /*allow_file_origin=*/false)) {
        ignore(component, "URL origin and no function");
    }
    return component;
}

Component frame_component(const Value* frame, std::string_view event_platform, bool is_recursion) {
    const std::string_view frame_platform = text(frame, "platform");
    const std::string_view platform = frame_platform.empty() ? event_platform : frame_platform;
    const std::string_view abs_path = text(frame, "abs_path");

    Component filename = filename_component(abs_path, frame, platform);
    Component module = module_component(abs_path, frame, platform);
    if (module.contributes && filename.contributes) {
        ignore(filename, "module takes precedence");
    }
    std::optional<Component> context_line = context_line_component(frame, platform, abs_path);
    const Value* data = field(frame, "data");
    const Value* sourcemap = field(data, "sourcemap");
    Component function =
        function_component(frame, platform, sourcemap != nullptr && !sourcemap->is_null(),
                           context_line && context_line->contributes);

    std::vector<Component> children;
    children.push_back(std::move(module));
    children.push_back(std::move(filename));
    children.push_back(std::move(function));
    if (context_line) {
        children.push_back(std::move(*context_line));
    }
    Component component = parent("frame", std::move(children));

    // Applied after the frame's `contributes` was computed, exactly as Sentry does.
    if (behavior_family(platform) == "javascript") {
        std::string_view func = text(frame, "raw_function");
        if (func.empty()) {
            func = text(frame, "function");
        }
        if (const size_t dot = func.rfind('.'); dot != std::string_view::npos) {
            func = func.substr(dot + 1);
        }
        Component& function_child = component.children[2];
        if (func.empty()) {
            function_child.contributes = false;
        } else if (func == "?" || func == "<anonymous function>" || func == "<anonymous>" ||
                   func == "Anonymous function" || func.ends_with("/<")) {
            ignore(function_child, "unknown function name");
        }
        if (func == "eval" || abs_path == "[native code]" || abs_path == "native code" ||
            abs_path == "eval code" || abs_path == "<anonymous>") {
            ignore(component, "low quality javascript frame");
        }
    }
    if (is_recursion) {
        ignore(component, "recursion");
    }
    return component;
}

bool same_field(const Value* a, const Value* b, std::string_view key) {
    const Value* x = field(a, key);
    const Value* y = field(b, key);
    const bool x_null = x == nullptr || x->is_null();
    const bool y_null = y == nullptr || y->is_null();
    if (x_null || y_null) {
        return x_null == y_null;
    }
    const auto x_text = x->as_string();
    const auto y_text = y->as_string();
    if (x_text && y_text) return *x_text == *y_text;  // the common case, without writing JSON
    return json::to_string(*x) == json::to_string(*y);
}

bool is_recursion(const Value* frame, const Value* previous) {
    if (previous == nullptr) {
        return false;
    }
    for (std::string_view key :
         {"abs_path", "package", "module", "filename", "function", "lineno", "colno"}) {
        if (!same_field(frame, previous, key)) {
            return false;
        }
    }
    return true;
}

// The frame components of a stack trace, the same in every variant until the variant's rules.
std::vector<Component> frame_components(std::span<const Value> frames,
                                        std::string_view event_platform) {
    std::vector<Component> components;
    components.reserve(frames.size());
    const Value* previous = nullptr;
    for (const Value& frame : frames) {
        components.push_back(
            frame_component(&frame, event_platform, is_recursion(&frame, previous)));
        previous = &frame;
    }
    return components;
}

// stacktrace:v1 for one variant ("app": only in-app frames contribute), from the frames'
// components.
Component stacktrace_variant(std::span<const Value> frames, std::vector<Component> children,
                             std::string_view event_platform, bool app) {
    if (app) {
        for (size_t i = 0; i < frames.size(); ++i) {
            if (!is_true(field(&frames[i], "in_app"))) children[i].contributes = false;
        }
    }
    // Sentry 2023-01-11 ignores a single JavaScript frame without function that IS a URL frame
    // (the hint says "non-URL"; the inverted check is what that config does).
    if (frames.size() == 1 && children[0].contributes) {
        const std::string_view frame_platform = text(&frames[0], "platform");
        if (behavior_family(frame_platform.empty() ? event_platform : frame_platform) ==
                "javascript" &&
            !truthy(field(&frames[0], "function")) &&
            has_url_origin(text(&frames[0], "abs_path"), /*allow_file_origin=*/false)) {
            ignore(children[0], "single javascript frame");
        }
    }
    return parent("stacktrace", std::move(children));
}

// A variant without a contributing stacktrace stops contributing when another variant has one.
void remove_non_stacktrace_variants(Variants& variants) {
    const bool any = std::any_of(variants.begin(), variants.end(), [](const auto& v) {
        return has_contributing_stacktrace(v.second);
    });
    if (variants.size() <= 1 || !any) {
        return;
    }
    for (auto& [name, component] : variants) {
        if (!has_contributing_stacktrace(component)) {
            component.contributes = false;
        }
    }
}

Variants stacktrace_variants(const Value* stacktrace, std::string_view platform) {
    const std::span<const Value> frames = frames_of(stacktrace);
    std::vector<Component> components = frame_components(frames, platform);
    Variants variants;
    variants.emplace_back("system", stacktrace_variant(frames, components, platform, false));
    variants.emplace_back("app", stacktrace_variant(frames, std::move(components), platform, true));
    return variants;
}

// single-exception:v1
Variants single_exception(const Value& exception, std::string_view platform) {
    const std::string_view type = text(&exception, "type");
    Component type_component =
        leaf("type", type.empty() ? std::nullopt : std::optional<std::string>(type));
    const Value* mechanism = field(&exception, "mechanism");
    if (truthy(field(mechanism, "synthetic"))) {
        ignore(type_component, "synthetic exception");
    }
    std::optional<Component> ns_error;
    if (const Value* info = field(field(mechanism, "meta"), "ns_error"); info != nullptr) {
        // Sentry hashes str() of both values: a missing one is "None", a number its decimal.
        ns_error = Component{"ns-error", {}, {}, true, {}};
        for (std::string_view key : {"domain", "code"}) {
            const Value* value = field(info, key);
            ns_error->values.push_back(value == nullptr || value->is_null()
                                           ? std::string("None")
                                           : string_or_json(*value));
        }
    }
    const Value* stacktrace = field(&exception, "stacktrace");
    Variants variants;
    if (stacktrace != nullptr && !stacktrace->is_null()) {
        variants = stacktrace_variants(stacktrace, platform);
    } else {
        variants.emplace_back("app", leaf("stacktrace", std::nullopt));
    }
    const Value* value = field(&exception, "value");
    std::optional<std::string> normalized;
    bool stripped = false;
    if (value != nullptr && value->is_string()) {
        if (std::string trimmed = normalize_message_for_grouping(*value->as_string());
            !trimmed.empty()) {
            stripped = trimmed != *value->as_string();
            normalized = std::move(trimmed);
        }
    }
    for (auto& [name, stack] : variants) {
        Component value_component = leaf("value", normalized);
        if (stripped) {
            value_component.hint = "event-specific values stripped";
        }
        if (stack.contributes && value_component.contributes) {
            ignore(value_component, "stack trace takes precedence");
        }
        if (ns_error && ns_error->contributes && value_component.contributes) {
            ignore(value_component, "ns-error takes precedence");
        }
        std::vector<Component> children;
        children.push_back(std::move(stack));
        children.push_back(type_component);
        if (ns_error) {
            children.push_back(*ns_error);
        }
        children.push_back(std::move(value_component));
        stack = parent("exception", std::move(children));
    }
    return variants;
}

// Everything Sentry compares when it tells two exceptions of a group apart (the repr of their
// component trees, all variants): ids, hints, contributes flags and values.
void describe(const Component& component, std::string& out) {
    out += component.id;
    out += '\x1f';
    out += component.hint;
    out += '\x1e';
    out += component.contributes ? '1' : '0';
    for (const std::string& value : component.values) {
        out += '\x1d';
        out += value;
    }
    out += '(';
    for (const Component& child : component.children) {
        describe(child, out);
    }
    out += ')';
}

std::string describe(const Variants& variants) {
    std::string out;
    for (const auto& [name, component] : variants) {
        out += name;
        out += ':';
        describe(component, out);
    }
    return out;
}

std::optional<int64_t> mechanism_id(const Value& exception, std::string_view key) {
    const Value* id = field(field(&exception, "mechanism"), key);
    return id != nullptr ? id->as_int64() : std::nullopt;
}

// str(exception.type) as Sentry sorts by it: "None" when missing.
std::string type_for_sorting(const Value& exception) {
    const Value* type = field(&exception, "type");
    if (type == nullptr || type->is_null()) {
        return "None";
    }
    return string_or_json(*type);
}

// filter_exceptions_for_exception_groups (Sentry's RFC 0079 handling, as of its fixes for
// malformed trees): the indices of the exceptions to group by, in order. Exceptions that form a
// well-formed tree (every one with a unique mechanism.exception_id, none its own parent, a root
// with id 0) are reduced to their "top-level" exceptions: the non-group descendants reached
// through exception groups from the root, sorted by type (descending, stable) and deduplicated
// when consecutive ones have identical components. One distinct exception: it and the chain of
// first children below it (the main exception). Several: one of each, then the root.
std::vector<size_t> filter_exception_groups(const std::vector<const Value*>& exceptions,
                                            const std::vector<Variants>& components,
                                            const Value& event,
                                            std::optional<int64_t>& main_exception_id) {
    std::vector<size_t> all(exceptions.size());
    for (size_t i = 0; i < all.size(); ++i) {
        all[i] = i;
    }
    if (exceptions.size() <= 1) {
        return all;
    }
    // Python SDK 3.x sends exception ids for plain chains; Sentry keeps those events grouped as
    // the 2.x SDK's were (a version that is no string makes Sentry's check fail: same result).
    if (text(&event, "platform") == "python") {
        const Value* version = field(field(&event, "sdk"), "version");
        if (version != nullptr && !version->is_null() &&
            (!version->is_string() || version->as_string()->starts_with("3"))) {
            return all;
        }
    }
    struct Node {
        std::optional<size_t> exception;
        std::vector<size_t> children;
    };
    std::vector<std::pair<int64_t, Node>> tree;
    const auto node = [&](int64_t id) -> Node& {
        auto it = std::find_if(tree.begin(), tree.end(),
                               [&](const auto& entry) { return entry.first == id; });
        if (it == tree.end()) {
            it = tree.insert(tree.end(), {id, Node{}});
        }
        return it->second;
    };
    std::vector<int64_t> ids(exceptions.size());
    std::vector<int64_t> seen;
    for (size_t i = exceptions.size(); i-- > 0;) {
        const std::optional<int64_t> id = mechanism_id(*exceptions[i], "exception_id");
        const std::optional<int64_t> parent_id = mechanism_id(*exceptions[i], "parent_id");
        if (!id || id == parent_id || std::find(seen.begin(), seen.end(), *id) != seen.end()) {
            return all;  // not a tree
        }
        seen.push_back(*id);
        ids[i] = *id;
        node(*id).exception = i;
        if (parent_id) {
            node(*parent_id).children.push_back(i);
        }
    }
    const auto children_of = [&](size_t i) -> const std::vector<size_t>& {
        return node(ids[i]).children;
    };
    const auto is_group = [&](size_t i) {
        return truthy(field(field(exceptions[i], "mechanism"), "is_exception_group"));
    };

    const std::optional<size_t> root = node(0).exception;
    if (!root) {
        return all;
    }
    // Sentry recurses; a cycle makes it fail and keep every exception.
    std::vector<size_t> top_level;
    std::vector<bool> visited(exceptions.size(), false);
    std::vector<size_t> stack{*root};
    while (!stack.empty()) {
        const size_t i = stack.back();
        stack.pop_back();
        if (visited[i]) {
            return all;
        }
        visited[i] = true;
        if (!is_group(i)) {
            top_level.push_back(i);
            continue;
        }
        const std::vector<size_t>& children = children_of(i);
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
            stack.push_back(*it);
        }
    }
    if (top_level.empty()) {
        return all;
    }
    std::stable_sort(top_level.begin(), top_level.end(), [&](size_t a, size_t b) {
        return type_for_sorting(*exceptions[a]) > type_for_sorting(*exceptions[b]);
    });
    std::vector<size_t> distinct;
    std::string previous;
    for (const size_t i : top_level) {
        std::string key = describe(components[i]);
        if (distinct.empty() || key != previous) {
            distinct.push_back(i);
        }
        previous = std::move(key);
    }
    if (distinct.size() == 1) {
        std::vector<size_t> path;
        std::vector<bool> on_path(exceptions.size(), false);
        for (std::optional<size_t> i = distinct.front(); i;) {
            if (on_path[*i]) {
                return all;
            }
            on_path[*i] = true;
            path.push_back(*i);
            const std::vector<size_t>& children = children_of(*i);
            i = children.empty() ? std::nullopt : std::optional<size_t>(children.front());
        }
        main_exception_id = ids[distinct.front()];
        return path;
    }
    distinct.push_back(*root);
    return distinct;
}

// chained-exception:v1: the exceptions left by the exception-group filter; one is used directly,
// several are chained in that order.
Variants chained_exception(std::span<const Value> exceptions, const Value& event,
                           std::optional<int64_t>& main_exception_id) {
    const std::string_view platform = text(&event, "platform");
    std::vector<const Value*> present;
    for (const Value& exception : exceptions) {
        if (exception.is_object()) {
            present.push_back(&exception);
        }
    }
    if (present.empty()) {
        return {};
    }
    std::vector<Variants> components;
    for (const Value* exception : present) {
        components.push_back(single_exception(*exception, platform));
    }
    const std::vector<size_t> chosen =
        filter_exception_groups(present, components, event, main_exception_id);
    Variants variants;
    if (chosen.size() == 1) {
        variants = std::move(components[chosen.front()]);
    } else {
        std::vector<std::pair<std::string, std::vector<Component>>> by_name;
        for (const size_t i : chosen) {
            for (auto& [name, component] : components[i]) {
                auto it = std::find_if(by_name.begin(), by_name.end(),
                                       [&](const auto& entry) { return entry.first == name; });
                if (it == by_name.end()) {
                    it = by_name.insert(by_name.end(), {name, {}});
                }
                it->second.push_back(std::move(component));
            }
        }
        for (auto& [name, children] : by_name) {
            variants.emplace_back(name, parent("chained-exception", std::move(children)));
        }
    }
    remove_non_stacktrace_variants(variants);
    return variants;
}

// threads:v1: only an event with exactly one thread, which has a stacktrace.
Variants threads_strategy(std::span<const Value> threads, std::string_view platform) {
    const Value* stacktrace = threads.size() == 1 ? field(&threads[0], "stacktrace") : nullptr;
    if (!truthy(stacktrace)) {
        return {{"app", Component{"threads", {}, {}, false, {}}}};
    }
    Variants variants = stacktrace_variants(stacktrace, platform);
    for (auto& [name, component] : variants) {
        std::vector<Component> children;
        children.push_back(std::move(component));
        component = parent("threads", std::move(children));
    }
    remove_non_stacktrace_variants(variants);
    return variants;
}

// message:v1 (logentry.message is the template, preferred over the formatted text).
Variants message_strategy(const Value* logentry) {
    std::string_view message = text(logentry, "message");
    if (message.empty()) {
        message = text(logentry, "formatted");
    }
    return {{"default", leaf("message", normalize_message_for_grouping(message))}};
}

// The variants of the first strategy that contributes, empty when none does.
Variants default_grouping(const Value& event, std::optional<int64_t>& main_exception_id) {
    const std::string_view platform = text(&event, "platform");
    std::vector<Variants> candidates;
    if (const Value* exception = field(&event, "exception"); exception != nullptr) {
        candidates.push_back(
            chained_exception(elements(field(exception, "values")), event, main_exception_id));
    }
    if (const Value* threads = field(&event, "threads"); threads != nullptr) {
        const std::span<const Value> values = elements(field(threads, "values"));
        if (!values.empty()) {
            candidates.push_back(threads_strategy(values, platform));
        }
    }
    if (const Value* stacktrace = field(&event, "stacktrace"); truthy(stacktrace)) {
        candidates.push_back(stacktrace_variants(stacktrace, platform));
    }
    if (const Value* logentry = field(&event, "logentry");
        !text(logentry, "message").empty() || !text(logentry, "formatted").empty()) {
        candidates.push_back(message_strategy(logentry));
    }
    for (Variants& variants : candidates) {
        if (std::any_of(variants.begin(), variants.end(),
                        [](const auto& v) { return v.second.contributes; })) {
            return std::move(variants);
        }
    }
    return {};
}

// --- fingerprints -----------------------------------------------------------------------------

// The name inside an entry that is exactly "{{ name }}" (Sentry's FINGERPRINT_VARIABLE_REGEX,
// \{\{\s*(\S+)\s*\}\}, matching the whole entry), nullopt otherwise.
std::optional<std::string_view> fingerprint_variable(std::string_view entry) {
    const auto match = pytext::match_variable(entry, 0);
    if (!match || match->first != entry.size()) {
        return std::nullopt;
    }
    return match->second;
}

bool is_default_entry(std::string_view entry) {
    return fingerprint_variable(entry) == "default";
}

// get_crash_frame_from_event_data: the last in-app frame, else the last frame.
const Value* crash_frame(const Value& event) {
    std::span<const Value> frames;
    const std::span<const Value> exceptions = elements(field(field(&event, "exception"), "values"));
    if (!exceptions.empty()) {
        frames = frames_of(field(&exceptions.back(), "stacktrace"));
    }
    if (frames.empty()) {
        frames = frames_of(field(&event, "stacktrace"));
    }
    if (frames.empty()) {
        const std::span<const Value> threads = elements(field(field(&event, "threads"), "values"));
        if (threads.size() == 1) {
            frames = frames_of(field(&threads[0], "stacktrace"));
        }
    }
    const Value* fallback = nullptr;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (!it->is_object()) {
            continue;
        }
        if (truthy(field(&*it, "in_app"))) {
            return &*it;
        }
        if (fallback == nullptr) {
            fallback = &*it;
        }
    }
    return fallback;
}

std::string or_placeholder(std::string_view value, std::string_view placeholder) {
    return std::string(value.empty() ? placeholder : value);
}

// resolve_fingerprint_variable; nullopt for an unknown variable (kept as written in 2023-01-11).
std::optional<std::string> resolve_variable(std::string_view name, const Value& event) {
    const std::span<const Value> exceptions = elements(field(field(&event, "exception"), "values"));
    const Value* last_exception = exceptions.empty() ? nullptr : &exceptions.back();
    if (name == "transaction") {
        return or_placeholder(text(&event, "transaction"), "<no-transaction>");
    }
    if (name == "message") {
        const Value* logentry = field(&event, "logentry");
        std::string_view message = text(logentry, "formatted");
        if (message.empty()) {
            message = text(logentry, "message");
        }
        if (message.empty()) {
            message = text(last_exception, "value");
        }
        return or_placeholder(message, "<no-message>");
    }
    if (name == "type" || name == "error.type") {
        return or_placeholder(text(last_exception, "type"), "<no-type>");
    }
    if (name == "value" || name == "error.value") {
        return or_placeholder(text(last_exception, "value"), "<no-value>");
    }
    if (name == "function" || name == "stack.function") {
        return or_placeholder(text(crash_frame(event), "function"), "<no-function>");
    }
    if (name == "path" || name == "stack.abs_path" || name == "stack.filename") {
        const Value* frame = crash_frame(event);
        const bool abs_first = name != "stack.filename";
        std::string_view path = text(frame, abs_first ? "abs_path" : "filename");
        if (path.empty()) {
            path = text(frame, abs_first ? "filename" : "abs_path");
        }
        return or_placeholder(path, abs_first ? "<no-abs-path>" : "<no-filename>");
    }
    if (name == "module" || name == "stack.module") {
        return or_placeholder(text(crash_frame(event), "module"), "<no-module>");
    }
    if (name == "package" || name == "stack.package") {
        std::string_view package = text(crash_frame(event), "package");
        if (const size_t slash = package.rfind('/'); slash != std::string_view::npos) {
            package = package.substr(slash + 1);
        }
        if (const size_t backslash = package.rfind('\\'); backslash != std::string_view::npos) {
            package = package.substr(backslash + 1);
        }
        return or_placeholder(package, "<no-package>");
    }
    if (name == "level") {
        return or_placeholder(text(&event, "level"), "<no-level>");
    }
    if (name == "logger") {
        return or_placeholder(text(&event, "logger"), "<no-logger>");
    }
    if (name.starts_with("tags.")) {
        const std::string_view tag = name.substr(5);
        for (const Value& pair : elements(field(&event, "tags"))) {
            const std::span<const Value> kv = pair.elements();
            if (kv.size() == 2 && kv[0].as_string() == tag && !kv[1].is_null()) {
                return string_or_json(kv[1]);
            }
        }
        return "<no-value-for-tag-" + std::string(tag) + ">";
    }
    return std::nullopt;
}

std::vector<std::string> resolve_fingerprint(const std::vector<std::string>& entries,
                                             const Value& event) {
    std::vector<std::string> resolved;
    for (const std::string& raw : entries) {
        const std::optional<std::string_view> variable = fingerprint_variable(raw);
        std::optional<std::string> value;
        if (variable && *variable != "default") {
            value = resolve_variable(*variable, event);
            // Sentry parameterizes the message it puts in (not trimmed to two lines).
            if (value && *variable == "message" && *value != "<no-message>") {
                value = parameterize(*value);
            }
        }
        resolved.push_back(value ? std::move(*value) : std::string(raw));
    }
    return resolved;
}

// expand_title_template: every {{ variable }} in a rule's title resolved; unknown ones (and
// {{ default }}) become <unrecognized-variable-NAME>. Values are not parameterized.
std::string expand_title(std::string_view title, const Value& event) {
    std::string out;
    for (size_t pos = 0; pos < title.size();) {
        if (const auto match = pytext::match_variable(title, pos)) {
            const std::optional<std::string> value = resolve_variable(match->second, event);
            out += value ? *value : "<unrecognized-variable-" + std::string(match->second) + ">";
            pos = match->first;
        } else {
            out += title[pos++];
        }
    }
    return out;
}

}  // namespace

GroupingResult compute_grouping(const json::Value& event, const FingerprintRules* rules) {
    GroupingResult result;
    std::vector<std::string> fingerprint;
    for (const Value& entry : elements(field(&event, "fingerprint"))) {
        if (entry.is_string()) {
            fingerprint.push_back(std::string(*entry.as_string()));
        }
    }
    // A matching server rule replaces the SDK's fingerprint (apply_server_fingerprinting).
    if (rules != nullptr) {
        if (std::optional<FingerprintMatch> match = match_fingerprint_rules(*rules, event)) {
            fingerprint = std::move(match->fingerprint);
            result.fingerprint_rule = std::move(match->rule);
            if (match->title) {
                result.title_override = expand_title(*match->title, event);
            }
        }
    }
    const bool has_default = std::any_of(fingerprint.begin(), fingerprint.end(),
                                         [](const std::string& e) { return is_default_entry(e); });
    const std::vector<std::string> resolved = resolve_fingerprint(fingerprint, event);
    // Sentry runs the strategies even under a custom fingerprint (they pick the main exception).
    Variants variants = default_grouping(event, result.main_exception_id);

    if (!fingerprint.empty() && !has_default) {
        result.hashes.push_back(md5_hex(resolved));
        result.primary_variant = "custom-fingerprint";
        return result;
    }
    const bool hybrid = has_default && fingerprint.size() > 1;

    // Order app, default, system (Sentry sorts the system variant last).
    std::stable_sort(variants.begin(), variants.end(), [](const auto& a, const auto& b) {
        return (a.first == "system") < (b.first == "system");
    });
    for (const auto& [name, component] : variants) {
        if (!component.contributes) {
            continue;
        }
        std::vector<std::string> values;
        if (hybrid) {
            for (const std::string& entry : resolved) {
                if (is_default_entry(entry)) {
                    collect_values(component, values);
                } else {
                    values.push_back(entry);
                }
            }
        } else {
            collect_values(component, values);
        }
        std::string hash = md5_hex(values);
        if (std::find(result.hashes.begin(), result.hashes.end(), hash) == result.hashes.end()) {
            if (result.hashes.empty()) {
                result.primary_variant = name;
            }
            result.hashes.push_back(std::move(hash));
        }
    }
    if (result.hashes.empty()) {
        result.hashes.push_back(md5_hex({}));
        result.primary_variant = "fallback";
    }
    return result;
}

}  // namespace lt
