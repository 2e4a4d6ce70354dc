#include "grouping/fingerprint_rules.h"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

#include "core/python_text.h"
#include "core/text.h"
#include "grouping/behavior_family.h"
#include "grouping/function_name.h"
#include "grouping/glob.h"

namespace lt {
namespace {

using json::elements;
using json::field;
using json::Value;

// --- rules ------------------------------------------------------------------------------------

enum class Field {
    type,
    value,
    module,
    path,
    package,
    function,
    message,
    logger,
    level,
    family,
    app,
    sdk,
    release,
    tag,
};

// The part of the event a matcher looks at; matchers of one kind must hold for the same item.
enum class Source { toplevel, log_info, exceptions, tags, sdk, family, release, frames };

Source source_of(Field field) {
    switch (field) {
        case Field::message:
            return Source::toplevel;
        case Field::logger:
        case Field::level:
            return Source::log_info;
        case Field::type:
        case Field::value:
            return Source::exceptions;
        case Field::tag:
            return Source::tags;
        case Field::sdk:
            return Source::sdk;
        case Field::family:
            return Source::family;
        case Field::release:
            return Source::release;
        default:
            return Source::frames;
    }
}

struct KeyName {
    std::string_view written;
    Field field;
    std::string_view name;  // as Sentry stores and prints it
};

constexpr std::array<KeyName, 19> kKeys = {{
    {"error.type", Field::type, "type"},
    {"error.value", Field::value, "value"},
    {"stack.module", Field::module, "module"},
    {"stack.abs_path", Field::path, "path"},
    {"stack.package", Field::package, "package"},
    {"stack.function", Field::function, "function"},
    {"message", Field::message, "message"},
    {"logger", Field::logger, "logger"},
    {"level", Field::level, "level"},
    {"type", Field::type, "type"},
    {"value", Field::value, "value"},
    {"module", Field::module, "module"},
    {"path", Field::path, "path"},
    {"package", Field::package, "package"},
    {"function", Field::function, "function"},
    {"family", Field::family, "family"},
    {"app", Field::app, "app"},
    {"sdk", Field::sdk, "sdk"},
    {"release", Field::release, "release"},
}};

struct Matcher {
    Field field = Field::type;
    std::string key;  // "type", "path", "tags.server_name", ...
    std::string pattern;
    bool negated = false;
    std::optional<Glob> glob;        // glob fields; nullopt also for a pattern globset rejects
    std::vector<std::string> flags;  // family, sdk
    std::optional<bool> app;         // app: the in_app value asked for, nullopt if unreadable
};

struct Rule {
    std::vector<Matcher> matchers;
    std::vector<std::string> fingerprint;
    std::optional<std::string> title;
    std::string text;
};

bool is_path_field(Field field) {
    return field == Field::path || field == Field::package || field == Field::release;
}

Matcher make_matcher(Field field, std::string key, std::string pattern, bool negated) {
    Matcher matcher{field, std::move(key), std::move(pattern), negated, std::nullopt, {}, {}};
    switch (field) {
        case Field::family:
        case Field::sdk: {
            std::string_view rest = matcher.pattern;
            while (true) {
                const size_t comma = rest.find(',');
                matcher.flags.emplace_back(rest.substr(0, comma));
                if (comma == std::string_view::npos) {
                    break;
                }
                rest.remove_prefix(comma + 1);
            }
            break;
        }
        case Field::app: {
            std::string lowered = matcher.pattern;
            std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](char c) {
                return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
            });
            if (lowered == "1" || lowered == "yes" || lowered == "true") {
                matcher.app = true;
            } else if (lowered == "0" || lowered == "no" || lowered == "false") {
                matcher.app = false;
            }
            break;
        }
        default: {
            GlobOptions options;
            if (is_path_field(field)) {
                options = GlobOptions{true, true, true};
            } else if (field == Field::message || field == Field::level || field == Field::value) {
                options.case_insensitive = true;
            }
            matcher.glob = Glob::compile(matcher.pattern, options);
        }
    }
    return matcher;
}

// --- Python string helpers ------------------------------------------------------------------

