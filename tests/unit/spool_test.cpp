#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "spool/spool.h"

namespace lt {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info->name();
        std::replace(name.begin(), name.end(), '/', '_');  // parameterized tests
        dir_ = fs::temp_directory_path() / ("lt-spool-" + std::to_string(::getpid()) + "-" + name +
                                            "-" + std::to_string(++counter_));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Appends and waits until the record is durable; returns the callback's verdict.
    static bool append_durably(Spool& spool, std::string record) {
        std::promise<bool> durable;
        auto result = durable.get_future();
        spool.append(std::move(record), [&](bool ok) { durable.set_value(ok); });
        return result.get();
    }

    static std::vector<SpoolRecord> read_all(const Spool& spool, SpoolPosition start) {
        SpoolReader reader(spool, start);
        std::vector<SpoolRecord> records;
        while (auto record = reader.next(0ms)) records.push_back(std::move(*record));
        return records;
    }

    std::vector<fs::path> segment_files() const {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir_)) {
            if (entry.path().extension() == ".seg") files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        return files;
    }

    static std::string record_text(int i, size_t size = 64) {
        std::string text = "record-" + std::to_string(i) + ":";
        text.resize(std::max(size, text.size()), static_cast<char>('a' + i % 26));
        return text;
    }

    fs::path dir_;
    static inline int counter_ = 0;
};

TEST(Crc32c, KnownVectors) {
    EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
    EXPECT_EQ(detail::crc32c_portable("123456789", 9), 0xE3069283u);
    EXPECT_EQ(crc32c("", 0), 0u);
    const std::string zeros(32, '\0');
    EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720 B.4
}

TEST(Crc32c, DispatchedMatchesPortableForAllLengthsAndAlignments) {
    std::mt19937 random(7);
    std::string data(600, '\0');
    for (char& c : data) c = static_cast<char>(random());
    for (size_t offset = 0; offset < 8; ++offset)
        for (size_t size = 0; size + offset <= data.size(); size += 1 + size / 8)
            ASSERT_EQ(crc32c(data.data() + offset, size),
                      detail::crc32c_portable(data.data() + offset, size))
                << offset << " " << size;
}

TEST_F(SpoolTest, AppendsAndReadsBackInOrder) {
    Spool spool(dir_);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(append_durably(spool, record_text(i)));

    const auto records = read_all(spool, {});
    ASSERT_EQ(records.size(), 100u);
    SpoolPosition previous;
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(records[i].payload, record_text(i));
        EXPECT_GT(records[i].end, previous);
        previous = records[i].end;
    }
    EXPECT_EQ(previous, spool.durable_end());
    const SpoolStats stats = spool.stats();
    EXPECT_EQ(stats.appended_records, 100u);
    EXPECT_EQ(stats.appended_bytes, 100u * 64);
    EXPECT_EQ(stats.durable_end, spool.durable_end());
    EXPECT_EQ(fs::file_size(dir_ / "0000000000000001.seg"), 100u * (8 + 64));
}

TEST_F(SpoolTest, DurableCallbackFiresTrueAndAdvancesDurableEnd) {
    Spool spool(dir_);
    EXPECT_EQ(spool.durable_end(), (SpoolPosition{1, 0}));
    EXPECT_TRUE(append_durably(spool, "hello"));
    EXPECT_EQ(spool.durable_end(), (SpoolPosition{1, 8 + 5}));
    EXPECT_GE(spool.stats().syncs, 1u);
}

