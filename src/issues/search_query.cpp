#include "issues/search_query.h"

#include <charconv>
#include <cstdint>
#include <span>
#include <utility>

#include "core/time.h"

namespace lt {

namespace {

constexpr double kMinute = 60;
constexpr double kDay = 86400;

struct EnumValue {
    std::string_view name;
    std::string_view canonical;
};

// The values an enumerated key accepts.
struct EnumSet {
    std::span<const EnumValue> values;
    std::string_view expected;  // for the error message
};

constexpr EnumValue kLevels[] = {{"fatal", "fatal"}, {"error", "error"}, {"warning", "warning"},
                                 {"info", "info"},   {"debug", "debug"}, {"sample", "sample"}};
constexpr EnumSet kLevelSet{kLevels, "fatal, error, warning, info, debug or sample"};

constexpr EnumValue kPriorities[] = {{"high", "high"}, {"medium", "medium"}, {"low", "low"}};
constexpr EnumSet kPrioritySet{kPriorities, "high, medium or low"};

constexpr EnumValue kStatuses[] = {
    {"unresolved", "unresolved"},
    {"resolved", "resolved"},
    {"ignored", "ignored"},
    {"archived", "ignored"},
    {"muted", "ignored"},
    {"reprocessing", "reprocessing"},
    {"new", "new"},
    {"ongoing", "ongoing"},
    {"regressed", "regressed"},
    {"escalating", "escalating"},
    {"archived_until_escalating", "archived_until_escalating"},
    {"archived_until_condition_met", "archived_until_condition_met"},
    {"archived_forever", "archived_forever"},
    {"assigned", "assigned"},
    {"unassigned", "unassigned"},
    {"for_review", "for_review"},
    {"linked", "linked"},
    {"unlinked", "unlinked"},
};
constexpr EnumSet kStatusSet{
    kStatuses, "a status like unresolved, resolved, ignored, assigned, unassigned or for_review"};

struct KnownKey {
    std::string_view name;  // as written in a query
    std::string_view canonical;
    SearchValueType type;
    const EnumSet* values = nullptr;  // for enumerations
};

constexpr KnownKey kKnownKeys[] = {
    {"level", "level", SearchValueType::enumeration, &kLevelSet},
    {"release", "release", SearchValueType::text},
    {"environment", "environment", SearchValueType::text},
    {"firstRelease", "first_release", SearchValueType::text},
    {"first-release", "first_release", SearchValueType::text},
    {"first_release", "first_release", SearchValueType::text},
    {"user.email", "user.email", SearchValueType::text},
    {"user.id", "user.id", SearchValueType::text},
    {"user.username", "user.username", SearchValueType::text},
    {"user.ip", "user.ip", SearchValueType::text},
    {"assigned", "assigned", SearchValueType::text},
    {"bookmarks", "bookmarks", SearchValueType::text},
    {"times_seen", "times_seen", SearchValueType::number},
    {"timesSeen", "times_seen", SearchValueType::number},
    {"first_seen", "first_seen", SearchValueType::date},
    {"firstSeen", "first_seen", SearchValueType::date},
    {"age", "first_seen", SearchValueType::date},
    {"last_seen", "last_seen", SearchValueType::date},
    {"lastSeen", "last_seen", SearchValueType::date},
    {"event.timestamp", "event.timestamp", SearchValueType::date},
    {"issue.category", "issue.category", SearchValueType::text},
    {"issue.priority", "issue.priority", SearchValueType::enumeration, &kPrioritySet},
    {"error.handled", "error.handled", SearchValueType::boolean},
    {"error.unhandled", "error.unhandled", SearchValueType::boolean},
    {"error.type", "error.type", SearchValueType::text},
    {"error.value", "error.value", SearchValueType::text},
    {"stack.filename", "stack.filename", SearchValueType::text},
    {"stack.function", "stack.function", SearchValueType::text},
    {"message", "message", SearchValueType::text},
    {"transaction", "transaction", SearchValueType::text},
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '.' || c == '-';
}

bool is_tag_key_char(char c) {
    return is_key_char(c) || c == ':';
}

bool is_comparison(SearchOp op) {
    return op == SearchOp::gt || op == SearchOp::ge || op == SearchOp::lt || op == SearchOp::le;
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// `-?digits[.digits]` with an optional k / m / b multiplier, as Sentry's numeric values.
std::optional<double> parse_number(std::string_view text) {
    double scale = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k':
                scale = 1e3;
                break;
            case 'm':
                scale = 1e6;
                break;
            case 'b':
                scale = 1e9;
                break;
            default:
                break;
        }
        if (scale != 1) text.remove_suffix(1);
    }
    size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
    const size_t digits_start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == digits_start) return std::nullopt;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && is_digit(text[i])) ++i;
    }
    if (i != text.size()) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value * scale;
}