void append_utf8(std::string& out, uint32_t code) {
    if (code >= 0xD800 && code <= 0xDFFF) {
        code = 0xFFFD;  // a lone surrogate has no UTF-8 form
    }
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Sentry's unescape_string: the text is encoded to ASCII with backslashreplace, then decoded with
// Python's unicode_escape, invalid escapes kept as written.
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t pos = 0; pos < s.size();) {
        if (s[pos] != '\\') {
            out += s[pos++];
            continue;
        }
        if (pos + 1 >= s.size()) {
            out += '\\';  // a trailing backslash
            ++pos;
            continue;
        }
        const char c = s[pos + 1];
        if (static_cast<unsigned char>(c) >= 0x80) {
            // The character after the backslash was itself escaped by backslashreplace, so
            // the backslash escapes that escape's first letter: `\é` reads as `\xe9`.
            const size_t length = char_length(s, pos + 1);
            const char32_t code = code_point_at(s, pos + 1, length);
            static constexpr std::string_view kHex = "0123456789abcdef";
            const int digits = code <= 0xFF ? 2 : code <= 0xFFFF ? 4 : 8;
            out += '\\';
            out += code <= 0xFF ? 'x' : code <= 0xFFFF ? 'u' : 'U';
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
                out += kHex[(code >> shift) & 0xF];
            }
            pos += 1 + length;
            continue;
        }
        size_t next = pos + 2;
        switch (c) {
            case '\n':
                break;  // line continuation
            case '\\':
            case '\'':
            case '"':
                out += c;
                break;
            case 'a':
                out += '\a';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'v':
                out += '\v';
                break;
            case 'x':
            case 'u':
            case 'U': {
                const size_t count = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                uint32_t code = 0;
                size_t read = 0;
                while (read < count && next < s.size() && hex_digit(s[next]) >= 0) {
                    code = code * 16 + static_cast<uint32_t>(hex_digit(s[next]));
                    ++next;
                    ++read;
                }
                if (read < count || code > 0x10FFFF) {
                    out.append(s.substr(pos, next - pos));  // invalid: kept as written
                } else {
                    append_utf8(out, code);
                }
                break;
            }
            default:
                if (c >= '0' && c <= '7') {
                    uint32_t code = static_cast<uint32_t>(c - '0');
                    for (int i = 0; i < 2 && next < s.size() && s[next] >= '0' && s[next] <= '7';
                         ++i) {
                        code = code * 8 + static_cast<uint32_t>(s[next++] - '0');
                    }
                    append_utf8(out, code);
                } else {
                    // Unknown escapes (and \N{...}, whose names are not resolved here) stay.
                    out += '\\';
                    out += c;
                }
        }
        pos = next;
    }
    return out;
}

bool is_default_variable(std::string_view entry) {
    const auto match = pytext::match_variable(entry, 0);
    return match && match->first == entry.size() && match->second == "default";
}

// --- parser -----------------------------------------------------------------------------------

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

struct Diagnostic {
    size_t pos = 0;
    std::string message;
};

class RulesParser {
public:
    explicit RulesParser(std::string_view text) : t_(text) {}

    std::variant<std::vector<Rule>, FingerprintRulesError> run() {
        std::vector<Rule> rules;
        size_t pos = 0;
        bool open_rule = false;  // a rule ended and no newline followed it yet
        std::optional<Diagnostic> failure;
        while (true) {
            size_t p = spaces(pos);
            bool rule_here = false;
            failure.reset();
            if (p < t_.size() && t_[p] == '#') {
                while (p < t_.size() && t_[p] != '\r' && t_[p] != '\n') {
                    ++p;
                }
            } else if (auto rule = parse_rule(p, failure)) {
                rules.push_back(std::move(rule->first));
                p = rule->second;
                rule_here = true;
            }
            const bool newline = p < t_.size() && (t_[p] == '\r' || t_[p] == '\n');
            if (newline) {
                ++p;
            }
            if (p == pos) {
                break;
            }
            open_rule = (open_rule || rule_here) && !newline;
            pos = p;
        }
        if (pos != t_.size()) {
            Diagnostic diagnostic = failure.value_or(Diagnostic{pos, "invalid syntax"});
            if (open_rule) {
                diagnostic = Diagnostic{pos, "unexpected text after the fingerprint"};
            }
            return error_at(diagnostic.pos, diagnostic.message);
        }
        if (semantic_) {
            return *semantic_;
        }
        return rules;
    }

private:
    size_t spaces(size_t p) const {
        while (p < t_.size() && t_[p] == ' ') {
            ++p;
        }
        return p;
    }

