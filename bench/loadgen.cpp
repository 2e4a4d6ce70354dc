// lighttrace-loadgen: replays real SDK envelopes against POST /api/{project_id}/envelope/.
//
// One io_context on one thread drives N keep-alive HTTP/1.1 connections (Content-Length framing).
// Bodies are pre-generated before the run (fresh event ids, optionally gzipped once), so the hot
// path only formats a small header and writes two buffers. Closed loop by default; --rate gives an
// open-loop schedule whose latency is measured from the scheduled send time whenever a request had
// to wait for a free connection (no coordinated omission). Prints one JSON object on stdout;
// progress and warnings go to stderr. See bench/README.md.

#include <fcntl.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/compression.h"
#include "core/ids.h"
#include "core/json_writer.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr size_t kIdLen = 32;
constexpr std::string_view kPlaceholder = "00000000000000000000000000000000";
constexpr std::string_view kMetricName = "lighttrace_pipeline_envelopes_total";

[[noreturn]] void die(const std::string& message) {
    std::cerr << "lighttrace-loadgen: " << message << "\n";
    std::exit(2);
}

// User + system CPU seconds of this process so far.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto secs = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// ---------------------------------------------------------------------------------------------
// Command line

struct Options {
    std::string target;
    std::string dsn;
    std::string fixtures = "tests/fixtures/corpus";
    std::string mix = "errors";
    std::string ack_log;
    int connections = 64;
    double duration = 10;
    double warmup = 1;
    double rate = 0;  // 0 = closed loop
    double timeout = 10;
    double tick_us = 250;  // --rate: send in batches at most this often (0 = each on its own time)
    bool gzip = false;
    int gzip_level = 6;
    size_t unique = 200000;
    size_t max_body_mb = 1024;
    bool processed_metric = false;
};

void usage() {
    std::cerr <<
        R"(usage: lighttrace-loadgen --target http://HOST:PORT --dsn DSN [options]
  --fixtures DIR        envelope corpus, searched recursively for *.envelope
                        (default tests/fixtures/corpus)
  --mix errors|all      errors (default): only envelopes with an "event" item; all: every envelope
  --connections N       keep-alive connections (default 64)
  --duration S          measured seconds (default 10)
  --warmup S            unmeasured seconds before that (default 1)
  --rate R              open loop: R requests/s in total (default: closed loop, as fast as possible)
  --gzip                send bodies with Content-Encoding: gzip (compressed once, before the run)
  --gzip-level L        zlib level for --gzip (default 6)
  --unique N            distinct bodies, each with a fresh event_id (default 200000)
  --max-body-mb M       memory budget for pre-generated bodies; caps --unique (default 1024)
  --tick-us U           with --rate: wake up at most every U microseconds and send what is due
                        (default 250; halves the generator's CPU at 10-20k/s). Latency then
                        counts from the scheduled time. 0: a timer per request, and latency
                        from the write unless the request waited for a free connection
  --timeout S           a request unanswered after S seconds is closed and counted as
                        "timeout" (default 10)
  --ack-log FILE        append the event_id of every request answered 200, one per line
  --processed-metric    after the run, poll GET /metrics until lighttrace_pipeline_envelopes_total
                        caught up with the accepted count (max 30 s) and report processed/s
)";
}

Options parse_options(int argc, char** argv) {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i];
        std::optional<std::string> inline_value;
        if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) die("missing value for " + name);
            return args[++i];
        };
        const auto number = [&]() -> double {
            const std::string text = value();
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
                die("bad number for " + name + ": " + text);
            return v;
        };
        if (name == "--help" || name == "-h") {
            usage();
            std::exit(0);
        } else if (name == "--target") {
            o.target = value();
        } else if (name == "--dsn") {
            o.dsn = value();
        } else if (name == "--fixtures") {
            o.fixtures = value();
        } else if (name == "--mix") {
            o.mix = value();
            if (o.mix != "errors" && o.mix != "all") die("--mix must be errors or all");
        } else if (name == "--ack-log") {
            o.ack_log = value();
        } else if (name == "--connections") {
            o.connections = static_cast<int>(number());
            if (o.connections < 1) die("--connections must be >= 1");
        } else if (name == "--duration") {
            o.duration = number();
            if (o.duration <= 0) die("--duration must be > 0");
        } else if (name == "--warmup") {
            o.warmup = number();
        } else if (name == "--tick-us") {
            o.tick_us = number();
        } else if (name == "--timeout") {
            o.timeout = number();
            if (o.timeout <= 0) die("--timeout must be > 0");
        } else if (name == "--rate") {
            o.rate = number();
            if (o.rate <= 0) die("--rate must be > 0");
        } else if (name == "--gzip") {
            o.gzip = true;
        } else if (name == "--gzip-level") {
            o.gzip_level = static_cast<int>(number());
            if (o.gzip_level < 1 || o.gzip_level > 9) die("--gzip-level must be 1..9");
        } else if (name == "--unique") {
            o.unique = static_cast<size_t>(number());
            if (o.unique < 1) die("--unique must be >= 1");
        } else if (name == "--max-body-mb") {
            o.max_body_mb = static_cast<size_t>(number());
        } else if (name == "--processed-metric") {
            o.processed_metric = true;
        } else {
            usage();
            die("unknown option " + name);
        }
    }
    if (o.target.empty() || o.dsn.empty()) {
        usage();
        die("--target and --dsn are required");
    }
    return o;
}

