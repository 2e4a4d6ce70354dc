#include "grouping/function_name.h"

#include <vector>

#include "core/python_text.h"
#include "core/text.h"
#include "grouping/behavior_family.h"
#include "grouping/guarded_regex.h"

namespace lt {
namespace {

// Stand-ins Sentry swaps in while it balances brackets (none of them is ASCII).
constexpr std::string_view kAngle = "\xE2\x9F\xA8";  // U+27E8, the '<' of operator<
constexpr std::string_view kCall = "\xE2\x97\xAF";   // U+25EF, "()" of operator()
constexpr std::string_view kArrow = "\xE2\x9F\xBF";  // U+27FF, " -> " return marker
constexpr std::string_view kAnonymous =
    "\xE3\x80\x94"
    "anonymousnamespace"
    "\xE3\x80\x95";

const GuardedRegex& lambda_re() {
    // gcc {lambda(...)#N}, msvc lambda_<32 hex>, clang $_N
    static const GuardedRegex re({"lambda", "$_"},
                                 R"(\{lambda\(.*?\)#\d+\}|\blambda_[a-f0-9]{32}\b|\$_\d+\b)");
    return re;
}

const GuardedRegex& anonymous_namespace_re() {
    static const GuardedRegex re({"?A0x"}, R"(\?A0x[a-f0-9]{8}::)");
    return re;
}

bool is_word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || u == '_' || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
           (u >= 'A' && u <= 'Z');
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t hit = text.find(from, pos);
        if (hit == std::string::npos) {
            out.append(text, pos, std::string::npos);
            return out;
        }
        out.append(text, pos, hit - pos);
        out.append(to);
        pos = hit + from.size();
    }
}

// replace_enclosed_string: drops every top-level `open ... close` span (nesting counted,
// unbalanced closers make the depth negative as in Sentry) and puts the callback's result for
// its content in its place.
template <typename Replacement>
std::string replace_enclosed(std::string_view s, char open, char close,
                             const Replacement& replacement) {
    if (s.find(open) == std::string_view::npos) {
        return std::string(s);
    }
    long depth = 0;
    size_t pair_start = 0;
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == open) {
            if (depth == 0) {
                pair_start = i;
            }
            ++depth;
        } else if (c == close) {
            --depth;
            if (depth == 0) {
                out += replacement(s.substr(pair_start + 1, i - pair_start - 1), pair_start);
            }
        } else if (depth == 0) {
            out += c;
        }
    }
    return out;
}

std::string process_generics(std::string_view value, size_t start) {
    if (value == "lambda" || lambda_re().matches_at_start(value)) {
        return "<" + std::string(value) + ">";
    }
    if (start > 0) {
        return "<T>";
    }
    // Rust: prefer the trait for blanket impls (`T as Trait`), then `<Type as Trait>` -> Type.
    if (value.size() >= 5 && value[0] >= 'A' && value[0] <= 'Z' && value.substr(1, 4) == " as ") {
        value.remove_prefix(5);
    }
    const std::string inner = replace_enclosed(value, '<', '>', process_generics);
    const size_t as = inner.find(" as ");
    return as == std::string::npos ? inner : inner.substr(0, as);
}

// split_func_tokens: whitespace-separated tokens at bracket depth 0, brackets kept.
std::vector<std::string> split_tokens(std::string_view s) {
    static constexpr std::string_view kOpen = "({[<";
    static constexpr std::string_view kClose = ")}]>";
    std::vector<std::string> tokens;
    std::string buffer;
    bool have_buffer = false;
    std::string closers;
    size_t end = 0;
    for (size_t pos = 0; pos < s.size();) {
        const size_t space = pytext::space_at(s, pos);
        const size_t length = space > 0 ? space : char_length(s, pos);
        const char c = s[pos];
        if (const size_t k = kOpen.find(c); length == 1 && k != std::string_view::npos) {
            closers.push_back(kClose[k]);
        } else if (!closers.empty() && length == 1 && c == closers.back()) {
            closers.pop_back();
            if (closers.empty()) {
                buffer.append(s.substr(end, pos + 1 - end));
                have_buffer = true;
                end = pos + 1;
            }
        } else if (closers.empty()) {
            if (space > 0) {
                if (have_buffer) {
                    tokens.push_back(std::move(buffer));
                }
                buffer.clear();
                have_buffer = false;
            } else {
                buffer.append(s.substr(end, pos + length - end));
                have_buffer = true;
            }
            end = pos + length;
        }
        pos += length;
    }
    if (have_buffer) {
        tokens.push_back(std::move(buffer));
    }
    return tokens;
}