struct RelativeTime {
    bool within = false;  // `-N`: within the last N; `+N`: older than N
    double seconds = 0;   // N
};

// `+N<unit>` or `-N<unit>` with unit m h d w.
std::optional<RelativeTime> parse_relative_time(std::string_view text) {
    if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
    double unit = 0;
    switch (text.back()) {
        case 'm':
            unit = kMinute;
            break;
        case 'h':
            unit = 60 * kMinute;
            break;
        case 'd':
            unit = kDay;
            break;
        case 'w':
            unit = 7 * kDay;
            break;
        default:
            return std::nullopt;
    }
    const std::string_view digits = text.substr(1, text.size() - 2);
    uint32_t count = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return RelativeTime{text[0] == '-', count * unit};
}

struct AbsoluteDate {
    double instant = 0;      // seconds since the epoch
    bool whole_day = false;  // written as a date without time
};

// `YYYY-MM-DD` (the start of that UTC day) or an RFC 3339 date-time.
std::optional<AbsoluteDate> parse_absolute_date(std::string_view text) {
    const bool whole_day = text.size() == 10;
    std::optional<double> instant;
    if (whole_day) {
        instant = parse_rfc3339(std::string(text) + "T00:00:00Z");
    } else if (text.size() >= 19 && text[10] == 'T') {
        instant = parse_rfc3339(text);
    }
    if (!instant) return std::nullopt;
    return AbsoluteDate{*instant, whole_day};
}

// A value as read from the query, before its key's type gives it meaning.
struct RawValue {
    std::string pattern;  // `*` a wildcard, `\*` and `\\` a literal `*` and `\`
    bool wildcard = false;
    size_t position = 0;  // where the value starts in the query (its opening quote, if any)
    std::string_view source;

    std::string literal() const {
        std::string out;
        for (size_t i = 0; i < pattern.size(); ++i) {
            if (pattern[i] == '\\') ++i;  // the pattern always escapes backslash and `*`
            out.push_back(pattern[i]);
        }
        return out;
    }
};

struct ParseFailure {
    SearchQueryError error;
};

// The resolved meaning of the key of a term.
struct Key {
    enum class Special { none, is, has };

    std::string_view written;
    std::string canonical;
    SearchKeyKind kind = SearchKeyKind::tag;
    SearchValueType type = SearchValueType::text;
    Special special = Special::none;
    const EnumSet* values = nullptr;  // for enumerations
};

class Parser {
public:
    Parser(std::string_view text, double now) : text_(text), now_(now) {}

    SearchQuery parse() {
        SearchQuery query;
        for (skip_spaces(); !done(); skip_spaces()) {
            if (!parse_filter(query.filters)) {
                const std::string word = free_text_word();
                if (word.empty()) continue;  // a quoted "" adds nothing
                if (!query.free_text.empty()) query.free_text.push_back(' ');
                query.free_text += word;
            }
        }
        return query;
    }

private:
    bool done() const { return pos_ >= text_.size(); }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    bool at_term_end() const { return done() || is_space(text_[pos_]); }
    void skip_spaces() {
        while (!done() && is_space(text_[pos_])) ++pos_;
    }

