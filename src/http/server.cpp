#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "core/metrics.h"

namespace lt::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

class Session;

struct Traffic {
    Counter& bytes_in = metrics().counter("lighttrace_http_bytes_received_total",
                                          "Bytes read from HTTP clients (headers and bodies).");
    Counter& bytes_out =
        metrics().counter("lighttrace_http_bytes_sent_total", "Bytes written to HTTP clients.");
    Histogram& request_seconds = metrics().histogram(
        "lighttrace_http_request_seconds",
        "Time from a request fully read to its answer fully written (includes the spool fsync "
        "for ingest).",
        {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
    Counter& rejected_connections =
        metrics().counter("lighttrace_http_connections_rejected_total",
                          "Connections closed at accept because the connection limit was reached.");
};

Traffic& traffic() {
    static Traffic instance;
    return instance;
}

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::chrono::seconds kLinger{2};
// A body may take body_timeout plus the time to send it at this slowest accepted rate.
constexpr uint64_t kMinBodyBytesPerSecond = 256 * 1024;
constexpr std::chrono::seconds kMaxBodyTime{600};

}  // namespace

struct Server::Impl {
    ServerOptions options;
    Handler handler;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::vector<std::thread> threads;
    std::atomic<size_t> connections{0};
    std::atomic<bool> stopping{false};
    std::mutex sessions_mutex;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

    Impl(ServerOptions opts, Handler h)
        : options(std::move(opts)), handler(std::move(h)), ioc(options.io_threads) {}
    void accept_next();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Server::Impl& server, tcp::socket socket, std::string remote_ip)
        : server_(server), stream_(std::move(socket)), remote_ip_(std::move(remote_ip)) {}

    ~Session() {
        server_.connections.fetch_sub(1);
        std::lock_guard lock(server_.sessions_mutex);
        server_.sessions.erase(this);
    }

    void start() { read_next(); }

    // Called on shutdown: an idle connection is closed now, a busy one after its answer.
    void close_if_idle() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (!self->busy_) self->stream_.cancel();
        });
    }

private:
    void read_next() {
        if (server_.stopping.load()) return close();
        parser_.emplace();
        parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
        parser_->body_limit(server_.options.max_body_bytes);
        if (buffer_.size() > 0) {  // a pipelined request is already buffered
            return read_header();
        }
        stream_.expires_after(server_.options.idle_timeout);
        stream_.async_read_some(buffer_.prepare(8192),
                                [self = shared_from_this()](beast::error_code ec, size_t n) {
                                    if (ec) return self->close();
                                    self->buffer_.commit(n);
                                    self->read_header();
                                });
    }

    void read_header() {
        stream_.expires_after(server_.options.header_timeout);
        // Bytes are counted as the parser consumes them, so each wire byte counts once.
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, size_t n) {
                                     traffic().bytes_in.add(n);
                                     self->on_header(ec);
                                 });
    }

    void on_header(beast::error_code ec) {
        if (ec) return fail(ec);
        const auto& request = parser_->get();
        const auto expect = request[bhttp::field::expect];
        if (beast::iequals(expect, "100-continue")) {
            net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](beast::error_code write_ec, size_t) {
                                 if (write_ec) return self->close();
                                 self->read_body();
                             });
            return;
        }
        read_body();
    }

    void read_body() {
        auto allowed = server_.options.body_timeout;
        if (const auto length = parser_->content_length()) {
            allowed += std::chrono::seconds(*length / kMinBodyBytesPerSecond);
        }
        stream_.expires_after(std::min<std::chrono::seconds>(allowed, kMaxBodyTime));
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                              traffic().bytes_in.add(n);
                              if (ec) return self->fail(ec);
                              self->dispatch();
                          });
    }

    void fail(beast::error_code ec) {
        if (ec == bhttp::error::body_limit) {
            return answer_and_close(error_response(413, "request body exceeds the size limit"));
        }
        if (ec == bhttp::error::header_limit) {
            return answer_and_close(error_response(431, "request header fields too large"));
        }
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == net::error::eof || ec == net::error::operation_aborted ||
            ec == net::error::connection_reset || ec == bhttp::error::partial_message) {
            return close();
        }
        if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
            return answer_and_close(error_response(400, "malformed HTTP request: " + ec.message()));
        }
        close();
    }

    void dispatch() {
        auto message = parser_->release();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        const size_t question = request.target.find('?');
        request.path = request.target.substr(0, question);
        if (question != std::string::npos) request.query = request.target.substr(question + 1);
        request.headers.reserve(16);
        for (const auto& field : message) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            request.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        request.body = std::move(message.body());
        request.remote_ip = remote_ip_;
        keep_alive_ = message.keep_alive();
        version_ = message.version();
        busy_ = true;
        dispatched_at_ = std::chrono::steady_clock::now();
        stream_.expires_never();

        auto executor = stream_.get_executor();
        server_.handler(std::move(request),
                        [self = shared_from_this(), executor](Response response) mutable {
                            net::post(executor, [self, r = std::move(response)]() mutable {
                                self->write(std::move(r), self->keep_alive_);
                            });
                        });
    }

    // For errors found before the body was read: answer, then drain what the client is still
    // sending for a moment, so that closing does not reset the connection under the answer.
    void answer_and_close(Response response) {
        version_ = 11;
        linger_after_write_ = true;
        write(std::move(response), false);
    }

    void linger_then_close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(kLinger);
        discard_ = std::make_unique<std::array<char, 16384>>();
        discard_rest();
    }

    void discard_rest() {
        stream_.async_read_some(net::buffer(*discard_),
                                [self = shared_from_this()](beast::error_code ec, size_t) {
                                    if (ec) return self->stream_.close();
                                    self->discard_rest();
                                });
    }

    void write(Response response, bool keep_alive) {
        auto& out = response_.emplace(static_cast<bhttp::status>(response.status), version_);
        out.set(bhttp::field::server, "LightTrace");
        out.set(bhttp::field::content_type, response.content_type);
        for (auto& [name, value] : response.headers) out.set(name, value);
        out.body() = std::move(response.body);
        out.keep_alive(keep_alive && !server_.stopping.load());
        out.prepare_payload();
        stream_.expires_after(server_.options.body_timeout);
        bhttp::async_write(
            stream_, out, [self = shared_from_this()](beast::error_code ec, size_t n) {
                traffic().bytes_out.add(n);
                if (self->busy_) {
                    traffic().request_seconds.observe(
                        std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                      self->dispatched_at_)
                            .count());
                }
                self->busy_ = false;
                const bool again = !ec && self->response_->keep_alive();
                self->response_.reset();
                if (again) return self->read_next();
                if (self->linger_after_write_ && !ec) {
                    return self->linger_then_close();
                }
                self->close();
            });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }

    Server::Impl& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::optional<bhttp::response<bhttp::string_body>> response_;
    std::string remote_ip_;
    bool keep_alive_ = true;
    unsigned version_ = 11;
    bool busy_ = false;  // a dispatched request awaits its answer
    std::chrono::steady_clock::time_point dispatched_at_;
    bool linger_after_write_ = false;
    std::unique_ptr<std::array<char, 16384>> discard_;
};

}  // namespace

