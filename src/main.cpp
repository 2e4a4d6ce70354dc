// The lighttrace command: serve, project create, token create, version.
//
// Exit codes: 0 success, 1 a runtime failure (message on stderr), 2 a usage error (unknown
// command or flag, bad value; message on stderr).
#include <signal.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api/api.h"
#include "core/file_lock.h"
#include "core/ids.h"
#include "core/ip.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "ingest/ingest.h"
#include "pipeline/pipeline.h"
#include "spool/spool.h"
#include "store/store.h"

namespace {

using namespace lt;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr std::string_view kUsage = R"(usage:
  lighttrace serve [--listen HOST:PORT] [--data DIR] [--url PUBLIC_URL]
                   [--trusted-proxies CIDR[,CIDR...]] [--spool DIR]
  lighttrace project create --org SLUG --project SLUG [--name NAME] [--data DIR] [--url URL]
  lighttrace token create --org SLUG [--scopes a,b,c] [--data DIR]
  lighttrace version

Environment: LIGHTTRACE_LISTEN, LIGHTTRACE_DATA, LIGHTTRACE_URL, LIGHTTRACE_TRUSTED_PROXIES,
LIGHTTRACE_SPOOL stand in for --listen, --data, --url, --trusted-proxies and --spool.
Defaults: --listen 127.0.0.1:8000, --data ./data, --spool DATA/spool, no trusted proxies
(X-Forwarded-For is ignored). --spool on a disk of its own keeps acknowledgements fast while
the store writes (docs/operations.md).
)";

const std::set<std::string, std::less<>> kKnownScopes = {
    "org:read",      "org:write",     "org:admin",        "org:integrations", "project:read",
    "project:write", "project:admin", "project:releases", "team:read",        "team:write",
    "team:admin",    "member:read",   "member:write",     "member:admin",     "event:read",
    "event:write",   "event:admin",   "alerts:read",      "alerts:write"};

constexpr std::string_view kDefaultScopes =
    "org:read,project:read,project:write,project:releases,team:read,event:read,event:write,"
    "event:admin,alerts:read,alerts:write";

// Parsed "--flag value" / "--flag=value" options of one command.
class Flags {
public:
    Flags(const std::string& command, std::vector<std::string> args,
          const std::set<std::string, std::less<>>& with_value,
          const std::set<std::string, std::less<>>& switches) {
        for (size_t i = 0; i < args.size(); ++i) {
            std::string arg = args[i];
            if (!arg.starts_with("--")) {
                throw UsageError("unexpected argument '" + arg + "' for '" + command + "'");
            }
            std::string name = arg.substr(2);
            std::optional<std::string> value;
            if (const size_t eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name.resize(eq);
            }
            if (switches.contains(name) && !value) {
                values_[name] = "1";
                continue;
            }
            if (!with_value.contains(name)) {
                throw UsageError("unknown option '--" + name + "' for '" + command + "'");
            }
            if (!value) {
                if (i + 1 >= args.size()) throw UsageError("option '--" + name + "' needs a value");
                value = args[++i];
            }
            values_[name] = *value;
        }
    }

    std::optional<std::string> get(const std::string& name) const {
        if (auto it = values_.find(name); it != values_.end()) return it->second;
        return std::nullopt;
    }
    std::string get_or(const std::string& name, const char* env, std::string fallback) const {
        if (auto value = get(name)) return *value;
        if (const char* from_env = std::getenv(env); from_env && *from_env) return from_env;
        return fallback;
    }
    std::string required(const std::string& name) const {
        auto value = get(name);
        if (!value || value->empty()) throw UsageError("missing required option '--" + name + "'");
        return *value;
    }
    bool has(const std::string& name) const { return values_.contains(name); }

private:
    std::map<std::string, std::string> values_;
};

std::string validate_slug(const std::string& what, const std::string& slug) {
    static const std::regex pattern("^[a-z0-9][a-z0-9_-]{0,49}$");
    if (!std::regex_match(slug, pattern)) {
        throw UsageError("invalid " + what + " slug '" + slug +
                         "': use 1-50 lowercase letters, digits, '-' or '_'");
    }
    return slug;
}