struct Target {
    std::string host;    // as written (without brackets for IPv6)
    std::string port;    // "80" when absent
    std::string prefix;  // path prefix without trailing slash, may be empty
    std::string host_header;
};

Target parse_target(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (url.rfind(scheme, 0) != 0) die("--target must start with http:// (got " + url + ")");
    std::string rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    Target t;
    t.prefix = slash == std::string::npos ? "" : rest.substr(slash);
    while (!t.prefix.empty() && t.prefix.back() == '/') t.prefix.pop_back();
    t.host_header = authority;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) die("bad IPv6 host in --target");
        t.host = authority.substr(1, close - 1);
        const std::string after = authority.substr(close + 1);
        t.port = after.rfind(':', 0) == 0 ? after.substr(1) : "80";
    } else {
        const auto colon = authority.rfind(':');
        t.host = authority.substr(0, colon);
        t.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
    }
    if (t.host.empty() || t.port.empty()) die("bad --target " + url);
    return t;
}

struct Dsn {
    std::string key;
    std::string project_id;
};

Dsn parse_dsn(const std::string& dsn) {
    const auto scheme_end = dsn.find("://");
    if (scheme_end == std::string::npos) die("bad --dsn (no scheme): " + dsn);
    const std::string rest = dsn.substr(scheme_end + 3);
    const auto at = rest.find('@');
    if (at == std::string::npos) die("bad --dsn (no key): " + dsn);
    Dsn d;
    d.key = rest.substr(0, std::min(at, rest.find(':')));
    std::string path = rest.substr(at + 1);
    while (!path.empty() && path.back() == '/') path.pop_back();
    const auto last = path.rfind('/');
    if (last == std::string::npos) die("bad --dsn (no project id): " + dsn);
    d.project_id = path.substr(last + 1);
    if (d.key.empty() || d.project_id.empty() ||
        !std::all_of(d.project_id.begin(), d.project_id.end(),
                     [](char c) { return c >= '0' && c <= '9'; }))
        die("bad --dsn: " + dsn);
    return d;
}

// ---------------------------------------------------------------------------------------------
// Envelopes and body templates

struct Span {
    size_t begin = 0;
    size_t end = 0;
};

size_t skip_ws(std::string_view s, size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    return i;
}

// Index just past the JSON string starting at s[i] == '"', or npos.
size_t skip_string(std::string_view s, size_t i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Index just past the JSON value starting at s[i], or npos.
size_t skip_value(std::string_view s, size_t i) {
    if (i >= s.size()) return std::string_view::npos;
    if (s[i] == '"') return skip_string(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                i = skip_string(s, i);
                if (i == std::string_view::npos) return i;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            ++i;
        }
        return std::string_view::npos;
    }
    while (i < s.size() && std::string_view(",}] \t\r\n").find(s[i]) == std::string_view::npos) ++i;
    return i;
}

// Raw span of the value of the top-level member `key` of the JSON object `json` (keys compared
// without unescaping), or nullopt when absent or malformed.
std::optional<Span> find_member(std::string_view json, std::string_view key) {
    size_t i = skip_ws(json, 0);
    if (i >= json.size() || json[i] != '{') return std::nullopt;
    i = skip_ws(json, i + 1);
    while (i < json.size() && json[i] == '"') {
        const size_t key_end = skip_string(json, i);
        if (key_end == std::string_view::npos) return std::nullopt;
        const std::string_view name = json.substr(i + 1, key_end - i - 2);
        i = skip_ws(json, key_end);
        if (i >= json.size() || json[i] != ':') return std::nullopt;
        i = skip_ws(json, i + 1);
        const size_t value_end = skip_value(json, i);
        if (value_end == std::string_view::npos) return std::nullopt;
        if (name == key) return Span{i, value_end};
        i = skip_ws(json, value_end);
        if (i < json.size() && json[i] == ',') i = skip_ws(json, i + 1);
    }
    return std::nullopt;
}

struct Item {
    std::string header;
    std::string payload;
    std::string type;
};

struct Envelope {
    std::string header;
    std::vector<Item> items;
};