    size_t line_of(size_t pos) const {
        return 1 + static_cast<size_t>(
                       std::count(t_.begin(), t_.begin() + static_cast<long>(pos), '\n'));
    }

    FingerprintRulesError error_at(size_t pos, std::string_view what) const {
        const size_t line_start = t_.rfind('\n', pos == 0 ? 0 : pos - 1);
        const size_t from = (line_start == std::string_view::npos || pos == 0) ? 0 : line_start + 1;
        size_t column = 1;
        for (size_t i = from; i < pos; i += char_length(t_, i)) {
            ++column;
        }
        std::string near;
        for (size_t i = pos; i < t_.size() && near.size() < 30 && t_[i] != '\n' && t_[i] != '\r';) {
            const size_t length = char_length(t_, i);
            near.append(t_.substr(i, length));
            i += length;
        }
        std::string message = std::string(what) + " (column " + std::to_string(column) + ")";
        if (!near.empty()) {
            message += " near \"" + near + "\"";
        }
        return FingerprintRulesError{line_of(pos), std::move(message)};
    }

    void semantic_error(size_t pos, std::string message) {
        if (!semantic_) {
            semantic_ = FingerprintRulesError{line_of(pos), std::move(message)};
        }
    }

    // key = [a-zA-Z0-9_.-]+
    size_t key_end(size_t p) const {
        while (p < t_.size() && is_key_char(t_[p])) {
            ++p;
        }
        return p;
    }

    // quoted = "([^"\\]*(?:\\.[^"\\]*)*)" -- may span lines; `.` is any character but \n.
    std::optional<size_t> quoted_end(size_t p) const {
        if (p >= t_.size() || t_[p] != '"') {
            return std::nullopt;
        }
        for (size_t q = p + 1; q < t_.size();) {
            if (t_[q] == '"') {
                return q + 1;
            }
            if (t_[q] == '\\') {
                if (q + 1 >= t_.size() || t_[q + 1] == '\n') {
                    return std::nullopt;
                }
                q += 1 + char_length(t_, q + 1);
            } else {
                ++q;
            }
        }
        return std::nullopt;
    }

    // \S+
    size_t non_space_end(size_t p) const {
        while (p < t_.size() && pytext::space_at(t_, p) == 0) {
            p += char_length(t_, p);
        }
        return p;
    }

    enum class MatcherStatus { ok, no_key, no_colon, no_argument };

    struct ParsedMatcher {
        MatcherStatus status = MatcherStatus::no_key;
        size_t end = 0;
        size_t key_pos = 0;
        std::string key;
        std::string pattern;
        bool negated = false;
    };

    // matcher = _ negation? (key / quoted_key) ":" (quoted / unquoted)
    ParsedMatcher parse_matcher(size_t p) const {
        ParsedMatcher m;
        size_t q = spaces(p);
        if (q < t_.size() && t_[q] == '!') {
            m.negated = true;
            ++q;
        }
        m.key_pos = q;
        if (const size_t end = key_end(q); end > q) {
            m.key = std::string(t_.substr(q, end - q));
            q = end;
        } else if (q < t_.size() && t_[q] == '"') {
            size_t close = q + 1;
            while (close < t_.size() && (is_key_char(t_[close]) || t_[close] == ':')) {
                ++close;
            }
            if (close == q + 1 || close >= t_.size() || t_[close] != '"') {
                m.end = q;
                return m;
            }
            m.key = std::string(t_.substr(q + 1, close - q - 1));
            q = close + 1;
        } else {
            m.end = q;
            return m;
        }
        if (q >= t_.size() || t_[q] != ':') {
            m.status = MatcherStatus::no_colon;
            m.end = q;
            return m;
        }
        ++q;
        if (const auto quoted = quoted_end(q)) {
            m.pattern = unescape(t_.substr(q + 1, *quoted - q - 2));
            q = *quoted;
        } else if (const size_t bare = non_space_end(q); bare > q) {
            m.pattern = std::string(t_.substr(q, bare - q));
            q = bare;
        } else {
            m.status = MatcherStatus::no_argument;
            m.end = q;
            return m;
        }
        m.status = MatcherStatus::ok;
        m.end = q;
        return m;
    }

