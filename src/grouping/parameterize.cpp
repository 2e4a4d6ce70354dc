#include "grouping/parameterize.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

// The rules reproduce the behaviour of Sentry's parameterizer: its newest published source
// (combined regex, ip validation callback with the one-rule-at-a-time fallback, hex as of
// getsentry/sentry#111969) plus the later documented ip changes (#111979: IP-like match checked
// with Python's `ipaddress`, rule moved after date; #112995: colons at the edges only as "::";
// #114362: IPv4 octets 0-255 without leading zeros). That ip pattern itself is not published, so
// the one here is ours: it accepts what those PRs and Sentry's tests describe, and nothing that
// would make two messages differing only in an address group apart. Sentry's still newer rules
// (mac, random ids, digits next to '_') are not reproduced.

namespace lt {
namespace {

constexpr std::array<std::string_view, 17> kRuleNames = {
    "email",   "url",   "hostname", "traceparent", "uuid",         "sha1",
    "md5",     "date",  "ip",       "duration",    "swift_txn_id", "hex",
    "git_sha", "float", "int",      "quoted_str",  "bool"};
constexpr size_t kRuleCount = kRuleNames.size();

constexpr size_t rule_index(std::string_view name) {
    for (size_t i = 0; i < kRuleCount; ++i)
        if (kRuleNames[i] == name) return i;
    return kRuleCount;
}
constexpr size_t kHostnameRule = rule_index("hostname");
constexpr size_t kIpRule = rule_index("ip");

// ---- Patterns (PCRE2 syntax; no capturing groups, so the combined regex has one per rule) ----

template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    (out.append(std::string_view(parts)), ...);
    return out;
}

// The characters of an e-mail address's local part (a character class body).
constexpr std::string_view kLocalPart = R"(a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-)";

constexpr std::string_view kWeekdayNames = "Sun|Mon|Tue|Wed|Thu|Fri|Sat";
constexpr std::string_view kWeekday = "(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)";
constexpr std::string_view kMonth = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
// RFC 822 zone names; "UT" is tried before the military letter 'U' (so "UTC" matches as "UT").
constexpr std::string_view kZoneName = "(?:UT|GMT|[ECMP][SD]T|[A-IK-Z])";
constexpr std::string_view kZone = R"((?:[-+]\d{2}[0-5]\d|UT|GMT|[ECMP][SD]T|[A-IK-Z]))";

// Sentry's list of the most common TLDs; a hostname's TLD is all-lowercase or all-uppercase.
constexpr std::array<std::string_view, 99> kTopLevelDomains = {
    "com", "net",  "org", "jp", "de",   "uk",  "fr",   "br",   "it",   "ru",     "es",
    "me",  "gov",  "pl",  "ca", "au",   "cn",  "co",   "in",   "nl",   "edu",    "info",
    "eu",  "ch",   "id",  "at", "kr",   "cz",  "mx",   "be",   "tv",   "se",     "tr",
    "tw",  "al",   "ua",  "ir", "vn",   "cl",  "sk",   "ly",   "cc",   "to",     "no",
    "fi",  "us",   "pt",  "dk", "ar",   "hu",  "tk",   "gr",   "il",   "news",   "ro",
    "my",  "biz",  "ie",  "za", "nz",   "sg",  "ee",   "th",   "io",   "xyz",    "pe",
    "bg",  "hk",   "rs",  "lt", "link", "ph",  "club", "si",   "site", "mobi",   "by",
    "cat", "wiki", "la",  "ga", "xxx",  "cf",  "hr",   "ng",   "jobs", "online", "kz",
    "ug",  "gq",   "ae",  "is", "lv",   "pro", "fm",   "tips", "ms",   "sa",     "app"};

std::string hostname_pattern() {
    std::string lower;
    std::string upper;
    for (std::string_view tld : kTopLevelDomains) {
        if (!lower.empty()) lower += '|', upper += '|';
        lower += tld;
        for (char c : tld) upper += static_cast<char>(c - 'a' + 'A');
    }
    // As few labels as possible before a known TLD: "a.co.uk" matches "a.co". Callout 1 vets every
    // start that has a label to walk.
    return cat(R"(\b(?=[a-zA-Z0-9\-]{1,63}\.)(?C1)(?:[a-zA-Z0-9\-]{1,63}\.)+?(?:)", upper, "|",
               lower, R"()\b)");
}

std::string ip_pattern() {
    constexpr std::string_view octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    const std::string v4 = cat(R"(\b(?:)", octet, R"(\.){3})", octet, R"(\b)");
    // IPv6-like: a run of hex digits and colons with a "::" or at least six colons, groups of at
    // most four digits, colons at either edge only as "::" (so "Class::method" and "a:::" stay),
    // then an optional dotted IPv4 tail, %zone and /prefix. is_valid_ip() has the final word.
    constexpr std::string_view v6 =
        R"((?<![0-9A-Za-z_:]))"
        R"((?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]*:){6}))"
        R"((?!:(?!:)|:::))"
        R"((?![0-9A-Fa-f:]*[0-9A-Fa-f]{5}))"
        R"((?>[0-9A-Fa-f:]+(?:(?:\.[0-9]+){3})?(?:%[0-9A-Za-z]+)?(?:/[0-9]{1,3})?))"
        R"((?<![0-9A-Fa-f]:)(?<!:::))"
        R"((?![0-9A-Za-z]))";
    return cat(v6, "|", v4);
}

std::string date_pattern() {
    // ISO-like date and time, with optional '-' and ':' separators and optional (fractional)
    // seconds; with an offset it is tried first, so the offset is not left as an int.
    constexpr std::string_view iso =
        R"(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d(?::?[0-5]\d(?:\.\d+)?)?)";
    const std::string formats[] = {
        // RFC 822/1123: "Mon, 02 Jan 2006 15:04:05 -0700", "Mon, 02 Jan 06 15:04 MST"
        cat(kWeekday, R"(,\s\d{1,2}\s)", kMonth, R"(\s\d{2,4}\s\d{1,2}:\d{1,2}(?::\d{1,2})?\s)",
            kZone),
        // "Mon Jan 02, 2006", "Jan 02, 2006"
        cat("(?:", kWeekday, R"(\s)?)", kMonth, R"(\s[0-3]\d,\s\d{2,4})"),
        // RFC 850: "Monday, 02-Jan-06 15:04:05 MST"
        cat("(?:(?:Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day|", kWeekdayNames, R"(),\s\d{2}-)",
            kMonth, R"(-\d{2}\s\d{2}:\d{2}:\d{2}\s)", kZoneName),
        // RFC 3339: "2006-01-02T15:04:05.999Z07:00"
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?(?:[+-]?\d{2}:\d{2})?)",
        // JavaScript Date.toString(): "Mon Jan 02 2006 15:04:05 GMT-0800 (Pacific Standard Time)"
        cat(kWeekday, R"(\s)", kMonth,
            R"(\s\d{2}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT[+-]\d{4}(?:\s\([^)]+\))?)"),
        cat(iso, R"((?:[+-][0-2]\d:?[0-5]\d|Z))"),
        std::string(iso),
        // Kitchen time, 12-hour: "3:04", "11:21:12 AM", "11:21pm" (not part of a longer number)
        R"((?<!\d)(?:[1-9]|1[0-2]):[0-5]\d(?::[0-5]\d)?(?![\d:])(?:\s?[aApP][Mm])?)",
        // Kitchen time, 24-hour: "0:12", "09:08", "23:21:12"
        R"((?<!\d)(?:0?\d|1\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:]))",
        R"(\d{4}-[01]\d-[0-3]\d)",
        R"([0-2]\d:[0-5]\d:[0-5]\d)",
        // Older formats: "Mon Jan  2 15:04:05 2006" (asctime), "Mon, 2 Jan 2006 15:04 +0100"
        cat(R"(\b(?:)", kWeekday, R"(\s+)?)", kMonth, R"(\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})"),
        cat(R"(\b(?:)", kWeekday, R"(,\s+)?(?:0[1-9]|[1-2]?\d|3[01])\s+)", kMonth,
            R"(\s+(?:19\d{2}|[2-9]\d{3})\s+(?:2[0-3]|[0-1]\d):[0-5]\d(?::(?:60|[0-5]\d))?\s+)",
            kZone),
        // A Python datetime repr (Sentry leaves the '.' unescaped, so it matches any character).
        R"(datetime.datetime\(.*?\))",
    };
    std::string pattern;
    for (const std::string& format : formats) pattern += (pattern.empty() ? "" : "|") + format;
    return pattern;
}