// Envelope framing (protocol reference §2.1), lenient about blank lines between items.
std::optional<Envelope> parse_envelope(std::string_view data, std::string& error) {
    simdjson::dom::parser parser;
    Envelope env;
    size_t nl = data.find('\n');
    env.header = std::string(data.substr(0, nl));
    size_t pos = nl == std::string_view::npos ? data.size() : nl + 1;
    while (pos < data.size()) {
        if (data[pos] == '\n' || data[pos] == '\r') {
            ++pos;
            continue;
        }
        nl = data.find('\n', pos);
        Item item;
        item.header = std::string(data.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
        simdjson::dom::element header;
        if (parser.parse(item.header).get(header)) {
            error = "bad item header";
            return std::nullopt;
        }
        std::string_view type;
        if (header["type"].get_string().get(type)) {
            error = "item header without type";
            return std::nullopt;
        }
        item.type = std::string(type);
        size_t start = nl == std::string_view::npos ? data.size() : nl + 1;
        uint64_t length = 0;
        if (!header["length"].get_uint64().get(length)) {
            if (start + length > data.size()) {
                error = "item shorter than its length";
                return std::nullopt;
            }
            item.payload = std::string(data.substr(start, length));
            pos = start + length + 1;
        } else {
            const size_t end = std::min(data.find('\n', start), data.size());
            item.payload = std::string(data.substr(start, end - start));
            pos = end + 1;
        }
        env.items.push_back(std::move(item));
    }
    return env;
}

bool is_event_like(std::string_view type) {
    return type == "event" || type == "transaction" || type == "feedback";
}

// An envelope with its event ids replaced by kPlaceholder at `slots` (byte offsets).
struct Template {
    std::string name;
    std::string bytes;
    std::vector<size_t> slots;
};

Template make_template(const std::string& name, const Envelope& env, const std::string& dsn) {
    Template t;
    t.name = name;
    const bool has_event = std::any_of(env.items.begin(), env.items.end(),
                                       [](const Item& it) { return is_event_like(it.type); });
    std::string& out = t.bytes;
    std::string header = env.header;
    // A self-authenticating envelope must name the project we send to.
    if (const auto d = find_member(header, "dsn")) {
        std::string quoted;
        lt::append_json_string(quoted, dsn);
        header = header.substr(0, d->begin) + quoted + header.substr(d->end);
    }
    const auto id = find_member(header, "event_id");
    if (id) {
        out = header.substr(0, id->begin) + "\"";
        t.slots.push_back(out.size());
        out += std::string(kPlaceholder) + "\"" + header.substr(id->end);
    } else if (has_event) {
        const size_t brace = header.find('{');
        if (brace == std::string::npos) die(name + ": envelope header is not an object");
        const bool empty = header[skip_ws(header, brace + 1)] == '}';
        out = header.substr(0, brace + 1) + "\"event_id\":\"";
        t.slots.push_back(out.size());
        out += std::string(kPlaceholder) + "\"" + (empty ? "" : ",") + header.substr(brace + 1);
    } else {
        out = header;
    }
    out += '\n';
    for (const Item& item : env.items) {
        std::string payload = item.payload;
        std::optional<size_t> payload_slot;
        if (is_event_like(item.type)) {
            const auto pid = find_member(payload, "event_id");
            if (pid) {
                payload = payload.substr(0, pid->begin) + "\"" + std::string(kPlaceholder) + "\"" +
                          payload.substr(pid->end);
                payload_slot = pid->begin + 1;
            }
        }
        std::string item_header = item.header;
        if (const auto len = find_member(item_header, "length")) {
            item_header = item_header.substr(0, len->begin) + std::to_string(payload.size()) +
                          item_header.substr(len->end);
        } else if (payload.find('\n') != std::string::npos) {
            die(name + ": payload without length contains a newline");
        }
        out += item_header;
        out += '\n';
        if (payload_slot) t.slots.push_back(out.size() + *payload_slot);
        out += payload;
        out += '\n';
    }
    for (const size_t slot : t.slots) {
        if (out.compare(slot, kIdLen, kPlaceholder) != 0) die(name + ": internal slot error");
    }
    return t;
}

std::vector<Template> load_templates(const Options& o) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(o.fixtures, ec)) die("fixtures directory not found: " + o.fixtures);
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(o.fixtures, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".envelope")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Template> templates;
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string data = ss.str();
        std::string error;
        const auto env = parse_envelope(data, error);
        const std::string name = fs::relative(path, o.fixtures).string();
        if (!env) {
            std::cerr << "lighttrace-loadgen: skipping " << name << ": " << error << "\n";
            continue;
        }
        const bool has_event = std::any_of(env->items.begin(), env->items.end(),
                                           [](const Item& it) { return it.type == "event"; });
        if (o.mix == "errors" && !has_event) continue;
        templates.push_back(make_template(name, *env, o.dsn));
    }
    if (templates.empty()) die("no usable envelopes under " + o.fixtures);
    return templates;
}

struct Body {
    std::string_view data;
    const char* event_id = nullptr;  // kIdLen chars, or null when the body has no event id
};

struct BodySet {
    std::vector<std::string> storage;  // per-body bytes (fresh ids) and one per id-less template
    std::string ids;                   // kIdLen chars per body with an event id
    std::vector<Body> bodies;          // request k sends bodies[k % size]
    double uncompressed_avg = 0;
};

