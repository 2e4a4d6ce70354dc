#include "event/scrub.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "event/meta.h"

namespace lt {

namespace {

constexpr std::string_view kFiltered = "[Filtered]";

enum class Rule {
    password,
    cookies,
    creditcard,
    pemkey,
    urlauth,
    usssn,
    iban,
    userpath,
    sensitive,
    ip_remove,
    ip_replace
};

std::string_view rule_id(Rule rule) {
    switch (rule) {
        case Rule::password:
        case Rule::cookies:
            return "@password:filter";
        case Rule::creditcard:
            return "@creditcard:filter";
        case Rule::pemkey:
            return "@pemkey:filter";
        case Rule::urlauth:
            return "@urlauth:legacy";
        case Rule::usssn:
            return "@usssn:filter";
        case Rule::iban:
            return "@iban:filter";
        case Rule::userpath:
            return "@userpath:filter";
        case Rule::sensitive:
            return "strip-fields";
        case Rule::ip_remove:
            return "@anything:remove";
        case Rule::ip_replace:
            return "@ip:replace";
    }
    return "";
}

size_t& counter(ScrubReport& report, Rule rule) {
    switch (rule) {
        case Rule::password:
            return report.password;
        case Rule::cookies:
            return report.cookies;
        case Rule::creditcard:
            return report.creditcard;
        case Rule::pemkey:
            return report.pemkey;
        case Rule::urlauth:
            return report.urlauth;
        case Rule::usssn:
            return report.usssn;
        case Rule::iban:
            return report.iban;
        case Rule::userpath:
            return report.userpath;
        case Rule::sensitive:
            return report.sensitive_fields;
        case Rule::ip_remove:
            return report.ip_removed;
        case Rule::ip_replace:
            return report.ip_replaced;
    }
    return report.password;
}

struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using Code = std::unique_ptr<pcre2_code, CodeDeleter>;

Code compile(std::string_view pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    Code code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF,
                            &error, &offset, nullptr));
    if (!code) throw std::logic_error("scrub: invalid built-in pattern");
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);  // the interpreter runs when JIT is absent
    return code;
}

// What one pass over a string tells about it, so that most patterns can be skipped without
// running them (event strings are mostly code lines, names and paths).
struct TextTraits {
    size_t digits = 0;
    bool has_upper = false;
    bool has_separator;  // '=' or ':'
    bool has_at;
    bool has_dash;
    bool has_slash;  // '/' or '\\'
    bool has_b;      // 'b' or 'B' (every "Bearer")

    explicit TextTraits(std::string_view text)
        : has_separator(has_any(text, "=:")),
          has_at(has_any(text, "@")),
          has_dash(has_any(text, "-")),
          has_slash(has_any(text, "/\\")),
          has_b(has_any(text, "bB")),
          text_(text) {
        size_t upper = 0;
        for (const char c : text) {  // branch-free: the compiler vectorizes it
            const auto byte = static_cast<unsigned char>(c);
            digits += static_cast<unsigned char>(byte - '0') < 10;
            upper += static_cast<unsigned char>(byte - 'A') < 26;
        }
        has_upper = upper > 0;
    }