    // fp_argument = key "=" quoted / quoted / unquoted_no_comma
    struct Argument {
        size_t end = 0;
        std::optional<std::string> attribute;  // the key of key="value"
        std::string text;
    };

    std::optional<Argument> parse_argument(size_t p) const {
        if (const size_t end = key_end(p); end > p && end < t_.size() && t_[end] == '=') {
            if (const auto quoted = quoted_end(end + 1)) {
                return Argument{*quoted, std::string(t_.substr(p, end - p)),
                                unescape(t_.substr(end + 2, *quoted - end - 3))};
            }
        }
        if (const auto quoted = quoted_end(p)) {
            return Argument{*quoted, std::nullopt, unescape(t_.substr(p + 1, *quoted - p - 2))};
        }
        // unquoted_no_comma = (?:\{\{\s*\S+\s*\}\})|(?:[^\s\{,]+)
        if (const auto variable = pytext::match_variable(t_, p)) {
            return Argument{variable->first, std::nullopt,
                            std::string(t_.substr(p, variable->first - p))};
        }
        size_t q = p;
        while (q < t_.size() && pytext::space_at(t_, q) == 0 && t_[q] != '{' && t_[q] != ',') {
            q += char_length(t_, q);
        }
        if (q == p) {
            return std::nullopt;
        }
        return Argument{q, std::nullopt, std::string(t_.substr(p, q - p))};
    }

    // rule = _ matchers _ "->" _ fingerprint; returns the rule and where it ends.
    std::optional<std::pair<Rule, size_t>> parse_rule(size_t p,
                                                      std::optional<Diagnostic>& failure) {
        std::vector<ParsedMatcher> parsed;
        size_t q = spaces(p);
        while (true) {
            ParsedMatcher m = parse_matcher(q);
            if (m.status != MatcherStatus::ok) {
                if (m.status == MatcherStatus::no_argument) {
                    failure = Diagnostic{m.end, "expected a value after '" + m.key + ":'"};
                } else if (parsed.empty()) {
                    failure = Diagnostic{spaces(q), "expected a matcher (key:value)"};
                } else {
                    failure = Diagnostic{spaces(q), "expected '->'"};
                }
                break;
            }
            q = m.end;
            parsed.push_back(std::move(m));
        }
        if (parsed.empty()) {
            return std::nullopt;
        }
        q = spaces(q);
        if (t_.substr(q, 2) != "->") {
            if (failure && failure->message.starts_with("expected a value")) {
                return std::nullopt;
            }
            failure = Diagnostic{q, "expected '->'"};
            return std::nullopt;
        }
        const size_t arrow = q;
        q += 2;
        Rule rule;
        bool any = false;
        std::vector<std::pair<std::string, size_t>> unknown_attributes;
        while (true) {
            const size_t r = spaces(q);
            std::optional<Argument> argument = parse_argument(r);
            if (!argument) {
                break;
            }
            any = true;
            if (argument->attribute) {
                if (*argument->attribute == "title") {
                    rule.title = std::move(argument->text);
                } else {
                    unknown_attributes.emplace_back(*argument->attribute, r);
                }
            } else if (is_default_variable(argument->text)) {
                rule.fingerprint.emplace_back("{{ default }}");
            } else {
                rule.fingerprint.push_back(std::move(argument->text));
            }
            q = spaces(argument->end);
            if (q < t_.size() && t_[q] == ',') {
                ++q;
            }
        }
        if (!any) {
            failure = Diagnostic{spaces(arrow + 2), "expected a fingerprint after '->'"};
            return std::nullopt;
        }

        // Interpretation (Sentry's visitor, after the whole text parsed).
        for (ParsedMatcher& m : parsed) {
            std::optional<Field> field;
            std::string name;
            if (m.key.starts_with("tags.")) {
                field = Field::tag;
                name = m.key;
            } else {
                for (const KeyName& key : kKeys) {
                    if (key.written == m.key) {
                        field = key.field;
                        name = std::string(key.name);
                    }
                }
            }
            if (!field) {
                semantic_error(m.key_pos, "unknown matcher '" + m.key + "'");
                continue;
            }
            rule.matchers.push_back(
                make_matcher(*field, std::move(name), std::move(m.pattern), m.negated));
        }
        for (const auto& [attribute, at] : unknown_attributes) {
            semantic_error(at, "unknown attribute '" + attribute + "'");
        }

        std::string text;
        for (const Matcher& matcher : rule.matchers) {
            if (!text.empty()) {
                text += ' ';
            }
            text += (matcher.negated ? "!" : "") + matcher.key + ":\"" + matcher.pattern + "\"";
        }
        text += " -> \"";
        for (const std::string& entry : rule.fingerprint) {
            text += entry;
        }
        text += "\" ";
        if (rule.title) {
            text += "title=\"" + *rule.title + "\"";
        }
        rule.text = std::string(pytext::rstrip(text));
        return std::make_pair(std::move(rule), q);
    }

