// The durable spool: an append-only log of opaque records in segment files.
//
// Contract
// - append() hands a record to the single writer thread. The writer batches every record that
//   is waiting, writes them with one write (per 4 MiB) and makes them durable with one fdatasync
//   per segment it touched (group commit), then calls each record's callback with true. On an I/O
//   error the callbacks get false and the record must not be acknowledged. Callbacks run on the
//   writer thread (never under the spool's lock) and must be cheap (post work elsewhere), must not
//   throw and must not call append() or stop(). A record must be non-empty and shorter than 4 GiB;
//   otherwise, and after stop(), the callback gets false at once on the calling thread.
// - After a failed fdatasync (or a failed write that cannot be undone) the spool no longer knows
//   what is on disk: every later append fails until the process reopens the spool, which
//   recovers from the files.
// - A record is framed as [u32 length][u32 crc32c of payload][payload], little endian, in files
//   `<dir>/<16-digit segment number>.seg`. A segment is closed at `segment_bytes` and a new one
//   started (the directory is fsynced after creating it, and its parent after creating the
//   directory). A record larger than `segment_bytes` gets a segment of its own. With
//   `sync == false` no fdatasync/fsync is issued at all.
// - One Spool per directory at a time, across processes: the constructor takes an exclusive
//   flock on `<dir>/spool.lock` (held until destruction) and throws if another holds it.
// - On open, the last segment is scanned and cut back to its last whole, checksummed record:
//   a torn tail was never acknowledged, so dropping it loses nothing that was promised.
//   Earlier segments were complete and synced before the next one began, so they are trusted.
//   When the recovered end (or an empty directory) lies before `resume_after`, writing starts
//   in a new segment after that position instead.
// - SpoolReader returns durable records in order, each with the position just after it. The
//   pipeline commits that position together with what it wrote; after a restart it opens a
//   reader at the committed position, so every acknowledged record is applied exactly once.
//   A reader never reads past durable_end(). A reader whose segment has been released continues
//   with the next segment that exists; one positioned beyond durable_end() waits for data. A
//   checksum mismatch inside durable data (disk corruption) makes next() throw
//   std::runtime_error.
// - release_before(p) deletes segments that lie wholly before p (already committed).
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/file_lock.h"

namespace lt {

struct SpoolPosition {
    uint64_t segment = 1;  // segment numbers start at 1
    uint64_t offset = 0;   // byte offset inside the segment
    auto operator<=>(const SpoolPosition&) const = default;
};

struct SpoolOptions {
    uint64_t segment_bytes = 64ull << 20;
    // The store's cursor. When the directory's recovered end lies before it (the directory was
    // replaced: empty, moved, restored from an older copy), the writer starts a new segment
    // after it, so new records are never written behind the pipeline's reader.
    SpoolPosition resume_after{};
    bool sync = true;  // false only for benchmarks that measure everything but the disk
};

struct SpoolStats {
    uint64_t appended_records = 0;  // records made durable
    uint64_t appended_bytes = 0;    // their payload bytes (without the 8-byte frame)
    uint64_t syncs = 0;             // successful fdatasyncs (records / syncs = group commit)
    SpoolPosition durable_end;
};

class Spool {
public:
    using DurableCallback = std::function<void(bool durable)>;

    Spool(std::filesystem::path dir, SpoolOptions options = {});
    ~Spool();  // stops the writer after making everything already appended durable
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    void append(std::string record, DurableCallback on_durable);

    // End of the durable data (the position after the last fsynced record).
    SpoolPosition durable_end() const;
    // Blocks until durable_end() > after or the timeout passes; returns durable_end().
    SpoolPosition wait_beyond(SpoolPosition after, std::chrono::milliseconds timeout) const;

    void release_before(SpoolPosition position);
    SpoolStats stats() const;
    const std::filesystem::path& dir() const { return dir_; }

    // Drains what is queued, then stops the writer; later append() calls fail at once.
    void stop();

private:
    struct Pending {
        std::string record;
        uint32_t crc = 0;  // computed by the appending thread, off the writer's critical path
        DurableCallback on_durable;
    };
    void recover();
    void open_segment(uint64_t number, bool create);
    void writer_loop();
    bool write_at(const std::string& bytes, uint64_t offset);
    bool sync_segment();
    void log_io_error(const char* message) const;
    void mark_failed();
    void complete(std::vector<Pending>& batch, size_t begin, size_t end, bool durable);

    std::filesystem::path dir_;
    SpoolOptions options_;
    std::optional<FileLock> lock_;  // held from construction to destruction
    int fd_ = -1;
    uint64_t segment_number_ = 1;
    uint64_t segment_size_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable work_ready_;
    mutable std::condition_variable durable_advanced_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    bool failed_ = false;  // set by the writer after an I/O error it cannot undo
    SpoolPosition durable_end_;
    SpoolStats stats_;
    std::thread writer_;
    std::once_flag stop_once_;
};

struct SpoolRecord {
    std::string payload;
    SpoolPosition end;  // position just after this record
};

class SpoolReader {
public:
    SpoolReader(const Spool& spool, SpoolPosition start);
    ~SpoolReader();
    SpoolReader(const SpoolReader&) = delete;
    SpoolReader& operator=(const SpoolReader&) = delete;

    // The next durable record, or nullopt when none arrives within `wait`.
    std::optional<SpoolRecord> next(std::chrono::milliseconds wait);
    SpoolPosition position() const { return position_; }

private:
    bool read_durable(SpoolPosition durable, SpoolRecord& record);
    bool open_current_segment(SpoolPosition durable);
    std::string_view fetch(uint64_t offset, uint64_t size, uint64_t limit);

    const Spool& spool_;
    SpoolPosition position_;
    int fd_ = -1;
    uint64_t fd_segment_ = 0;
    std::optional<uint64_t> segment_end_;  // size of fd_segment_ once it is complete
    std::string buffer_;          // read-ahead of segment fd_segment_, never past durable data
    uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
};

// CRC-32C (Castagnoli); uses SSE4.2 when the CPU has it.
uint32_t crc32c(const void* data, size_t size);

namespace detail {
// The table-driven (slicing-by-8) CRC-32C that crc32c() falls back to; exposed for tests.
uint32_t crc32c_portable(const void* data, size_t size);
}  // namespace detail

}  // namespace lt
