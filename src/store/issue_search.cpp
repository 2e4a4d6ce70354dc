#include "store/issue_search.h"

#include <array>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

#include "issues/issue.h"

namespace lt {

namespace {

constexpr std::string_view kTrue = "1=1";
constexpr std::string_view kFalse = "1=0";

// Thrown inside the compiler for a filter the parser should have refused.
struct Refused {};

SqlCondition constant(bool value) {
    return {std::string(value ? kTrue : kFalse), {}};
}

bool is_constant(const SqlCondition& condition, bool value) {
    return condition.sql == (value ? kTrue : kFalse);
}

SqlCondition atom(std::string sql, std::vector<SqlValue> params = {}) {
    return {std::move(sql), std::move(params)};
}

SqlCondition negate(SqlCondition condition) {
    if (is_constant(condition, true)) return constant(false);
    if (is_constant(condition, false)) return constant(true);
    condition.sql = "NOT (" + condition.sql + ")";
    return condition;
}

// AND (`conjunction`) or OR of the parts, parenthesized when there are several; constants fold.
SqlCondition combine(std::vector<SqlCondition> parts, bool conjunction) {
    const bool neutral = conjunction;  // 1=1 is neutral for AND, 1=0 for OR
    std::vector<SqlCondition> kept;
    for (SqlCondition& part : parts) {
        if (is_constant(part, !neutral)) return constant(!neutral);
        if (!is_constant(part, neutral)) kept.push_back(std::move(part));
    }
    if (kept.empty()) return constant(neutral);
    if (kept.size() == 1) return std::move(kept.front());
    SqlCondition out;
    out.sql = "(";
    for (size_t i = 0; i < kept.size(); ++i) {
        if (i > 0) out.sql += conjunction ? " AND " : " OR ";
        out.sql += kept[i].sql;
        out.params.insert(out.params.end(), std::make_move_iterator(kept[i].params.begin()),
                          std::make_move_iterator(kept[i].params.end()));
    }
    out.sql += ")";
    return out;
}

SqlCondition all_of(std::vector<SqlCondition> parts) {
    return combine(std::move(parts), true);
}

SqlCondition any_of(std::vector<SqlCondition> parts) {
    return combine(std::move(parts), false);
}

// "?, ?, ?" for n values.
std::string placeholders(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

// `column` equals one of the values (a single `=` or IN).
SqlCondition equals_any(std::string_view column, std::vector<SqlValue> values) {
    if (values.empty()) return constant(false);
    if (values.size() == 1) return atom(std::string(column) + " = ?", std::move(values));
    std::string sql = std::string(column) + " IN (" + placeholders(values.size()) + ")";
    return atom(std::move(sql), std::move(values));
}

void append_like_literal(std::string& out, char c) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
}

// A LIKE pattern (ESCAPE '\') matching `text` anywhere.
std::string like_substring(std::string_view text) {
    std::string out = "%";
    for (const char c : text) append_like_literal(out, c);
    out.push_back('%');
    return out;
}

// A search pattern (`*` any run, `\x` a literal x) as a LIKE pattern (ESCAPE '\').
std::string like_pattern(std::string_view pattern) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\' && i + 1 < pattern.size()) {
            append_like_literal(out, pattern[++i]);
        } else if (pattern[i] == '*') {
            out.push_back('%');
        } else {
            append_like_literal(out, pattern[i]);
        }
    }
    return out;
}

// Case-insensitive (ASCII) `column LIKE pattern`.
SqlCondition like(std::string_view column, std::string pattern) {
    return atom("lower(" + std::string(column) + ") LIKE lower(?) ESCAPE '\\'",
                {std::move(pattern)});
}

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether the search pattern matches all of `text`, ASCII case-insensitively.
bool glob_matches(std::string_view pattern, std::string_view text) {
    if (pattern.empty()) return text.empty();
    if (pattern.front() == '*') {
        for (size_t skip = 0; skip <= text.size(); ++skip) {
            if (glob_matches(pattern.substr(1), text.substr(skip))) return true;
        }
        return false;
    }
    size_t width = 1;
    char c = pattern.front();
    if (c == '\\' && pattern.size() > 1) {
        c = pattern[1];
        width = 2;
    }
    return !text.empty() && ascii_lower(c) == ascii_lower(text.front()) &&
           glob_matches(pattern.substr(width), text.substr(1));
}

// One value of a text filter: a literal, or a pattern with at least one wildcard.
struct TextValue {
    bool is_pattern = false;
    std::string text;  // the literal, or the search pattern
};