// Hex without 0x: 4-6 digits with both a letter and a digit, or 8-128 digits; one letter case.
std::string hex_pattern() {
    auto mixed = [](std::string_view letters, std::string_view digits) {
        return cat("(?=[", letters, "]*[0-9])(?=[0-9]*[", letters, "])[", digits, "]{4,6}|[",
                   digits, "]{8,128}");
    };
    return cat(R"(\b0[xX][0-9a-fA-F]+\b|(?:\b|(?<!\w)-)(?:)", mixed("a-f", "0-9a-f"), "|",
               mixed("A-F", "0-9A-F"), R"()\b)");
}

// Each rule with the characters any of its matches can start with: the combined regex checks that
// first (a lookahead), which halves matching time compared to trying every alternative everywhere.
std::array<std::string, kRuleCount> rule_patterns() {
    std::array<std::string, kRuleCount> patterns;
    auto set = [&](std::string_view name, std::string_view first_chars,
                   const std::string& pattern) {
        patterns.at(rule_index(name)) = cat("(?=[", first_chars, "])(?:", pattern, ")");
    };
    // A start right after a local-part character was already decided: either by the start before it
    // in this scan (the run from there ends at the same '@' or not), or, at the start of a scan
    // (\G), by callout 2. Same matches, but long runs are not rescanned from every position.
    set("email", kLocalPart,
        cat("(?:(?<![", kLocalPart, R"(])|\G(?C2))[)", kLocalPart,
            R"(]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)"));
    // After "://" one non-separator, then any character but a newline, then up to whitespace.
    set("url", "wfh", R"(\b(?:wss?|https?|ftp)://[^\s/$.?#].\S*)");
    set("hostname", "a-zA-Z0-9-", hostname_pattern());
    // W3C traceparent header value; AWS X-Ray / ALB trace id.
    set("traceparent", "01",
        R"(\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b|\b1-[0-9a-f]{8}-[0-9a-f]{24}\b)");
    set("uuid", "0-9a-fA-F", R"(\b[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\b)");
    set("sha1", "0-9a-fA-F", R"(\b[0-9a-fA-F]{40}\b)");
    set("md5", "0-9a-fA-F", R"(\b[0-9a-fA-F]{32}\b)");
    set("date", R"(\dA-Zd)", date_pattern());  // digits, weekday or month names, "datetime"
    set("ip", "0-9A-Fa-f:", ip_pattern());
    // Sentry's grouping makes "ms" need a word start but no word end ("5msec" -> "<duration>ec"),
    // and seconds need a word end but no word start ("abc10s" -> "abc<duration>"). Seconds do not
    // start right after a digit tried in this scan (see email): same matches, linear time.
    set("duration", R"(\d)", R"(\b\d+ms|(?:\G|(?<!\d))\d+(?:\.\d+)?s\b)");
    // OpenStack Swift transaction id, with whatever suffix follows up to whitespace.
    set("swift_txn_id", "t", R"(\btx[0-9a-f]{21}-[0-9a-f]{10}\S*)");
    set("hex", "-0-9a-fA-F", hex_pattern());
    // A 7-digit abbreviated git sha: lowercase, at least one letter and one digit.
    set("git_sha", "0-9a-f", R"(\b(?=[a-f]*[0-9])(?=[0-9]*[a-f])[0-9a-f]{7}\b)");
    set("float", R"(-\d)", R"(-\d+\.\d+\b|\b\d+\.\d+\b)");
    // At most 7 digits (longer runs are hex); '-' is a sign unless it joins two words.
    set("int", R"(-\d)", R"((?:\b|(?<!\w)-)\d{1,7}\b)");
    set("quoted_str", R"('")", R"((?<==)(?:'[^']+'|"[^"]+"))");
    set("bool", "TtFf", R"((?<==)(?:True|true|False|false))");
    return patterns;
}

// ---- IP validation, as Python's ipaddress.ip_address() (and a /prefix within range) ----

bool parse_decimal(std::string_view digits, unsigned max, unsigned* value) {
    if (digits.empty() || digits.size() > 3) return false;
    if (digits.size() > 1 && digits[0] == '0') return false;  // no leading zeros
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
    return error == std::errc() && end == digits.data() + digits.size() && *value <= max;
}

bool is_valid_ipv4(std::string_view text) {
    for (int octet = 0; octet < 4; ++octet) {
        const size_t dot = octet < 3 ? text.find('.') : text.size();
        unsigned value = 0;
        if (dot == std::string_view::npos || !parse_decimal(text.substr(0, dot), 255, &value))
            return false;
        text.remove_prefix(octet < 3 ? dot + 1 : dot);
    }
    return true;
}

bool is_hextet(std::string_view part) {
    if (part.empty() || part.size() > 4) return false;
    for (char c : part)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

bool is_valid_ipv6(std::string_view text) {
    if (const size_t percent = text.find('%'); percent != std::string_view::npos) {
        if (percent + 1 == text.size()) return false;  // empty zone
        text = text.substr(0, percent);
    }
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        const size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (parts.size() < 3) return false;
    // An embedded IPv4 address stands for the last two groups.
    size_t groups = parts.size();
    bool ipv4_tail = false;
    if (parts.back().find('.') != std::string_view::npos) {
        if (!is_valid_ipv4(parts.back())) return false;
        ipv4_tail = true;
        ++groups;
    }
    if (groups > 9) return false;
    // At most one interior empty part: the "::" standing for one or more zero groups.
    size_t skip = 0;
    for (size_t i = 1; i + 1 < parts.size(); ++i) {
        if (!parts[i].empty()) continue;
        if (skip != 0) return false;
        skip = i;
    }
    const size_t last_group = ipv4_tail ? parts.size() - 1 : parts.size();
    auto groups_valid = [&](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i)
            if (!is_hextet(parts[i])) return false;
        return true;
    };
    if (skip == 0) return groups == 8 && groups_valid(0, last_group);
    // Empty parts at the edges are only allowed as half of a "::".
    if (parts.front().empty() && skip != 1) return false;
    if (parts.back().empty() && skip != parts.size() - 2) return false;
    const size_t leading = parts.front().empty() ? 0 : skip;
    const size_t trailing_from = parts.back().empty() ? parts.size() : skip + 1;
    const size_t explicit_groups = leading + (parts.size() - trailing_from) + (ipv4_tail ? 1 : 0);
    return explicit_groups < 8 && groups_valid(0, leading) &&
           groups_valid(trailing_from, last_group);
}

// Only IPv6-like matches need checking: the IPv4 pattern admits valid addresses only.
bool is_valid_ip(std::string_view candidate) {
    if (candidate.find(':') == std::string_view::npos) return true;
    if (const size_t slash = candidate.find('/'); slash != std::string_view::npos) {
        unsigned prefix = 0;
        const std::string_view digits = candidate.substr(slash + 1);
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (error != std::errc() || prefix > 128) return false;
        candidate = candidate.substr(0, slash);
    }
    return is_valid_ipv6(candidate);
}

// ---- Keeping the email and hostname rules linear ----

// An e-mail or hostname attempt can walk far ahead (a local part up to its '@', a chain of labels
// up to a TLD), and attempts from every position of a long run would all walk to the same verdict:
// quadratic time. Callouts remember verdicts for the text being scanned and fail attempts whose
// verdict is known to be "no"; they never change what matches.
struct ScanMemo {
    static constexpr size_t kNone = SIZE_MAX;
    // E-mail: an attempt at a position in [.., email_run_end) succeeds iff email_possible.
    size_t email_run_end = 0;
    bool email_possible = false;
    // Hostname: labels are delimited by '.', so every start inside a chain walks the rest of the
    // same chain. A failed attempt at dead_from makes attempts in (dead_from, dead_to] fail too.
    size_t pending = kNone;  // the last hostname attempt let through, its outcome not known yet
    size_t pending_end = 0;  // just past the last '.' that attempt walks over
    size_t dead_from = 0;
    size_t dead_to = 0;

    void pending_failed() {
        if (pending == kNone) return;
        dead_from = pending;
        dead_to = pending_end;
        pending = kNone;
    }
};

bool is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_label_char(unsigned char c) {
    return is_alnum(c) || c == '-';
}
bool is_local_part_char(unsigned char c) {
    return is_alnum(c) ||
           (c != 0 && std::string_view(".!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos);
}

// Callout 2: an e-mail attempt at the start of a scan, right after a local-part character.
int email_at_scan_start(const pcre2_callout_block& block, ScanMemo& memo) {
    const size_t at = block.current_position;
    if (at >= memo.email_run_end) {
        const PCRE2_SPTR text = block.subject;
        const size_t size = block.subject_length;
        size_t end = at;
        while (end < size && is_local_part_char(text[end])) ++end;
        memo.email_run_end = end;
        memo.email_possible = end + 1 < size && text[end] == '@' && is_label_char(text[end + 1]);
    }
    return memo.email_possible ? 0 : 1;
}

// Just past the last '.' of the labels that a hostname attempt at `at` walks over.
size_t chain_end(PCRE2_SPTR text, size_t size, size_t at) {
    for (size_t end = at;;) {
        size_t label = end;
        while (label < size && label - end <= 63 && is_label_char(text[label])) ++label;
        if (label == end || label - end > 63 || label == size || text[label] != '.') return end;
        end = label + 1;
    }
}

// Callout 1: a hostname attempt with at least one label to walk.
int hostname_walk(const pcre2_callout_block& block, ScanMemo& memo) {
    const size_t at = block.current_position;
    // Attempts go left to right and a successful one ends the scan, so an earlier one failed.
    if (memo.pending < at) memo.pending_failed();
    if (memo.dead_from < at && at <= memo.dead_to) return 1;
    memo.pending = at;
    memo.pending_end = chain_end(block.subject, block.subject_length, at);
    return 0;
}

int on_callout(pcre2_callout_block* block, void* memo) {
    auto& scan_memo = *static_cast<ScanMemo*>(memo);
    return block->callout_number == 1 ? hostname_walk(*block, scan_memo)
                                      : email_at_scan_start(*block, scan_memo);
}

// ---- Compiled patterns and per-thread match state ----

struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using Code = std::unique_ptr<pcre2_code, CodeDeleter>;

// Python's \s is str.isspace(): unlike PCRE2's, it includes U+001C..U+001F but not U+180E.
std::string with_python_whitespace(std::string_view pattern, bool unicode) {
    std::string space = R"(\t-\r\x1c-\x20)";
    if (unicode)
        space += R"(\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000})";
    std::string out;
    bool in_class = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\' && i + 1 < pattern.size()) {
            const char escaped = pattern[++i];
            if (escaped == 's')
                out += in_class ? space : "[" + space + "]";
            else if (escaped == 'S' && !in_class)
                out += "[^" + space + "]";
            else
                out.append({'\\', escaped});
            continue;
        }
        if (pattern[i] == '[') in_class = true;  // the patterns nest no '[' in classes
        if (pattern[i] == ']') in_class = false;
        out += pattern[i];
    }
    return out;
}

Code compile(const std::string& pattern, uint32_t options, uint32_t expected_groups) {
    std::unique_ptr<pcre2_compile_context, decltype(&pcre2_compile_context_free)> context(
        pcre2_compile_context_create(nullptr), &pcre2_compile_context_free);
    pcre2_set_newline(context.get(), PCRE2_NEWLINE_LF);  // '.' excludes only "\n", as in Python
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    Code code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                            &error_code, &error_offset, context.get()));
    if (!code) {
        std::array<PCRE2_UCHAR, 256> message{};
        pcre2_get_error_message(error_code, message.data(), message.size());
        throw std::logic_error("parameterize: bad pattern at " + std::to_string(error_offset) +
                               ": " + reinterpret_cast<const char*>(message.data()));
    }
    uint32_t groups = 0;
    pcre2_pattern_info(code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups != expected_groups) throw std::logic_error("parameterize: a rule captures a group");
    // Without JIT support (unusual CPU) pcre2_match() falls back to the interpreter.
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
    return code;
}