    [[noreturn]] void fail(std::string message, size_t position, std::string_view token) const {
        throw ParseFailure{{std::move(message), position, std::string(token)}};
    }
    std::string_view slice(size_t from, size_t to) const { return text_.substr(from, to - from); }
    // From `from` up to the next whitespace.
    std::string_view word_at(size_t from) const {
        size_t to = from;
        while (to < text_.size() && !is_space(text_[to])) ++to;
        return slice(from, to);
    }

    // A free-text term: a quoted string (quotes and escapes removed) or a run of non-spaces.
    std::string free_text_word() {
        const size_t start = pos_;
        if (peek() != '"') {
            pos_ = start + word_at(start).size();
            const std::string_view word = slice(start, pos_);
            if (word == "OR" || word == "AND") {
                fail("boolean operators (OR, AND) are not supported in issue search", start, word);
            }
            return std::string(word);
        }
        return quoted_term().literal();
    }

    [[noreturn]] void missing_value(size_t term_start) const {
        const std::string_view term = slice(term_start, pos_);
        fail("missing value after " + quoted(term), term_start, term);
    }

    // Parses `[!]key:value` at the cursor into `filters`. False (cursor unmoved) when the term
    // is not a filter.
    bool parse_filter(std::vector<SearchFilter>& filters) {
        const size_t start = pos_;
        const bool negated = peek() == '!';
        size_t end = 0;
        const std::optional<Key> key = key_at(start + (negated ? 1 : 0), end);
        if (!key || end >= text_.size() || text_[end] != ':') return false;
        pos_ = end + 1;
        if (at_term_end()) missing_value(start);
        if (key->special == Key::Special::has) {
            filters.push_back(has_filter(negated));
        } else {
            filters.push_back(value_filter(*key, negated, start));
        }
        return true;
    }

    // The key (`name` or `tags[name]`) starting at `from`, which ends before `end`.
    std::optional<Key> key_at(size_t from, size_t& end) const {
        end = from;
        if (text_.substr(from, 5) == "tags[") {
            end = from + 5;
            while (end < text_.size() && is_tag_key_char(text_[end])) ++end;
            if (end == from + 5 || end >= text_.size() || text_[end] != ']') return std::nullopt;
            ++end;
            return Key{.written = slice(from, end),
                       .canonical = std::string(slice(from + 5, end - 1))};
        }
        while (end < text_.size() && is_key_char(text_[end])) ++end;
        if (end == from) return std::nullopt;
        return resolve_key(slice(from, end));
    }

    // A plain key: `is`, `has`, a known field or else a tag.
    static Key resolve_key(std::string_view written) {
        Key key{.written = written, .canonical = std::string(written)};
        if (written == "is") {
            key.kind = SearchKeyKind::field;
            key.type = SearchValueType::enumeration;
            key.special = Key::Special::is;
            key.values = &kStatusSet;
        } else if (written == "has") {
            key.kind = SearchKeyKind::field;
            key.special = Key::Special::has;
        }
        for (const KnownKey& known : kKnownKeys) {
            if (known.name != written) continue;
            key.canonical = std::string(known.canonical);
            key.kind = SearchKeyKind::field;
            key.type = known.type;
            key.values = known.values;
        }
        return key;
    }

    // `has:<key>`: the cursor is on the key.
    SearchFilter has_filter(bool negated) {
        const size_t start = pos_;
        const std::optional<Key> key = key_at(start, pos_);
        if (!key || !at_term_end() || key->special != Key::Special::none) {
            fail("has: expects a field or tag name", start, word_at(start));
        }
        SearchFilter filter;
        filter.key = key->canonical;
        filter.kind = key->kind;
        filter.type = key->type;
        filter.op = SearchOp::has;
        filter.negated = negated;
        return filter;
    }

