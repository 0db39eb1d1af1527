// HttpServer: the wire. A Boost.Beast HTTP/1.1 server on a pool of Asio
// threads that turns each request into an HttpRequestInfo, hands it to the
// router, and writes the result with DynamoDB's transport headers
// (x-amzn-RequestId, x-amz-crc32, Date, ...). Keep-alive and pipelining are
// supported; requests on one connection are answered strictly in order.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/router.h"

namespace ddb {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an address or a name to resolve
  uint16_t port = 8000;            // 0 picks a free port; see port()
  int threads = 0;                 // I/O threads; 0: max(2, hardware threads)
  // A keep-alive connection with no request started is closed after this;
  // zero means never.
  std::chrono::seconds idle_timeout{60};
  // Once a request's first byte arrived, the whole request must arrive (and
  // later its response be accepted by the client) within this, so a slow or
  // stuck client cannot hold a connection forever.
  std::chrono::seconds request_timeout{30};
  // Stop() waits this long for in-flight requests before closing anyway.
  std::chrono::milliseconds shutdown_grace{5000};
  size_t header_limit = 16 * 1024;         // larger headers: 400, then close
  uint64_t body_limit = 16 * 1024 * 1024;  // larger bodies: 413, then close
  // Fill HttpRequestInfo::headers (SigV4 verification needs them all).
  bool capture_headers = false;
  // Origins browsers may call from: empty for no CORS, {"*"} for any.
  std::vector<std::string> cors_origins;
  // Log one info line per request (id, operation, table, status, latency).
  bool request_log = false;
};

// Handles one request; calls `done` exactly once, on any thread.
using HttpHandler = std::function<void(HttpRequestInfo request,
                                       std::function<void(HttpResult)> done)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  // Serves `router`, which must outlive the server.
  HttpServer(HttpServerOptions options, Router& router);
  // Calls Stop(). REQUIRES: nothing calls a handler's `done` once
  // destruction begins, so stop whatever calls them late (the storage
  // writer) first. A `done` arriving after Stop() and before destruction is
  // dropped safely.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads; returns once connections are
  // accepted. Throws std::runtime_error naming the address on failure (e.g.
  // the port is in use).
  void Start();

  // The bound port (the real one when options.port was 0). REQUIRES: Start().
  uint16_t port() const;

  // Graceful stop: stops accepting, closes idle connections, lets in-flight
  // requests finish and their responses be written (each with
  // "Connection: close") for up to options.shutdown_grace, then closes what
  // is left and joins the I/O threads. Idempotent.
  void Stop();

  struct Core;  // shared with the sessions; defined in http_server.cc

 private:
  std::shared_ptr<Core> core_;
};

// A request id as DynamoDB makes them: 52 characters of [A-Z0-9].
std::string GenerateRequestId();

// `time` formatted as an HTTP Date header (RFC 1123, always GMT), e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::chrono::system_clock::time_point time);

// True when the query string of `target` has an X-Amz-Algorithm parameter
// (a presigned URL).
bool HasAmzAlgorithmQuery(std::string_view target);

}  // namespace ddb