struct RuleSet {
    Code combined;                        // every rule; capture group i + 1 is rule i
    std::array<Code, kRuleCount> single;  // each rule alone, for the rule-by-rule fallback
};

RuleSet compile_rules(bool unicode) {
    const uint32_t options = unicode ? PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF : 0;
    RuleSet set;
    std::string combined;
    const auto rules = rule_patterns();
    for (size_t i = 0; i < kRuleCount; ++i) {
        const std::string rule = "(" + with_python_whitespace(rules[i], unicode) + ")";
        combined += (i ? "|" : "") + rule;
        set.single[i] = compile(rule, options, 1);
    }
    set.combined = compile(combined, options, kRuleCount);
    return set;
}

// On ASCII text, Unicode-aware \d, \w, \s and \b mean what their ASCII versions do, and the ASCII
// build of the patterns matches about twice as fast.
struct Compiled {
    RuleSet ascii = compile_rules(false);
    RuleSet unicode = compile_rules(true);
};

const RuleSet& rules_for(std::string_view text) {
    static const Compiled compiled;
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return compiled.unicode;
    return compiled.ascii;
}

struct MatchState {
    pcre2_match_data* data = pcre2_match_data_create(kRuleCount + 1, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    ScanMemo memo;  // for the text being scanned

    MatchState() {
        pcre2_jit_stack_assign(context, nullptr, jit_stack);
        pcre2_set_callout(context, on_callout, &memo);
    }
    ~MatchState() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(jit_stack);
    }
    MatchState(const MatchState&) = delete;
    MatchState& operator=(const MatchState&) = delete;
};