    // Whether the text contains `lower_needle` ignoring ASCII case.
    bool contains(std::string_view lower_needle) const {
        if (!lower_) {
            lower_.emplace(text_);
            for (char& c : *lower_) {
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return lower_->find(lower_needle) != std::string::npos;
    }

private:
    static bool has_any(std::string_view text, std::string_view bytes) {
        for (const char byte : bytes) {
            if (std::memchr(text.data(), byte, text.size()) != nullptr) return true;
        }
        return false;
    }

    std::string_view text_;
    mutable std::optional<std::string> lower_;  // made on the first contains()
};

// A rule finding secrets inside strings: the text of capture `group` is replaced. `may_match`
// is a necessary condition of the pattern, checked first.
struct Pattern {
    Rule rule;
    Code code;
    uint32_t group;
    std::string_view replacement;
    bool (*may_match)(const TextTraits&, std::string_view);
};

// In priority order: a match overlapping an earlier pattern's is skipped. None matches "".
const std::vector<Pattern>& default_patterns() {
    static const auto patterns = [] {
        std::vector<Pattern> list;
        list.push_back({Rule::pemkey,
                        compile(R"(-----BEGIN[A-Z ]*PRIVATE KEY-----([\s\S]+?)-----END[A-Z ]*)"
                                R"(PRIVATE KEY-----)"),
                        1, kFiltered, [](const TextTraits& t, std::string_view text) {
                            return t.has_dash && text.find("-----BEGIN") != text.npos;
                        }});
        list.push_back({Rule::urlauth,
                        compile(R"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:([^@/\s]+)@)"), 1,
                        kFiltered, [](const TextTraits& t, std::string_view text) {
                            return t.has_at && text.find("://") != text.npos;
                        }});
        list.push_back({Rule::password, compile(R"((?i)\bBearer\s+[A-Za-z0-9._~+/=-]{8,})"), 0,
                        kFiltered, [](const TextTraits& t, std::string_view) {
                            return t.has_b && t.contains("bearer");
                        }});
        list.push_back(
            {Rule::password,
             compile(R"((?i)(?:password|secret|passwd|api[-_]?key|auth|credentials|mysql_pwd|)"
                     R"(private[-_]?key|token)[\w-]*["']?\s*[=:]\s*)"
                     R"(((?:(?:basic|bearer|digest|token)\s+)?)"
                     R"((?:"[^"]*"|'[^']*'|[^\s&;,"']+)))"),
             1, kFiltered, [](const TextTraits& t, std::string_view) {
                 if (!t.has_separator) return false;
                 for (const std::string_view word : {"pass", "secret", "api", "auth", "credential",
                                                     "mysql", "private", "token"}) {
                     if (t.contains(word)) return true;
                 }
                 return false;
             }});
        list.push_back({Rule::creditcard,
                        compile(R"(\b(?:3[47]\d|4\d{3}|5[1-5]\d\d|65\d\d|6011)(?:[- ]?\d){12}\b)"),
                        0, kFiltered,
                        [](const TextTraits& t, std::string_view) { return t.digits >= 15; }});
        list.push_back(
            {Rule::usssn, compile(R"(\b\d{3}-\d{2}-\d{4}\b)"), 0, kFiltered,
             [](const TextTraits& t, std::string_view) { return t.has_dash && t.digits >= 9; }});
        list.push_back(
            {Rule::iban,
             compile(R"(\b(?:AD|AE|AL|AT|AZ|BA|BE|BG|BH|BR|BY|CH|CR|CY|CZ|DE|DK|DO|EE|EG|ES|)"
                     R"(FI|FO|FR|GB|GE|GI|GL|GR|GT|HR|HU|IE|IL|IQ|IS|IT|JO|KW|KZ|LB|LC|LI|LT|)"
                     R"(LU|LV|MC|MD|ME|MK|MR|MT|MU|NL|NO|PK|PL|PS|PT|QA|RO|RS|SA|SC|SE|SI|SK|)"
                     R"(SM|ST|SV|TL|TN|TR|UA|VA|VG|XK)\d{2}[A-Z0-9]{11,29}\b)"),
             0, kFiltered, [](const TextTraits& t, std::string_view text) {
                 return t.has_upper && t.digits >= 2 && text.size() >= 15;
             }});
        list.push_back({Rule::userpath,
                        compile(R"((?i)(?:/home/|/users/|\b[a-z]:\\users\\|)"
                                R"(\b[a-z]:\\documents and settings\\)([^/\\\s]+))"),
                        1, kFiltered, [](const TextTraits& t, std::string_view) {
                            return t.has_slash && (t.contains("/home/") || t.contains("/users/") ||
                                                   t.contains("\\users\\") ||
                                                   t.contains("documents and settings"));
                        }});
        return list;
    }();
    return patterns;
}

