#include "pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "core/compression.h"
#include "spool/record.h"
#include "test_support.h"

namespace lt {
namespace {

using testing_support::read_file;

namespace fs = std::filesystem;

std::string spooled(std::string body, const std::string& event_id = "") {
    SpooledRequest request;
    request.project_id = 7;
    request.received_at = 1'700'000'000.5;
    request.client_ip = "127.0.0.1";
    request.event_id = event_id;
    request.body = std::move(body);
    return encode_spooled_request(request);
}

std::string payload_of(const StoredItem& item) {
    return zstd_decompress(item.payload_zstd, 64u << 20).value();
}

constexpr const char* kHeaderId = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

// Runs an envelope with one event item through the pipeline step; returns the stored JSON.
std::string store_event(const std::string& event) {
    WriteBatch batch;
    process_spooled_record(spooled("{}\n{\"type\":\"event\"}\n" + event, kHeaderId), batch, {});
    EXPECT_EQ(batch.items.size(), 1u);
    EXPECT_TRUE(batch.drops.empty());
    return batch.items.empty() ? std::string() : payload_of(batch.items[0]);
}

TEST(ProcessRecord, EnvelopeHeaderEventIdWins) {
    WriteBatch batch;
    process_spooled_record(
        spooled(std::string("{\"event_id\":\"") + kHeaderId +
                    "\"}\n{\"type\":\"event\"}\n{\"event_id\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
                    "\"message\":\"hi\",\"timestamp\":1700000000.25}\n",
                kHeaderId),
        batch, {});
    ASSERT_EQ(batch.items.size(), 1u);
    const StoredItem& item = batch.items[0];
    EXPECT_EQ(item.event_id, kHeaderId);
    EXPECT_EQ(item.project_id, 7);
    EXPECT_DOUBLE_EQ(item.timestamp, 1'700'000'000.25);
    simdjson::dom::parser parser;
    const std::string json = payload_of(item);
    simdjson::dom::element root = parser.parse(json);
    EXPECT_EQ(std::string_view(root["event_id"]), kHeaderId);
    EXPECT_EQ(std::string_view(root["logentry"]["formatted"]), "hi");
    EXPECT_TRUE(batch.drops.empty());
}

TEST(ProcessRecord, EventsAreStoredNormalizedAndScrubbed) {
    const std::string event = std::string("{\"event_id\":\"") + kHeaderId +
                              "\",\"level\":\"error\",\"extra\":{\"password\":\"hunter2\"},"
                              "\"request\":{\"headers\":{\"User-Agent\":\"Mozilla/5.0 (X11; Linux "
                              "x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 "
                              "Safari/537.36\"}}}";
    const std::string json = store_event(event);
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(json);
    EXPECT_EQ(std::string_view(root["type"]), "default");
    EXPECT_EQ(std::string_view(root["platform"]), "other");
    EXPECT_DOUBLE_EQ(double(root["timestamp"]), 1'700'000'000.5);  // missing: received_at
    EXPECT_EQ(std::string_view(root["extra"]["password"]), "[Filtered]");
    EXPECT_EQ(std::string_view(root["contexts"]["browser"]["name"]), "Chrome");
    EXPECT_EQ(std::string_view(root["contexts"]["client_os"]["name"]), "Linux");
}

TEST(ProcessRecord, InvalidUtf8IsReplacedAndRecorded) {
    const std::string event =
        std::string("{\"message\":\"bad \xff\xfe bytes\",\"errors\":[{\"type\":\"x\"}]}");
    const std::string json = store_event(event);
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(json);
    EXPECT_EQ(std::string_view(root["logentry"]["formatted"]),
              "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
    simdjson::dom::array errors = root["errors"];
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(std::string_view(errors.at(0)["type"]), "x");
    EXPECT_EQ(std::string_view(errors.at(1)["type"]), "invalid_data");
    EXPECT_EQ(int64_t(errors.at(1)["count"]), 2);
}

TEST(ProcessRecord, LoneSurrogatesAndHugeIntegersAreKept) {
    // What JavaScript and Python SDKs send: a string cut inside a surrogate pair, a big int.
    const std::string event =
        R"({"message":"cut \ud83d","extra":{"big":123456789012345678901234567890}})";
    const std::string json = store_event(event);
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(json);
    EXPECT_EQ(std::string_view(root["logentry"]["formatted"]), "cut \xEF\xBF\xBD");
    EXPECT_DOUBLE_EQ(double(root["extra"]["big"]), 1.2345678901234568e29);
    EXPECT_EQ(std::string_view(root["event_id"]), kHeaderId);
}

TEST(ProcessRecord, EveryKindIsStoredOrCountedAsDropped) {
    const std::string body =
        std::string("{\"event_id\":\"") + kHeaderId +
        "\"}\n"
        "{\"type\":\"session\"}\n{\"sid\":\"1\",\"started\":\"2026-01-01T00:00:00Z\"}\n"
        "{\"type\":\"attachment\",\"length\":3,\"filename\":\"a.txt\"}\nA\nB\n"
        "{\"type\":\"attachment\",\"length\":1,\"filename\":\"b.txt\"}\nC\n"
        "{\"type\":\"no_such_type\"}\n{}\n"
        "{\"type\":\"transaction\"}\nnot json\n";
    WriteBatch batch;
    process_spooled_record(spooled(body, kHeaderId), batch, {});
    ASSERT_EQ(batch.items.size(), 3u);
    EXPECT_EQ(batch.items[0].type, "session");
    EXPECT_EQ(batch.items[0].event_id, "");
    EXPECT_EQ(batch.items[1].type, "attachment");
    EXPECT_EQ(batch.items[1].event_id, kHeaderId);
    EXPECT_EQ(payload_of(batch.items[1]), "A\nB");
    EXPECT_EQ(batch.items[2].ordinal, 1);
    ASSERT_EQ(batch.drops.size(), 2u);
    EXPECT_EQ(batch.drops[0].item_type, "no_such_type");
    EXPECT_EQ(batch.drops[0].reason, "unsupported_item_type");
    EXPECT_EQ(batch.drops[1].item_type, "transaction");
    EXPECT_EQ(batch.drops[1].reason, "invalid_json");
}

TEST(ProcessRecord, CountsUnreadableRecords) {
    WriteBatch batch;
    process_spooled_record("not a spool record", batch, {});
    ASSERT_EQ(batch.drops.size(), 1u);
    EXPECT_EQ(batch.drops[0].reason, "unreadable_spool_record");
}

TEST(ProcessRecord, EveryCapturedEnvelopeIsStoredWithoutDrops) {
    size_t envelopes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(LT_FIXTURES) / "corpus")) {
        if (entry.path().extension() != ".envelope") continue;
        WriteBatch batch;
        process_spooled_record(spooled(read_file(entry.path()), kHeaderId), batch, {});
        EXPECT_TRUE(batch.drops.empty()) << entry.path();
        EXPECT_FALSE(batch.items.empty()) << entry.path();
        ++envelopes;
    }
    EXPECT_GT(envelopes, 40u);
}

class PipelineRunTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        dir_ = fs::temp_directory_path() / ("lt-pipeline-" + std::to_string(random()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    static std::string event_id(int n) {
        char id[33];
        std::snprintf(id, sizeof id, "%032x", n);
        return id;
    }

    // An event envelope; with `extra_item`, also an item of an unknown type (a counted drop).
    static void append_event(Spool& spool, int n, bool extra_item = false) {
        std::string body = "{}\n{\"type\":\"event\"}\n{\"message\":\"m\"}";
        if (extra_item) body += "\n{\"type\":\"weird\"}\n{}";
        std::promise<bool> durable;
        spool.append(spooled(body, event_id(n)), [&](bool ok) { durable.set_value(ok); });
        ASSERT_TRUE(durable.get_future().get());
    }

    fs::path dir_;
};

TEST_F(PipelineRunTest, AppliesEachRecordOnceAcrossRestarts) {
    {
        auto store = open_sqlite_store(dir_ / "lighttrace.db");
        Spool spool(dir_ / "spool");
        for (int i = 1; i <= 50; ++i) append_event(spool, i);
        Pipeline pipeline(*store, spool);
        pipeline.start();
        pipeline.stop();  // drains everything durable before returning
        EXPECT_EQ(store->list_items(7, "event", 1000, false).size(), 50u);
        EXPECT_EQ(store->read_cursor(), spool.durable_end());
    }
    {
        auto store = open_sqlite_store(dir_ / "lighttrace.db");
        Spool spool(dir_ / "spool");
        Pipeline pipeline(*store, spool);
        pipeline.start();
        for (int i = 51; i <= 60; ++i) append_event(spool, i);
        pipeline.stop();
        EXPECT_EQ(store->list_items(7, "event", 1000, false).size(), 60u);
        EXPECT_EQ(pipeline.depth_bytes(), 0u);
    }
}

TEST_F(PipelineRunTest, ParallelProcessingKeepsRecordOrderAndCountsEveryDrop) {
    auto store = open_sqlite_store(dir_ / "lighttrace.db");
    Spool spool(dir_ / "spool");
    for (int i = 1; i <= 300; ++i) append_event(spool, i, i % 10 == 0);
    PipelineOptions options;
    options.processing_threads = 3;
    Pipeline pipeline(*store, spool, options);
    pipeline.start();
    pipeline.stop();
    // Same receive time for all: newest first is by row id, i.e. the reverse of record order.
    const auto items = store->list_items(7, "event", 1000, false);
    ASSERT_EQ(items.size(), 300u);
    for (int i = 0; i < 300; ++i)
        EXPECT_EQ(items[static_cast<size_t>(i)].event_id, event_id(300 - i));
    const auto drops = store->list_drops();
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_EQ(drops[0].item_type, "weird");
    EXPECT_EQ(drops[0].count, 30);
    EXPECT_EQ(store->read_cursor(), spool.durable_end());
}

}  // namespace
}  // namespace lt