MatchState& match_state() {
    thread_local MatchState state;
    return state;
}

// Appends `text` to `out` with each match of `code` replaced by "<rule>", where capture group g
// stands for rule first_rule + g - 1. An ip match that is no valid address is kept as it is, or,
// with stop_on_invalid_ip, makes this return false (leaving `out` partial).
bool replace_matches(const pcre2_code* code, size_t first_rule, std::string_view text,
                     bool stop_on_invalid_ip, std::string& out) {
    MatchState& state = match_state();
    state.memo = ScanMemo{};
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t copied = 0;
    for (;;) {
        // The patterns never match empty; NOTEMPTY guarantees progress regardless.
        const int rc = pcre2_match(code, subject, text.size(), copied, PCRE2_NOTEMPTY, state.data,
                                   state.context);
        if (rc <= 0) break;  // no more matches, or a resource limit: keep the rest as it is
        // Only the matching rule's group is set, and it is the highest one set.
        const size_t rule = first_rule + static_cast<size_t>(rc) - 2;
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
        if (state.memo.pending == ovector[0] && rule == kHostnameRule)
            state.memo.pending = ScanMemo::kNone;  // it succeeded
        else
            state.memo.pending_failed();
        const std::string_view value = text.substr(ovector[0], ovector[1] - ovector[0]);
        out.append(text.substr(copied, ovector[0] - copied));
        if (rule == kIpRule && !is_valid_ip(value)) {
            if (stop_on_invalid_ip) return false;
            out.append(value);
        } else {
            out.append("<").append(kRuleNames[rule]).append(">");
        }
        copied = ovector[1];
    }
    out.append(text.substr(copied));
    return true;
}

