// The HTTP/1.1 server (Boost.Beast on Asio) that every LightTrace route runs on.
//
// Contract
// - A fixed pool of I/O threads runs all connections; handlers are called on an I/O thread
//   and must not block (long work is posted elsewhere; the Responder may be called later from
//   any thread, exactly once).
// - Keep-alive and chunked request bodies are supported; "Expect: 100-continue" is answered.
// - Limits: header bytes (431), body bytes as sent on the wire (413 with a JSON detail, the
//   connection is then closed), and connections at once (further ones are closed at accept).
// - Timeouts: a connection with no request in progress is closed after idle_timeout; once a
//   request's first byte arrives its header must be complete within header_timeout, and its
//   body within body_timeout plus one second per 256 KiB of declared Content-Length (at most
//   10 minutes). Slow clients only hold their own connection.
// - An error found before the body was read (413, 431, 400) is answered, then the connection
//   is drained for up to 2 s before closing, so the client reads the answer instead of a reset.
// - shutdown(): stops accepting, lets requests in flight finish (up to drain_timeout), closes
//   idle connections, and returns when the I/O threads have exited.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/message.h"

namespace lt::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8000;  // 0 picks a free port; see bound_port()
    int io_threads = 2;
    size_t max_header_bytes = 16 * 1024;
    size_t max_body_bytes = 20 * 1024 * 1024;
    size_t max_connections = 10000;
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{10};
};

class Server {
public:
    Server(ServerOptions options, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens (throws std::runtime_error with the cause on failure), then starts the
    // I/O threads.
    void start();
    uint16_t bound_port() const;
    void shutdown(std::chrono::milliseconds drain_timeout);

    struct Impl;  // defined in server.cpp

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace lt::http
