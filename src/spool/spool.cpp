#include "spool/spool.h"

#include "core/log.h"
#include "core/metrics.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <system_error>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace lt {
namespace {

constexpr uint64_t kFrameBytes = 8;  // [u32 length][u32 crc32c]
constexpr uint64_t kReadAhead = 1 << 20;
constexpr uint64_t kWriteChunk = 4 << 20;  // bounds the writer's copy buffer

void put_u32le(char* out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (8 * i));
}

uint32_t get_u32le(const char* in) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= uint32_t{static_cast<uint8_t>(in[i])} << (8 * i);
    return value;
}

std::filesystem::path segment_path(const std::filesystem::path& dir, uint64_t number) {
    std::array<char, 32> name{};
    std::snprintf(name.data(), name.size(), "%016llu.seg", static_cast<unsigned long long>(number));
    return dir / name.data();
}

// Segment numbers present in `dir`, ascending.
std::vector<uint64_t> list_segments(const std::filesystem::path& dir) {
    std::vector<uint64_t> numbers;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.size() != 20 || !name.ends_with(".seg")) continue;
        uint64_t number = 0;
        const char* digits_end = name.data() + 16;
        auto [end, error] = std::from_chars(name.data(), digits_end, number);
        if (error == std::errc{} && end == digits_end) numbers.push_back(number);
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), "spool: " + what);
}

// Reads exactly `size` bytes at `offset`; false when the file ends first.
bool pread_full(int fd, char* out, uint64_t size, uint64_t offset) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read");
        }
        if (n == 0) return false;
        out += n;
        size -= static_cast<uint64_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

uint64_t file_size(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_errno("fstat");
    return static_cast<uint64_t>(st.st_size);
}

void fsync_dir(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno("open directory " + dir.string());
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) {
        errno = saved;
        throw_errno("fsync directory " + dir.string());
    }
}

// Length of the prefix of the open segment made of whole records with matching checksums.
uint64_t valid_prefix(int fd, uint64_t size) {
    uint64_t offset = 0;
    std::string payload;
    char frame[kFrameBytes];
    while (size - offset >= kFrameBytes) {
        if (!pread_full(fd, frame, kFrameBytes, offset)) break;
        const uint32_t length = get_u32le(frame);
        if (length == 0 || length > size - offset - kFrameBytes) break;
        payload.resize(length);
        if (!pread_full(fd, payload.data(), length, offset + kFrameBytes)) break;
        if (crc32c(payload.data(), payload.size()) != get_u32le(frame + 4)) break;
        offset += kFrameBytes + length;
    }
    return offset;
}

// CRC-32C, reflected polynomial 0x82F63B78; slicing-by-8 tables.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
    CrcTables tables{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0u);
        tables[0][i] = crc;
    }
    for (size_t k = 1; k < 8; ++k)
        for (size_t i = 0; i < 256; ++i)
            tables[k][i] = (tables[k - 1][i] >> 8) ^ tables[0][tables[k - 1][i] & 0xFF];
    return tables;
}

constexpr CrcTables kCrcTables = make_crc_tables();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    uint64_t crc64 = 0xFFFFFFFFu;
    for (; size >= 8; bytes += 8, size -= 8) {
        uint64_t word = 0;
        std::memcpy(&word, bytes, 8);
        crc64 = _mm_crc32_u64(crc64, word);
    }
    auto crc = static_cast<uint32_t>(crc64);
    for (; size > 0; ++bytes, --size) crc = _mm_crc32_u8(crc, *bytes);
    return ~crc;
}
#endif

using CrcFunction = uint32_t (*)(const void*, size_t);

CrcFunction select_crc32c() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) return crc32c_sse42;
#endif
    return detail::crc32c_portable;
}

}  // namespace