// gzip with one reused deflate state per thread: same bytes as lt::gzip_compress, but without
// setting up zlib for every body (about 30% of the pre-generation time).
class GzipEncoder {
public:
    explicit GzipEncoder(int level) {
        if (deflateInit2(&zs_, level, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            die("deflateInit2 failed");
    }
    ~GzipEncoder() { deflateEnd(&zs_); }
    GzipEncoder(const GzipEncoder&) = delete;
    GzipEncoder& operator=(const GzipEncoder&) = delete;

    std::string encode(std::string_view raw) {
        deflateReset(&zs_);
        std::string out(deflateBound(&zs_, static_cast<uLong>(raw.size())), '\0');
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
        zs_.avail_in = static_cast<uInt>(raw.size());
        zs_.next_out = reinterpret_cast<Bytef*>(out.data());
        zs_.avail_out = static_cast<uInt>(out.size());
        if (deflate(&zs_, Z_FINISH) != Z_STREAM_END) die("deflate failed");
        out.resize(out.size() - zs_.avail_out);
        // Give back the deflateBound() slack (~5x the result for these bodies): with 100k+
        // bodies it made a 1 GB pool whose page faults and TLB misses delayed sending.
        out.shrink_to_fit();
        return out;
    }

private:
    z_stream zs_{};
};

std::string encode(const Options& o, std::string_view raw) {
    return o.gzip ? lt::gzip_compress(raw, o.gzip_level) : std::string(raw);
}

BodySet make_bodies(const Options& o, const std::vector<Template>& templates) {
    const auto t0 = Clock::now();
    // Estimate the encoded size to respect the memory budget.
    double per_round = 0;
    double raw_per_round = 0;
    for (const Template& t : templates) {
        per_round += static_cast<double>(encode(o, t.bytes).size());
        raw_per_round += static_cast<double>(t.bytes.size());
    }
    const double avg = per_round / static_cast<double>(templates.size());
    size_t n = o.unique;
    const double budget = static_cast<double>(o.max_body_mb) * 1024 * 1024;
    if (static_cast<double>(n) * (avg + 64) > budget) {
        n = std::max<size_t>(templates.size(), static_cast<size_t>(budget / (avg + 64)));
        std::cerr << "lighttrace-loadgen: --unique capped to " << n << " by --max-body-mb "
                  << o.max_body_mb << "\n";
    }
    BodySet set;
    set.uncompressed_avg = raw_per_round / static_cast<double>(templates.size());
    set.storage.resize(n + templates.size());
    set.ids.resize(n * kIdLen);
    for (size_t j = 0; j < n; ++j) {
        if (!templates[j % templates.size()].slots.empty())
            set.ids.replace(j * kIdLen, kIdLen, lt::random_hex(kIdLen / 2));
    }
    // Id-less templates (sessions, client reports, ... with --mix all) are encoded once.
    for (size_t t = 0; t < templates.size(); ++t) {
        if (templates[t].slots.empty()) set.storage[n + t] = encode(o, templates[t].bytes);
    }
    const auto work = [&](size_t begin, size_t end) {
        GzipEncoder gzip(o.gzip_level);
        for (size_t j = begin; j < end; ++j) {
            const Template& t = templates[j % templates.size()];
            if (t.slots.empty()) continue;
            std::string raw = t.bytes;
            for (const size_t slot : t.slots)
                raw.replace(slot, kIdLen, set.ids, j * kIdLen, kIdLen);
            set.storage[j] = o.gzip ? gzip.encode(raw) : std::move(raw);
        }
    };
    const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
    std::vector<std::thread> pool;
    const size_t chunk = (n + threads - 1) / threads;
    for (size_t k = 0; k < threads; ++k) {
        const size_t begin = std::min(n, k * chunk);
        const size_t end = std::min(n, begin + chunk);
        pool.emplace_back(work, begin, end);
    }
    for (auto& thread : pool) thread.join();
    set.bodies.resize(n);
    for (size_t j = 0; j < n; ++j) {
        const size_t t = j % templates.size();
        if (templates[t].slots.empty()) {
            set.bodies[j] = Body{set.storage[n + t], nullptr};
        } else {
            set.bodies[j] = Body{set.storage[j], set.ids.data() + j * kIdLen};
        }
    }
    std::cerr << "lighttrace-loadgen: " << templates.size() << " envelopes, " << n
              << " bodies pre-generated in " << seconds_between(t0, Clock::now()) << " s\n";
    return set;
}

// ---------------------------------------------------------------------------------------------
// Ack log: ids of 200 answers, written to the file every second and at the end.

class AckLog {
public:
    explicit AckLog(const std::string& path) {
        if (path.empty()) return;
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0) die("cannot open --ack-log " + path + ": " + std::strerror(errno));
        buffer_.reserve(1 << 20);
    }
    ~AckLog() {
        flush();
        if (fd_ >= 0) ::close(fd_);
    }
    AckLog(const AckLog&) = delete;
    AckLog& operator=(const AckLog&) = delete;

    bool enabled() const { return fd_ >= 0; }
    void add(const char* id) {
        if (fd_ < 0) return;
        buffer_.append(id, kIdLen);
        buffer_.push_back('\n');
    }
    void flush() {
        size_t done = 0;
        while (fd_ >= 0 && done < buffer_.size()) {
            const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) die(std::string("ack log write failed: ") + std::strerror(errno));
            done += static_cast<size_t>(n);
        }
        buffer_.clear();
    }

private:
    int fd_ = -1;
    std::string buffer_;
};

// ---------------------------------------------------------------------------------------------
// GET /metrics, with a timeout

std::optional<double> parse_metric(std::string_view text) {
    std::optional<double> exact;
    double labelled = 0;
    bool any_labelled = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind(kMetricName, 0) != 0 || line.size() <= kMetricName.size()) continue;
        const char next = line[kMetricName.size()];
        std::string_view rest;
        if (next == ' ') {
            rest = line.substr(kMetricName.size() + 1);
        } else if (next == '{') {
            const auto close = line.find('}');
            if (close == std::string_view::npos) continue;
            rest = line.substr(close + 1);
        } else {
            continue;
        }
        const std::string number(rest);
        char* num_end = nullptr;
        const double v = std::strtod(number.c_str(), &num_end);
        if (num_end == number.c_str()) continue;
        if (next == ' ') {
            exact = v;
        } else {
            labelled += v;
            any_labelled = true;
        }
    }
    if (exact) return exact;
    if (any_labelled) return labelled;
    return std::nullopt;
}

