#include "event/user_agent.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <list>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/text.h"

namespace lt {

namespace {

// Ample for uap-core's rules (its ~150k test strings and mutations of them all match alike
// with a limit of 3,000), small enough that a hostile input cannot stall a rule for long.
constexpr uint32_t kMatchLimit = 100'000;
constexpr uint32_t kOvectorPairs = 10;  // the whole match and $1..$9
constexpr size_t kCacheShards = 16;

// At most `max_bytes`, without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    size_t end = max_bytes;
    for (int i = 0; i < 3 && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80;
         ++i) {
        --end;
    }
    return text.substr(0, end);
}

// Relay's `value.trim().replace('"', "")`.
std::string trimmed_unquoted(std::string_view value) {
    std::string out;
    for (const char c : trim_ascii_space(value)) {
        if (c != '"') out.push_back(c);
    }
    return out;
}

std::optional<std::string> non_empty(std::string value) {
    if (value.empty()) return std::nullopt;
    return value;
}

// major[.minor[.patch]], nothing without a major.
std::optional<std::string> join_version(const std::optional<std::string>& major,
                                        const std::optional<std::string>& minor,
                                        const std::optional<std::string>& patch) {
    if (!major) return std::nullopt;
    std::string version = *major;
    if (minor) {
        version += '.';
        version += *minor;
        if (patch) {
            version += '.';
            version += *patch;
        }
    }
    return version;
}

// Per-thread PCRE2 state: match data for $0..$9 and a match context carrying the match limit
// and a JIT stack large enough for the rules' bounded repeats.
struct MatchScratch {
    pcre2_match_data* data = pcre2_match_data_create(kOvectorPairs, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);

    MatchScratch() {
        if (data == nullptr || context == nullptr || jit_stack == nullptr) {
            release();
            throw std::bad_alloc();
        }
        pcre2_set_match_limit(context, kMatchLimit);
        pcre2_jit_stack_assign(context, nullptr, jit_stack);
    }
    ~MatchScratch() { release(); }
    MatchScratch(const MatchScratch&) = delete;
    MatchScratch& operator=(const MatchScratch&) = delete;

    void release() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(jit_stack);
    }
};

MatchScratch& match_scratch() {
    thread_local MatchScratch scratch;
    return scratch;
}

struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};