    // Everything after `key:` for keys other than `has`.
    SearchFilter value_filter(const Key& key, bool negated, size_t term_start) {
        SearchFilter filter;
        filter.key = key.canonical;
        filter.kind = key.kind;
        filter.type = key.type;
        filter.negated = negated;

        const size_t op_start = pos_;
        filter.op = parse_operator(filter.negated);
        const std::string_view op_text = slice(op_start, pos_);
        if (at_term_end()) missing_value(term_start);
        const bool comparable =
            key.type == SearchValueType::number || key.type == SearchValueType::date;
        if (is_comparison(filter.op) && !comparable) {
            fail(
                "operator " + quoted(op_text) + " is not supported for " + std::string(key.written),
                op_start, op_text);
        }

        std::vector<RawValue> values;
        if (peek() == '[') {
            const size_t bracket = pos_;
            if (is_comparison(filter.op)) {
                fail("operator " + quoted(op_text) + " can't be used with a list", op_start,
                     op_text);
            }
            values = list_values();
            if (key.special == Key::Special::is || key.type == SearchValueType::date ||
                key.type == SearchValueType::boolean) {
                fail("lists are not supported for " + std::string(key.written) + ":", bracket,
                     slice(bracket, pos_));
            }
            filter.op = SearchOp::in;
        } else {
            values.push_back(scalar_value());
        }

        switch (key.type) {
            case SearchValueType::text:
                for (const RawValue& value : values) filter.wildcard |= value.wildcard;
                for (const RawValue& value : values) {
                    filter.values.push_back(filter.wildcard ? value.pattern : value.literal());
                }
                break;
            case SearchValueType::enumeration:
                for (const RawValue& value : values) {
                    filter.values.push_back(enum_value(key, value));
                }
                break;
            case SearchValueType::boolean:
                filter.values.push_back(boolean_value(key, values.front()));
                break;
            case SearchValueType::number:
                for (const RawValue& value : values) {
                    const std::string literal = value.literal();
                    const std::optional<double> number = parse_number(literal);
                    if (!number) invalid_value(key, value, "a number");
                    filter.values.push_back(literal);
                    filter.numbers.push_back(*number);
                }
                break;
            case SearchValueType::date:
                date_value(key, values.front(), op_start, filter);
                break;
        }
        return filter;
    }

    // An optional `>=`, `<=`, `>`, `<`, `=` or `!=` (which toggles `negated`).
    SearchOp parse_operator(bool& negated) {
        const std::string_view rest = text_.substr(pos_);
        const auto take = [&](std::string_view op) {
            if (rest.substr(0, op.size()) != op) return false;
            pos_ += op.size();
            return true;
        };
        if (take(">=")) return SearchOp::ge;
        if (take("<=")) return SearchOp::le;
        if (take(">")) return SearchOp::gt;
        if (take("<")) return SearchOp::lt;
        if (take("!=")) {
            negated = !negated;
        } else {
            take("=");
        }
        return SearchOp::eq;
    }

    [[noreturn]] void invalid_value(const Key& key, const RawValue& value,
                                    std::string_view expected) const {
        fail("invalid value " + quoted(value.literal()) + " for " + std::string(key.written) +
                 ": expected " + std::string(expected),
             value.position, value.source);
    }

    std::string enum_value(const Key& key, const RawValue& value) const {
        const std::string literal = value.literal();
        for (const EnumValue& allowed : key.values->values) {
            if (allowed.name == literal) return std::string(allowed.canonical);
        }
        invalid_value(key, value, key.values->expected);
    }

    std::string boolean_value(const Key& key, const RawValue& value) const {
        const std::string literal = lowercase(value.literal());
        if (literal == "true" || literal == "1") return "true";
        if (literal == "false" || literal == "0") return "false";
        invalid_value(key, value, "true or false");
    }

