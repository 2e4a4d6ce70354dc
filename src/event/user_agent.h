// Browser, OS and device contexts inferred from a User-Agent string and client hints, the way
// Relay does it (relay-event-normalization normalize/user_agent.rs on top of ua-parser rules).
//
// Contract:
// * Rules: uap-core's regexes.yaml (Debian package `uap-core`; default path
//   kDefaultRegexesPath), read with libyaml and compiled with PCRE2 (JIT, byte mode, ASCII \d \w,
//   `regex_flag: 'i'` = caseless) when a UserAgentParser is constructed. uap-core semantics: in
//   each section (user_agent_parsers, os_parsers, device_parsers) the first matching rule wins;
//   a `*_replacement` overrides its field, with $1..$9 replaced by the groups (unset -> "") and
//   the result trimmed; without one, the field is the rule's group (family/os/device = 1,
//   major = 2, minor = 3, patch = 4, patch_minor = 5; device model = 1). Empty fields are absent.
//   A rule that yields no family (no replacement, group 1 empty) does not match (uap-rs). No match:
//   family "Other". classify() returns exactly that result.
// * Sentry mapping (parse(), Relay's FromUserAgentInfo), each context independently; a client
//   hint that yields a context wins over the User-Agent string:
//   - browser: from Sec-CH-UA, the first comma-separated entry not mentioning "Brand",
//     "Chromium", "Gecko" or "WebKit" that has the form "NAME";v="VERSION" -> {NAME, VERSION}
//     (none when that entry is malformed or NAME/VERSION blank). Else UA family (unless "Other")
//     -> {name = family, version = major[.minor[.patch]]}, no version without major.
//   - os: from Sec-CH-UA-Platform (trimmed, quotes removed, non-empty) -> {name, version =
//     Sec-CH-UA-Platform-Version trimmed and unquoted, absent when empty}. Else UA OS family
//     (unless "Other") -> {name, version = major[.minor[.patch]]}; Windows "10" becomes ">=10" and
//     Mac OS X "10.15.7" becomes ">=10.15.7" (browsers freeze those versions).
//   - device: from Sec-CH-UA-Model (trimmed, quotes removed, non-empty) -> {model} only. Else UA
//     device family (unless "Other") -> {family, model, brand}.
//   Callers own the rest of Relay's rule: only fill contexts the event lacks, and store the OS
//   under `os` for platform "javascript", under `client_os` otherwise.
// * Bounds: the User-Agent is cut to kMaxUserAgentBytes and each hint to kMaxHintBytes (at a
//   UTF-8 character boundary) before anything else; every rule match runs under a PCRE2 match
//   limit, and a rule that hits it counts as not matching. Thread-safe.
// * Speed: a rule is skipped without running PCRE2 when the subject lacks a literal that every
//   match of it contains (taken conservatively from the pattern); results are unchanged.
// * Cache: parse() memoises results per (cut User-Agent, hints) in a sharded LRU of at most
//   `cache_capacity` entries (rounded up to a multiple of the shard count; 0 disables it).
// * A missing or invalid regexes file (unreadable, bad YAML, a regex that does not compile)
//   makes that parser answer empty results, after one lt::log_warn when it is constructed.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lt {

struct BrowserContext {
    std::string name;
    std::optional<std::string> version;
    bool operator==(const BrowserContext&) const = default;
};

struct OsContext {
    std::string name;
    std::optional<std::string> version;
    bool operator==(const OsContext&) const = default;
};

struct DeviceContext {
    std::optional<std::string> family;
    std::optional<std::string> model;
    std::optional<std::string> brand;
    bool operator==(const DeviceContext&) const = default;
};

struct UserAgentInfo {
    std::optional<BrowserContext> browser;
    std::optional<OsContext> os;
    std::optional<DeviceContext> device;
    bool operator==(const UserAgentInfo&) const = default;
};

// Raw header values; empty means absent.
struct ClientHints {
    std::string_view sec_ch_ua = {};         // Sec-CH-UA
    std::string_view platform = {};          // Sec-CH-UA-Platform
    std::string_view platform_version = {};  // Sec-CH-UA-Platform-Version
    std::string_view model = {};             // Sec-CH-UA-Model
};

// uap-core's own result shape (what its test files list).
struct UapResult {
    struct Agent {
        std::string family = "Other";
        std::optional<std::string> major, minor, patch;
    } user_agent;
    struct Os {
        std::string family = "Other";
        std::optional<std::string> major, minor, patch, patch_minor;
    } os;
    struct Device {
        std::string family = "Other";
        std::optional<std::string> brand, model;
    } device;
};

class UserAgentParser {
public:
    static constexpr std::string_view kDefaultRegexesPath = "/usr/share/uap-core/regexes.yaml";
    static constexpr size_t kDefaultCacheCapacity = 4096;
    static constexpr size_t kMaxUserAgentBytes = 512;
    static constexpr size_t kMaxHintBytes = 256;

    explicit UserAgentParser(const std::string& regexes_path,
                             size_t cache_capacity = kDefaultCacheCapacity);
    ~UserAgentParser();
    UserAgentParser(const UserAgentParser&) = delete;
    UserAgentParser& operator=(const UserAgentParser&) = delete;

    // The process-wide parser on kDefaultRegexesPath, loaded on first use.
    static const UserAgentParser& default_instance();

    // False when the regexes file could not be loaded (every answer is then empty).
    bool loaded() const;

    UserAgentInfo parse(std::string_view user_agent, const ClientHints& hints = {}) const;

    // uap-core's result for the (cut) User-Agent string; not cached.
    UapResult classify(std::string_view user_agent) const;

    // Entries currently cached.
    size_t cached_entries() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// UserAgentParser::default_instance().parse(user_agent, hints).
UserAgentInfo parse_user_agent(std::string_view user_agent, const ClientHints& hints = {});

}  // namespace lt