class MetricFetch : public std::enable_shared_from_this<MetricFetch> {
public:
    using Callback = std::function<void(std::optional<double>)>;
    MetricFetch(asio::io_context& ioc, const tcp::resolver::results_type& endpoints,
                const Target& target, Callback cb)
        : socket_(ioc), timer_(ioc), endpoints_(endpoints), cb_(std::move(cb)) {
        request_ = "GET " + target.prefix + "/metrics HTTP/1.1\r\nHost: " + target.host_header +
                   "\r\nConnection: close\r\n\r\n";
    }
    void start() {
        auto self = shared_from_this();
        timer_.expires_after(std::chrono::seconds(2));
        timer_.async_wait([self](error_code ec) {
            if (!ec) self->finish(std::nullopt);
        });
        asio::async_connect(socket_, endpoints_, [self](error_code ec, const tcp::endpoint&) {
            if (ec) return self->finish(std::nullopt);
            asio::async_write(
                self->socket_, asio::buffer(self->request_), [self](error_code wec, size_t) {
                    if (wec) return self->finish(std::nullopt);
                    http::async_read(self->socket_, self->buffer_, self->response_,
                                     [self](error_code rec, size_t) {
                                         if (rec || self->response_.result_int() != 200)
                                             return self->finish(std::nullopt);
                                         self->finish(parse_metric(self->response_.body()));
                                     });
                });
        });
    }

private:
    void finish(std::optional<double> value) {
        if (done_) return;
        done_ = true;
        timer_.cancel();
        error_code ignored;
        socket_.close(ignored);
        cb_(value);
    }
    tcp::socket socket_;
    asio::steady_timer timer_;
    tcp::resolver::results_type endpoints_;
    Callback cb_;
    std::string request_;
    beast::flat_buffer buffer_;
    http::response<http::string_body> response_;
    bool done_ = false;
};

// ---------------------------------------------------------------------------------------------
// The load

struct Stats {
    uint64_t accepted = 0;
    uint64_t connect_errors = 0;
    uint64_t timeouts = 0;
    uint64_t abandoned = 0;              // in flight when the drain after the end gave up
    std::array<uint64_t, 600> status{};  // non-200 answers by status code
    std::vector<int64_t> latency_ns;
    uint64_t body_bytes = 0;
    uint64_t id_mismatch = 0;
    int64_t max_send_lag_ns = 0;  // --rate: how late the generator sent on-time requests
    Clock::time_point last_completion{};
};

class Runner;

class Connection {
public:
    Connection(Runner& runner, asio::io_context& ioc) : runner_(runner), socket_(ioc), retry_(ioc) {
        head_.reserve(512);
    }
    void connect();
    void send(uint64_t request_no, Clock::time_point origin);
    void close() {
        error_code ignored;
        socket_.close(ignored);
        retry_.cancel();
    }
    bool busy() const { return busy_; }
    // Closes the connection when its request has waited longer than `limit`.
    void check_timeout(Clock::time_point now, Clock::duration limit) {
        if (busy_ && now - sent_at_ > limit) {
            timed_out_ = true;
            error_code ignored;
            socket_.close(ignored);
        }
    }

private:
    void on_write(error_code ec);
    void on_read(error_code ec);
    void fail(error_code ec);

    Runner& runner_;
    tcp::socket socket_;
    asio::steady_timer retry_;
    beast::flat_buffer buffer_;
    http::response<http::string_body> response_;
    std::string head_;
    const Body* body_ = nullptr;
    Clock::time_point origin_{};
    Clock::time_point sent_at_{};
    bool busy_ = false;
    bool timed_out_ = false;
};

class Runner {
public:
    Runner(const Options& o, const Target& target, const Dsn& dsn, const BodySet& bodies)
        : opts_(o),
          target_(target),
          bodies_(bodies),
          ack_(o.ack_log),
          phase_timer_(ioc_),
          end_timer_(ioc_),
          drain_timer_(ioc_),
          flush_timer_(ioc_),
          sched_timer_(ioc_),
          signals_(ioc_, SIGINT, SIGTERM) {
        tcp::resolver resolver(ioc_);
        error_code ec;
        endpoints_ = resolver.resolve(target.host, target.port, ec);
        if (ec) die("cannot resolve " + target.host + ": " + ec.message());
        prefix_ =
            "POST " + target.prefix + "/api/" + dsn.project_id +
            "/envelope/ HTTP/1.1\r\nHost: " + target.host_header +
            "\r\nUser-Agent: lighttrace-loadgen/1\r\nX-Sentry-Auth: Sentry sentry_key=" + dsn.key +
            ", sentry_version=7, sentry_client=lighttrace-loadgen/1\r\nContent-Type: "
            "application/x-sentry-envelope\r\n";
        if (o.gzip) prefix_ += "Content-Encoding: gzip\r\n";
        prefix_ += "Content-Length: ";
        const double expected = o.rate > 0 ? o.rate * o.duration : 50000.0 * o.duration;
        stats_.latency_ns.reserve(static_cast<size_t>(std::min(expected * 1.2, 1e7)));
    }

    void run();
    void print_report();

