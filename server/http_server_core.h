// HttpServer::Core: the state the HttpServer shares with its sessions.
// Internal to the server (server/http_*.cc).
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/http_server.h"

namespace ddb {
namespace http_detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

class HttpSession;

// Each connection's socket runs on its own strand of the shared io_context; a
// concrete executor type rather than any_io_executor keeps the per-operation
// executor copies cheap.
using Strand = asio::strand<asio::io_context::executor_type>;
using Socket = asio::basic_stream_socket<tcp, Strand>;
using Clock = std::chrono::steady_clock;

}  // namespace http_detail

struct HttpServer::Core {
  Core(HttpServerOptions options_in, HttpHandler handler_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        acceptor(http_detail::asio::make_strand(ioc)),
        sweeper(ioc) {}

  const HttpServerOptions options;
  const HttpHandler handler;
  // Declared before everything that does I/O on it, so it is destroyed last.
  http_detail::asio::io_context ioc;
  http_detail::tcp::acceptor acceptor;
  // Closes the connections whose deadline passed (see HttpSession::deadline_);
  // one timer for the server instead of one per connection and operation.
  http_detail::asio::steady_timer sweeper;
  std::optional<http_detail::asio::executor_work_guard<
      http_detail::asio::io_context::executor_type>>
      work;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  // Set by Stop(): new connections are refused and every response says
  // "Connection: close".
  std::atomic<bool> stopping{false};
  // Set once the I/O threads are gone: late results are dropped.
  std::atomic<bool> halted{false};

  std::mutex mu;  // guards the fields below
  bool started = false;
  bool stopped = false;
  // Notified when a session ends, and when `busy` drops to zero while
  // stopping.
  std::condition_variable sessions_changed;
  // Sessions with a request between its first byte and the end of its
  // response: what Stop() waits for.
  std::atomic<int> busy{0};
  // Weak, so that Stop() never keeps a finished connection alive; keyed by
  // address so that a session can remove itself in its destructor, when its
  // weak_ptr can no longer be locked.
  std::unordered_map<http_detail::HttpSession*,
                     std::weak_ptr<http_detail::HttpSession>>
      sessions;
};

}  // namespace ddb