// One rule of a section; `replacements` are indexed like the section's field names.
struct Rule {
    std::unique_ptr<pcre2_code, CodeDeleter> code;
    std::array<std::optional<std::string>, 5> replacements;
    // Pre-filter: every match contains `literal` (ASCII-lowercased when `caseless`), so a
    // subject without it is skipped before PCRE2 runs. Empty: no pre-filter.
    std::string literal;
    bool caseless = false;
};

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Length of the quantifier at regex[i] (?, *, +, {n}, {n,}, {n,m}, with a lazy/possessive
// suffix), 0 when there is none. Also takes {,m} and spaced forms, which only newer PCRE2
// versions read as repeats: counting them as repeats is the conservative choice here.
size_t quantifier_length(std::string_view regex, size_t i) {
    size_t end = i;
    if (i < regex.size() && (regex[i] == '?' || regex[i] == '*' || regex[i] == '+')) {
        end = i + 1;
    } else if (i < regex.size() && regex[i] == '{') {
        size_t j = i + 1;
        bool digits = false;
        for (; j < regex.size() &&
               (regex[j] == ',' || regex[j] == ' ' || (regex[j] >= '0' && regex[j] <= '9'));
             ++j) {
            digits = digits || (regex[j] != ',' && regex[j] != ' ');
        }
        if (!digits || j >= regex.size() || regex[j] != '}') return 0;
        end = j + 1;
    } else {
        return 0;
    }
    if (end < regex.size() && (regex[end] == '?' || regex[end] == '+')) ++end;
    return end - i;
}

// Index of the ']' closing the character class that opens at regex[i], npos when unclosed.
size_t class_end(std::string_view regex, size_t i) {
    size_t j = i + 1;
    if (j < regex.size() && regex[j] == '^') ++j;
    if (j < regex.size() && regex[j] == ']') ++j;  // a leading ']' is a member
    for (; j < regex.size(); ++j) {
        if (regex[j] == '\\') {
            ++j;
        } else if (regex[j] == '[' && j + 1 < regex.size() && regex[j + 1] == ':') {
            const size_t close = regex.find(":]", j + 2);
            if (close == std::string_view::npos) return close;
            j = close + 1;
        } else if (regex[j] == ']') {
            return j;
        }
    }
    return std::string_view::npos;
}

// Index just past the group that opens at regex[i], npos when unbalanced.
size_t group_end(std::string_view regex, size_t i) {
    size_t depth = 0;
    for (size_t j = i; j < regex.size(); ++j) {
        if (regex[j] == '\\') {
            ++j;
        } else if (regex[j] == '[') {
            j = class_end(regex, j);
            if (j == std::string_view::npos) return j;
        } else if (regex[j] == '(') {
            ++depth;
        } else if (regex[j] == ')' && --depth == 0) {
            return j + 1;
        }
    }
    return std::string_view::npos;
}

// True when `regex` has a '|' outside its groups and classes (or is malformed).
bool has_alternative(std::string_view regex) {
    size_t depth = 0;
    for (size_t i = 0; i < regex.size(); ++i) {
        if (regex[i] == '\\') {
            ++i;
        } else if (regex[i] == '[') {
            i = class_end(regex, i);
            if (i == std::string_view::npos) return true;
        } else if (regex[i] == '(') {
            ++depth;
        } else if (regex[i] == ')') {
            if (depth == 0) return true;
            --depth;
        } else if (regex[i] == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

// The longest run of plain characters that every match of a pattern contains. Runs continue
// into unrepeated capturing and (?:) groups without alternatives and end at anything else
// (classes, \d-style escapes, anchors, repeated atoms, other groups): conservative by design.
class RequiredLiteral {
public:
    static std::string of(std::string_view regex) {
        RequiredLiteral scan;
        if (has_alternative(regex) || !scan.sequence(regex)) return {};
        scan.end_run();
        return scan.best_;
    }

private:
    // Scans a sequence without top-level alternatives; false when it cannot be followed.
    bool sequence(std::string_view regex) {
        for (size_t i = 0; i < regex.size();) {
            const char c = regex[i];
            if (c == '(') {
                const size_t end = group_end(regex, i);
                if (end == std::string_view::npos) return false;
                const size_t quantifier = quantifier_length(regex, end);
                std::string_view inner = regex.substr(i + 1, end - i - 2);
                const bool plain = !inner.starts_with('?') || inner.starts_with("?:");
                if (inner.starts_with("?:")) inner.remove_prefix(2);
                if (plain && quantifier == 0 && !has_alternative(inner)) {
                    if (!sequence(inner)) return false;
                } else {
                    end_run();
                }
                i = end + quantifier;
                continue;
            }
            if (c == '[') {
                const size_t end = class_end(regex, i);
                if (end == std::string_view::npos) return false;
                i = end + 1 + quantifier_length(regex, end + 1);
                end_run();
                continue;
            }
            char literal = c;
            // '{' and '}' too: whether they are literal depends on the PCRE2 version.
            bool plain = !(c == '.' || c == '^' || c == '$' || c == '?' || c == '*' || c == '+' ||
                           c == ')' || c == '|' || c == '{' || c == '}');
            if (c == '\\') {
                if (i + 1 >= regex.size()) return false;
                literal = regex[++i];
                plain = !is_alnum(literal);  // \d, \b, \x41, ...: not a plain character
            }
            ++i;
            const size_t quantifier = quantifier_length(regex, i);
            i += quantifier;
            if (plain && quantifier == 0) {
                run_.push_back(literal);
            } else {
                end_run();  // not a character, or one that may be absent or repeated
            }
        }
        return true;
    }

    void end_run() {
        if (run_.size() > best_.size()) best_ = run_;
        run_.clear();
    }

    std::string best_;
    std::string run_;
};

// A successful match of one rule against the subject.
class Match {
public:
    Match(std::string_view subject, const PCRE2_SIZE* ovector, uint32_t pairs)
        : subject_(subject), ovector_(ovector), pairs_(pairs) {}

    // The rule's replacement for a field when it has one, else capture group `group`.
    std::optional<std::string> field(const std::optional<std::string>& replacement,
                                     uint32_t group) const {
        if (replacement) return replaced(*replacement);
        return non_empty(std::string(this->group(group)));
    }

    // `replacement` with $1..$9 replaced by their groups (unset ones by nothing), trimmed.
    std::optional<std::string> replaced(std::string_view replacement) const {
        std::string out;
        for (size_t i = 0; i < replacement.size(); ++i) {
            if (replacement[i] == '$' && i + 1 < replacement.size() && replacement[i + 1] >= '1' &&
                replacement[i + 1] <= '9') {
                out += group(static_cast<uint32_t>(replacement[i + 1] - '0'));
                ++i;
            } else {
                out.push_back(replacement[i]);
            }
        }
        return non_empty(std::string(trim_ascii_space(out)));
    }

private:
    std::string_view group(uint32_t n) const {
        if (n >= pairs_ || ovector_[2 * n] == PCRE2_UNSET) return {};
        return subject_.substr(ovector_[2 * n], ovector_[2 * n + 1] - ovector_[2 * n]);
    }

    std::string_view subject_;
    const PCRE2_SIZE* ovector_;
    uint32_t pairs_;
};

// Runs the rules in order; the first one that matches and that `accept` takes wins.
template <typename Accept>
void first_match(const std::vector<Rule>& rules, std::string_view subject, Accept&& accept) {
    MatchScratch& scratch = match_scratch();
    std::string lowered;  // the subject ASCII-lowercased, made for the first caseless rule
    for (const Rule& rule : rules) {
        if (!rule.literal.empty()) {
            if (rule.caseless && lowered.empty()) {
                lowered.resize(subject.size());
                std::transform(subject.begin(), subject.end(), lowered.begin(), ascii_lower);
            }
            if ((rule.caseless ? std::string_view(lowered) : subject).find(rule.literal) ==
                std::string_view::npos) {
                continue;
            }
        }
        const int rc = pcre2_match(rule.code.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                                   subject.size(), 0, 0, scratch.data, scratch.context);
        if (rc < 0) continue;  // no match, or the match limit was hit
        const uint32_t pairs = rc == 0 ? kOvectorPairs : static_cast<uint32_t>(rc);
        if (accept(rule, Match(subject, pcre2_get_ovector_pointer(scratch.data), pairs))) return;
    }
}

// ---- regexes.yaml -------------------------------------------------------------------------

struct Section {
    const char* key;
    std::array<const char*, 5> fields;  // replacement names, nullptr-padded
};

constexpr Section kAgentSection{
    "user_agent_parsers",
    {"family_replacement", "v1_replacement", "v2_replacement", "v3_replacement", nullptr}};
constexpr Section kOsSection{"os_parsers",
                             {"os_replacement", "os_v1_replacement", "os_v2_replacement",
                              "os_v3_replacement", "os_v4_replacement"}};
constexpr Section kDeviceSection{
    "device_parsers",
    {"device_replacement", "brand_replacement", "model_replacement", nullptr, nullptr}};

struct RuleSet {
    std::vector<Rule> agents;
    std::vector<Rule> oses;
    std::vector<Rule> devices;
};

class YamlDocument {
public:
    YamlDocument() = default;
    ~YamlDocument() {
        if (loaded_) yaml_document_delete(&document_);
    }
    YamlDocument(const YamlDocument&) = delete;
    YamlDocument& operator=(const YamlDocument&) = delete;

    // Loads the first document of `file`; an error message on failure.
    std::string load(FILE* file) {
        yaml_parser_t parser;
        if (yaml_parser_initialize(&parser) == 0) return "cannot initialize libyaml";
        yaml_parser_set_input_file(&parser, file);
        std::string error;
        if (yaml_parser_load(&parser, &document_) == 0) {
            error = std::string("YAML error: ") +
                    (parser.problem != nullptr ? parser.problem : "unknown") + " at line " +
                    std::to_string(parser.problem_mark.line + 1);
        } else {
            loaded_ = true;
        }
        yaml_parser_delete(&parser);
        return error;
    }

    yaml_node_t* root() { return yaml_document_get_root_node(&document_); }
    yaml_node_t* node(int index) { return yaml_document_get_node(&document_, index); }

    std::optional<std::string_view> scalar(yaml_node_t* node) const {
        if (node == nullptr || node->type != YAML_SCALAR_NODE) return std::nullopt;
        return std::string_view(reinterpret_cast<const char*>(node->data.scalar.value),
                                node->data.scalar.length);
    }

    // The value of `key` in mapping `map`, nullptr when absent.
    yaml_node_t* lookup(yaml_node_t* map, std::string_view key) {
        if (map == nullptr || map->type != YAML_MAPPING_NODE) return nullptr;
        for (yaml_node_pair_t* pair = map->data.mapping.pairs.start;
             pair < map->data.mapping.pairs.top; ++pair) {
            if (scalar(node(pair->key)) == key) return node(pair->value);
        }
        return nullptr;
    }

private:
    yaml_document_t document_{};
    bool loaded_ = false;
};

std::string compile_section(YamlDocument& doc, const Section& section, std::vector<Rule>& out) {
    yaml_node_t* list = doc.lookup(doc.root(), section.key);
    if (list == nullptr || list->type != YAML_SEQUENCE_NODE) {
        return std::string("no '") + section.key + "' list";
    }
    for (yaml_node_item_t* item = list->data.sequence.items.start;
         item < list->data.sequence.items.top; ++item) {
        yaml_node_t* entry = doc.node(*item);
        const std::string where = std::string(section.key) + "[" + std::to_string(out.size()) + "]";
        const auto regex = doc.scalar(doc.lookup(entry, "regex"));
        if (!regex) return where + ": no regex";
        uint32_t options = 0;
        if (doc.scalar(doc.lookup(entry, "regex_flag")) == "i") options |= PCRE2_CASELESS;
        int error_code = 0;
        PCRE2_SIZE error_offset = 0;
        Rule rule;
        rule.code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex->data()), regex->size(),
                                      options, &error_code, &error_offset, nullptr));
        if (!rule.code) {
            std::array<PCRE2_UCHAR, 256> message{};
            pcre2_get_error_message(error_code, message.data(), message.size());
            return where + ": " + reinterpret_cast<const char*>(message.data()) + " at offset " +
                   std::to_string(error_offset);
        }
        rule.literal = RequiredLiteral::of(*regex);
        rule.caseless = (options & PCRE2_CASELESS) != 0;
        if (rule.caseless) {
            std::transform(rule.literal.begin(), rule.literal.end(), rule.literal.begin(),
                           ascii_lower);
        }
        // Without JIT (unsupported CPU) pcre2_match falls back to the interpreter.
        pcre2_jit_compile(rule.code.get(), PCRE2_JIT_COMPLETE);
        for (size_t i = 0; i < section.fields.size() && section.fields[i] != nullptr; ++i) {
            if (const auto value = doc.scalar(doc.lookup(entry, section.fields[i]))) {
                rule.replacements[i] = std::string(*value);
            }
        }
        out.push_back(std::move(rule));
    }
    return {};
}

// Reads and compiles the rules of `path`; an error message on failure.
std::string load_rules(const std::string& path, RuleSet& rules) {
    const std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) return std::string("cannot open: ") + std::strerror(errno);
    YamlDocument doc;
    if (std::string error = doc.load(file.get()); !error.empty()) return error;
    for (const auto& [section, out] :
         {std::pair{&kAgentSection, &rules.agents}, std::pair{&kOsSection, &rules.oses},
          std::pair{&kDeviceSection, &rules.devices}}) {
        if (std::string error = compile_section(doc, *section, *out); !error.empty()) return error;
    }
    return {};
}