const Pattern& ip_pattern() {
    static const Pattern pattern{
        Rule::ip_replace,
        compile(R"((?i)(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3})"
                R"((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d))"
                R"(|(?<![\w:.])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4})"
                R"(|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?)"
                R"(|::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})(?![\w:]))"),
        0, "[ip]", [](const TextTraits& t, std::string_view text) {
            return t.digits > 0 || text.find(':') != text.npos;
        }};
    return pattern;
}

const pcre2_code* password_key_pattern() {
    static const Code code =
        compile(R"((?i)password|secret|passwd|api[-_]key|apikey|auth|credentials|mysql_pwd|)"
                R"(privatekey|private[-_]key|token|^otp$|^two[-_]factor$)");
    return code.get();
}

constexpr std::array<std::string_view, 23> kSensitiveCookies = {
    "sentrysid",  "sudo",          "su",          "session",    "__session",
    "sessionid",  "user_session",  "symfony",     "phpsessid",  "fasthttpsessionid",
    "mysession",  "irissessionid", "_vercel_jwt", "csrf",       "xsrf",
    "_xsrf",      "_csrf",         "csrf-token",  "csrf_token", "xsrf-token",
    "xsrf_token", "fastcsrf",      "_iris_csrf"};

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

struct Span {
    size_t begin;
    size_t end;
    Rule rule;
    std::string_view replacement;
};

struct Remark {
    Rule rule;
    bool removed;
    size_t begin;  // code points of the new text, for substitutions
    size_t end;
};

// The remarks of one value, keyed by its path from the root.
struct Pending {
    std::vector<std::string> path;
    std::vector<Remark> remarks;
    std::optional<size_t> len;
};

// Object members and [name, value] pairs of these containers get special rules.
enum class Container { other, headers, cookies };

class Scrubber {
public:
    Scrubber(json::Document& document, const ScrubSettings& settings)
        : document_(document),
          settings_(settings),
          defaults_(settings.scrub_data && settings.scrub_defaults),
          match_data_(pcre2_match_data_create(4, nullptr), &pcre2_match_data_free) {
        if (!match_data_) throw std::bad_alloc();
        if (settings.scrub_data) {
            for (const std::string& field : settings.sensitive_fields) {
                if (!field.empty()) sensitive_.push_back(lowercase(field));
            }
        }
    }

    ScrubReport run() {
        json::Value& root = document_.root();
        if (!root.is_object()) return report_;
        if (settings_.scrub_ip_addresses) {
            remove_field({"user", "ip_address"});
            remove_field({"request", "env", "REMOTE_ADDR"});
            remove_field({"sdk", "client_ip"});
        }
        if (defaults_ || !sensitive_.empty() || settings_.scrub_ip_addresses) visit(root);
        write_meta();
        return report_;
    }

private:
    void remove_field(std::vector<std::string> path) {
        json::Value* parent = &document_.root();
        for (size_t i = 0; i + 1 < path.size(); ++i) {
            parent = parent->find(path[i]);
            if (parent == nullptr || !parent->is_object()) return;
        }
        const json::Value* value = parent->find(path.back());
        if (value == nullptr || value->is_null()) return;
        parent->erase(path.back());
        ++report_.ip_removed;
        pending_.push_back({std::move(path), {{Rule::ip_remove, true, 0, 0}}, std::nullopt});
    }

    bool path_is(std::initializer_list<std::string_view> expected) const {
        return std::equal(path_.begin(), path_.end(), expected.begin(), expected.end());
    }

    // The never-scrubbed fields.
    bool excluded() const {
        const size_t n = path_.size();
        if (n == 0) return false;
        if (path_[0] == "debug_meta" || path_[0] == "modules" || path_[0] == "_meta") return true;
        if (n >= 3 && path_[n - 3] == "frames" &&
            (path_[n - 1] == "filename" || path_[n - 1] == "abs_path")) {
            return true;
        }
        if (path_is({"logentry", "formatted"})) return true;
        return n == 4 && path_[0] == "exception" && path_[1] == "values" && path_[3] == "value";
    }

