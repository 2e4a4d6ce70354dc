// Prometheus metrics: counters, gauges and histograms, rendered in the text format.
//
// Registration returns a reference that stays valid for the process lifetime, so hot paths
// look a series up once and then only do relaxed atomic adds. Label sets are given as
// {"name","value"} pairs in a fixed order per metric. Gauges are callbacks evaluated at scrape.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> value_{0};
};

// The counters of one family for a fixed list of label values, created up front so that
// at() takes no lock. A value outside the list counts under `other_value`.
class LabeledCounters {
public:
    template <typename Values>
    LabeledCounters(const std::string& name, const std::string& help, const std::string& label,
                    const Values& values, const std::string& other_value = "other");
    Counter& at(std::string_view value) const;

private:
    std::vector<std::pair<std::string, Counter*>> counters_;
    Counter* other_ = nullptr;
};

class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    std::vector<double> bounds() const { return bounds_; }
    // Cumulative counts per bound, then +Inf; the sum; the count.
    std::vector<uint64_t> cumulative_counts() const;
    double sum() const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 buckets
    std::atomic<uint64_t> sum_micros_{0};
};

class Metrics {
public:
    Counter& counter(const std::string& name, const std::string& help,
                     const MetricLabels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help,
                         const std::vector<double>& bounds);
    void gauge(const std::string& name, const std::string& help, std::function<double()> read);
    std::string render() const;

private:
    struct Family {
        std::string help;
        std::string type;
        std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered label set
        std::unique_ptr<Histogram> histogram;
        std::function<double()> gauge;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

// The process-wide registry.
Metrics& metrics();

template <typename Values>
LabeledCounters::LabeledCounters(const std::string& name, const std::string& help,
                                 const std::string& label, const Values& values,
                                 const std::string& other_value) {
    for (const auto& value : values) {
        counters_.emplace_back(std::string(value),
                               &metrics().counter(name, help, {{label, std::string(value)}}));
    }
    other_ = &metrics().counter(name, help, {{label, other_value}});
}

}  // namespace lt