// ---- cache --------------------------------------------------------------------------------

// Sharded LRU map from a key to its answer.
class ResultCache {
public:
    explicit ResultCache(size_t capacity)
        : per_shard_((capacity + kCacheShards - 1) / kCacheShards) {}

    bool enabled() const { return per_shard_ > 0; }

    std::optional<UserAgentInfo> find(std::string_view key) {
        Shard& shard = shard_for(key);
        const std::lock_guard lock(shard.mutex);
        const auto found = shard.index.find(key);
        if (found == shard.index.end()) return std::nullopt;
        shard.order.splice(shard.order.begin(), shard.order, found->second);
        return found->second->second;
    }

    void insert(std::string key, const UserAgentInfo& info) {
        Shard& shard = shard_for(key);
        const std::lock_guard lock(shard.mutex);
        if (shard.index.contains(key)) return;  // another thread got there first
        shard.order.emplace_front(std::move(key), info);
        shard.index.emplace(shard.order.front().first, shard.order.begin());
        if (shard.order.size() > per_shard_) {
            shard.index.erase(shard.order.back().first);
            shard.order.pop_back();
        }
    }

    size_t size() const {
        size_t total = 0;
        for (const Shard& shard : shards_) {
            const std::lock_guard lock(shard.mutex);
            total += shard.order.size();
        }
        return total;
    }

private:
    using Entries = std::list<std::pair<std::string, UserAgentInfo>>;
    struct Shard {
        mutable std::mutex mutex;
        Entries order;                                                  // most recently used first
        std::unordered_map<std::string_view, Entries::iterator> index;  // keys live in `order`
    };