std::vector<TextValue> text_values(const SearchFilter& filter) {
    if (filter.values.empty()) throw Refused{};
    std::vector<TextValue> out;
    for (const std::string& value : filter.values) {
        if (!filter.wildcard) {
            out.push_back({false, value});
            continue;
        }
        // Wildcard filters hold patterns; one without an unescaped `*` is still a literal.
        TextValue parsed;
        std::string literal;
        for (size_t i = 0; i < value.size(); ++i) {
            if (value[i] == '\\' && i + 1 < value.size()) {
                literal.push_back(value[++i]);
            } else {
                if (value[i] == '*') parsed.is_pattern = true;
                literal.push_back(value[i]);
            }
        }
        parsed.text = parsed.is_pattern ? value : literal;
        out.push_back(std::move(parsed));
    }
    return out;
}

// `version_column` is the project's latest release: the greatest first_seen, then version.
SqlCondition is_latest_release(std::string_view version_column) {
    return atom(
        "EXISTS (SELECT 1 FROM releases r WHERE r.project_id = g.project_id AND r.version = " +
        std::string(version_column) +
        " AND NOT EXISTS (SELECT 1 FROM releases r2 WHERE r2.project_id = r.project_id AND "
        "(r2.first_seen > r.first_seen OR (r2.first_seen = r.first_seen AND "
        "r2.version > r.version))))");
}

// `column` matches any of the (non-empty) values; "latest" is special when `latest_release`.
SqlCondition value_match(std::string_view column, const std::vector<TextValue>& values,
                         bool latest_release) {
    std::vector<SqlValue> literals;
    std::vector<SqlCondition> parts;
    for (const TextValue& value : values) {
        if (value.is_pattern) {
            parts.push_back(like(column, like_pattern(value.text)));
        } else if (latest_release && value.text == "latest") {
            parts.push_back(is_latest_release(column));
        } else {
            literals.emplace_back(value.text);
        }
    }
    parts.insert(parts.begin(), equals_any(column, std::move(literals)));
    return any_of(std::move(parts));
}

// Some event of the issue had tag `key` (with a value that `match` accepts, when given).
// Written as an uncorrelated IN so the engine looks the (key, value) up once through its index
// and then tests each issue against that set, rather than probing once per issue.
SqlCondition tag_exists(const std::string& key, std::optional<SqlCondition> match) {
    SqlCondition out =
        atom("g.id IN (SELECT t.group_id FROM group_tag_values t WHERE t.key = ?", {key});
    if (match) {
        out.sql += " AND " + match->sql;
        out.params.insert(out.params.end(), match->params.begin(), match->params.end());
    }
    out.sql += ")";
    return out;
}

bool is_tag_field(std::string_view key) {
    static constexpr std::array<std::string_view, 11> kKeys = {
        "release",    "environment", "user.email",     "user.id",        "user.username", "user.ip",
        "error.type", "error.value", "stack.filename", "stack.function", "transaction"};
    for (const std::string_view known : kKeys) {
        if (known == key) return true;
    }
    return false;
}

// Fields every issue has: has:<key> is always true.
bool is_always_present(std::string_view key) {
    static constexpr std::array<std::string_view, 9> kKeys = {
        "level",          "times_seen",     "first_seen",    "last_seen",      "message",
        "issue.category", "issue.priority", "error.handled", "error.unhandled"};
    for (const std::string_view known : kKeys) {
        if (known == key) return true;
    }
    return false;
}

constexpr std::array<std::string_view, 6> kLevels = {"fatal", "error", "warning",
                                                     "info",  "debug", "sample"};

class Compiler {
public:
    explicit Compiler(double now) : now_(now) {}

    SqlCondition filter(const SearchFilter& filter) const {
        SqlCondition condition = filter.op == SearchOp::has ? has(filter) : match(filter);
        return filter.negated ? negate(std::move(condition)) : condition;
    }

    // Case-insensitive substring of the title or the culprit.
    static SqlCondition title_or_culprit(const std::string& pattern) {
        return any_of({like("g.title", pattern), like("g.culprit", pattern)});
    }

private:
    static void expect(bool ok) {
        if (!ok) throw Refused{};
    }

    static bool is_list_or_eq(SearchOp op) { return op == SearchOp::eq || op == SearchOp::in; }