// "http(s)://host[:port][/path]" without a trailing slash.
std::string validate_url(const std::string& url) {
    static const std::regex pattern(R"(^https?://[^/\s?#@]+(/[^\s?#]*)?$)");
    if (!std::regex_match(url, pattern)) {
        throw UsageError("invalid URL '" + url + "': expected http(s)://host[:port][/path]");
    }
    std::string clean = url;
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    return clean;
}

struct ListenAddress {
    std::string host;
    uint16_t port = 0;
};

ListenAddress parse_listen(const std::string& text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        throw UsageError("invalid listen address '" + text + "': expected HOST:PORT");
    }
    ListenAddress address;
    address.host = text.substr(0, colon);
    if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
        address.host = address.host.substr(1, address.host.size() - 2);
    }
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value > 65535) {
        throw UsageError("invalid port in listen address '" + text + "'");
    }
    address.port = static_cast<uint16_t>(value);
    return address;
}

std::filesystem::path data_dir(const Flags& flags) {
    std::filesystem::path dir = flags.get_or("data", "LIGHTTRACE_DATA", "./data");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create data directory " + dir.string() + ": " +
                                 ec.message());
    return dir;
}

std::unique_ptr<Store> open_store(const std::filesystem::path& dir) {
    StoreOptions options;
    options.progress = [](const std::string& line) { std::cout << line << std::endl; };
    return open_sqlite_store(dir / "lighttrace.db", options);
}

std::string make_dsn(const std::string& public_url, const std::string& key, int64_t project_id) {
    const size_t scheme_end = public_url.find("://") + 3;
    return public_url.substr(0, scheme_end) + key + "@" + public_url.substr(scheme_end) + "/" +
           std::to_string(project_id);
}

std::string remembered_url(Store& store) {
    return store.get_setting("public_url").value_or("http://127.0.0.1:8000");
}

int project_create(std::vector<std::string> args) {
    Flags flags("project create", std::move(args), {"org", "project", "name", "data", "url"}, {});
    const std::string org = validate_slug("organization", flags.required("org"));
    const std::string slug = validate_slug("project", flags.required("project"));
    std::optional<std::string> url;
    if (auto given = flags.get("url")) url = validate_url(*given);
    auto store = open_store(data_dir(flags));
    const Organization organization = store->ensure_organization(org, org);
    const auto project =
        store->create_project(organization.id, slug, flags.get("name").value_or(slug));
    if (!project) {
        std::cerr << "lighttrace: project '" << slug << "' already exists in organization '" << org
                  << "'\n";
        return 1;
    }
    const std::string key = store->create_key(project->id);
    std::cout << make_dsn(url.value_or(remembered_url(*store)), key, project->id) << std::endl;
    return 0;
}

int token_create(std::vector<std::string> args) {
    Flags flags("token create", std::move(args), {"org", "scopes", "data"}, {});
    const std::string org = validate_slug("organization", flags.required("org"));
    std::vector<std::string> scopes;
    std::string list = flags.get("scopes").value_or(std::string(kDefaultScopes));
    for (size_t start = 0; start <= list.size();) {
        const size_t comma = std::min(list.find(',', start), list.size());
        std::string scope = list.substr(start, comma - start);
        if (!scope.empty()) {
            if (!kKnownScopes.contains(scope)) throw UsageError("unknown scope '" + scope + "'");
            scopes.push_back(scope);
        }
        start = comma + 1;
    }
    if (scopes.empty()) throw UsageError("--scopes needs at least one scope");
    auto store = open_store(data_dir(flags));
    const auto organization = store->find_organization(org);
    if (!organization) {
        std::cerr << "lighttrace: no organization '" << org << "' (create a project in it first)\n";
        return 1;
    }
    std::cout << store->create_token(organization->id, scopes) << std::endl;
    return 0;
}

// An exclusive lock on DIR/lighttrace.lock, held by the server for as long as it runs.
FileLock lock_data_dir(const std::filesystem::path& dir) {
    auto lock = FileLock::try_lock(dir / "lighttrace.lock");
    if (!lock) throw std::runtime_error("another LightTrace server is using " + dir.string());
    return std::move(*lock);
}

// lighttrace_http_requests_total{route,status}, looked up once per thread and series.
Counter& requests_counter(const std::string& route, int status) {
    thread_local std::map<std::pair<std::string, int>, Counter*> cache;
    Counter*& counter = cache[{route, status}];
    if (counter == nullptr) {
        counter = &metrics().counter("lighttrace_http_requests_total",
                                     "HTTP requests by route and status.",
                                     {{"route", route}, {"status", std::to_string(status)}});
    }
    return *counter;
}