TEST_F(SpoolTest, ConcurrentAppendersShareSyncs) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 2000;
    Spool spool(dir_);
    std::atomic<int> durable{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                std::string record = std::to_string(t) + ":" + std::to_string(i) + ":";
                record.resize(2048, 'x');
                spool.append(std::move(record), [&](bool ok) { ++(ok ? durable : failed); });
            }
        });
    }
    for (auto& thread : threads) thread.join();
    spool.stop();  // drains the queue
    EXPECT_EQ(durable.load(), kThreads * kPerThread);
    EXPECT_EQ(failed.load(), 0);

    const SpoolStats stats = spool.stats();
    EXPECT_EQ(stats.appended_records, uint64_t{kThreads * kPerThread});
    EXPECT_LT(stats.syncs, stats.appended_records);

    std::vector<int> next_index(kThreads, 0);
    const auto records = read_all(spool, {});
    ASSERT_EQ(records.size(), size_t{kThreads * kPerThread});
    for (const auto& record : records) {
        const size_t colon = record.payload.find(':');
        const int t = std::stoi(record.payload.substr(0, colon));
        const int i = std::stoi(record.payload.substr(colon + 1));
        ASSERT_EQ(i, next_index[t]) << "thread " << t;  // each thread's order is kept
        ++next_index[t];
    }
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next_index[t], kPerThread);
}

TEST_F(SpoolTest, RejectsEmptyRecordsAndAppendsAfterStop) {
    Spool spool(dir_);
    bool result = true;
    spool.append("", [&](bool ok) { result = ok; });
    EXPECT_FALSE(result);

    spool.stop();
    spool.stop();  // idempotent
    result = true;
    spool.append("late", [&](bool ok) { result = ok; });
    EXPECT_FALSE(result);  // called at once, on this thread
    EXPECT_EQ(spool.stats().appended_records, 0u);
}

TEST_F(SpoolTest, WithoutSyncNothingIsSynced) {
    Spool spool(dir_, {.sync = false});
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(append_durably(spool, record_text(i)));
    EXPECT_EQ(spool.stats().syncs, 0u);
    EXPECT_EQ(read_all(spool, {}).size(), 10u);
}

TEST_F(SpoolTest, RotatesSegmentsAndReaderCrossesThem) {
    Spool spool(dir_, {.segment_bytes = 1000});
    // A live reader follows the writer across segment boundaries.
    std::vector<std::string> live;
    std::thread follower([&] {
        SpoolReader reader(spool, {});
        while (live.size() < 50) {
            auto record = reader.next(5s);
            if (!record) break;
            live.push_back(std::move(record->payload));
        }
    });
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 300)));
    follower.join();

    const auto files = segment_files();
    EXPECT_EQ(files.size(), 17u);  // three 308-byte frames fit in 1000 bytes
    EXPECT_EQ(files.front().filename(), "0000000000000001.seg");
    EXPECT_EQ(files.back().filename(), "0000000000000017.seg");
    for (const auto& file : files) EXPECT_LE(fs::file_size(file), 1000u);

    const auto records = read_all(spool, {});
    ASSERT_EQ(records.size(), 50u);
    ASSERT_EQ(live.size(), 50u);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(records[i].payload, record_text(i, 300));
        EXPECT_EQ(live[i], record_text(i, 300));
        EXPECT_EQ(records[i].end.segment, uint64_t(i / 3 + 1));
    }
}

TEST_F(SpoolTest, RecordLargerThanASegmentGetsItsOwn) {
    Spool spool(dir_, {.segment_bytes = 1000});
    ASSERT_TRUE(append_durably(spool, record_text(0)));
    ASSERT_TRUE(append_durably(spool, record_text(1, 5000)));
    ASSERT_TRUE(append_durably(spool, record_text(2)));
    EXPECT_EQ(segment_files().size(), 3u);
    const auto records = read_all(spool, {});
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].payload, record_text(1, 5000));
    EXPECT_EQ(records[2].end, (SpoolPosition{3, 8 + 64}));
}

class SpoolRecoveryTest : public SpoolTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SpoolRecoveryTest, CutsTornTailAndAppendsAfterWholeRecords) {
    SpoolPosition end;
    {
        Spool spool(dir_);
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(append_durably(spool, record_text(i)));
        end = spool.durable_end();
    }
    const fs::path segment = dir_ / "0000000000000001.seg";
    {
        std::ofstream out(segment, std::ios::binary | std::ios::app);
        out << GetParam();
    }
    ASSERT_EQ(fs::file_size(segment), end.offset + GetParam().size());