    // Called by connections.
    const tcp::resolver::results_type& endpoints() const { return endpoints_; }
    const Body& body(uint64_t request_no) const {
        return bodies_.bodies[request_no % bodies_.bodies.size()];
    }
    void format_head(std::string& head, size_t length) const {
        head.assign(prefix_);
        char digits[24];
        const auto r = std::to_chars(digits, digits + sizeof digits, length);
        head.append(digits, r.ptr);
        head.append("\r\n\r\n");
    }
    bool stopping() const { return stopping_; }
    bool finished() const { return finished_; }
    void on_sent() { ++busy_; }
    void on_ready(Connection& c);
    void on_response(Connection& c, const Body& body, Clock::time_point origin, unsigned status,
                     std::string_view response_body);
    void on_failure(Connection& c, bool was_busy, bool timed_out, Clock::time_point origin);

private:
    bool measured(Clock::time_point origin) const { return origin >= measure_start_; }
    Clock::time_point scheduled(uint64_t i) const {
        return run_start_ + to_duration(static_cast<double>(i) / opts_.rate);
    }
    void request_done(Connection& c);
    void arm_schedule();
    void on_tick(error_code ec);
    void arm_flush();
    void stop();
    void finish();
    void poll_processed();
    std::optional<double> fetch_metric_now();

    const Options& opts_;
    const Target& target_;
    const BodySet& bodies_;
    asio::io_context ioc_;
    tcp::resolver::results_type endpoints_;
    std::string prefix_;
    AckLog ack_;
    std::vector<std::unique_ptr<Connection>> connections_;
    asio::steady_timer phase_timer_, end_timer_, drain_timer_, flush_timer_, sched_timer_;
    asio::signal_set signals_;
    Stats stats_;
    Clock::time_point run_start_{}, measure_start_{}, end_time_{}, window_end_{};
    uint64_t next_request_ = 0;  // closed loop: next request number; open loop: next scheduled
    uint64_t busy_ = 0;
    std::vector<Connection*> idle_;
    bool sched_armed_ = false;
    Clock::time_point last_tick_{};
    bool stopping_ = false;
    bool finished_ = false;
    std::optional<double> metric_baseline_;  // before the first request
    std::optional<double> metric_start_;     // at the start of measurement
    uint64_t acked_total_ = 0;               // 200 answers, warmup included
    std::optional<double> cpu_start_;        // own CPU seconds at the start of measurement
    Clock::time_point cpu_start_time_{};
    std::optional<double> cpu_pct_;  // own CPU use during measurement, % of one core
    std::optional<double> metric_end_;
    Clock::time_point metric_end_time_{};
    bool caught_up_ = false;
};

void Connection::connect() {
    if (runner_.stopping()) return;
    asio::async_connect(socket_, runner_.endpoints(), [this](error_code ec, const tcp::endpoint&) {
        if (ec) return fail(ec);
        error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        buffer_.clear();
        runner_.on_ready(*this);
    });
}

void Connection::send(uint64_t request_no, Clock::time_point origin) {
    body_ = &runner_.body(request_no);
    origin_ = origin;
    busy_ = true;
    sent_at_ = Clock::now();
    runner_.on_sent();
    runner_.format_head(head_, body_->data.size());
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head_), asio::buffer(body_->data.data(), body_->data.size())};
    asio::async_write(socket_, buffers, [this](error_code ec, size_t) { on_write(ec); });
}

void Connection::on_write(error_code ec) {
    if (ec) return fail(ec);
    response_ = {};
    http::async_read(socket_, buffer_, response_, [this](error_code rec, size_t) { on_read(rec); });
}

void Connection::on_read(error_code ec) {
    if (ec) return fail(ec);
    if (runner_.finished()) return;
    busy_ = false;
    const bool keep_alive = response_.keep_alive();
    runner_.on_response(*this, *body_, origin_, response_.result_int(), response_.body());
    if (runner_.stopping()) {
        close();
    } else if (!keep_alive) {
        close();
        connect();
    } else {
        runner_.on_ready(*this);
    }
}

void Connection::fail(error_code) {
    if (runner_.finished()) return;
    const bool was_busy = busy_;
    const bool timed_out = timed_out_;
    busy_ = false;
    timed_out_ = false;
    error_code ignored;
    socket_.close(ignored);
    runner_.on_failure(*this, was_busy, timed_out, origin_);
    if (runner_.stopping()) return;
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([this](error_code tec) {
        if (!tec) connect();
    });
}

void Runner::on_ready(Connection& c) {
    if (stopping_) {
        c.close();
        return;
    }
    const auto now = Clock::now();
    if (opts_.rate <= 0) {
        c.send(next_request_++, now);
        return;
    }
    const auto due = scheduled(next_request_);
    if (due <= now && due < end_time_) {
        // The request waited for a free connection: latency counts from its scheduled time.
        c.send(next_request_++, due);
        return;
    }
    idle_.push_back(&c);
    arm_schedule();
}

void Runner::arm_schedule() {
    if (sched_armed_ || idle_.empty() || stopping_) return;
    const auto due = scheduled(next_request_);
    if (due >= end_time_) return;
    sched_armed_ = true;
    sched_timer_.expires_at(std::max(due, last_tick_ + to_duration(opts_.tick_us / 1e6)));
    sched_timer_.async_wait([this](error_code ec) { on_tick(ec); });
}

