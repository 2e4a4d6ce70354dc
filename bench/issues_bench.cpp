// Issue API latency on a big store: loads N events into M issues (default 1,000,000 / 10,000)
// through the real store commit path (issue grouping, aggregates), then times the Web API
// handlers for issue lists (several sorts and queries, a second page) and issue detail / latest
// event, in process (router -> handler -> JSON; no sockets). Prints one markdown table.
//
//   lighttrace-issues-bench [--events N] [--issues M] [--requests R] [--data DIR]
//
// Events are a real captured error event, processed once by the pipeline's event processor and
// grouping; each copy gets its own event id, an issue hash (a skewed mix: half the events go to
// 1% of the issues), a timestamp over the last 14 days, one of 2,000 users, and varying tags.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "api/api.h"
#include "core/compression.h"
#include "core/time.h"
#include "envelope/envelope.h"
#include "pipeline/pipeline.h"
#include "spool/record.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    size_t events = 1'000'000;
    size_t issues = 10'000;
    size_t requests = 200;
    fs::path data;
};

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--events") {
            options.events = std::stoul(value);
        } else if (flag == "--issues") {
            options.issues = std::stoul(value);
        } else if (flag == "--requests") {
            options.requests = std::stoul(value);
        } else if (flag == "--data") {
            options.data = value;
        } else {
            throw std::invalid_argument("unknown flag " + flag);
        }
    }
    if (options.data.empty()) options.data = fs::temp_directory_path() / "lighttrace-issues-bench";
    return options;
}

// One captured node error event, as the pipeline turns it into a stored item.
lt::StoredItem template_item() {
    std::ifstream in(LT_FIXTURES "/corpus/sentry-node/exception/003.envelope", std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    lt::SpooledRequest request;
    request.project_id = 1;
    request.received_at = lt::now_seconds();
    request.body = buffer.str();
    const auto parsed = lt::parse_envelope(request.body);
    if (!parsed.envelope) throw std::runtime_error("fixture envelope missing or unreadable");
    request.event_id = parsed.envelope->event_id;
    lt::WriteBatch batch;
    lt::process_spooled_record(lt::encode_spooled_request(request), batch, {});
    for (lt::StoredItem& item : batch.items) {
        if (item.issue) return std::move(item);
    }
    throw std::runtime_error("the fixture produced no error event");
}

double load(lt::Store& store, int64_t project_id, const Options& options) {
    const lt::StoredItem base = template_item();
    std::mt19937_64 random(42);
    const double now = lt::now_seconds();
    const char* browsers[] = {"Chrome 120.0", "Firefox 121.0", "Safari 17.2", "Edge 120.0"};
    const char* servers[] = {"web-1", "web-2", "web-3", "web-4", "web-5", "web-6"};
    const auto started = Clock::now();
    constexpr size_t kBatch = 2000;
    uint64_t sequence = 0;
    for (size_t done = 0; done < options.events; done += kBatch) {
        lt::WriteBatch batch;
        for (size_t i = 0; i < kBatch && done + i < options.events; ++i, ++sequence) {
            lt::StoredItem item = base;
            char id[33];
            std::snprintf(id, sizeof id, "%032llx", static_cast<unsigned long long>(sequence));
            item.event_id = id;
            item.project_id = project_id;
            // Every issue exists from the first pass; afterwards half the events hit the top 1%.
            const size_t issue = sequence < options.issues ? sequence
                                 : random() % 2 == 0
                                     ? random() % std::max<size_t>(1, options.issues / 100)
                                     : random() % options.issues;
            item.timestamp = now - static_cast<double>(random() % (14 * 86400));
            item.received_at = item.timestamp;
            lt::EventIssueFacts& facts = *item.issue;
            facts.hashes = {"bench-issue-" + std::to_string(issue)};
            facts.title = "TypeError: failure " + std::to_string(issue);
            facts.level = issue % 10 == 0 ? "warning" : "error";
            facts.user_key = "id:" + std::to_string(random() % 2000);
            facts.release = "app@1." + std::to_string(issue % 20);
            facts.tags = {{"browser", browsers[random() % 4]},
                          {"server_name", servers[random() % 6]},
                          {"environment", random() % 5 == 0 ? "staging" : "production"},
                          {"release", facts.release},
                          {"level", facts.level},
                          {"user", facts.user_key}};
            batch.items.push_back(std::move(item));
        }
        batch.cursor = lt::SpoolPosition{1, sequence};
        store.commit(batch);
    }
    return std::chrono::duration<double>(Clock::now() - started).count();
}

struct Timing {
    std::string what;
    std::vector<double> ms;
    int status = 0;
};

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
    return values[index];
}