namespace detail {

uint32_t crc32c_portable(const void* data, size_t size) {
    const auto& t = kCrcTables;
    const auto* bytes = static_cast<const unsigned char*>(data);
    uint32_t crc = 0xFFFFFFFFu;
    for (; size >= 8; bytes += 8, size -= 8) {
        const uint32_t low = crc ^ (uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 |
                                    uint32_t{bytes[2]} << 16 | uint32_t{bytes[3]} << 24);
        const uint32_t high = uint32_t{bytes[4]} | uint32_t{bytes[5]} << 8 |
                              uint32_t{bytes[6]} << 16 | uint32_t{bytes[7]} << 24;
        crc = t[7][low & 0xFF] ^ t[6][(low >> 8) & 0xFF] ^ t[5][(low >> 16) & 0xFF] ^
              t[4][low >> 24] ^ t[3][high & 0xFF] ^ t[2][(high >> 8) & 0xFF] ^
              t[1][(high >> 16) & 0xFF] ^ t[0][high >> 24];
    }
    for (; size > 0; ++bytes, --size) crc = t[0][(crc ^ *bytes) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

}  // namespace detail

uint32_t crc32c(const void* data, size_t size) {
    static const CrcFunction function = select_crc32c();
    return function(data, size);
}

// ---- Spool -----------------------------------------------------------------------------------

namespace {

// The segment a writer starts when nothing may be written at or before `position`.
uint64_t first_segment_after(SpoolPosition position) {
    return position.offset == 0 ? std::max<uint64_t>(position.segment, 1) : position.segment + 1;
}

}  // namespace

Spool::Spool(std::filesystem::path dir, SpoolOptions options)
    : dir_(std::move(dir)), options_(options) {
    if (std::filesystem::create_directories(dir_) && options_.sync) {
        // Make the new directory's own entry durable too.
        std::filesystem::path absolute = std::filesystem::absolute(dir_).lexically_normal();
        if (!absolute.has_filename()) absolute = absolute.parent_path();  // trailing separator
        fsync_dir(absolute.parent_path());
    }
    lock_ = FileLock::try_lock(dir_ / "spool.lock");
    if (!lock_) {
        throw std::runtime_error("spool: " + dir_.string() +
                                 " is already open (another LightTrace server?)");
    }
    try {
        recover();
    } catch (...) {
        if (fd_ >= 0) ::close(fd_);
        throw;
    }
    writer_ = std::thread([this] { writer_loop(); });
}

Spool::~Spool() {
    stop();
    if (fd_ >= 0) ::close(fd_);
}

void Spool::recover() {
    const std::vector<uint64_t> segments = list_segments(dir_);
    if (segments.empty()) {
        open_segment(first_segment_after(options_.resume_after), true);
    } else {
        open_segment(segments.back(), false);
        const uint64_t valid = valid_prefix(fd_, segment_size_);
        if (valid < segment_size_) {
            log_warn("spool.torn_tail_cut",
                     {{"segment", segment_path(dir_, segment_number_).string()},
                      {"offset", valid},
                      {"size", segment_size_}});
            if (::ftruncate(fd_, static_cast<off_t>(valid)) != 0) throw_errno("ftruncate");
            if (options_.sync && ::fsync(fd_) != 0) throw_errno("fsync");
            segment_size_ = valid;
        }
        if (SpoolPosition{segment_number_, segment_size_} < options_.resume_after) {
            // An older (or foreign-numbered) directory: its records are all behind the reader.
            open_segment(first_segment_after(options_.resume_after), true);
        }
    }
    durable_end_ = {segment_number_, segment_size_};
}

void Spool::open_segment(uint64_t number, bool create) {
    const std::filesystem::path path = segment_path(dir_, number);
    const int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) throw_errno("open " + path.string());
    uint64_t size = 0;
    try {
        if (create && options_.sync) fsync_dir(dir_);
        size = file_size(fd);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
    segment_number_ = number;
    segment_size_ = size;
}

void Spool::append(std::string record, DurableCallback on_durable) {
    const auto fail = [&] {
        if (on_durable) on_durable(false);
    };
    if (record.empty() || record.size() > UINT32_MAX) return fail();
    const uint32_t crc = crc32c(record.data(), record.size());
    {
        std::lock_guard lock(mutex_);
        if (!stopping_ && !failed_) {
            queue_.push_back({std::move(record), crc, std::move(on_durable)});
            on_durable = nullptr;
        }
    }
    if (on_durable) return fail();
    work_ready_.notify_one();
}

void Spool::writer_loop() {
    std::vector<Pending> batch;
    std::string buffer;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            work_ready_.wait(lock, [&] { return !queue_.empty() || stopping_; });
            if (queue_.empty()) return;
            batch.assign(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.end()));
            queue_.clear();
        }
        const auto framed = [&](size_t i) { return kFrameBytes + batch[i].record.size(); };
        size_t begin = 0;
        while (begin < batch.size()) {
            if (failed_) {  // only this thread writes failed_
                complete(batch, begin, batch.size(), false);
                break;
            }
            if (segment_size_ > 0 && segment_size_ + framed(begin) > options_.segment_bytes) {
                try {
                    open_segment(segment_number_ + 1, true);
                } catch (const std::exception& e) {
                    log_error("spool.rotate_failed", {{"error", e.what()}});
                    complete(batch, begin, batch.size(), false);
                    break;
                }
            }
            // One group: every following record that still fits in this segment (at least one),
            // written in chunks of about kWriteChunk and made durable by one fdatasync.
            buffer.clear();
            uint64_t written = 0;
            size_t end = begin;
            bool ok = true;
            for (bool group_done = false; ok && !group_done;) {
                const Pending& pending = batch[end];
                char frame[kFrameBytes];
                put_u32le(frame, static_cast<uint32_t>(pending.record.size()));
                put_u32le(frame + 4, pending.crc);
                buffer.append(frame, kFrameBytes);
                buffer.append(pending.record);
                ++end;
                group_done =
                    end == batch.size() ||
                    segment_size_ + written + buffer.size() + framed(end) > options_.segment_bytes;
                if (group_done || buffer.size() >= kWriteChunk) {
                    ok = write_at(buffer, segment_size_ + written);
                    written += buffer.size();
                    buffer.clear();
                }
            }
            const bool durable = ok && sync_segment();
            if (durable) segment_size_ += written;
            complete(batch, begin, end, durable);
            begin = end;
        }
        batch.clear();
    }
}

