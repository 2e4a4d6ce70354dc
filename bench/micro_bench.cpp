// Micro-benchmarks of the ingest and pipeline hot paths, on the captured SDK envelopes.
// Run: build/bench/lighttrace-micro-bench [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/compression.h"
#include "core/ids.h"
#include "envelope/envelope.h"
#include "event/json.h"
#include "event/normalize.h"
#include "event/scrub.h"
#include "event/user_agent.h"
#include "grouping/grouping.h"
#include "grouping/parameterize.h"
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

// The event item payloads of error_envelopes(). Arg 0: all of them in turn; arg N: only the one
// closest to N bytes.
std::vector<std::string> event_payloads(int64_t near_bytes) {
    std::vector<std::string> payloads;
    for (const auto& body : error_envelopes()) {
        const lt::EnvelopeParse parsed = lt::parse_envelope(body);
        for (const auto& item : parsed.envelope->items) {
            if (item.type == "event") payloads.emplace_back(item.payload);
        }
    }
    if (near_bytes == 0) return payloads;
    const auto distance = [&](const std::string& payload) {
        return std::abs(static_cast<int64_t>(payload.size()) - near_bytes);
    };
    return {*std::min_element(payloads.begin(), payloads.end(), [&](const auto& a, const auto& b) {
        return distance(a) < distance(b);
    })};
}

// The baseline for BM_JsonParseBuild: simdjson's DOM parse alone, with a reused parser.
void BM_SimdjsonParse(benchmark::State& state) {
    const auto inputs = event_payloads(state.range(0));
    simdjson::dom::parser parser;
    size_t i = 0;
    for (auto _ : state) {
        simdjson::dom::element root;
        const auto& input = inputs[i++ % inputs.size()];
        benchmark::DoNotOptimize(parser.parse(input.data(), input.size()).get(root));
    }
    set_bytes(state, inputs);
}
BENCHMARK(BM_SimdjsonParse)->Arg(0)->Arg(8500);

void BM_JsonParseBuild(benchmark::State& state) {
    const auto inputs = event_payloads(state.range(0));
    size_t i = 0;
    for (auto _ : state) {
        auto parsed = lt::json::parse(inputs[i++ % inputs.size()]);
        benchmark::DoNotOptimize(parsed);
    }
    set_bytes(state, inputs);
}
BENCHMARK(BM_JsonParseBuild)->Arg(0)->Arg(8500);

void BM_JsonWrite(benchmark::State& state) {
    const auto inputs = event_payloads(state.range(0));
    std::vector<lt::json::Document> documents;
    for (const auto& input : inputs)
        documents.push_back(std::move(*lt::json::parse(input).document));
    size_t i = 0;
    for (auto _ : state) {
        auto json = lt::json::to_string(documents[i++ % documents.size()].root());
        benchmark::DoNotOptimize(json);
    }
    set_bytes(state, inputs);
}
BENCHMARK(BM_JsonWrite)->Arg(0)->Arg(8500);

// Normalization and scrubbing of one parsed error event (parse included, as the pipeline does).
template <typename Step>
void run_event_step(benchmark::State& state, Step step) {
    const auto inputs = event_payloads(0);
    size_t i = 0;
    for (auto _ : state) {
        auto document = std::move(*lt::json::parse(inputs[i++ % inputs.size()]).document);
        step(document);
        benchmark::DoNotOptimize(document.root());
    }
    set_bytes(state, inputs);
}

void BM_ParseAndNormalizeEvent(benchmark::State& state) {
    run_event_step(state, [](lt::json::Document& document) {
        lt::normalize_event(document,
                            {1.7e9, std::nullopt, "127.0.0.1", "0123456789abcdef0123456789abcdef"});
    });
}
BENCHMARK(BM_ParseAndNormalizeEvent);

void BM_ParseAndScrubEvent(benchmark::State& state) {
    run_event_step(state, [](lt::json::Document& document) { lt::scrub_event(document, {}); });
}
BENCHMARK(BM_ParseAndScrubEvent);

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