std::string trim_native(std::string_view input) {
    if (input == "<redacted>" || input == "<unknown>") {
        return std::string(input);
    }
    std::string function(pytext::strip(input));
    if (function.starts_with("[") || function.starts_with("+[") || function.starts_with("-[")) {
        return function;  // Objective-C
    }
    // C++ trailers: `const` and `&` at the end.
    while (true) {
        if (!function.empty() && function.back() == '&') {
            function = std::string(
                pytext::rstrip(std::string_view(function).substr(0, function.size() - 1)));
        } else if (function.ends_with("const") &&
                   (function.size() == 5 || !is_word_byte(function[function.size() - 6]))) {
            function = std::string(
                pytext::rstrip(std::string_view(function).substr(0, function.size() - 5)));
        } else {
            break;
        }
    }
    function = replace_all(std::move(function), "operator<<",
                           "operator" + std::string(kAngle) + std::string(kAngle));
    function = replace_all(std::move(function), "operator<", "operator" + std::string(kAngle));
    function = replace_all(std::move(function), "operator()", "operator" + std::string(kCall));
    function = replace_all(std::move(function), " -> ", " " + std::string(kArrow) + " ");
    function = replace_all(std::move(function), "`anonymous namespace'", kAnonymous);
    function = lambda_re().replace(std::move(function), "lambda");
    static const std::string anonymous_scope = std::string(kAnonymous) + "::";
    function = anonymous_namespace_re().replace(std::move(function), anonymous_scope.c_str());

    function = replace_enclosed(function, '(', ')', [](std::string_view value, size_t) {
        const std::string_view stripped = pytext::strip(value);
        if (stripped == "anonymous namespace" || stripped == "operator") {
            return "(" + std::string(stripped) + ")";
        }
        return std::string();
    });
    function = replace_enclosed(function, '<', '>', process_generics);

    std::vector<std::string> tokens = split_tokens(function);
    // MSVC puts a space between an operator's name and its generics.
    if (tokens.size() > 1 && tokens.back() == "<T>") {
        tokens.pop_back();
        tokens.back() += " <T>";
    }
    std::optional<std::string> token;
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] == kArrow) {
            token = tokens[i == 0 ? tokens.size() - 1 : i - 1];
            break;
        }
    }
    if (!token && !tokens.empty()) {
        token = tokens.back();
    }
    if (token && !token->empty()) {
        function = replace_all(std::move(*token), kAngle, "<");
        function = replace_all(std::move(function), kCall, "()");
        function = replace_all(std::move(function), " " + std::string(kArrow) + " ", " -> ");
        function = replace_all(std::move(function), kAnonymous, "`anonymous namespace'");
    } else {
        function = std::string(input);
    }

    // Rust hashes: ::h<16 [a-z0-9]> at the end.
    if (function.size() >= 19) {
        const std::string_view tail = std::string_view(function).substr(function.size() - 19);
        bool hash = tail.starts_with("::h");
        for (size_t i = 3; hash && i < tail.size(); ++i) {
            hash = (tail[i] >= 'a' && tail[i] <= 'z') || (tail[i] >= '0' && tail[i] <= '9');
        }
        if (hash) {
            function.resize(function.size() - 19);
        }
    }
    // Windows decorations: ^@?(.*?)@[0-9]+$ -> \1
    if (const size_t at = function.rfind('@');
        at != std::string::npos && at + 1 < function.size()) {
        bool digits = true;
        for (size_t i = at + 1; i < function.size(); ++i) {
            digits = digits && function[i] >= '0' && function[i] <= '9';
        }
        if (digits) {
            const size_t from = (function[0] == '@' && at >= 1) ? 1 : 0;
            function = function.substr(from, at - from);
        }
    }
    return function;
}

}  // namespace

std::string trim_function_name(std::string_view function, std::string_view platform) {
    if (platform == "csharp") {
        return std::string(function.substr(0, function.find(" (")));
    }
    if (behavior_family(platform) == "native") {
        return trim_native(function);
    }
    return std::string(function);
}

std::optional<std::string> function_name_for_frame(const json::Value& frame,
                                                   std::string_view event_platform) {
    const auto string_field = [&](std::string_view key) -> std::optional<std::string_view> {
        const json::Value* value = frame.find(key);
        return value != nullptr ? value->as_string() : std::nullopt;
    };
    const std::optional<std::string_view> function = string_field("function");
    if (const auto raw = string_field("raw_function"); raw && !raw->empty()) {
        return function ? std::optional<std::string>(std::string(*function)) : std::nullopt;
    }
    if (!function || function->empty()) {
        return std::nullopt;
    }
    const std::optional<std::string_view> frame_platform = string_field("platform");
    const std::string_view platform =
        frame_platform && !frame_platform->empty() ? *frame_platform : event_platform;
    return trim_function_name(*function, platform);
}

}  // namespace lt