bool Spool::write_at(const std::string& bytes, uint64_t offset) {
    uint64_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            log_io_error("spool.write_failed");
            // Cut the group's partial data; if even that fails the file is in an unknown state.
            if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) mark_failed();
            return false;
        }
        done += static_cast<uint64_t>(n);
    }
    return true;
}

bool Spool::sync_segment() {
    if (!options_.sync) return true;
    static Histogram& sync_seconds = metrics().histogram(
        "lighttrace_spool_sync_seconds", "Spool fdatasync latency (one per group commit).",
        {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1});
    const auto started = std::chrono::steady_clock::now();
    const int synced = ::fdatasync(fd_);
    sync_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (synced != 0) {
        // After a failed fdatasync the page cache no longer tells what reached the disk.
        log_io_error("spool.sync_failed");
        mark_failed();
        return false;
    }
    std::lock_guard lock(mutex_);
    ++stats_.syncs;
    return true;
}

void Spool::log_io_error(const char* message) const {
    log_error(message, {{"segment", segment_path(dir_, segment_number_).string()},
                        {"error", std::generic_category().message(errno)}});
}

void Spool::mark_failed() {
    std::lock_guard lock(mutex_);
    failed_ = true;
}

void Spool::complete(std::vector<Pending>& batch, size_t begin, size_t end, bool durable) {
    if (durable) {
        uint64_t bytes = 0;
        for (size_t i = begin; i < end; ++i) bytes += batch[i].record.size();
        {
            std::lock_guard lock(mutex_);
            durable_end_ = {segment_number_, segment_size_};
            stats_.appended_records += end - begin;
            stats_.appended_bytes += bytes;
        }
        durable_advanced_.notify_all();
    }
    for (size_t i = begin; i < end; ++i)
        if (batch[i].on_durable) batch[i].on_durable(durable);
}

SpoolPosition Spool::durable_end() const {
    std::lock_guard lock(mutex_);
    return durable_end_;
}

SpoolPosition Spool::wait_beyond(SpoolPosition after, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    durable_advanced_.wait_for(lock, timeout, [&] { return durable_end_ > after; });
    return durable_end_;
}

void Spool::release_before(SpoolPosition position) {
    uint64_t limit = 0;
    {
        std::lock_guard lock(mutex_);
        // The writer's segment is never below durable_end_.segment, so it is never deleted.
        limit = std::min(position.segment, durable_end_.segment);
    }
    for (const uint64_t number : list_segments(dir_)) {
        if (number >= limit) break;
        std::error_code error;
        std::filesystem::remove(segment_path(dir_, number), error);
        if (error)
            log_warn("spool.delete_failed", {{"segment", segment_path(dir_, number).string()},
                                             {"error", error.message()}});
    }
}