    Spool spool(dir_);
    EXPECT_EQ(spool.durable_end(), end);
    EXPECT_EQ(fs::file_size(segment), end.offset);
    auto records = read_all(spool, {});
    ASSERT_EQ(records.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(records[i].payload, record_text(i));

    for (int i = 10; i < 15; ++i) ASSERT_TRUE(append_durably(spool, record_text(i)));
    records = read_all(spool, end);
    ASSERT_EQ(records.size(), 5u);
    EXPECT_EQ(records[0].payload, record_text(10));
    EXPECT_EQ(read_all(spool, {}).size(), 15u);
}

std::string frame(uint32_t length, uint32_t crc) {
    std::string bytes;
    for (const uint32_t value : {length, crc})
        for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(value >> (8 * i)));
    return bytes;
}

std::string torn_tail_name(const ::testing::TestParamInfo<std::string>& param) {
    const char* names[] = {"HalfFrame", "HalfRecord", "ChecksumMismatch", "ZeroFilled"};
    return names[param.index];
}

INSTANTIATE_TEST_SUITE_P(TornTails, SpoolRecoveryTest,
                         ::testing::Values(std::string("\x05\x00\x00", 3),
                                           frame(100, 0) + std::string(50, 'z'),
                                           frame(5, crc32c("hellO", 5)) + "hello",
                                           std::string(4096, '\0')),
                         torn_tail_name);

TEST_F(SpoolTest, ValidRecordBeforeTornTailSurvivesRecovery) {
    {
        Spool spool(dir_);
        ASSERT_TRUE(append_durably(spool, "first"));
    }
    {
        std::ofstream out(dir_ / "0000000000000001.seg", std::ios::binary | std::ios::app);
        out << frame(5, crc32c("hello", 5)) << "hello" << frame(9, 0) << "torn";
    }
    Spool spool(dir_);
    const auto records = read_all(spool, {});
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].payload, "hello");
}

TEST_F(SpoolTest, ReaderResumesAtCommittedPositionAfterReopen) {
    SpoolPosition committed;
    {
        Spool spool(dir_, {.segment_bytes = 500});
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 100)));
        SpoolReader reader(spool, {});
        for (int i = 0; i < 4; ++i) {
            auto record = reader.next(0ms);
            ASSERT_TRUE(record);
            committed = record->end;
        }
        EXPECT_EQ(reader.position(), committed);
    }
    Spool spool(dir_, {.segment_bytes = 500});
    for (int i = 10; i < 13; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 100)));
    const auto records = read_all(spool, committed);
    ASSERT_EQ(records.size(), 9u);
    for (int i = 0; i < 9; ++i) EXPECT_EQ(records[i].payload, record_text(i + 4, 100));
}

// A spool directory replaced by an empty one under a store whose cursor is {3, 200}: writing
// starts in segment 4, so the reader at the cursor gets every new record.
TEST_F(SpoolTest, EmptyDirectoryBehindTheCursorStartsAfterIt) {
    const SpoolPosition cursor{3, 200};
    Spool spool(dir_, {.resume_after = cursor});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 100)));
    ASSERT_EQ(segment_files().size(), 1u);
    EXPECT_EQ(segment_files().front().filename(), "0000000000000004.seg");
    const auto records = read_all(spool, cursor);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records.front().payload, record_text(0, 100));
}

// An older directory (its end before the cursor) gets a new segment after the cursor; its
// records, already applied, stay behind the reader.
TEST_F(SpoolTest, OlderDirectoryBehindTheCursorGetsANewSegment) {
    {
        Spool spool(dir_);
        for (int i = 0; i < 2; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 100)));
    }
    const SpoolPosition cursor{5, 40};
    Spool spool(dir_, {.resume_after = cursor});
    ASSERT_TRUE(append_durably(spool, record_text(2, 100)));
    const auto files = segment_files();
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files.back().filename(), "0000000000000006.seg");
    const auto records = read_all(spool, cursor);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records.front().payload, record_text(2, 100));
}