    Container container() const {
        if (path_is({"request", "headers"})) return Container::headers;
        if (path_is({"request", "cookies"})) return Container::cookies;
        return Container::other;
    }

    bool safe(std::string_view key) const {
        return std::any_of(settings_.safe_fields.begin(), settings_.safe_fields.end(),
                           [&](const std::string& field) { return iequals(field, key); });
    }

    // The rule filtering the whole value of member `key`, if any.
    std::optional<Rule> key_rule(std::string_view key, Container in) const {
        if (!sensitive_.empty()) {
            const std::string lower = lowercase(key);
            for (const std::string& field : sensitive_) {
                if (lower.find(field) != std::string::npos) return Rule::sensitive;
            }
        }
        if (!defaults_) return std::nullopt;
        if (in == Container::cookies &&
            std::any_of(kSensitiveCookies.begin(), kSensitiveCookies.end(),
                        [&](std::string_view name) { return iequals(name, key); })) {
            return Rule::cookies;
        }
        if (in == Container::headers && (iequals(key, "cookie") || iequals(key, "set-cookie"))) {
            return Rule::password;
        }
        const int rc = pcre2_match(password_key_pattern(), reinterpret_cast<PCRE2_SPTR>(key.data()),
                                   key.size(), 0, PCRE2_NO_UTF_CHECK, match_data_.get(), nullptr);
        if (rc >= 0) return Rule::password;
        return std::nullopt;
    }

    // `child` is the value of member `key` of a `in` container; path_ ends at `child`.
    void visit_member(json::Value& child, std::string_view key, Container in) {
        if (safe(key)) return;
        if (in == Container::headers && iequals(key, "user-agent")) return;
        if (excluded()) return;
        if (const std::optional<Rule> rule = key_rule(key, in)) {
            filter_whole(child, *rule);
            return;
        }
        visit(child);
    }

    // Every never-scrubbed field is an object member, which visit_member() skips.
    void visit(json::Value& value) {
        if (value.is_object()) {
            const Container in = container();
            for (auto& [key, child] : value.members()) {
                path_.emplace_back(key);
                visit_member(child, key, in);
                path_.pop_back();
            }
        } else if (value.is_array()) {
            const Container in = container();
            size_t index = 0;
            for (json::Value& element : value.elements()) {
                path_.push_back(std::to_string(index++));
                const auto pair = element.elements();
                if (in != Container::other && element.is_array() && pair.size() == 2 &&
                    pair[0].is_string()) {
                    path_.emplace_back("1");
                    visit_member(pair[1], *pair[0].as_string(), in);
                    path_.pop_back();
                } else {
                    visit(element);
                }
                path_.pop_back();
            }
        } else if (value.is_string()) {
            scrub_string(value, *value.as_string());
        } else if (defaults_ && (value.is_int64() || value.is_uint64())) {
            const std::string digits = value.is_int64() ? std::to_string(*value.as_int64())
                                                        : std::to_string(*value.as_uint64());
            std::vector<Span> spans;
            const TextTraits traits(digits);
            for (const Pattern& pattern : default_patterns()) {
                if (pattern.may_match(traits, digits)) find_spans(pattern, digits, spans);
            }
            if (!spans.empty()) filter_whole(value, spans.front().rule);
        }
    }

    void filter_whole(json::Value& value, Rule rule) {
        std::optional<size_t> len;
        if (value.is_null() || value.is_bool()) return;
        if (const auto text = value.as_string()) {
            if (*text == kFiltered) return;
            len = code_points(*text);
        }
        value = document_.make_string(kFiltered);
        ++counter(report_, rule);
        pending_.push_back({path_, {{rule, false, 0, kFiltered.size()}}, len});
    }