// The handler every request goes through: routing, 404/405, and per-route metrics.
http::Handler make_dispatcher(std::shared_ptr<http::Router> router) {
    static const std::string kUnmatched = "unmatched";
    return [router](http::Request&& request, http::Responder respond) {
        auto match = router->match(request.method, request.path);
        const std::string* route = match.name ? match.name : &kUnmatched;
        http::Responder counted = [route, respond = std::move(respond)](http::Response response) {
            requests_counter(*route, response.status).add();
            respond(std::move(response));
        };
        if (!match.handler) {
            if (match.path_matched) {
                return counted(http::error_response(405, "method not allowed on this route"));
            }
            return counted(http::error_response(404, "The requested resource does not exist"));
        }
        (*match.handler)(std::move(request), match.params, std::move(counted));
    };
}

struct Bootstrap {
    std::optional<std::string> dsn;
    std::optional<std::string> token;  // only when created now
};

// On an empty data dir: organization "default", project "default", a key and a token.
Bootstrap bootstrap(Store& store, const std::string& public_url) {
    Bootstrap result;
    if (store.list_organizations().empty()) {
        const Organization organization = store.ensure_organization("default", "Default");
        const auto project = store.create_project(organization.id, "default", "Default");
        store.create_key(project->id);
        std::vector<std::string> scopes;
        for (const auto& scope : kKnownScopes) scopes.push_back(scope);
        result.token = store.create_token(organization.id, scopes);
    }
    for (const Organization& organization : store.list_organizations()) {
        for (const Project& project : store.list_projects(organization.id)) {
            const auto keys = store.list_keys(project.id);
            if (!keys.empty()) {
                result.dsn = make_dsn(public_url, keys.front().public_key, project.id);
                return result;
            }
        }
    }
    return result;
}

// --trusted-proxies: networks whose X-Forwarded-For is believed (core/ip.h).
TrustedProxies parse_trusted_proxies(const std::string& text) {
    NetworkList list = parse_networks(text);
    if (!list.error.empty()) throw UsageError("--trusted-proxies: " + list.error);
    return TrustedProxies(std::move(list.networks));
}

// --spool, LIGHTTRACE_SPOOL or DATA/spool; never the data dir itself.
std::filesystem::path spool_dir(const Flags& flags, const std::filesystem::path& data) {
    const auto given = flags.get_or("spool", "LIGHTTRACE_SPOOL", "");
    if (given.empty()) return data / "spool";
    const std::filesystem::path dir = given;
    if (std::filesystem::weakly_canonical(dir) == std::filesystem::weakly_canonical(data)) {
        throw UsageError("--spool must be a directory of its own, not the data directory");
    }
    return dir;
}

// Opens the spool for this store. A spool holds acknowledged envelopes its store has not
// applied yet, so it belongs to one data directory: the store's instance id is kept in
// SPOOL/owner, and a spool owned by another store is refused. Writing starts after the
// store's cursor, so a spool directory that was replaced by an empty or older one never puts
// new records behind the pipeline's reader.
std::unique_ptr<Spool> open_spool(const std::filesystem::path& dir, Store& store) {
    std::string instance = store.get_setting("instance_id").value_or("");
    if (instance.empty()) {
        instance = random_hex(16);
        store.set_setting("instance_id", instance);
    }
    const std::filesystem::path owner_file = dir / "owner";
    std::string owner;
    if (std::ifstream in(owner_file); in) std::getline(in, owner);
    if (!owner.empty() && owner != instance) {
        throw std::runtime_error("spool directory " + dir.string() +
                                 " belongs to another data directory (its owner file says " +
                                 owner + ", this store is " + instance + ")");
    }
    SpoolOptions options;
    options.resume_after = store.read_cursor();
    auto spool = std::make_unique<Spool>(dir, options);  // creates and locks the directory
    if (owner.empty()) std::ofstream(owner_file) << instance << "\n";
    return spool;
}

