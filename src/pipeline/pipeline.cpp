#include "pipeline/pipeline.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <vector>

#include "core/compression.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "envelope/envelope.h"
#include "envelope/item_types.h"
#include "event/process.h"
#include "grouping/grouping.h"
#include "issues/summary.h"
#include "spool/record.h"

namespace lt {

namespace {

// Used only where SCHED_IDLE is refused (some sandboxes filter sched_setscheduler).
constexpr int kPipelineNiceFallback = 19;

// Acknowledging requests is what SDKs wait for: the pipeline threads run only when the ingest
// threads have nothing to do (SCHED_IDLE; threads started from here inherit it), and the
// spool holds the difference meanwhile.
void yield_cpu_to_ingest() {
    sched_param param{};
    if (sched_setscheduler(0, SCHED_IDLE, &param) != 0) {
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kPipelineNiceFallback);
    }
}

struct PipelineMetrics {
    Counter& envelopes = metrics().counter("lighttrace_pipeline_envelopes_total",
                                           "Spooled requests processed by the pipeline.");
    Histogram& commit_seconds =
        metrics().histogram("lighttrace_store_commit_seconds", "Store batch commit latency.",
                            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
    Histogram& visible_seconds = metrics().histogram(
        "lighttrace_pipeline_visible_seconds",
        "Time from a request's acknowledgement to its items being readable through the API.",
        {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
    LabeledCounters items{"lighttrace_pipeline_items_total",
                          "Items stored by the pipeline, by item type.", "type", kKnownItemTypes};
    Counter& dropped(const std::string& type, const std::string& reason) {
        return metrics().counter(
            "lighttrace_pipeline_dropped_total",
            "Items the pipeline could not keep, by type and reason.",
            {{"type", is_known_item_type(type) ? type : "other"}, {"reason", reason}});
    }
};

// Adds `drops` to the batch's count for the same project, item type and reason.
void add_drops(WriteBatch& batch, const DropCount& drops) {
    for (DropCount& drop : batch.drops) {
        if (drop.project_id == drops.project_id && drop.item_type == drops.item_type &&
            drop.reason == drops.reason) {
            drop.count += drops.count;
            return;
        }
    }
    batch.drops.push_back(drops);
}

PipelineMetrics& pipeline_metrics() {
    static PipelineMetrics instance;
    return instance;
}

void record_drop(WriteBatch& batch, int64_t project_id, const std::string& type,
                 const std::string& reason) {
    pipeline_metrics().dropped(type, reason).add();
    add_drops(batch, DropCount{project_id, type, reason, 1});
}

}  // namespace

double process_spooled_record(std::string_view record, WriteBatch& batch,
                              const PipelineOptions& options, ProjectConfigs* configs) {
    PipelineMetrics& counters = pipeline_metrics();
    counters.envelopes.add();
    auto request = decode_spooled_request(record);
    if (!request) {
        record_drop(batch, 0, "envelope", "unreadable_spool_record");
        return 0;
    }
    EnvelopeParse parsed = parse_envelope(request->body);
    if (!parsed.envelope) {
        record_drop(batch, request->project_id, "envelope", "bad_framing");
        return request->received_at;
    }

    std::map<std::string, int, std::less<>> ordinals;
    for (const EnvelopeItem& item : parsed.envelope->items) {
        if (!is_known_item_type(item.type)) {
            record_drop(batch, request->project_id, item.type, "unsupported_item_type");
            continue;
        }
        StoredItem stored;
        stored.project_id = request->project_id;
        stored.type = item.type;
        stored.ordinal = ordinals[item.type]++;
        stored.received_at = request->received_at;
        stored.timestamp = request->received_at;
        stored.raw_size = item.payload.size();
        std::string_view payload = item.payload;
        std::string event_json;
        if (is_event_item(item.type)) {
            EventProcessing processing;
            processing.normalize = {request->received_at, parsed.envelope->sent_at,
                                    request->client_ip, request->event_id};
            const ProjectConfig* config =
                configs != nullptr ? &configs->get(request->project_id) : nullptr;
            if (config != nullptr) processing.scrub = config->scrub;
            std::optional<json::Document> event = prepare_event(payload, processing);
            if (!event) {
                record_drop(batch, request->project_id, item.type, "invalid_json");
                continue;
            }
            if (item.type == "event") {
                const GroupingResult grouping = compute_grouping(
                    event->root(), config != nullptr ? &config->fingerprint_rules : nullptr);
                stored.issue = summarize_event(*event, grouping);
            }
            event_json = json::to_string(event->root());
            payload = event_json;
            const json::Value* timestamp = event->root().find("timestamp");
            stored.timestamp = timestamp ? timestamp->as_double().value_or(0) : 0;
            stored.event_id = request->event_id;
        } else if (item.type == "attachment" || item.type == "user_report") {
            stored.event_id = request->event_id;
        }
        stored.payload_zstd = zstd_compress(payload, options.payload_zstd_level);
        counters.items.at(stored.type).add();
        batch.items.push_back(std::move(stored));
    }
    return request->received_at;
}

Pipeline::Pipeline(Store& store, Spool& spool, PipelineOptions options)
    : store_(store), spool_(spool), options_(options) {}

Pipeline::~Pipeline() {
    stop();
}

void Pipeline::start() {
    stopping_.store(false);
    thread_ = std::thread([this] { run(); });
}

void Pipeline::stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
}

uint64_t Pipeline::depth_bytes() const {
    const SpoolPosition end = spool_.durable_end();
    const SpoolPosition done{committed_segment_.load(), committed_offset_.load()};
    if (end <= done) return 0;
    if (end.segment == done.segment) return end.offset - done.offset;
    const uint64_t whole_segments = end.segment - done.segment - 1;
    const uint64_t rest_of_first =
        options_.segment_bytes > done.offset ? options_.segment_bytes - done.offset : 0;
    return whole_segments * options_.segment_bytes + rest_of_first + end.offset;
}

double Pipeline::lag_seconds() const {
    if (depth_bytes() == 0) return 0;
    const double newest = committed_received_at_.load();
    return newest > 0 ? std::max(0.0, now_seconds() - newest) : 0.0;
}

void Pipeline::process_records(const std::vector<SpoolRecord>& records,
                               std::vector<ProjectConfigs>& configs, WriteBatch& batch,
                               std::vector<double>& received_times) const {
    // Below this many records per thread, starting a thread costs more than it saves.
    constexpr size_t kMinRecordsPerThread = 16;
    const size_t threads =
        std::clamp<size_t>(records.size() / kMinRecordsPerThread, 1, configs.size());
    std::vector<WriteBatch> parts(threads);
    std::vector<std::vector<double>> times(threads);
    auto process_part = [&](size_t part) {
        const size_t begin = records.size() * part / threads;
        const size_t end = records.size() * (part + 1) / threads;
        for (size_t i = begin; i < end; ++i) {
            times[part].push_back(
                process_spooled_record(records[i].payload, parts[part], options_, &configs[part]));
        }
    };
    std::vector<std::future<void>> helpers;
    for (size_t part = 1; part < threads; ++part) {
        helpers.push_back(std::async(std::launch::async, process_part, part));
    }
    process_part(0);
    for (auto& helper : helpers) helper.get();
    for (size_t part = 0; part < threads; ++part) {
        for (StoredItem& item : parts[part].items) batch.items.push_back(std::move(item));
        for (const DropCount& drop : parts[part].drops) add_drops(batch, drop);
        received_times.insert(received_times.end(), times[part].begin(), times[part].end());
    }
}

void Pipeline::run() {
    yield_cpu_to_ingest();
    PipelineMetrics& counters = pipeline_metrics();
    // One settings cache per processing thread (a cache serves one thread at a time).
    std::vector<ProjectConfigs> project_configs;
    for (size_t i = 0; i < std::max<size_t>(1, options_.processing_threads); ++i) {
        project_configs.emplace_back(&store_);
    }
    std::optional<SpoolReader> reader;
    reader.emplace(spool_, store_.read_cursor());
    SpoolPosition released = reader->position();
    committed_segment_.store(released.segment);
    committed_offset_.store(released.offset);
    while (true) {
        // After stop() is asked, keep going until nothing durable is left.
        const bool draining = stopping_.load();
        std::optional<SpoolRecord> next =
            reader->next(draining ? std::chrono::milliseconds(0) : std::chrono::milliseconds(100));
        if (!next) {
            if (draining) break;
            continue;
        }
        // Gather for a short window: a commit costs about as much as a few dozen rows, so
        // under load larger batches are what keep the store ahead of ingest.
        std::vector<SpoolRecord> records;
        size_t bytes = 0;
        const auto gather_until = std::chrono::steady_clock::now() + options_.gather_window;
        while (next) {
            bytes += next->payload.size();
            records.push_back(std::move(*next));
            if (records.size() >= options_.max_batch_records || bytes >= options_.max_batch_bytes) {
                break;
            }
            const auto now = std::chrono::steady_clock::now();
            const auto wait =
                draining || now >= gather_until
                    ? std::chrono::milliseconds(0)
                    : std::chrono::ceil<std::chrono::milliseconds>(gather_until - now);
            next = reader->next(wait);
        }
        WriteBatch batch;
        std::vector<double> received_times;
        process_records(records, project_configs, batch, received_times);
        batch.cursor = records.back().end;
        const double newest_received_at = received_times.back();
        const auto started = std::chrono::steady_clock::now();
        try {
            store_.commit(batch);
        } catch (const std::exception& e) {
            // Nothing of the batch is kept; read the same records again after a pause.
            log_error("pipeline.commit_failed", {{"error", e.what()}});
            std::this_thread::sleep_for(std::chrono::seconds(1));
            reader.emplace(spool_, store_.read_cursor());
            continue;
        }
        counters.commit_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        const double committed_at = now_seconds();
        for (const double received_at : received_times) {
            if (received_at > 0) counters.visible_seconds.observe(committed_at - received_at);
        }
        committed_received_at_.store(newest_received_at);
        committed_segment_.store(batch.cursor.segment);
        committed_offset_.store(batch.cursor.offset);
        if (batch.cursor.segment > released.segment) {
            spool_.release_before(SpoolPosition{batch.cursor.segment, 0});
            released = batch.cursor;
        }
    }
}

}  // namespace lt
