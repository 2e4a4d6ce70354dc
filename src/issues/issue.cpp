#include "issues/issue.h"

#include <cctype>

namespace lt {

namespace {

// Crockford's base32 alphabet (no I, L, O, U), as Sentry's short ids use.
constexpr std::string_view kBase32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

}  // namespace

std::string effective_substatus(const Issue& issue, double now) {
    if (issue.status == "resolved") return "";
    if (issue.status == "unresolved" &&
        (issue.substatus == "new" || issue.substatus == "regressed") &&
        now - issue.substatus_at >= kSubstatusFreshSeconds) {
        return "ongoing";
    }
    return issue.substatus;
}

std::string short_id(std::string_view project_slug, int64_t short_number) {
    std::string digits;
    uint64_t number = static_cast<uint64_t>(short_number);
    do {
        digits.insert(digits.begin(), kBase32[number % 32]);
        number /= 32;
    } while (number > 0);
    return upper(project_slug) + "-" + digits;
}

std::optional<int64_t> parse_short_id(std::string_view project_slug, std::string_view text) {
    if (text.size() <= project_slug.size() + 1 || text[project_slug.size()] != '-') {
        return std::nullopt;
    }
    if (upper(text.substr(0, project_slug.size())) != upper(project_slug)) return std::nullopt;
    const std::string digits = upper(text.substr(project_slug.size() + 1));
    if (digits.size() > 12) return std::nullopt;
    int64_t number = 0;
    for (const char c : digits) {
        const size_t value = kBase32.find(c);
        if (value == std::string_view::npos) return std::nullopt;
        number = number * 32 + static_cast<int64_t>(value);
    }
    if (number == 0) return std::nullopt;
    return number;
}

std::string_view priority_for_level(std::string_view level) {
    if (level == "fatal" || level == "error") return "high";
    if (level == "warning") return "medium";
    return "low";
}

}  // namespace lt