    // `op_start`: where the operator (if any) begins.
    void date_value(const Key& key, const RawValue& value, size_t op_start,
                    SearchFilter& filter) const {
        const std::string literal = value.literal();
        filter.values.push_back(literal);
        if (const std::optional<RelativeTime> relative = parse_relative_time(literal)) {
            if (is_comparison(filter.op)) {
                fail("relative time " + quoted(literal) + " takes no operator", op_start,
                     slice(op_start, value.position + value.source.size()));
            }
            filter.op = relative->within ? SearchOp::ge : SearchOp::le;
            filter.numbers.push_back(now_ - relative->seconds);
            return;
        }
        const std::optional<AbsoluteDate> date = parse_absolute_date(literal);
        if (!date) {
            invalid_value(key, value, "a date like 2024-01-31 or 2024-01-31T12:00:00Z, or -24h");
        }
        const double t = date->instant;
        if (filter.op != SearchOp::eq) {
            filter.numbers.push_back(t);
        } else if (date->whole_day) {
            filter.numbers = {t, t + kDay};
        } else {
            filter.numbers = {t - 5 * kMinute, t + 6 * kMinute};
        }
    }

    // Reads one character of a value at the cursor into `value`, handling escapes.
    void value_char(RawValue& value) {
        const char c = text_[pos_++];
        if (c == '\\' && !done()) {
            const char next = peek();
            if (next == '"') {
                value.pattern.push_back('"');
                ++pos_;
                return;
            }
            if (next == '*' || next == '\\') {
                value.pattern += {'\\', next};
                ++pos_;
                return;
            }
        }
        if (c == '*') value.wildcard = true;
        if (c == '\\') value.pattern.push_back('\\');  // a backslash escaping nothing is literal
        value.pattern.push_back(c);
    }

    // A quoted string at the cursor; leaves the cursor after the closing quote.
    RawValue quoted_value() {
        RawValue value;
        value.position = pos_;
        ++pos_;
        while (peek() != '"') {
            if (done()) fail("missing closing quote", value.position, text_.substr(value.position));
            value_char(value);
        }
        ++pos_;
        value.source = slice(value.position, pos_);
        return value;
    }

    // An unquoted value running up to the first of `stops` or whitespace.
    RawValue bare_value(std::string_view stops) {
        RawValue value;
        value.position = pos_;
        while (!at_term_end() && stops.find(peek()) == std::string_view::npos) {
            if (peek() == '"') {
                const std::string_view token = word_at(value.position);
                fail("unexpected quote in value: quote the whole value or escape it as \\\"",
                     value.position, token.substr(0, token.find_first_of(stops)));
            }
            value_char(value);
        }
        value.source = slice(value.position, pos_);
        return value;
    }

    // A quoted string that ends the term.
    RawValue quoted_term() {
        RawValue value = quoted_value();
        if (!at_term_end()) fail("expected a space after the closing quote", pos_, word_at(pos_));
        return value;
    }

    RawValue scalar_value() { return peek() == '"' ? quoted_term() : bare_value(""); }

    // `[a, "b c", d]` at the cursor; items may be quoted, spaces around commas are allowed.
    std::vector<RawValue> list_values() {
        const size_t bracket = pos_++;
        std::vector<RawValue> values;
        size_t last_end = pos_;
        const auto unterminated = [&]() {
            fail("missing closing \"]\" in list", bracket, slice(bracket, last_end));
        };
        while (true) {
            skip_spaces();
            if (done()) unterminated();
            if (peek() == ',' || peek() == ']') {
                fail("empty value in list", pos_, slice(pos_, pos_ + 1));
            }
            values.push_back(peek() == '"' ? quoted_value() : bare_value(",]"));
            last_end = pos_;
            skip_spaces();
            if (peek() == ']') break;
            if (peek() != ',') unterminated();
            ++pos_;
        }
        ++pos_;
        if (!at_term_end()) fail("expected a space after \"]\"", pos_, word_at(pos_));
        return values;
    }

    std::string_view text_;
    double now_;
    size_t pos_ = 0;
};

}  // namespace

SearchQueryParse parse_search_query(std::string_view query, double now_seconds) {
    SearchQueryParse result;
    try {
        result.query = Parser(query, now_seconds).parse();
    } catch (ParseFailure& failure) {
        result.error = std::move(failure.error);
    }
    return result;
}

}  // namespace lt
