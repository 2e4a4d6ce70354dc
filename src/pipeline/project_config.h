// Per-project processing configuration for the pipeline: the project's scrubbing settings and
// server-side fingerprint rules, read from the store and cached.
//
// Contract
// - get(project_id) returns the configuration to apply to that project's next event. Entries
//   are re-read from the store when older than `max_age` (1 s by default), so a settings change
//   applies to events processed from a second after it was saved.
// - Without a store (benchmarks, tests) every project gets the defaults.
// - Fingerprint rules that do not parse (the API refuses them, so only a hand-edited database
//   has them) are logged and left out.
// - Not thread-safe: the pipeline thread owns it. References returned by get() stay valid until
//   the next call.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>

#include "event/scrub.h"
#include "grouping/fingerprint_rules.h"
#include "store/store.h"

namespace lt {

struct ProjectConfig {
    ScrubSettings scrub;
    FingerprintRules fingerprint_rules;  // empty: none
};

// The scrubbing settings a project's settings ask for.
ScrubSettings scrub_settings_for(const ProjectSettings& settings);

class ProjectConfigs {
public:
    explicit ProjectConfigs(Store* store,
                            std::chrono::steady_clock::duration max_age = std::chrono::seconds(1))
        : store_(store), max_age_(max_age) {}

    const ProjectConfig& get(int64_t project_id);

private:
    struct Entry {
        ProjectConfig config;
        std::chrono::steady_clock::time_point loaded_at;
    };
    Store* store_;
    std::chrono::steady_clock::duration max_age_;
    std::map<int64_t, Entry> entries_;
    ProjectConfig defaults_;
};

}  // namespace lt
