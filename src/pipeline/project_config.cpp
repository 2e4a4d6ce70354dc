#include "pipeline/project_config.h"

#include <string>
#include <variant>

#include "core/log.h"

namespace lt {

ScrubSettings scrub_settings_for(const ProjectSettings& settings) {
    ScrubSettings scrub;
    scrub.scrub_data = settings.data_scrubber;
    scrub.scrub_defaults = settings.data_scrubber_defaults;
    scrub.scrub_ip_addresses = settings.scrub_ip_addresses;
    scrub.sensitive_fields = settings.sensitive_fields;
    scrub.safe_fields = settings.safe_fields;
    return scrub;
}

const ProjectConfig& ProjectConfigs::get(int64_t project_id) {
    if (store_ == nullptr) return defaults_;
    const auto now = std::chrono::steady_clock::now();
    auto found = entries_.find(project_id);
    if (found != entries_.end() && now - found->second.loaded_at < max_age_) {
        return found->second.config;
    }
    Entry& entry = entries_[project_id];
    try {
        const ProjectSettings settings = store_->project_settings(project_id);
        entry.config.scrub = scrub_settings_for(settings);
        auto rules = parse_fingerprint_rules(settings.fingerprinting_rules);
        if (auto* parsed = std::get_if<FingerprintRules>(&rules)) {
            entry.config.fingerprint_rules = std::move(*parsed);
        } else {
            const auto& error = std::get<FingerprintRulesError>(rules);
            log_error("pipeline.fingerprint_rules_invalid",
                      {{"project_id", std::to_string(project_id)},
                       {"line", std::to_string(error.line)},
                       {"error", error.message}});
            entry.config.fingerprint_rules = FingerprintRules();
        }
    } catch (const std::exception& e) {
        // Keep what was there (the defaults for a new entry) and try again next time.
        log_error("pipeline.project_settings_unreadable",
                  {{"project_id", std::to_string(project_id)}, {"error", e.what()}});
        return entry.config;
    }
    entry.loaded_at = now;
    return entry.config;
}

}  // namespace lt