    SqlCondition has(const SearchFilter& filter) const {
        const std::string& key = filter.key;
        if (filter.kind == SearchKeyKind::tag || is_tag_field(key)) return tag_exists(key, {});
        if (is_always_present(key)) return constant(true);
        if (key == "first_release") return atom("g.first_release IS NOT NULL");
        if (key == "event.timestamp") {
            return atom("EXISTS (SELECT 1 FROM items i WHERE i.group_id = g.id)");
        }
        if (key == "assigned" || key == "bookmarks") return constant(false);
        throw Refused{};
    }

    SqlCondition match(const SearchFilter& filter) const {
        const std::string& key = filter.key;
        if (filter.kind == SearchKeyKind::tag || is_tag_field(key)) return tag(filter);
        if (key == "is") return status(filter);
        if (key == "level") return level(filter);
        if (key == "issue.priority") return priority(filter);
        if (key == "times_seen") return times_seen(filter);
        if (key == "first_seen") return date_condition(filter, "g.first_seen");
        if (key == "last_seen") return date_condition(filter, "g.last_seen");
        if (key == "event.timestamp") return event_timestamp(filter);
        if (key == "first_release") return first_release(filter);
        if (key == "error.handled" || key == "error.unhandled") return handled(filter);
        if (key == "issue.category") return category(filter);
        if (key == "message") return message(filter);
        if (key == "assigned" || key == "bookmarks") {
            expect(filter.type == SearchValueType::text && is_list_or_eq(filter.op));
            return constant(false);
        }
        throw Refused{};
    }