    std::string_view t_;
    std::optional<FingerprintRulesError> semantic_;
};

// --- event data (Sentry's EventDatastore) -----------------------------------------------------

using Text = std::optional<std::string>;

Text string_of(const Value* value) {
    if (value == nullptr) {
        return std::nullopt;
    }
    const std::optional<std::string_view> s = value->as_string();
    return s ? Text(std::string(*s)) : std::nullopt;
}

// `x.strip() if x else None`
Text stripped(const Value* value) {
    Text s = string_of(value);
    if (!s || s->empty()) {
        return std::nullopt;
    }
    return std::string(pytext::strip(*s));
}

// Sentry's normalize_sdk_tag (sentry.utils.tag_normalization).
std::string normalize_sdk_tag(std::string_view name) {
    static constexpr std::array<std::string_view, 41> kKnown = {
        "sentry.cocoa",
        "sentry.dart",
        "sentry.dotnet",
        "sentry.elixir",
        "sentry.go",
        "sentry.java",
        "sentry.javascript.angular",
        "sentry.javascript.browser",
        "sentry.javascript.capacitor",
        "sentry.javascript.cordova",
        "sentry.javascript.deno",
        "sentry.javascript.electron",
        "sentry.javascript.ember",
        "sentry.javascript.gatsby",
        "sentry.javascript.miniapp",
        "sentry.javascript.nextjs",
        "sentry.javascript.node",
        "sentry.javascript.node.experimental",
        "sentry.javascript.node.hapi",
        "sentry.javascript.raycast",
        "sentry.javascript.react",
        "sentry.javascript.react.native",
        "sentry.javascript.remix",
        "sentry.javascript.serverless",
        "sentry.javascript.sfcc",
        "sentry.javascript.svelte",
        "sentry.javascript.sveltekit",
        "sentry.javascript.vue",
        "sentry.kubernetes",
        "sentry.lua",
        "sentry.native.android",
        "sentry.native.dotnet",
        "sentry.native.unity",
        "sentry.native.unreal",
        "sentry.objc",
        "sentry.perl",
        "sentry.php",
        "sentry.python",
        "sentry.ruby",
        "sentry.rust",
        "sentry.swift",
    };
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kSynonyms = {{
        {"sentry.android", "sentry.native.android"},
        {"sentry.cordova", "sentery.javascript.cordova"},  // sic: Sentry maps it to "other"
        {"sentry.electron", "sentry.javascript.electron"},
        {"sentry.javascript.angular.ivy", "sentry.javascript.angular"},
        {"sentry.javascript.react.expo", "sentry.javascript.react"},
        {"sentry.javascript.react.native.expo", "sentry.javascript.react.native"},
        {"sentry.laravel", "sentry.php.laravel"},
        {"sentry.react", "sentry.javascript.react"},
        {"sentry.symfony", "sentry.php.symfony"},
        {"sentry.unity", "sentry.native.unity"},
        {"sentrydotnet", "sentry.dotnet"},
    }};
    if (!name.starts_with("sentry")) {
        return "other";
    }
    // [\W_]+ -> "."
    std::string tag;
    bool in_run = false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const bool word =
            u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
        if (word) {
            tag += c;
            in_run = false;
        } else if (!in_run) {
            tag += '.';
            in_run = true;
        }
    }
    for (const auto& [from, to] : kSynonyms) {
        if (tag == from) {
            tag = std::string(to);
            break;
        }
    }
    if (!tag.starts_with("sentry.")) {
        return "other";
    }
    const auto first_parts = [&](size_t count) {
        size_t pos = 0;
        for (size_t i = 0; i < count; ++i) {
            pos = tag.find('.', pos);
            if (pos == std::string::npos) {
                return tag;
            }
            ++pos;
        }
        return tag.substr(0, pos - 1);
    };
    const size_t second_end = tag.find('.', 7);
    const std::string_view second = std::string_view(tag).substr(7, second_end - 7);
    if (second != "javascript" && second != "native") {
        tag = first_parts(2);
    }
    if (second == "native") {
        tag = first_parts(3);
    }
    if (std::find(kKnown.begin(), kKnown.end(), tag) == kKnown.end()) {
        return "other";
    }
    return tag;
}