// ---- Line trimming, as Python's str.splitlines() and str.isspace() ----

// Length of the line break at text[i] ("\r\n" counts as one), 0 when there is none.
size_t line_break_length(std::string_view text, size_t i) {
    switch (static_cast<unsigned char>(text[i])) {
        case '\r':
            return i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
        case '\n':
        case '\v':
        case '\f':
        case 0x1c:
        case 0x1d:
        case 0x1e:
            return 1;
        default:
            break;
    }
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("\xC2\x85")) return 2;                                          // NEL
    if (rest.starts_with("\xE2\x80\xA8") || rest.starts_with("\xE2\x80\xA9")) return 3;  // LS, PS
    return 0;
}

// Length of the whitespace character at text[i], 0 when there is none.
size_t whitespace_length(std::string_view text, size_t i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return 1;
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("\xC2\x85") || rest.starts_with("\xC2\xA0")) return 2;
    if (rest.size() < 3) return 0;
    const auto b1 = static_cast<unsigned char>(rest[1]);
    const auto b2 = static_cast<unsigned char>(rest[2]);
    switch (c) {
        case 0xE1:  // U+1680
            return b1 == 0x9A && b2 == 0x80 ? 3 : 0;
        case 0xE2:  // U+2000-200A, U+2028, U+2029, U+202F, U+205F
            return (b1 == 0x80 &&
                    ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) ||
                           (b1 == 0x81 && b2 == 0x9F)
                       ? 3
                       : 0;
        case 0xE3:  // U+3000
            return b1 == 0x80 && b2 == 0x80 ? 3 : 0;
        default:
            return 0;
    }
}