    Shard& shard_for(std::string_view key) {
        return shards_[std::hash<std::string_view>{}(key) % kCacheShards];
    }

    size_t per_shard_;
    std::array<Shard, kCacheShards> shards_;
};

// Lengths of the four hints (2 bytes each), the hints, then the User-Agent.
std::string cache_key(std::string_view user_agent, const ClientHints& hints) {
    const std::array<std::string_view, 4> parts{hints.sec_ch_ua, hints.platform,
                                                hints.platform_version, hints.model};
    std::string key;
    key.reserve(8 + hints.sec_ch_ua.size() + hints.platform.size() + hints.platform_version.size() +
                hints.model.size() + user_agent.size());
    for (const std::string_view part : parts) {
        key.push_back(static_cast<char>(part.size() & 0xFF));
        key.push_back(static_cast<char>(part.size() >> 8));
    }
    for (const std::string_view part : parts) key += part;
    key += user_agent;
    return key;
}

// ---- client hints -------------------------------------------------------------------------

// The first `"NAME";v="VERSION"` in `entry` (a regex search for "([^"]*)";v="([^"]*)").
std::optional<std::pair<std::string_view, std::string_view>> brand_version(std::string_view entry) {
    for (size_t open = entry.find('"'); open != std::string_view::npos;) {
        const size_t close = entry.find('"', open + 1);
        if (close == std::string_view::npos) return std::nullopt;
        constexpr std::string_view kVersion = ";v=\"";
        if (entry.substr(close + 1, kVersion.size()) == kVersion) {
            const size_t start = close + 1 + kVersion.size();
            const size_t end = entry.find('"', start);
            if (end == std::string_view::npos) return std::nullopt;
            return std::pair{entry.substr(open + 1, close - open - 1),
                             entry.substr(start, end - start)};
        }
        open = close;
    }
    return std::nullopt;
}