SpoolStats Spool::stats() const {
    std::lock_guard lock(mutex_);
    SpoolStats stats = stats_;
    stats.durable_end = durable_end_;
    return stats;
}

void Spool::stop() {
    std::call_once(stop_once_, [this] {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_ready_.notify_all();
        if (writer_.joinable()) writer_.join();
    });
}

// ---- SpoolReader -----------------------------------------------------------------------------

SpoolReader::SpoolReader(const Spool& spool, SpoolPosition start)
    : spool_(spool), position_(start) {}

SpoolReader::~SpoolReader() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<SpoolRecord> SpoolReader::next(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    SpoolRecord record;
    for (;;) {
        if (read_durable(spool_.durable_end(), record)) return record;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return std::nullopt;
        spool_.wait_beyond(position_, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    }
}

bool SpoolReader::read_durable(SpoolPosition durable, SpoolRecord& record) {
    for (;;) {
        if (position_ >= durable) return false;
        if (!open_current_segment(durable)) continue;
        // Data is readable up to durable_end in the writer's segment; a segment before it is
        // complete, so its file size is final.
        uint64_t limit = durable.offset;
        if (position_.segment < durable.segment) {
            if (!segment_end_) segment_end_ = file_size(fd_);
            limit = *segment_end_;
        }
        if (position_.offset >= limit) {
            position_ = {position_.segment + 1, 0};
            continue;
        }
        const auto corrupt = [&](const char* what) {
            return std::runtime_error("spool: " + std::string(what) + " in durable data of " +
                                      segment_path(spool_.dir(), position_.segment).string() +
                                      " at offset " + std::to_string(position_.offset) +
                                      " (corrupt spool or a position that is not a record start)");
        };
        if (limit - position_.offset < kFrameBytes) throw corrupt("truncated record frame");
        const std::string_view frame = fetch(position_.offset, kFrameBytes, limit);
        const uint32_t length = get_u32le(frame.data());
        const uint32_t crc = get_u32le(frame.data() + 4);
        if (length == 0 || length > limit - position_.offset - kFrameBytes)
            throw corrupt("bad record length");
        const std::string_view payload = fetch(position_.offset + kFrameBytes, length, limit);
        if (crc32c(payload.data(), payload.size()) != crc) throw corrupt("checksum mismatch");
        record.payload.assign(payload);
        position_.offset += kFrameBytes + length;
        record.end = position_;
        return true;
    }
}

// Makes fd_ the file of position_'s segment. When that segment no longer exists (released),
// moves position_ to the start of the next one that does and returns false.
bool SpoolReader::open_current_segment(SpoolPosition durable) {
    if (fd_ >= 0 && fd_segment_ == position_.segment) return true;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    segment_end_.reset();
    buffer_.clear();
    buffer_offset_ = 0;
    const std::filesystem::path path = segment_path(spool_.dir(), position_.segment);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT || position_.segment >= durable.segment)
            throw_errno("open " + path.string());
        uint64_t next = durable.segment;
        for (const uint64_t number : list_segments(spool_.dir())) {
            if (number > position_.segment) {
                next = std::min(next, number);
                break;
            }
        }
        position_ = {next, 0};
        return false;
    }
    fd_ = fd;
    fd_segment_ = position_.segment;
    return true;
}

// Bytes [offset, offset + size) of the open segment, all below `limit`, from the read-ahead
// buffer (refilled with at most kReadAhead bytes, never past `limit`).
std::string_view SpoolReader::fetch(uint64_t offset, uint64_t size, uint64_t limit) {
    if (offset < buffer_offset_ || offset + size > buffer_offset_ + buffer_.size()) {
        buffer_.clear();  // nothing stays cached if the read below fails
        std::string fresh(std::min(limit - offset, std::max(size, kReadAhead)), '\0');
        if (!pread_full(fd_, fresh.data(), fresh.size(), offset))
            throw std::runtime_error("spool: " + segment_path(spool_.dir(), fd_segment_).string() +
                                     " is shorter than its durable end");
        buffer_ = std::move(fresh);
        buffer_offset_ = offset;
    }
    return std::string_view(buffer_).substr(offset - buffer_offset_, size);
}

}  // namespace lt