bool is_blank(std::string_view line) {
    for (size_t i = 0; i < line.size();) {
        const size_t length = whitespace_length(line, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

}  // namespace

std::span<const std::string_view> parameterization_rule_names() {
    return kRuleNames;
}

std::string parameterize(std::string_view text) {
    const RuleSet& rules = rules_for(text);
    std::string out;
    out.reserve(text.size());
    if (replace_matches(rules.combined.get(), 0, text, true, out)) return out;
    // An IP-like value was no address. Sentry then applies the rules one at a time, each to the
    // previous one's output, so that value cannot hide later rules' matches inside it.
    std::string current(text);
    for (size_t rule = 0; rule < kRuleCount; ++rule) {
        out.clear();
        replace_matches(rules.single[rule].get(), rule, current, false, out);
        current.swap(out);
    }
    return current;
}

std::string normalize_message_for_grouping(std::string_view message) {
    std::string trimmed;
    int kept = 0;
    for (size_t start = 0, i = 0; kept < 2 && start <= message.size(); ++i) {
        const size_t line_break = i < message.size() ? line_break_length(message, i) : 0;
        if (i < message.size() && line_break == 0) continue;
        const std::string_view line = message.substr(start, i - start);
        if (!is_blank(line)) {
            if (kept++ > 0) trimmed += '\n';
            trimmed += line;
        }
        if (i == message.size()) break;
        i += line_break - 1;
        start = i + 1;
    }
    if (trimmed != message) trimmed += "...";
    return parameterize(trimmed);
}

}  // namespace lt