// Store commits of pipeline-sized batches: the error mix as the pipeline produces it (payloads
// zstd level 1, issue facts for grouping) with fresh event ids, into a store that grows across
// iterations; the events keep joining the few issues of the corpus, as a busy app's do.
void BM_StoreCommit(benchmark::State& state) {
    const fs::path dir = fs::temp_directory_path() / "lighttrace-micro-bench-store";
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        auto store = lt::open_sqlite_store(dir / "lighttrace.db");
        std::vector<lt::StoredItem> templates;
        for (const auto& body : error_envelopes()) {
            lt::SpooledRequest request;
            request.project_id = 1;
            request.received_at = 1.7e9;
            request.event_id = lt::parse_envelope(body).envelope->event_id;
            request.body = body;
            lt::WriteBatch batch;
            lt::process_spooled_record(lt::encode_spooled_request(request), batch, {});
            for (auto& item : batch.items) {
                if (item.type == "event") templates.push_back(std::move(item));
            }
        }
        const size_t batch_size = static_cast<size_t>(state.range(0));
        uint64_t sequence = 0;
        for (auto _ : state) {
            lt::WriteBatch batch;
            for (size_t i = 0; i < batch_size; ++i, ++sequence) {
                lt::StoredItem item = templates[sequence % templates.size()];
                item.event_id = lt::random_hex(16);
                item.received_at = 1.7e9 + static_cast<double>(sequence) / 1000;
                item.timestamp = item.received_at;
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

// User-Agent -> browser/os/device contexts for common browsers. Cached: what an app's few
// distinct User-Agents cost; uncached: a User-Agent seen for the first time (every uap-core
// rule section scanned in order until a match).
const std::vector<std::string>& sample_user_agents() {
    static const std::vector<std::string> agents{
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.109 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    };
    return agents;
}

void parse_user_agents(benchmark::State& state, const lt::UserAgentParser& parser) {
    const auto& agents = sample_user_agents();
    size_t i = 0;
    for (auto _ : state) {
        auto info = parser.parse(agents[i++ % agents.size()]);
        benchmark::DoNotOptimize(info);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_ParseUserAgent(benchmark::State& state) {
    parse_user_agents(state, lt::UserAgentParser::default_instance());
}
BENCHMARK(BM_ParseUserAgent);

void BM_ParseUserAgentUncached(benchmark::State& state) {
    static const lt::UserAgentParser uncached{std::string(lt::UserAgentParser::kDefaultRegexesPath),
                                              0};
    parse_user_agents(state, uncached);
}
BENCHMARK(BM_ParseUserAgentUncached);

// Grouping's message parameterization, per message (a handful of typical error messages).
void BM_Parameterize(benchmark::State& state) {
    const std::vector<std::string> messages = {
        "Payment 8812 for alice@shop.com failed at 2024-03-05T10:00:00Z "
        "(request 550e8400-e29b-41d4-a716-446655440000)",
        "Connection to 10.1.2.3:5432 timed out after 30000 ms",
        "GET https://api.example.com/v1/orders/981?expand=items returned 503",
        "TypeError: Cannot read properties of undefined (reading 'map')",
        "Object 0x7ffee4b2c9a8 freed twice on Tue, 05 Mar 2024 14:22:01 GMT",
        "ValueError: invalid literal for int() with base 10: 'abc'",
        "Cache miss for key=\"user:42\" enabled=true after 1.5s",
        "ConnectionResetError: [Errno 104] Connection reset by peer",
    };
    size_t i = 0;
    for (auto _ : state) {
        auto parameterized = lt::parameterize(messages[i++ % messages.size()]);
        benchmark::DoNotOptimize(parameterized);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Parameterize);

// Grouping a Java exception with 60 frames (sentry-java's shape): every frame's module and
// filename go through the code-generation marker rules.
void BM_GroupJavaException(benchmark::State& state) {
    std::string frames;
    for (int i = 0; i < 60; ++i) {
        if (!frames.empty()) frames += ",";
        frames += R"({"module":"com.example.service.layer)" + std::to_string(i % 7) +
                  R"(.OrderProcessor","function":"process)" + std::to_string(i) +
                  R"(","filename":"OrderProcessor.java","lineno":)" + std::to_string(40 + i) +
                  R"(,"in_app":)" + (i % 3 == 0 ? "true" : "false") + "}";
    }
    const std::string text =
        R"({"platform":"java","exception":{"values":[{"type":"IllegalStateException",)"
        R"("value":"order 4411 is closed","module":"java.lang","stacktrace":{"frames":[)" +
        frames + "]}}]}}";
    auto parsed = lt::json::parse(text);
    for (auto _ : state) {
        auto grouping = lt::compute_grouping(parsed.document->root());
        benchmark::DoNotOptimize(grouping);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GroupJavaException);

}  // namespace

BENCHMARK_MAIN();
