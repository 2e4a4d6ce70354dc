// lighttrace-fsync-bench: how long the spool's acknowledging fdatasync takes on a disk, alone and
// next to a second writer that does what the store does under load.
//
// The foreground loop appends --record-kib, calls fdatasync and sleeps --interval-us, as the
// spool writer does at half the target rate; its latencies are the floor of the ack latency.
// The background thread (absent with --background-mib-per-s 0) writes a hundredth of
// --background-mib-per-s every 10 ms into a second file in the same directory (wrapping at
// 256 MiB) and makes it durable the way --background-sync says: "fdatasync" (SQLite's commit),
// "range" (sync_file_range: written but no cache flush). Prints one JSON object: foreground
// percentiles in ms, the background bytes written, and late_share: the share of the run's wall time
// during which a sync had been pending for more than 5 ms. Requests arriving then wait over 5 ms
// for their answer, so an ack p99 within 5 ms needs late_share under 1%, whatever the server does.
// Both files are created in --dir and deleted at the end. Linux only.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
    std::string dir = ".";
    int records = 3000;
    int record_kib = 16;
    int interval_us = 1000;
    int background_mib_per_s = 0;
    std::string background_sync = "fdatasync";
};

[[noreturn]] void usage(const char* problem) {
    std::fprintf(stderr,
                 "lighttrace-fsync-bench: %s\n"
                 "usage: lighttrace-fsync-bench [--dir DIR] [--records N] [--record-kib K]\n"
                 "       [--interval-us U] [--background-mib-per-s M]\n"
                 "       [--background-sync fdatasync|range]\n",
                 problem);
    std::exit(2);
}

int positive_int(const char* text) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end != '\0' || value < 0 || value > 1'000'000) usage("expected a number 0..1000000");
    return static_cast<int>(value);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) usage("missing value after a flag");
        const char* value = argv[++i];
        if (flag == "--dir") {
            options.dir = value;
        } else if (flag == "--records") {
            options.records = std::max(1, positive_int(value));
        } else if (flag == "--record-kib") {
            options.record_kib = std::max(1, positive_int(value));
        } else if (flag == "--interval-us") {
            options.interval_us = positive_int(value);
        } else if (flag == "--background-mib-per-s") {
            options.background_mib_per_s = positive_int(value);
        } else if (flag == "--background-sync") {
            options.background_sync = value;
            if (options.background_sync != "fdatasync" && options.background_sync != "range")
                usage("--background-sync is fdatasync or range");
        } else {
            usage("unknown flag");
        }
    }
    return options;
}

int open_or_die(const std::string& path) {
    const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::perror(path.c_str());
        std::exit(1);
    }
    return fd;
}

void write_or_die(int fd, const std::string& bytes, off_t offset) {
    if (::pwrite(fd, bytes.data(), bytes.size(), offset) != static_cast<ssize_t>(bytes.size())) {
        std::perror("pwrite");
        std::exit(1);
    }
}

// Writes rate MiB/s in 10 ms steps until stop; wraps at 256 MiB so the file stays bounded.
void background_writer(const Options& options, const std::string& path,
                       const std::atomic<bool>& stop, long long& bytes_written) {
    const int fd = open_or_die(path);
    const std::string chunk(static_cast<size_t>(options.background_mib_per_s) * 1024 * 1024 / 100,
                            'b');
    constexpr off_t kWrap = off_t{256} << 20;
    off_t offset = 0;
    auto next = std::chrono::steady_clock::now();
    while (!stop.load()) {
        write_or_die(fd, chunk, offset);
        if (options.background_sync == "fdatasync") {
            ::fdatasync(fd);
        } else {
            ::sync_file_range(
                fd, offset, static_cast<off_t>(chunk.size()),
                SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
        }
        bytes_written += static_cast<long long>(chunk.size());
        offset = (offset + static_cast<off_t>(chunk.size())) % kWrap;
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
    }
    ::close(fd);
}

double percentile(const std::vector<double>& sorted, double fraction) {
    const auto index = static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    const std::string foreground_path = options.dir + "/fsync-bench-foreground";
    const std::string background_path = options.dir + "/fsync-bench-background";

    std::atomic<bool> stop{false};
    long long background_bytes = 0;
    std::thread background;
    if (options.background_mib_per_s > 0) {
        background = std::thread(background_writer, std::cref(options), background_path,
                                 std::cref(stop), std::ref(background_bytes));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }

    const int fd = open_or_die(foreground_path);
    const std::string record(static_cast<size_t>(options.record_kib) * 1024, 'f');
    std::vector<double> latencies_ms;
    latencies_ms.reserve(static_cast<size_t>(options.records));
    double late_ms = 0;
    const auto run_start = std::chrono::steady_clock::now();
    off_t offset = 0;
    for (int i = 0; i < options.records; ++i) {
        const auto start = std::chrono::steady_clock::now();
        write_or_die(fd, record, offset);
        ::fdatasync(fd);
        const std::chrono::duration<double, std::milli> took =
            std::chrono::steady_clock::now() - start;
        latencies_ms.push_back(took.count());
        late_ms += std::max(0.0, took.count() - 5.0);
        offset += static_cast<off_t>(record.size());
        std::this_thread::sleep_for(std::chrono::microseconds(options.interval_us));
    }
    const std::chrono::duration<double, std::milli> wall_ms =
        std::chrono::steady_clock::now() - run_start;
    stop.store(true);
    if (background.joinable()) background.join();
    ::close(fd);
    ::unlink(foreground_path.c_str());
    ::unlink(background_path.c_str());

    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::printf(
        "{\"records\":%d,\"record_kib\":%d,\"background_mib_per_s\":%d,\"background_sync\":\"%s\","
        "\"background_mib_written\":%.1f,\"fdatasync_ms\":{\"p50\":%.3f,\"p90\":%.3f,"
        "\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},\"wall_s\":%.2f,\"late_share\":%.4f}\n",
        options.records, options.record_kib, options.background_mib_per_s,
        options.background_sync.c_str(), static_cast<double>(background_bytes) / (1024.0 * 1024.0),
        percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.9),
        percentile(latencies_ms, 0.99), percentile(latencies_ms, 0.999), latencies_ms.back(),
        wall_ms.count() / 1000, late_ms / wall_ms.count());
    return 0;
}
