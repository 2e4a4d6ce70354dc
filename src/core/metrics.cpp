#include "core/metrics.h"

#include <charconv>

namespace lt {

namespace {

std::string render_labels(const MetricLabels& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (size_t i = 0; i < labels.size(); ++i) {
        if (i) out.push_back(',');
        out += labels[i].first;
        out += "=\"";
        for (char c : labels[i].second) {
            if (c == '"' || c == '\\') out.push_back('\\');
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            out.push_back(c);
        }
        out.push_back('"');
    }
    out.push_back('}');
    return out;
}

std::string format_number(double value) {
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, result.ptr);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
    for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double value) {
    size_t bucket = 0;
    while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<uint64_t>(value * 1e6), std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::cumulative_counts() const {
    std::vector<uint64_t> out;
    uint64_t total = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        total += counts_[i].load(std::memory_order_relaxed);
        out.push_back(total);
    }
    return out;
}

double Histogram::sum() const {
    return static_cast<double>(sum_micros_.load()) / 1e6;
}

Counter& LabeledCounters::at(std::string_view value) const {
    for (const auto& [known, counter] : counters_) {
        if (known == value) return *counter;
    }
    return *other_;
}

Counter& Metrics::counter(const std::string& name, const std::string& help,
                          const MetricLabels& labels) {
    std::lock_guard lock(mutex_);
    Family& family = families_[name];
    family.help = help;
    family.type = "counter";
    auto& slot = family.counters[render_labels(labels)];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const std::vector<double>& bounds) {
    std::lock_guard lock(mutex_);
    Family& family = families_[name];
    family.help = help;
    family.type = "histogram";
    if (!family.histogram) family.histogram = std::make_unique<Histogram>(bounds);
    return *family.histogram;
}

void Metrics::gauge(const std::string& name, const std::string& help,
                    std::function<double()> read) {
    std::lock_guard lock(mutex_);
    Family& family = families_[name];
    family.help = help;
    family.type = "gauge";
    family.gauge = std::move(read);
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + " " + family.help + "\n";
        out += "# TYPE " + name + " " + family.type + "\n";
        if (family.gauge) {
            out += name + " " + format_number(family.gauge()) + "\n";
        } else if (family.histogram) {
            const auto bounds = family.histogram->bounds();
            const auto counts = family.histogram->cumulative_counts();
            for (size_t i = 0; i < bounds.size(); ++i) {
                out += name + "_bucket{le=\"" + format_number(bounds[i]) + "\"} " +
                       std::to_string(counts[i]) + "\n";
            }
            out += name + "_bucket{le=\"+Inf\"} " + std::to_string(counts.back()) + "\n";
            out += name + "_sum " + format_number(family.histogram->sum()) + "\n";
            out += name + "_count " + std::to_string(counts.back()) + "\n";
        } else {
            for (const auto& [labels, counter] : family.counters) {
                out += name + labels + " " + std::to_string(counter->value()) + "\n";
            }
        }
    }
    return out;
}

Metrics& metrics() {
    static Metrics registry;
    return registry;
}

}  // namespace lt