struct ExceptionInfo {
    Text type;
    Text value;
};

struct FrameInfo {
    std::string function;
    Text abs_path;
    Text filename;
    Text module;
    Text package;
    std::optional<bool> app;
};

struct TopLevelInfo {
    Text message;
    Text value;
};

struct LogInfo {
    Text logger;
    Text level;
};

// The values rules look at, each computed on first use.
class EventData {
public:
    explicit EventData(const Value& event) : event_(event) {}

    const std::vector<ExceptionInfo>& exceptions() {
        if (!exceptions_) {
            exceptions_.emplace();
            for (const Value& exception : elements(field(field(&event_, "exception"), "values"))) {
                if (exception.is_object()) {
                    exceptions_->push_back(ExceptionInfo{string_of(exception.find("type")),
                                                         stripped(exception.find("value"))});
                }
            }
        }
        return *exceptions_;
    }

    const std::vector<TopLevelInfo>& toplevel() {
        if (!toplevel_) {
            toplevel_.emplace();
            if (Text message = stripped(field(field(&event_, "logentry"), "formatted"))) {
                toplevel_->push_back(TopLevelInfo{std::move(message), std::nullopt});
            }
            for (const ExceptionInfo& exception : exceptions()) {
                toplevel_->push_back(TopLevelInfo{std::nullopt, exception.value});
            }
        }
        return *toplevel_;
    }

    const std::vector<LogInfo>& log_info() {
        if (!log_info_) {
            log_info_.emplace();
            LogInfo info;
            if (Text logger = string_of(event_.find("logger")); logger && !logger->empty()) {
                info.logger = std::move(logger);
            }
            if (Text level = string_of(event_.find("level")); level && !level->empty()) {
                info.level = std::move(level);
            }
            if (info.logger || info.level) {
                log_info_->push_back(std::move(info));
            }
        }
        return *log_info_;
    }

    const std::vector<FrameInfo>& frames() {
        if (!frames_) {
            frames_.emplace();
            const Value* platform_value = event_.find("platform");
            const std::string_view platform =
                platform_value != nullptr ? platform_value->as_string().value_or("") : "";
            for (const Value* frame : stack_frames()) {
                if (!frame->is_object()) {
                    continue;
                }
                FrameInfo info;
                info.function = function_name_for_frame(*frame, platform).value_or("");
                if (info.function.empty()) {
                    info.function = "<unknown>";
                }
                info.filename = string_of(frame->find("filename"));
                info.abs_path = string_of(frame->find("abs_path"));
                if (!info.abs_path || info.abs_path->empty()) {
                    info.abs_path = info.filename;
                }
                info.module = string_of(frame->find("module"));
                info.package = string_of(frame->find("package"));
                if (const Value* in_app = frame->find("in_app")) {
                    info.app = in_app->as_bool();
                }
                frames_->push_back(std::move(info));
            }
        }
        return *frames_;
    }

