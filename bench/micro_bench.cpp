// Micro-benchmarks of the ingest and pipeline hot paths, on the captured SDK envelopes.
// Run: build/bench/lighttrace-micro-bench [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/compression.h"
#include "core/ids.h"
#include "envelope/envelope.h"
#include "pipeline/pipeline.h"
#include "spool/record.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;

// The captured envelopes that carry an error event (the "error mix").
const std::vector<std::string>& error_envelopes() {
    static const std::vector<std::string> envelopes = [] {
        std::vector<std::string> found;
        for (const auto& entry : fs::recursive_directory_iterator(LT_FIXTURES "/corpus")) {
            if (entry.path().extension() != ".envelope") continue;
            std::ifstream in(entry.path(), std::ios::binary);
            std::stringstream buffer;
            buffer << in.rdbuf();
            std::string body = buffer.str();
            if (body.find("{\"type\":\"event\"") != std::string::npos) found.push_back(body);
        }
        return found;
    }();
    return envelopes;
}

std::vector<std::string> gzipped_envelopes() {
    std::vector<std::string> out;
    for (const auto& body : error_envelopes()) out.push_back(lt::gzip_compress(body));
    return out;
}

void set_bytes(benchmark::State& state, const std::vector<std::string>& inputs) {
    size_t bytes = 0;
    for (const auto& input : inputs) bytes += input.size();
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes / inputs.size()));
}

void BM_GunzipEnvelope(benchmark::State& state) {
    const auto inputs = gzipped_envelopes();
    size_t i = 0;
    for (auto _ : state) {
        auto decoded = lt::decode_content("gzip", inputs[i++ % inputs.size()], 50u << 20);
        benchmark::DoNotOptimize(decoded);
    }
    set_bytes(state, error_envelopes());
}
BENCHMARK(BM_GunzipEnvelope);

void BM_ParseEnvelope(benchmark::State& state) {
    const auto& inputs = error_envelopes();
    size_t i = 0;
    for (auto _ : state) {
        auto parsed = lt::parse_envelope(inputs[i++ % inputs.size()]);
        benchmark::DoNotOptimize(parsed);
    }
    set_bytes(state, inputs);
}
BENCHMARK(BM_ParseEnvelope);

void BM_ZstdCompressEvent(benchmark::State& state) {
    const auto& inputs = error_envelopes();
    size_t i = 0;
    for (auto _ : state) {
        auto compressed =
            lt::zstd_compress(inputs[i++ % inputs.size()], static_cast<int>(state.range(0)));
        benchmark::DoNotOptimize(compressed);
    }
    set_bytes(state, inputs);
}
BENCHMARK(BM_ZstdCompressEvent)->Arg(-1)->Arg(1)->Arg(3);

// One spooled error envelope through the whole pipeline processing step (no store commit).
// Arg 0: the answered event id is the payload's own (what SDKs send); arg 1: it differs, so
// the event JSON is rewritten.
void BM_ProcessSpooledRecord(benchmark::State& state) {
    std::vector<std::string> records;
    for (const auto& body : error_envelopes()) {
        lt::SpooledRequest request;
        request.project_id = 1;
        request.received_at = 1.7e9;
        request.event_id = state.range(0) == 0 ? lt::parse_envelope(body).envelope->event_id
                                               : "0123456789abcdef0123456789abcdef";
        request.body = body;
        records.push_back(lt::encode_spooled_request(request));
    }
    size_t i = 0;
    for (auto _ : state) {
        lt::WriteBatch batch;
        lt::process_spooled_record(records[i++ % records.size()], batch, {});
        benchmark::DoNotOptimize(batch);
    }
    set_bytes(state, error_envelopes());
}
BENCHMARK(BM_ProcessSpooledRecord)->Arg(0)->Arg(1);

// Store commits of pipeline-sized batches: error events with random ids, stored as the pipeline
// stores them (zstd level 1), into a store that grows across iterations.
void BM_StoreCommit(benchmark::State& state) {
    const fs::path dir = fs::temp_directory_path() / "lighttrace-micro-bench-store";
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        auto store = lt::open_sqlite_store(dir / "lighttrace.db");
        std::vector<std::string> payloads;
        for (const auto& body : error_envelopes()) payloads.push_back(lt::zstd_compress(body, 1));
        const size_t batch_size = static_cast<size_t>(state.range(0));
        uint64_t sequence = 0;
        for (auto _ : state) {
            lt::WriteBatch batch;
            for (size_t i = 0; i < batch_size; ++i, ++sequence) {
                lt::StoredItem item;
                item.project_id = 1;
                item.type = "event";
                item.event_id = lt::random_hex(16);
                item.received_at = 1.7e9 + static_cast<double>(sequence) / 1000;
                item.timestamp = item.received_at;
                item.payload_zstd = payloads[sequence % payloads.size()];
                batch.items.push_back(std::move(item));
            }
            batch.cursor = lt::SpoolPosition{1, sequence};
            store->commit(batch);
        }
        state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch_size));
    }
    fs::remove_all(dir);
}
BENCHMARK(BM_StoreCommit)->Arg(32)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