std::optional<BrowserContext> browser_from_hints(std::string_view sec_ch_ua) {
    if (sec_ch_ua.empty()) return std::nullopt;
    for (size_t start = 0; start <= sec_ch_ua.size();) {
        size_t comma = sec_ch_ua.find(',', start);
        if (comma == std::string_view::npos) comma = sec_ch_ua.size();
        const std::string_view entry = sec_ch_ua.substr(start, comma - start);
        start = comma + 1;
        // Not brands of a browser: GREASE entries ("Not A;Brand") and engines.
        if (entry.find("Brand") != std::string_view::npos ||
            entry.find("Chromium") != std::string_view::npos ||
            entry.find("Gecko") != std::string_view::npos ||
            entry.find("WebKit") != std::string_view::npos) {
            continue;
        }
        const auto found = brand_version(entry);
        if (!found || trim_ascii_space(found->first).empty() ||
            trim_ascii_space(found->second).empty()) {
            return std::nullopt;
        }
        return BrowserContext{std::string(found->first), std::string(found->second)};
    }
    return std::nullopt;
}

std::optional<OsContext> os_from_hints(const ClientHints& hints) {
    std::string platform = trimmed_unquoted(hints.platform);
    if (platform.empty()) return std::nullopt;
    return OsContext{std::move(platform), non_empty(trimmed_unquoted(hints.platform_version))};
}

std::optional<DeviceContext> device_from_hints(std::string_view model_hint) {
    std::string model = trimmed_unquoted(model_hint);
    if (model.empty()) return std::nullopt;
    return DeviceContext{std::nullopt, std::move(model), std::nullopt};
}

}  // namespace

// ---- parser -------------------------------------------------------------------------------

struct UserAgentParser::Impl {
    explicit Impl(size_t cache_capacity) : cache(cache_capacity) {}

    UapResult::Agent match_agent(std::string_view user_agent) const {
        UapResult::Agent agent;
        first_match(rules.agents, user_agent, [&](const Rule& rule, const Match& match) {
            auto family = match.field(rule.replacements[0], 1);
            if (!family) return false;
            agent.family = std::move(*family);
            agent.major = match.field(rule.replacements[1], 2);
            agent.minor = match.field(rule.replacements[2], 3);
            agent.patch = match.field(rule.replacements[3], 4);
            return true;
        });
        return agent;
    }

    UapResult::Os match_os(std::string_view user_agent) const {
        UapResult::Os os;
        first_match(rules.oses, user_agent, [&](const Rule& rule, const Match& match) {
            auto family = match.field(rule.replacements[0], 1);
            if (!family) return false;
            os.family = std::move(*family);
            os.major = match.field(rule.replacements[1], 2);
            os.minor = match.field(rule.replacements[2], 3);
            os.patch = match.field(rule.replacements[3], 4);
            os.patch_minor = match.field(rule.replacements[4], 5);
            return true;
        });
        return os;
    }