// The ordinary restart after a crash: the cursor is inside the last segment, whose torn tail
// is cut; writing continues in that segment and the reader gets the rest, then the new record.
TEST_F(SpoolTest, RestartWithTheCursorInsideTheLastSegmentAppendsThere) {
    SpoolPosition cursor;
    {
        Spool spool(dir_);
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 100)));
        cursor = read_all(spool, {}).front().end;
    }
    {
        std::ofstream torn(segment_files().back(), std::ios::binary | std::ios::app);
        torn << std::string("\x40\x00\x00\x00garbage", 11);
    }
    Spool spool(dir_, {.resume_after = cursor});
    ASSERT_TRUE(append_durably(spool, record_text(3, 100)));
    ASSERT_EQ(segment_files().size(), 1u);
    const auto records = read_all(spool, cursor);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].payload, record_text(1, 100));
    EXPECT_EQ(records[2].payload, record_text(3, 100));
}

TEST_F(SpoolTest, ASecondSpoolOnTheSameDirectoryIsRefusedUntilTheFirstCloses) {
    {
        Spool spool(dir_);
        EXPECT_THROW(Spool second(dir_), std::runtime_error);
        ASSERT_TRUE(append_durably(spool, record_text(0)));
    }
    Spool reopened(dir_);
    EXPECT_EQ(read_all(reopened, {}).size(), 1u);
}

TEST_F(SpoolTest, ReleaseBeforeDeletesOnlyOlderSegments) {
    Spool spool(dir_, {.segment_bytes = 1000});
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 300)));
    ASSERT_EQ(segment_files().size(), 4u);
    const auto records = read_all(spool, {});

    spool.release_before(records[7].end);  // inside segment 3
    auto files = segment_files();
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files.front().filename(), "0000000000000003.seg");

    // A reader whose segment was released continues with the next one that exists.
    auto rest = read_all(spool, {});
    ASSERT_EQ(rest.size(), 6u);
    EXPECT_EQ(rest.front().payload, record_text(6, 300));

    spool.release_before({1000, 0});  // never the segment being written
    files = segment_files();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files.front().filename(), "0000000000000004.seg");
    ASSERT_TRUE(append_durably(spool, record_text(12, 300)));
    EXPECT_EQ(read_all(spool, records.back().end).size(), 1u);
}

TEST_F(SpoolTest, ReaderWaitsForDataOnFreshSpool) {
    Spool spool(dir_);
    SpoolReader reader(spool, {1, 0});
    EXPECT_FALSE(reader.next(20ms));
    SpoolReader ahead(spool, {5, 0});  // a segment that does not exist yet
    EXPECT_FALSE(ahead.next(0ms));

    std::thread writer([&] {
        std::this_thread::sleep_for(20ms);
        spool.append("late", nullptr);
    });
    const auto record = reader.next(5s);
    writer.join();
    ASSERT_TRUE(record);
    EXPECT_EQ(record->payload, "late");
    EXPECT_EQ(record->end, (SpoolPosition{1, 12}));
    EXPECT_FALSE(ahead.next(0ms));
}

TEST_F(SpoolTest, WaitBeyondTimesOutOrReturnsTheNewEnd) {
    Spool spool(dir_);
    const SpoolPosition start = spool.durable_end();
    EXPECT_EQ(spool.wait_beyond(start, 10ms), start);
    std::thread writer([&] { spool.append("x", nullptr); });
    EXPECT_EQ(spool.wait_beyond(start, 5s), (SpoolPosition{1, 9}));
    writer.join();
}

TEST_F(SpoolTest, ChecksumMismatchInDurableDataThrows) {
    {
        Spool spool(dir_, {.segment_bytes = 1000});
        for (int i = 0; i < 6; ++i) ASSERT_TRUE(append_durably(spool, record_text(i, 300)));
    }
    {
        // Flip one payload byte of the second record in segment 1 (not the recovered one).
        std::fstream file(dir_ / "0000000000000001.seg",
                          std::ios::binary | std::ios::in | std::ios::out);
        file.seekp(308 + 8 + 100);
        file.put('#');
    }
    Spool spool(dir_, {.segment_bytes = 1000});
    SpoolReader reader(spool, {});
    ASSERT_TRUE(reader.next(0ms));
    EXPECT_THROW(reader.next(0ms), std::runtime_error);
}

}  // namespace
}  // namespace lt