void Runner::on_tick(error_code ec) {
    sched_armed_ = false;
    if (ec || stopping_) return;
    const auto now = Clock::now();
    last_tick_ = now;
    while (!idle_.empty()) {
        const auto due = scheduled(next_request_);
        if (due > now || due >= end_time_) break;
        Connection* c = idle_.back();
        idle_.pop_back();
        if (measured(due)) {
            stats_.max_send_lag_ns = std::max<int64_t>(
                stats_.max_send_lag_ns,
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - due).count());
        }
        // Sent on time through an idle connection: latency counts from the write, unless
        // batching (--tick-us) delayed it on purpose.
        c->send(next_request_++, opts_.tick_us > 0 ? due : now);
    }
    arm_schedule();
}

void Runner::on_response(Connection& c, const Body& body, Clock::time_point origin, unsigned status,
                         std::string_view response_body) {
    const auto now = Clock::now();
    if (status == 200) ++acked_total_;
    if (status == 200 && body.event_id) {
        ack_.add(body.event_id);
        if (response_body.find("\"id\"") != std::string_view::npos &&
            response_body.find(std::string_view(body.event_id, kIdLen)) == std::string_view::npos)
            ++stats_.id_mismatch;
    }
    if (measured(origin)) {
        if (status == 200) {
            ++stats_.accepted;
        } else {
            ++stats_.status[std::min<unsigned>(status, stats_.status.size() - 1)];
        }
        stats_.latency_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - origin).count());
        stats_.body_bytes += body.data.size();
        stats_.last_completion = now;
    }
    request_done(c);
}

void Runner::on_failure(Connection& c, bool was_busy, bool timed_out, Clock::time_point origin) {
    const auto now = Clock::now();
    if (was_busy ? measured(origin) : (now >= measure_start_ && now < end_time_)) {
        ++(timed_out ? stats_.timeouts : stats_.connect_errors);
        stats_.last_completion = now;
    }
    if (was_busy) request_done(c);
}

void Runner::request_done(Connection&) {
    --busy_;
    if (stopping_ && busy_ == 0) finish();
}

// Once a second: write the ack log, and close connections whose request timed out.
void Runner::arm_flush() {
    flush_timer_.expires_after(std::chrono::seconds(1));
    flush_timer_.async_wait([this](error_code ec) {
        if (ec || finished_) return;
        ack_.flush();
        const auto now = Clock::now();
        for (auto& c : connections_) c->check_timeout(now, to_duration(opts_.timeout));
        arm_flush();
    });
}

void Runner::stop() {
    if (stopping_) return;
    stopping_ = true;
    if (cpu_start_)
        cpu_pct_ =
            (cpu_seconds() - *cpu_start_) * 100.0 / seconds_between(cpu_start_time_, Clock::now());
    sched_timer_.cancel();
    phase_timer_.cancel();
    end_timer_.cancel();
    idle_.clear();
    for (auto& c : connections_) {
        if (!c->busy()) c->close();
    }
    if (busy_ == 0) return finish();
    // Let in-flight requests finish, but not forever (the server may be dead or stopped).
    drain_timer_.expires_after(std::chrono::seconds(2));
    drain_timer_.async_wait([this](error_code ec) {
        if (!ec) finish();
    });
}

void Runner::finish() {
    if (finished_) return;
    finished_ = true;
    stats_.abandoned = busy_;
    for (auto& c : connections_) c->close();
    drain_timer_.cancel();
    flush_timer_.cancel();
    error_code ignored;
    signals_.cancel(ignored);
    ack_.flush();
}

void Runner::run() {
    if (opts_.processed_metric) {
        metric_baseline_ = fetch_metric_now();
        if (!metric_baseline_)
            std::cerr << "lighttrace-loadgen: could not read " << kMetricName
                      << " from GET /metrics; processed_per_s will be null\n";
        ioc_.restart();
    }
    run_start_ = Clock::now();
    measure_start_ = run_start_ + to_duration(opts_.warmup);
    end_time_ = measure_start_ + to_duration(opts_.duration);
    signals_.async_wait([this](error_code ec, int) {
        if (ec) return;
        std::cerr << "lighttrace-loadgen: interrupted, stopping\n";
        end_time_ = std::min(end_time_, Clock::now());
        stop();
    });
    phase_timer_.expires_at(measure_start_);
    phase_timer_.async_wait([this](error_code ec) {
        if (ec) return;
        cpu_start_ = cpu_seconds();
        cpu_start_time_ = Clock::now();
        if (!metric_baseline_) return;
        std::make_shared<MetricFetch>(ioc_, endpoints_, target_, [this](std::optional<double> v) {
            metric_start_ = v;
            if (!v) std::cerr << "lighttrace-loadgen: could not read " << kMetricName << "\n";
        })->start();
    });
    end_timer_.expires_at(end_time_);
    end_timer_.async_wait([this](error_code ec) {
        if (!ec) stop();
    });
    arm_flush();
    for (int i = 0; i < opts_.connections; ++i) {
        connections_.push_back(std::make_unique<Connection>(*this, ioc_));
    }
    for (auto& c : connections_) c->connect();
    ioc_.run();
    window_end_ = std::max(end_time_, stats_.last_completion);
    ack_.flush();
    if (metric_baseline_ && metric_start_) poll_processed();
}