    static SqlCondition tag(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::text && is_list_or_eq(filter.op));
        std::vector<TextValue> values;
        bool absent = false;  // an empty literal: no event had the tag
        for (TextValue& value : text_values(filter)) {
            if (!value.is_pattern && value.text.empty()) {
                absent = true;
            } else {
                values.push_back(std::move(value));
            }
        }
        const bool latest = filter.kind == SearchKeyKind::field && filter.key == "release";
        std::vector<SqlCondition> parts;
        if (!values.empty()) {
            parts.push_back(tag_exists(filter.key, value_match("t.value", values, latest)));
        }
        if (absent) parts.push_back(negate(tag_exists(filter.key, {})));
        return any_of(std::move(parts));
    }

    SqlCondition status(const SearchFilter& filter) const {
        expect(filter.type == SearchValueType::enumeration && is_list_or_eq(filter.op) &&
               !filter.values.empty());
        std::vector<SqlCondition> parts;
        for (const std::string& value : filter.values) parts.push_back(status_value(value));
        return any_of(std::move(parts));
    }

    SqlCondition status_value(const std::string& value) const {
        const SqlCondition unresolved = atom("g.status = 'unresolved'");
        const double fresh_since = now_ - kSubstatusFreshSeconds;
        if (value == "unresolved" || value == "resolved" || value == "ignored") {
            return atom("g.status = '" + value + "'");
        }
        if (value == "new" || value == "regressed") {
            return all_of({unresolved, atom("g.substatus = '" + value + "'"),
                           atom("g.substatus_at > ?", {fresh_since})});
        }
        if (value == "ongoing") {
            return all_of(
                {unresolved, any_of({atom("g.substatus = 'ongoing'"),
                                     all_of({atom("g.substatus IN ('new', 'regressed')"),
                                             atom("g.substatus_at <= ?", {fresh_since})})})});
        }
        if (value == "archived_forever" || value == "archived_until_condition_met") {
            return all_of({atom("g.status = 'ignored'"), atom("g.substatus = '" + value + "'")});
        }
        if (value == "escalating" || value == "archived_until_escalating" ||
            value == "reprocessing" || value == "assigned" || value == "for_review" ||
            value == "linked") {
            return constant(false);
        }
        if (value == "unassigned" || value == "unlinked") return constant(true);
        throw Refused{};
    }

    static SqlCondition level(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::enumeration && is_list_or_eq(filter.op) &&
               !filter.values.empty());
        return equals_any("g.level", {filter.values.begin(), filter.values.end()});
    }

    static SqlCondition priority(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::enumeration && is_list_or_eq(filter.op) &&
               !filter.values.empty());
        std::vector<SqlCondition> parts;
        for (const std::string& value : filter.values) {
            expect(value == "high" || value == "medium" || value == "low");
            // Levels outside the known ones read as low, so low is "none of the others".
            const bool low = value == "low";
            std::vector<SqlValue> levels;
            for (const std::string_view level : kLevels) {
                if ((priority_for_level(level) == value) != low)
                    levels.emplace_back(std::string(level));
            }
            SqlCondition in = equals_any("g.level", std::move(levels));
            parts.push_back(low ? negate(std::move(in)) : std::move(in));
        }
        return any_of(std::move(parts));
    }

    static SqlValue number_value(double number) {
        if (std::nearbyint(number) == number && std::fabs(number) < 9e18) {
            return static_cast<int64_t>(number);
        }
        return number;
    }

    static SqlCondition times_seen(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::number && !filter.numbers.empty() &&
               filter.op != SearchOp::has);
        if (is_list_or_eq(filter.op)) {
            std::vector<SqlValue> values;
            for (const double number : filter.numbers) values.push_back(number_value(number));
            return equals_any("g.times_seen", std::move(values));
        }
        return compare("g.times_seen", filter.op, number_value(filter.numbers.front()));
    }

    static SqlCondition compare(std::string_view column, SearchOp op, SqlValue value) {
        std::string_view symbol;
        switch (op) {
            case SearchOp::gt:
                symbol = " > ?";
                break;
            case SearchOp::ge:
                symbol = " >= ?";
                break;
            case SearchOp::lt:
                symbol = " < ?";
                break;
            case SearchOp::le:
                symbol = " <= ?";
                break;
            default:
                throw Refused{};
        }
        return atom(std::string(column) + std::string(symbol), {std::move(value)});
    }

    // A date filter on `column`: a comparison, or the [start, end) interval of an eq.
    static SqlCondition date_condition(const SearchFilter& filter, std::string_view column) {
        expect(filter.type == SearchValueType::date);
        if (filter.op == SearchOp::eq) {
            expect(filter.numbers.size() == 2);
            return all_of({compare(column, SearchOp::ge, filter.numbers[0]),
                           compare(column, SearchOp::lt, filter.numbers[1])});
        }
        expect(filter.numbers.size() == 1);
        return compare(column, filter.op, filter.numbers.front());
    }

    static SqlCondition event_timestamp(const SearchFilter& filter) {
        SqlCondition condition = date_condition(filter, "i.timestamp");
        condition.sql =
            "EXISTS (SELECT 1 FROM items i WHERE i.group_id = g.id AND " + condition.sql + ")";
        return condition;
    }

    static SqlCondition first_release(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::text && is_list_or_eq(filter.op));
        std::vector<TextValue> values;
        bool absent = false;
        for (TextValue& value : text_values(filter)) {
            if (!value.is_pattern && value.text.empty()) {
                absent = true;
            } else {
                values.push_back(std::move(value));
            }
        }
        std::vector<SqlCondition> parts;
        if (!values.empty()) {
            // The IS NOT NULL keeps the condition two-valued, so that negation is exact.
            parts.push_back(all_of({atom("g.first_release IS NOT NULL"),
                                    value_match("g.first_release", values, true)}));
        }
        if (absent) parts.push_back(atom("g.first_release IS NULL"));
        return any_of(std::move(parts));
    }

    static SqlCondition handled(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::boolean && filter.op == SearchOp::eq &&
               filter.values.size() == 1);
        const std::string& value = filter.values.front();
        expect(value == "true" || value == "false");
        const bool unhandled = (filter.key == "error.unhandled") == (value == "true");
        return atom(unhandled ? "g.unhandled = 1" : "g.unhandled = 0");
    }

    static SqlCondition category(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::text && is_list_or_eq(filter.op));
        for (const TextValue& value : text_values(filter)) {
            if (value.is_pattern ? glob_matches(value.text, "error") : value.text == "error") {
                return atom("g.type IN ('error', 'default')");
            }
        }
        return constant(false);
    }

    static SqlCondition message(const SearchFilter& filter) {
        expect(filter.type == SearchValueType::text && is_list_or_eq(filter.op));
        std::vector<SqlCondition> parts;
        for (const TextValue& value : text_values(filter)) {
            parts.push_back(title_or_culprit(value.is_pattern ? like_pattern(value.text)
                                                              : like_substring(value.text)));
        }
        return any_of(std::move(parts));
    }

    double now_;
};

}  // namespace

SqlCondition compile_issue_search(const SearchQuery& query, double now_seconds) {
    const Compiler compiler(now_seconds);
    std::vector<SqlCondition> parts;
    try {
        for (const SearchFilter& filter : query.filters) parts.push_back(compiler.filter(filter));
    } catch (const Refused&) {
        return constant(false);
    }
    if (!query.free_text.empty()) {
        parts.push_back(Compiler::title_or_culprit(like_substring(query.free_text)));
    }
    return all_of(std::move(parts));
}

}  // namespace lt