int serve(std::vector<std::string> args) {
    Flags flags("serve", std::move(args), {"listen", "data", "url", "trusted-proxies", "spool"},
                {"discard"});
    const ListenAddress listen =
        parse_listen(flags.get_or("listen", "LIGHTTRACE_LISTEN", "127.0.0.1:8000"));
    TrustedProxies trusted_proxies =
        parse_trusted_proxies(flags.get_or("trusted-proxies", "LIGHTTRACE_TRUSTED_PROXIES", ""));
    std::string trusted_text;
    for (const IpNetwork& network : trusted_proxies.networks()) {
        trusted_text += (trusted_text.empty() ? "" : ", ") + network.to_string();
    }
    std::optional<std::string> url;
    if (auto given = flags.get("url"))
        url = validate_url(*given);
    else if (const char* env = std::getenv("LIGHTTRACE_URL"); env && *env)
        url = validate_url(env);
    const bool discard = flags.has("discard");
    const std::filesystem::path dir = data_dir(flags);
    const FileLock data_lock = lock_data_dir(dir);

    // Signals are taken synchronously by this thread; every thread started below inherits
    // the blocked mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    auto store = open_store(dir);
    std::unique_ptr<Spool> spool;
    std::unique_ptr<Pipeline> pipeline;
    if (!discard) {
        spool = open_spool(spool_dir(flags, dir), *store);
        pipeline = std::make_unique<Pipeline>(*store, *spool);
    }
    Ingest ingest(*store, spool.get(), IngestLimits{}, std::move(trusted_proxies));
    Api api(*store);
    auto router = std::make_shared<http::Router>();
    ingest.register_routes(*router);
    api.register_routes(*router);

    http::ServerOptions options;
    options.host = listen.host;
    options.port = listen.port;
    http::Server server(options, make_dispatcher(router));
    server.start();
    const std::string host = listen.host.find(':') != std::string::npos ? "[" + listen.host + "]"
                             : listen.host == "0.0.0.0"                 ? "127.0.0.1"
                                                                        : listen.host;
    const std::string listening = "http://" + host + ":" + std::to_string(server.bound_port());
    const std::string public_url = url.value_or(listening);
    store->set_setting("public_url", public_url);

    if (pipeline) {
        Pipeline* running = pipeline.get();
        metrics().gauge("lighttrace_spool_depth_bytes",
                        "Spool bytes durable but not yet committed to the store.",
                        [running] { return static_cast<double>(running->depth_bytes()); });
        metrics().gauge("lighttrace_spool_lag_seconds",
                        "Age of the newest committed request while a backlog remains.",
                        [running] { return running->lag_seconds(); });
        pipeline->start();
    }
    const Bootstrap first = bootstrap(*store, public_url);
    if (first.dsn) std::cout << "DSN: " << first.dsn.value() << "\n";
    if (first.token) {
        std::cout << "API token: " << first.token.value()
                  << "   (shown once; for sentry-cli: SENTRY_AUTH_TOKEN)\n";
    }
    std::cout << "Web API: " << public_url << "/api/0/\n";
    if (!trusted_text.empty()) {
        std::cout << "Client IPs from X-Forwarded-For behind trusted proxies: " << trusted_text
                  << "\n";
    }
    if (discard) std::cout << "discard mode: requests are validated and answered, never kept\n";
    std::cout << "LightTrace " << LIGHTTRACE_VERSION << " listening on " << listening << std::endl;
    log_info("server.listening", {{"address", listening}, {"data", dir.string()}});

    int signal_number = 0;
    sigwait(&signals, &signal_number);
    log_info("server.stopping", {{"signal", signal_number}});
    server.shutdown(std::chrono::seconds(10));
    if (spool) spool->stop();
    if (pipeline) pipeline->stop();
    log_info("server.stopped");
    return 0;
}

int run(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    if (command == "version" || command == "--version") {
        if (args.size() > 1) throw UsageError("'version' takes no arguments");
        std::cout << "lighttrace " << LIGHTTRACE_VERSION << std::endl;
        return 0;
    }
    if (command == "serve") return serve({args.begin() + 1, args.end()});
    if ((command == "project" || command == "token") && (args.size() < 2 || args[1] != "create")) {
        throw UsageError("'" + command + "' needs a subcommand: create");
    }
    if (command == "project") return project_create({args.begin() + 2, args.end()});
    if (command == "token") return token_create({args.begin() + 2, args.end()});
    throw UsageError("unknown command '" + command + "'");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "lighttrace: " << e.what() << "\n\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "lighttrace: " << e.what() << "\n";
        return 1;
    }
}
