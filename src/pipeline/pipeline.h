// The pipeline: reads the spool in order and turns each accepted request into stored items.
//
// Contract
// - One thread reads durable spool records from the store's committed cursor, gathers a batch
//   of them, has them processed (by up to `processing_threads` threads, each taking a
//   contiguous share), and commits everything the batch produced, in record order, together
//   with the new cursor in one store transaction. A crash before the commit only means the same
//   records are processed again; the store keeps items with an event id once, so the outcome is
//   exactly-once.
// - Every item of a known type is stored (payload zstd-compressed). Events, transactions and
//   feedback go through the event processor first (event/process.h: lenient parse, normalization
//   with the answered event id, user-agent contexts, PII scrubbing). Error and default events
//   (item type "event") are then grouped (grouping/grouping.h; the hashes and config id are
//   kept on the event) and summarized for their issue (issues/summary.h: type, title, culprit,
//   metadata, derived tags); the store attaches them to issues in the same commit. Unknown item
//   types and unusable payloads are counted as drops with a reason, never silently lost.
// - Spool segments wholly behind the committed cursor are released.
// - stop() processes everything already durable, commits, and joins.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "pipeline/project_config.h"
#include "spool/spool.h"
#include "store/store.h"

namespace lt {

struct PipelineOptions {
    size_t max_batch_records = 1024;
    size_t max_batch_bytes = 32u << 20;  // decoded bytes processed per commit
    // How long a batch may wait for more records before it is committed (adds at most this
    // to the time until an event is visible).
    std::chrono::milliseconds gather_window{10};
    int payload_zstd_level = 1;
    // Threads that process a batch's records (parse, normalize, scrub, group, compress) in
    // parallel; the store commit stays on the one pipeline thread.
    size_t processing_threads = 2;
    uint64_t segment_bytes = SpoolOptions{}.segment_bytes;  // for depth_bytes()
};

// Turns one spool record into store rows (and drop counts) in `batch`; returns the record's
// receive time (0 when unreadable). `configs` gives each project's settings (null: the
// defaults). Exposed for tests and benchmarks.
double process_spooled_record(std::string_view record, WriteBatch& batch,
                              const PipelineOptions& options, ProjectConfigs* configs = nullptr);

class Pipeline {
public:
    Pipeline(Store& store, Spool& spool, PipelineOptions options = {});
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    void start();
    void stop();
    // Spool bytes that are durable but not yet committed to the store (approximate across
    // segments), and how long ago the newest committed record was received while any remain.
    uint64_t depth_bytes() const;
    double lag_seconds() const;

private:
    void run();
    // Processes `records` into `batch` (items in record order) and their receive times.
    void process_records(const std::vector<SpoolRecord>& records,
                         std::vector<ProjectConfigs>& configs, WriteBatch& batch,
                         std::vector<double>& received_times) const;

    Store& store_;
    Spool& spool_;
    PipelineOptions options_;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> committed_segment_{1};
    std::atomic<uint64_t> committed_offset_{0};
    std::atomic<double> committed_received_at_{0};
    std::thread thread_;
};

}  // namespace lt