void Server::Impl::accept_next() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec == net::error::operation_aborted || stopping.load()) return;
            log_warn("http.accept_failed", {{"error", ec.message()}});
            return accept_next();
        }
        if (connections.load() >= options.max_connections) {
            traffic().rejected_connections.add();
            beast::error_code ignored;
            socket.close(ignored);
            return accept_next();
        }
        beast::error_code endpoint_ec;
        const auto peer = socket.remote_endpoint(endpoint_ec);
        std::string remote_ip = endpoint_ec ? std::string() : peer.address().to_string();
        socket.set_option(tcp::no_delay(true), endpoint_ec);
        connections.fetch_add(1);
        auto session = std::make_shared<Session>(*this, std::move(socket), std::move(remote_ip));
        {
            std::lock_guard lock(sessions_mutex);
            sessions.emplace(session.get(), session);
        }
        session->start();
        accept_next();
    });
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
    if (!impl_->threads.empty()) shutdown(std::chrono::milliseconds(0));
}

void Server::start() {
    beast::error_code ec;
    const auto address = net::ip::make_address(impl_->options.host, ec);
    if (ec) throw std::runtime_error("invalid listen address '" + impl_->options.host + "'");
    const tcp::endpoint endpoint(address, impl_->options.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                                 std::to_string(impl_->options.port) + ": " + ec.message());
    }
    impl_->work.emplace(impl_->ioc.get_executor());
    impl_->accept_next();
    for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i) {
        impl_->threads.emplace_back([this] { impl_->ioc.run(); });
    }
}

uint16_t Server::bound_port() const {
    beast::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void Server::shutdown(std::chrono::milliseconds drain_timeout) {
    impl_->stopping.store(true);
    net::post(impl_->ioc, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(impl_->sessions_mutex);
        for (auto& [raw, weak] : impl_->sessions) {
            if (auto session = weak.lock()) live.push_back(std::move(session));
        }
    }
    for (auto& session : live) session->close_if_idle();
    live.clear();
    const auto deadline = std::chrono::steady_clock::now() + drain_timeout;
    while (impl_->connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    impl_->work.reset();
    impl_->ioc.stop();
    for (auto& thread : impl_->threads) thread.join();
    impl_->threads.clear();
}

}  // namespace lt::http