std::optional<double> Runner::fetch_metric_now() {
    std::optional<double> value;
    ioc_.restart();
    std::make_shared<MetricFetch>(ioc_, endpoints_, target_, [&value](std::optional<double> v) {
        value = v;
    })->start();
    ioc_.run();
    return value;
}

void Runner::poll_processed() {
    // Caught up once the server has processed every envelope it acknowledged during the run
    // (warmup included): the baseline was read before the first request was sent.
    const double target = *metric_baseline_ + static_cast<double>(acked_total_);
    const auto give_up = Clock::now() + std::chrono::seconds(30);
    for (;;) {
        const std::optional<double> value = fetch_metric_now();
        const auto now = Clock::now();
        if (value) {
            metric_end_ = value;
            metric_end_time_ = now;
            if (*value >= target) {
                caught_up_ = true;
                return;
            }
        }
        if (now >= give_up) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

void Runner::print_report() {
    const double duration = seconds_between(measure_start_, window_end_);
    std::vector<int64_t>& lat = stats_.latency_ns;
    std::sort(lat.begin(), lat.end());
    const auto percentile = [&](double p) -> double {
        if (lat.empty()) return 0;
        size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(lat.size())));
        rank = std::clamp<size_t>(rank, 1, lat.size());
        return round3(static_cast<double>(lat[rank - 1]) / 1e6);
    };
    uint64_t requests = stats_.accepted + stats_.connect_errors + stats_.timeouts;
    for (const uint64_t n : stats_.status) requests += n;

    lt::JsonWriter w;
    w.begin_object();
    w.key("requests").value(requests);
    w.key("accepted").value(stats_.accepted);
    w.key("errors").begin_object();
    for (size_t s = 0; s < stats_.status.size(); ++s) {
        if (stats_.status[s] != 0) w.key(std::to_string(s)).value(stats_.status[s]);
    }
    if (stats_.connect_errors != 0) w.key("connect").value(stats_.connect_errors);
    if (stats_.timeouts != 0) w.key("timeout").value(stats_.timeouts);
    w.end_object();
    // Requests still unanswered 2 s after the end: neither counted above nor in the ack log.
    w.key("unanswered_at_end").value(stats_.abandoned);
    w.key("duration_s").value(round3(duration));
    w.key("accepted_per_s").value(round3(static_cast<double>(stats_.accepted) / duration));
    w.key("requests_per_s").value(round3(static_cast<double>(requests) / duration));
    w.key("latency_ms").begin_object();
    w.key("p50").value(percentile(0.50));
    w.key("p90").value(percentile(0.90));
    w.key("p99").value(percentile(0.99));
    w.key("p999").value(percentile(0.999));
    w.key("max").value(lat.empty() ? 0.0 : round3(static_cast<double>(lat.back()) / 1e6));
    w.end_object();
    w.key("latency_from").value(opts_.rate > 0 ? "schedule" : "write");
    const uint64_t answered = static_cast<uint64_t>(lat.size());
    w.key("body_bytes_avg")
        .value(answered
                   ? round3(static_cast<double>(stats_.body_bytes) / static_cast<double>(answered))
                   : 0.0);
    w.key("body_bytes_uncompressed_avg").value(round3(bodies_.uncompressed_avg));
    w.key("processed_per_s");
    if (metric_start_ && metric_end_) {
        const double processed = *metric_end_ - *metric_start_;
        w.value(round3(processed / seconds_between(measure_start_, metric_end_time_)));
        w.key("processed").value(processed);
        w.key("processed_caught_up").value(caught_up_);
        w.key("processed_s").value(round3(seconds_between(measure_start_, metric_end_time_)));
    } else {
        w.null();
    }
    w.key("mode").value(opts_.rate > 0 ? "open" : "closed");
    if (opts_.rate > 0) {
        w.key("rate").value(opts_.rate);
        const double due = std::floor(seconds_between(run_start_, end_time_) * opts_.rate);
        w.key("not_sent_at_end").value(std::max(0.0, due - static_cast<double>(next_request_)));
        w.key("tick_us").value(opts_.tick_us);
        w.key("max_send_lag_ms").value(round3(static_cast<double>(stats_.max_send_lag_ns) / 1e6));
    }
    w.key("connections").value(opts_.connections);
    w.key("gzip").value(opts_.gzip);
    w.key("unique_bodies").value(static_cast<uint64_t>(bodies_.bodies.size()));
    // Requests beyond unique_bodies resend earlier event ids (a server may dedupe them).
    w.key("bodies_reused").value(next_request_ > bodies_.bodies.size());
    w.key("id_mismatch").value(stats_.id_mismatch);
    w.key("loadgen_cpu_pct");
    if (cpu_pct_) {
        w.value(std::round(*cpu_pct_ * 10) / 10);
    } else {
        w.null();
    }
    w.end_object();
    std::cout << w.str() << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opts = parse_options(argc, argv);
    const Target target = parse_target(opts.target);
    const Dsn dsn = parse_dsn(opts.dsn);
    const std::vector<Template> templates = load_templates(opts);
    const BodySet bodies = make_bodies(opts, templates);
    Runner runner(opts, target, dsn, bodies);
    runner.run();
    runner.print_report();
    return 0;
}