lt::http::Response call(lt::http::Router& router, const std::string& token,
                        const std::string& target) {
    lt::http::Request request;
    request.method = "GET";
    request.target = target;
    const size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.headers.emplace_back("authorization", "Bearer " + token);
    const auto match = router.match(request.method, request.path);
    if (!match.handler) throw std::runtime_error("no route for " + target);
    lt::http::Response response;
    (*match.handler)(std::move(request), match.params,
                     [&](lt::http::Response answer) { response = std::move(answer); });
    return response;
}

std::string next_cursor(const lt::http::Response& response) {
    for (const auto& [name, value] : response.headers) {
        if (name != "Link") continue;
        const size_t next = value.find("rel=\"next\"");
        const size_t cursor = value.find("cursor=\"", next);
        return value.substr(cursor + 8, value.find('"', cursor + 8) - cursor - 8);
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    fs::remove_all(options.data);
    fs::create_directories(options.data);
    auto store = lt::open_sqlite_store(options.data / "lighttrace.db");
    const lt::Organization org = store->ensure_organization("bench", "Bench");
    const lt::Project project = *store->create_project(org.id, "web", "Web");
    const std::string token = store->create_token(org.id, {"event:read", "project:read"});

    const double load_seconds = load(*store, project.id, options);
    lt::Api api(*store);
    lt::http::Router router;
    api.register_routes(router);

    const std::string issues = "/api/0/projects/bench/web/issues/";
    const std::string first_page = call(router, token, issues + "?query=&sort=date").body;
    const std::string cursor =
        next_cursor(call(router, token, issues + "?query=&sort=date&limit=25"));
    std::vector<Timing> timings = {
        {"issue list: default (is:unresolved, date)", {}, 0},
        {"issue list: sort=freq", {}, 0},
        {"issue list: sort=new", {}, 0},
        {"issue list: sort=user", {}, 0},
        {"issue list: browser:\"Chrome 120.0\" level:error", {}, 0},
        {"issue list: free text \"failure 42\"", {}, 0},
        {"issue list: release:app@1.3 environment:staging", {}, 0},
        {"issue list: second page (cursor)", {}, 0},
        {"issue detail", {}, 0},
        {"issue latest event", {}, 0},
    };
    const std::vector<std::string> targets = {
        issues,
        issues + "?sort=freq",
        issues + "?sort=new",
        issues + "?sort=user",
        issues + "?query=browser%3A%22Chrome%20120.0%22%20level%3Aerror",
        issues + "?query=%22failure%2042%22",
        issues + "?query=release%3Aapp%401.3%20environment%3Astaging",
        issues + "?query=&sort=date&limit=25&cursor=" + cursor,
    };
    std::mt19937_64 random(7);
    for (size_t round = 0; round < options.requests; ++round) {
        for (size_t i = 0; i < timings.size(); ++i) {
            std::string target;
            if (i < targets.size()) {
                target = targets[i];
            } else {
                const size_t issue_id = 1 + random() % options.issues;
                target = "/api/0/issues/" + std::to_string(issue_id) + "/" +
                         (i == targets.size() ? "" : "events/latest/");
            }
            const auto started = Clock::now();
            const lt::http::Response response = call(router, token, target);
            timings[i].ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - started).count());
            timings[i].status = response.status;
        }
    }

    std::cout << "| events | issues | load (store commit incl. grouping) |\n|---|---|---|\n";
    std::cout << "| " << options.events << " | " << options.issues << " | " << load_seconds
              << " s = " << static_cast<int64_t>(static_cast<double>(options.events) / load_seconds)
              << " events/s |\n\n";
    std::cout << "| request (" << options.requests
              << " each) | status | p50 ms | p95 ms | max ms |\n";
    std::cout << "|---|---|---|---|---|\n";
    for (const Timing& timing : timings) {
        std::printf("| %s | %d | %.2f | %.2f | %.2f |\n", timing.what.c_str(), timing.status,
                    percentile(timing.ms, 0.5), percentile(timing.ms, 0.95),
                    *std::max_element(timing.ms.begin(), timing.ms.end()));
    }
    if (first_page.size() < 3) std::cout << "warning: the issue list was empty\n";
    store.reset();
    fs::remove_all(options.data);
    return 0;
}