    // tags.NAME -> value (None for a missing or empty one); the last of duplicate keys wins.
    Text tag(std::string_view name) {
        const Value* tags = event_.find("tags");
        Text found;
        if (tags != nullptr && tags->is_array()) {
            for (const Value& pair : tags->elements()) {
                const std::span<const Value> kv = pair.elements();
                if (kv.size() == 2 && kv[0].as_string() == name) {
                    found = stripped(&kv[1]);
                }
            }
        } else if (tags != nullptr && tags->is_object()) {
            for (const auto& [key, value] : tags->members()) {
                if (key == name) {
                    found = stripped(&value);
                }
            }
        }
        return found;
    }

    const std::string& sdk() {
        if (!sdk_) {
            Text name = string_of(field(field(&event_, "sdk"), "name"));
            sdk_ = normalize_sdk_tag(name && !name->empty() ? *name : "other");
        }
        return *sdk_;
    }

    std::string_view family() {
        const Value* platform = event_.find("platform");
        return behavior_family(platform != nullptr ? platform->as_string().value_or("") : "");
    }

    Text release() { return stripped(event_.find("release")); }

private:
    // find_stack_frames: every exception's frames, else event.stacktrace's, else the crashing
    // thread's.
    std::vector<const Value*> stack_frames() const {
        std::vector<const Value*> frames;
        for (const Value& exception : elements(field(field(&event_, "exception"), "values"))) {
            for (const Value& frame : elements(field(field(&exception, "stacktrace"), "frames"))) {
                if (!frame.is_null()) {
                    frames.push_back(&frame);
                }
            }
        }
        if (!frames.empty()) {
            return frames;
        }
        for (const Value& frame : elements(field(field(&event_, "stacktrace"), "frames"))) {
            if (!frame.is_null()) {
                frames.push_back(&frame);
            }
        }
        if (!frames.empty()) {
            return frames;
        }
        std::vector<const Value*> threads;
        for (const Value& thread : elements(field(field(&event_, "threads"), "values"))) {
            if (!thread.is_null()) {
                threads.push_back(&thread);
            }
        }
        const Value* crashing = nullptr;
        if (threads.size() == 1) {
            crashing = threads[0];
        } else {
            for (const std::string_view flag : {"crashed", "current"}) {
                std::vector<const Value*> flagged;
                for (const Value* thread : threads) {
                    const Value* v = field(thread, flag);
                    if (v != nullptr && v->as_bool() == true) {
                        flagged.push_back(thread);
                    }
                }
                if (flagged.size() == 1) {
                    crashing = flagged[0];
                    break;
                }
            }
        }
        for (const Value& frame : elements(field(field(crashing, "stacktrace"), "frames"))) {
            frames.push_back(&frame);
        }
        return frames;
    }

    const Value& event_;
    std::optional<std::vector<ExceptionInfo>> exceptions_;
    std::optional<std::vector<TopLevelInfo>> toplevel_;
    std::optional<std::vector<LogInfo>> log_info_;
    std::optional<std::vector<FrameInfo>> frames_;
    std::optional<std::string> sdk_;
};

bool glob_matches(const Matcher& matcher, const Text& value) {
    return value && matcher.glob && matcher.glob->matches(*value);
}

// _positive_path_match: the value as is, or with a leading '/' when it has none.
bool path_matches(const Matcher& matcher, const Text& value) {
    if (!value || !matcher.glob) {
        return false;
    }
    return matcher.glob->matches(*value) ||
           (!value->starts_with("/") && matcher.glob->matches("/" + *value));
}

bool flag_matches(const Matcher& matcher, std::string_view value) {
    return std::any_of(matcher.flags.begin(), matcher.flags.end(),
                       [&](const std::string& flag) { return flag == "all" || flag == value; });
}

bool positive(const Matcher& m, const ExceptionInfo& e) {
    return glob_matches(m, m.field == Field::type ? e.type : e.value);
}

bool positive(const Matcher& m, const TopLevelInfo& t) {
    return glob_matches(m, t.message) || glob_matches(m, t.value);
}

bool positive(const Matcher& m, const LogInfo& l) {
    return glob_matches(m, m.field == Field::logger ? l.logger : l.level);
}