    UapResult::Device match_device(std::string_view user_agent) const {
        UapResult::Device device;
        first_match(rules.devices, user_agent, [&](const Rule& rule, const Match& match) {
            auto family = match.field(rule.replacements[0], 1);
            if (!family) return false;
            device.family = std::move(*family);
            if (rule.replacements[1]) device.brand = match.replaced(*rule.replacements[1]);
            device.model = match.field(rule.replacements[2], 1);
            return true;
        });
        return device;
    }

    UserAgentInfo infer(std::string_view user_agent, const ClientHints& hints) const {
        UserAgentInfo info;
        info.browser = browser_from_hints(hints.sec_ch_ua);
        if (!info.browser && !user_agent.empty()) {
            UapResult::Agent agent = match_agent(user_agent);
            if (agent.family != "Other") {
                info.browser = BrowserContext{std::move(agent.family),
                                              join_version(agent.major, agent.minor, agent.patch)};
            }
        }
        info.os = os_from_hints(hints);
        if (!info.os && !user_agent.empty()) {
            UapResult::Os os = match_os(user_agent);
            if (os.family != "Other") {
                auto version = join_version(os.major, os.minor, os.patch);
                // User-Agent strings freeze these versions; the real one may be higher.
                if (version && ((os.family == "Windows" && *version == "10") ||
                                (os.family == "Mac OS X" && *version == "10.15.7"))) {
                    version->insert(0, ">=");
                }
                info.os = OsContext{std::move(os.family), std::move(version)};
            }
        }
        info.device = device_from_hints(hints.model);
        if (!info.device && !user_agent.empty()) {
            UapResult::Device device = match_device(user_agent);
            if (device.family != "Other") {
                info.device = DeviceContext{std::move(device.family), std::move(device.model),
                                            std::move(device.brand)};
            }
        }
        return info;
    }

    RuleSet rules;
    bool loaded = false;
    mutable ResultCache cache;
};

UserAgentParser::UserAgentParser(const std::string& regexes_path, size_t cache_capacity)
    : impl_(std::make_unique<Impl>(cache_capacity)) {
    const std::string error = load_rules(regexes_path, impl_->rules);
    impl_->loaded = error.empty();
    if (!impl_->loaded) {
        impl_->rules = {};
        log_warn("user_agent.regexes_unavailable",
                 {{"path", regexes_path},
                  {"error", error},
                  {"effect", "no browser/os/device contexts from User-Agent"}});
    }
}

UserAgentParser::~UserAgentParser() = default;

const UserAgentParser& UserAgentParser::default_instance() {
    // Never destroyed: threads may still parse while the process exits.
    static const UserAgentParser* const instance =
        new UserAgentParser(std::string(kDefaultRegexesPath));
    return *instance;
}

bool UserAgentParser::loaded() const {
    return impl_->loaded;
}

UserAgentInfo UserAgentParser::parse(std::string_view user_agent, const ClientHints& hints) const {
    if (!impl_->loaded) return {};
    const std::string_view cut = cut_utf8(user_agent, kMaxUserAgentBytes);
    const ClientHints cut_hints{
        cut_utf8(hints.sec_ch_ua, kMaxHintBytes), cut_utf8(hints.platform, kMaxHintBytes),
        cut_utf8(hints.platform_version, kMaxHintBytes), cut_utf8(hints.model, kMaxHintBytes)};
    if (cut.empty() && cut_hints.sec_ch_ua.empty() && cut_hints.platform.empty() &&
        cut_hints.platform_version.empty() && cut_hints.model.empty()) {
        return {};
    }
    if (!impl_->cache.enabled()) return impl_->infer(cut, cut_hints);
    std::string key = cache_key(cut, cut_hints);
    if (auto cached = impl_->cache.find(key)) return std::move(*cached);
    UserAgentInfo info = impl_->infer(cut, cut_hints);
    impl_->cache.insert(std::move(key), info);
    return info;
}

UapResult UserAgentParser::classify(std::string_view user_agent) const {
    const std::string_view cut = cut_utf8(user_agent, kMaxUserAgentBytes);
    return UapResult{impl_->match_agent(cut), impl_->match_os(cut), impl_->match_device(cut)};
}

size_t UserAgentParser::cached_entries() const {
    return impl_->cache.size();
}

UserAgentInfo parse_user_agent(std::string_view user_agent, const ClientHints& hints) {
    return UserAgentParser::default_instance().parse(user_agent, hints);
}

}  // namespace lt