    void find_spans(const Pattern& pattern, std::string_view text, std::vector<Span>& spans) {
        size_t offset = 0;
        while (offset < text.size()) {
            const int rc =
                pcre2_match(pattern.code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()),
                            text.size(), offset, PCRE2_NO_UTF_CHECK, match_data_.get(), nullptr);
            if (rc < 0) return;  // no match, or a match limit hit: leave the rest
            const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data_.get());
            const PCRE2_SIZE begin = ovector[2 * pattern.group];
            const PCRE2_SIZE end = ovector[2 * pattern.group + 1];
            offset = ovector[1];
            if (static_cast<uint32_t>(rc) <= pattern.group || begin == PCRE2_UNSET ||
                begin == end) {
                continue;
            }
            const bool overlaps = std::any_of(spans.begin(), spans.end(), [&](const Span& span) {
                return begin < span.end && span.begin < end;
            });
            if (!overlaps) spans.push_back({begin, end, pattern.rule, pattern.replacement});
        }
    }

    // The spans of "name=value" cookies in a raw Cookie string whose name is sensitive.
    void find_cookie_spans(std::string_view text, std::vector<Span>& spans) const {
        size_t start = 0;
        while (start < text.size()) {
            size_t stop = text.find(';', start);
            if (stop == std::string_view::npos) stop = text.size();
            const size_t equals = text.find('=', start);
            if (equals < stop) {
                std::string_view name = text.substr(start, equals - start);
                while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
                while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
                const std::optional<Rule> rule = key_rule(name, Container::cookies);
                if (rule && stop > equals + 1) {
                    spans.push_back({equals + 1, stop, *rule, kFiltered});
                }
            }
            start = stop + 1;
        }
    }

    void scrub_string(json::Value& value, std::string_view text) {
        std::vector<Span> spans;
        if (defaults_ && path_is({"request", "cookies"})) find_cookie_spans(text, spans);
        if (defaults_ || settings_.scrub_ip_addresses) {
            const TextTraits traits(text);
            if (defaults_) {
                for (const Pattern& pattern : default_patterns()) {
                    if (pattern.may_match(traits, text)) find_spans(pattern, text, spans);
                }
            }
            if (settings_.scrub_ip_addresses && ip_pattern().may_match(traits, text)) {
                find_spans(ip_pattern(), text, spans);
            }
        }
        if (spans.empty()) return;
        std::sort(spans.begin(), spans.end(),
                  [](const Span& a, const Span& b) { return a.begin < b.begin; });
        std::string out;
        Pending pending{path_, {}, code_points(text)};
        size_t position = 0;
        size_t written = 0;  // code points in `out`
        for (const Span& span : spans) {
            const std::string_view kept = text.substr(position, span.begin - position);
            out += kept;
            written += code_points(kept);
            out += span.replacement;
            const size_t begin = written;
            written += code_points(span.replacement);
            pending.remarks.push_back({span.rule, false, begin, written});
            ++counter(report_, span.rule);
            position = span.end;
        }
        out += text.substr(position);
        value = document_.make_string(out);
        pending_.push_back(std::move(pending));
    }

    void write_meta() {
        if (pending_.empty()) return;
        for (const Pending& pending : pending_) {
            json::Value& entry = meta_entry(document_, pending.path);
            for (const Remark& remark : pending.remarks) {
                add_remark(document_, entry, rule_id(remark.rule), remark.removed ? "x" : "s",
                           remark.removed ? std::nullopt
                                          : std::optional(std::pair(remark.begin, remark.end)));
            }
            if (pending.len) set_original_length(document_, entry, *pending.len);
        }
    }

    json::Document& document_;
    const ScrubSettings& settings_;
    const bool defaults_;
    std::vector<std::string> sensitive_;  // lowercased, non-empty
    std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> match_data_;
    std::vector<std::string> path_;  // of the value being visited
    std::vector<Pending> pending_;
    ScrubReport report_;
};

}  // namespace

ScrubReport scrub_event(json::Document& event, const ScrubSettings& settings) {
    return Scrubber(event, settings).run();
}

}  // namespace lt