bool positive(const Matcher& m, const FrameInfo& f) {
    switch (m.field) {
        case Field::path:
            return path_matches(m, f.abs_path) || path_matches(m, f.filename);
        case Field::package:
            return path_matches(m, f.package);
        case Field::module:
            return glob_matches(m, f.module);
        case Field::function:
            return glob_matches(m, f.function);
        case Field::app:
            return f.app && m.app && *f.app == *m.app;
        default:
            return false;
    }
}

template <typename Item>
bool holds(const Matcher& m, const Item& item) {
    return positive(m, item) != m.negated;
}

// Some item of `items` satisfies every matcher.
template <typename Item>
bool any_item(const std::vector<const Matcher*>& matchers, const std::vector<Item>& items) {
    return std::any_of(items.begin(), items.end(), [&](const Item& item) {
        return std::all_of(matchers.begin(), matchers.end(),
                           [&](const Matcher* m) { return holds(*m, item); });
    });
}

template <typename Positive>
bool single_value(const std::vector<const Matcher*>& matchers, const Positive& positive_fn) {
    return std::all_of(matchers.begin(), matchers.end(),
                       [&](const Matcher* m) { return positive_fn(*m) != m->negated; });
}

bool rule_matches(const Rule& rule, EventData& data) {
    std::vector<std::pair<Source, std::vector<const Matcher*>>> groups;
    for (const Matcher& matcher : rule.matchers) {
        const Source source = source_of(matcher.field);
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == source; });
        if (it == groups.end()) {
            it = groups.insert(groups.end(), {source, {}});
        }
        it->second.push_back(&matcher);
    }
    for (const auto& [source, matchers] : groups) {
        bool ok = false;
        switch (source) {
            case Source::toplevel:
                ok = any_item(matchers, data.toplevel());
                break;
            case Source::log_info:
                ok = any_item(matchers, data.log_info());
                break;
            case Source::exceptions:
                ok = any_item(matchers, data.exceptions());
                break;
            case Source::frames:
                ok = any_item(matchers, data.frames());
                break;
            case Source::tags:
                // One item holding every tag.
                ok = single_value(matchers, [&](const Matcher& m) {
                    return glob_matches(m, data.tag(std::string_view(m.key).substr(5)));
                });
                break;
            case Source::sdk:
                ok = single_value(matchers,
                                  [&](const Matcher& m) { return flag_matches(m, data.sdk()); });
                break;
            case Source::family:
                ok = single_value(matchers,
                                  [&](const Matcher& m) { return flag_matches(m, data.family()); });
                break;
            case Source::release:
                ok = single_value(
                    matchers, [&](const Matcher& m) { return path_matches(m, data.release()); });
                break;
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

}  // namespace

struct FingerprintRules::Impl {
    std::vector<Rule> rules;
};

FingerprintRules::FingerprintRules() : impl_(std::make_shared<const Impl>()) {}

FingerprintRules::FingerprintRules(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

size_t FingerprintRules::size() const {
    return impl_->rules.size();
}

std::vector<std::string> FingerprintRules::rule_texts() const {
    std::vector<std::string> texts;
    for (const Rule& rule : impl_->rules) {
        texts.push_back(rule.text);
    }
    return texts;
}

struct FingerprintRulesAccess {
    static const std::vector<Rule>& rules(const FingerprintRules& rules) {
        return rules.impl_->rules;
    }
};

std::variant<FingerprintRules, FingerprintRulesError> parse_fingerprint_rules(
    std::string_view text) {
    auto parsed = RulesParser(text).run();
    if (auto* error = std::get_if<FingerprintRulesError>(&parsed)) {
        return std::move(*error);
    }
    auto impl = std::make_shared<FingerprintRules::Impl>();
    impl->rules = std::move(std::get<std::vector<Rule>>(parsed));
    return FingerprintRules(std::move(impl));
}

std::optional<FingerprintMatch> match_fingerprint_rules(const FingerprintRules& rules,
                                                        const json::Value& event) {
    EventData data(event);
    for (const Rule& rule : FingerprintRulesAccess::rules(rules)) {
        if (rule_matches(rule, data)) {
            return FingerprintMatch{rule.fingerprint, rule.title, rule.text};
        }
    }
    return std::nullopt;
}

}  // namespace lt
