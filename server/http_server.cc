#include "server/http_server.h"

#include <sched.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/crc32.h"

namespace ddb {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

// After answering with "Connection: close" we keep reading (and discarding)
// for a while before closing: closing a socket with unread input makes the
// kernel send a RST, which can destroy the response before the client has
// read it -- exactly the case of a 413 sent while the client is still
// uploading its body.
constexpr std::chrono::seconds kLingerTimeout{5};

// Stop() waits this much longer after force-closing connections, so that
// the closes run before the I/O threads are stopped.
constexpr std::chrono::milliseconds kForceCloseWait{500};

constexpr size_t kReadChunk = 16 * 1024;

// A fallback for a handler that throws instead of calling `done`; the
// router is meant to turn every error into a response itself, so this only
// keeps a bug from hanging the client.
constexpr std::string_view kInternalErrorBody =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
    R"("message":"Internal server error"})";

bool IsHttpParseError(const ErrorCode& ec) {
  return ec.category() ==
         http::make_error_code(http::error::bad_method).category();
}

// Date headers change once a second; formatting one per response would cost
// more than the rest of the headers together.
const std::string& CurrentHttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  auto now = std::chrono::system_clock::now();
  std::time_t second = std::chrono::system_clock::to_time_t(now);
  if (second != cached_second) {
    cached = HttpDate(now);
    cached_second = second;
  }
  return cached;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

// CPUs this process may run on: under taskset or a container's cpuset that
// is fewer than the machine has, and more threads than CPUs only contend.
int UsableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    return std::max(1, CPU_COUNT(&set));
  }
  return std::max(1, int(std::thread::hardware_concurrency()));
}

// The "__type" of an error body, without its namespace prefix, for logs.
std::string_view ErrorType(std::string_view body) {
  constexpr std::string_view kKey = "\"__type\":\"";
  size_t start = body.find(kKey);
  if (start == std::string_view::npos) return "";
  body.remove_prefix(start + kKey.size());
  body = body.substr(0, body.find('"'));
  size_t hash = body.rfind('#');
  return hash == std::string_view::npos ? body : body.substr(hash + 1);
}

}  // namespace

class HttpSession;

struct HttpServer::Core {
  Core(HttpServerOptions options_in, HttpHandler handler_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        acceptor(asio::make_strand(ioc)) {}

  const HttpServerOptions options;
  const HttpHandler handler;
  // Declared before everything that does I/O on it, so it is destroyed last.
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>>
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
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions;
};

// One connection. (Outside the anonymous namespace because Core, which has
// external linkage, names it.) Everything it does runs on its own strand (the
// executor of its socket), so it needs no locks; the router's `done` posts back
// to it.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<HttpServer::Core> core, tcp::socket socket)
      : core_(std::move(core)), stream_(std::move(socket)) {}

  ~HttpSession() {
    SetState(State::kClosed);
    std::lock_guard lock(core_->mu);
    core_->sessions.erase(this);
    core_->sessions_changed.notify_all();
  }

  void Start() {
    {
      std::lock_guard lock(core_->mu);
      core_->sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // From any thread: close now if idle, else after the current response.
  void RequestStop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stop_requested_ = true;
      if (self->state_ == State::kIdle) self->CloseNow();
    });
  }

  // From any thread: close whatever the state.
  void ForceClose() {
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->CloseNow(); });
  }

 private:
  enum class State {
    kIdle,      // between requests: the idle timeout applies
    kReading,   // a request has started: the request timeout applies
    kHandling,  // the handler has it; nothing is read meanwhile
    kWriting,
    kClosing,  // lingering after the last response
    kClosed,
  };

  void SetState(State state) {
    state_ = state;
    bool busy = state == State::kReading || state == State::kHandling ||
                state == State::kWriting;
    if (busy == counted_busy_) return;
    counted_busy_ = busy;
    if (busy) {
      core_->busy.fetch_add(1);
    } else if (core_->busy.fetch_sub(1) == 1 && core_->stopping.load()) {
      // Taking the lock orders this with Stop()'s check of `busy`, so the
      // wake-up cannot be lost.
      { std::lock_guard lock(core_->mu); }
      core_->sessions_changed.notify_all();
    }
  }

  // Waits for the first byte of the next request. A separate step from
  // reading the request so that the two get different timeouts.
  void WaitForRequest() {
    if (stop_requested_ || core_->stopping.load()) {
      CloseNow();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_->options.header_limit));
    parser_->body_limit(core_->options.body_limit);
    if (buffer_.size() > 0) {  // a pipelined request is already here
      ReadRequest();
      return;
    }
    SetState(State::kIdle);
    if (core_->options.idle_timeout.count() > 0) {
      stream_.expires_after(core_->options.idle_timeout);
    } else {
      stream_.expires_never();
    }
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](ErrorCode ec, size_t n) {
          self->buffer_.commit(n);
          // EOF, idle timeout, reset or a stop: nothing to answer.
          if (ec || self->stop_requested_) {
            self->CloseNow();
            return;
          }
          self->ReadRequest();
        });
  }

  void ReadRequest() {
    SetState(State::kReading);
    // One deadline for the whole request (headers, 100-continue, body).
    stream_.expires_after(core_->options.request_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](ErrorCode ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(ErrorCode ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    // A client that sent "Expect: 100-continue" waits for this before
    // sending the body (curl does for large bodies, for up to a second).
    if (EqualsIgnoreCase(parser_->get()[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue =
          "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = shared_from_this()](ErrorCode ec, size_t) {
                          if (ec) {
                            self->CloseNow();
                            return;
                          }
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](ErrorCode ec, size_t) {
                       if (ec) {
                         self->OnReadError(ec);
                         return;
                       }
                       self->Dispatch();
                     });
  }

  void OnReadError(ErrorCode ec) {
    if (parser_ && parser_->is_header_done()) {
      version_ = parser_->get().version();
    }
    if (ec == http::error::body_limit) {
      WriteError(http::status::payload_too_large);
    } else if (ec == http::error::header_limit) {
      // 400 rather than 431: DynamoDB's front end (like most proxies)
      // answers an oversized header with a plain 400, and no SDK treats 431
      // differently.
      WriteError(http::status::bad_request);
    } else if (IsHttpParseError(ec) && ec != http::error::end_of_stream &&
               ec != http::error::partial_message) {
      spdlog::debug("bad HTTP request: {}", ec.message());
      WriteError(http::status::bad_request);
    } else {
      // The client went away, timed out, or we are stopping: no one to
      // answer.
      CloseNow();
    }
  }

  void Dispatch() {
    SetState(State::kHandling);
    stream_.expires_never();
    auto& req = parser_->get();
    HttpRequestInfo info;
    info.method = std::string(req.method_string());
    info.path = std::string(req.target());
    info.amz_target = std::string(req["X-Amz-Target"]);
    info.content_type = std::string(req[http::field::content_type]);
    info.authorization = std::string(req[http::field::authorization]);
    info.host = std::string(req[http::field::host]);
    info.has_amz_algorithm_query = HasAmzAlgorithmQuery(req.target());
    info.request_id = GenerateRequestId();
    if (core_->options.capture_headers) {
      for (const auto& field : req) {
        info.headers.emplace_back(std::string(field.name_string()),
                                  std::string(field.value()));
      }
    }
    info.body = std::move(req.body());
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    request_id_ = info.request_id;
    cors_origin_.clear();
    if (!core_->options.cors_origins.empty()) {
      cors_origin_ = AllowedOrigin(req[http::field::origin]);
      // A browser's preflight is answered here; it never reaches the router
      // (it carries no body and no X-Amz-Target).
      if (req.method() == http::verb::options && !cors_origin_.empty() &&
          !req[http::field::access_control_request_method].empty()) {
        std::string allow_headers(
            req[http::field::access_control_request_headers]);
        parser_.reset();
        WritePreflight(std::move(allow_headers));
        return;
      }
    }
    parser_.reset();  // frees the header buffers while the handler runs
    answered_.store(false);
    log_request_ =
        core_->options.request_log || spdlog::should_log(spdlog::level::debug);
    if (log_request_) {
      method_ = info.method;
      started_ = std::chrono::steady_clock::now();
    }

    auto self = shared_from_this();
    auto done = [self](HttpResult result) {
      if (self->answered_.exchange(true)) return;
      asio::post(self->stream_.get_executor(),
                 [self, result = std::move(result)]() mutable {
                   self->OnResult(std::move(result));
                 });
    };
    try {
      core_->handler(std::move(info), done);
    } catch (const std::exception& e) {
      spdlog::error("request handler threw: {}", e.what());
      done(HttpResult{500, std::string(kInternalErrorBody)});
    }
  }

  void OnResult(HttpResult result) {
    if (core_->halted.load() || state_ == State::kClosed) {
      CloseNow();
      return;
    }
    if (result.status >= 500) {
      // Server-side failures are logged whatever the settings, with the id
      // the client saw, so a user's report can be matched to the log.
      spdlog::error("request {} {} {}: {} {}", request_id_, result.operation,
                    result.table, result.status, ErrorType(result.body));
    }
    if (log_request_) LogRequest(result);
    int status = result.status;
    if (status < 100 || status > 999) status = 500;
    WriteResponse(status, std::move(result.body), result.content_type,
                  keep_alive_);
  }

  // One line per request: id, operation (or method), table, status, the
  // error's __type for failures, and the time from dispatch to result.
  void LogRequest(const HttpResult& result) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    auto level =
        core_->options.request_log ? spdlog::level::info : spdlog::level::debug;
    spdlog::log(level, "{} {} {} -> {}{}{} {:.3f} ms", request_id_,
                result.operation.empty() ? method_ : result.operation,
                result.table.empty() ? "-" : result.table, result.status,
                result.status == 200 ? "" : " ",
                result.status == 200 ? "" : ErrorType(result.body),
                micros.count() / 1000.0);
  }

  // The origin to name in Access-Control-Allow-Origin, or "" when this
  // request's Origin is not allowed (or absent).
  std::string AllowedOrigin(std::string_view origin) const {
    if (origin.empty()) return "";
    for (const auto& allowed : core_->options.cors_origins) {
      if (allowed == "*") return "*";
      if (EqualsIgnoreCase(allowed, origin)) return std::string(origin);
    }
    return "";
  }

  void WritePreflight(std::string allow_headers) {
    SetState(State::kHandling);
    request_id_ = GenerateRequestId();
    preflight_allow_headers_ =
        allow_headers.empty() ? std::string("*") : std::move(allow_headers);
    WriteResponse(200, std::string(), std::string(), keep_alive_);
  }

  // An error found by the HTTP layer itself: empty body, then close, since
  // the rest of the input can no longer be framed.
  void WriteError(http::status status) {
    SetState(State::kHandling);
    request_id_ = GenerateRequestId();
    cors_origin_.clear();
    WriteResponse(static_cast<int>(status), std::string(), std::string(),
                  false);
  }

  void WriteResponse(int status, std::string body,
                     const std::string& content_type, bool keep_alive) {
    SetState(State::kWriting);
    response_.emplace();
    auto& res = *response_;
    res.result(static_cast<unsigned>(status));
    res.version(version_);
    res.set(http::field::server, "dynalocal");
    res.set(http::field::date, CurrentHttpDate());
    res.set("x-amzn-RequestId", request_id_);
    res.set("x-amz-crc32", std::to_string(Crc32(body)));
    if (!content_type.empty()) {
      res.set(http::field::content_type, content_type);
    }
    if (!cors_origin_.empty()) {
      res.set(http::field::access_control_allow_origin, cors_origin_);
      if (cors_origin_ != "*") res.set(http::field::vary, "Origin");
      // Browsers hide other response headers from scripts; the SDKs read
      // these two (the request id, and the checksum they verify).
      res.set(http::field::access_control_expose_headers,
              "x-amzn-RequestId, x-amz-crc32");
      if (!preflight_allow_headers_.empty()) {
        res.set(http::field::access_control_allow_methods,
                "GET, POST, OPTIONS");
        res.set(http::field::access_control_allow_headers,
                preflight_allow_headers_);
        res.set(http::field::access_control_max_age, "172800");
        preflight_allow_headers_.clear();
      }
    }
    res.body() = std::move(body);
    keep_alive = keep_alive && !stop_requested_ && !core_->stopping.load();
    res.keep_alive(keep_alive);
    res.prepare_payload();
    stream_.expires_after(core_->options.request_timeout);
    http::async_write(
        stream_, res,
        [self = shared_from_this(), keep_alive](ErrorCode ec, size_t) {
          self->response_.reset();
          if (ec) {
            self->CloseNow();
          } else if (keep_alive) {
            self->WaitForRequest();
          } else {
            self->Linger();
          }
        });
  }

  void Linger() {
    SetState(State::kClosing);
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](ErrorCode ec, size_t) {
                              if (ec || self->state_ == State::kClosed) {
                                self->CloseNow();
                                return;
                              }
                              self->Drain();
                            });
  }

  void CloseNow() {
    SetState(State::kClosed);
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  std::shared_ptr<HttpServer::Core> core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  State state_ = State::kIdle;
  bool counted_busy_ = false;  // whether this session is in core_->busy
  bool stop_requested_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::string request_id_;
  // Guards against a handler calling `done` twice; written from whichever
  // thread calls it.
  std::atomic<bool> answered_{false};
  // The request log's start time and method, kept only when it is on.
  bool log_request_ = false;
  std::string method_;
  std::chrono::steady_clock::time_point started_;
  std::string cors_origin_;  // Access-Control-Allow-Origin for this request
  std::string preflight_allow_headers_;  // set while answering a preflight
};

namespace {

void Accept(const std::shared_ptr<HttpServer::Core>& core);

void AcceptLater(const std::shared_ptr<HttpServer::Core>& core) {
  // Out of file descriptors: retrying at once would spin, since the pending
  // connection stays in the backlog until some descriptor is freed.
  auto timer = std::make_shared<asio::steady_timer>(
      core->acceptor.get_executor(), std::chrono::milliseconds(100));
  timer->async_wait([core, timer](ErrorCode) { Accept(core); });
}

void Accept(const std::shared_ptr<HttpServer::Core>& core) {
  core->acceptor.async_accept(
      asio::make_strand(core->ioc), [core](ErrorCode ec, tcp::socket socket) {
        if (!core->acceptor.is_open() || core->stopping.load()) return;
        if (ec) {
          spdlog::warn("accept failed: {}", ec.message());
          AcceptLater(core);
          return;
        }
        // Responses are small and written whole; Nagle's algorithm would
        // only delay them.
        ErrorCode ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<HttpSession>(core, std::move(socket))->Start();
        Accept(core);
      });
}

std::vector<std::shared_ptr<HttpSession>> LiveSessions(HttpServer::Core& core) {
  std::vector<std::shared_ptr<HttpSession>> live;
  std::lock_guard lock(core.mu);
  for (auto& [ptr, weak] : core.sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : core_(std::make_shared<Core>(std::move(options), std::move(handler))) {}

HttpServer::HttpServer(HttpServerOptions options, Router& router)
    : HttpServer(std::move(options),
                 [&router](HttpRequestInfo request,
                           std::function<void(HttpResult)> done) {
                   router.Handle(std::move(request), std::move(done));
                 }) {}

HttpServer::~HttpServer() {
  Stop();
  // Results that arrived after the I/O threads stopped are queued on the
  // io_context and hold their sessions, which hold the Core: run them now
  // (they just close) so that nothing is leaked in a cycle.
  core_->halted.store(true);
  core_->ioc.restart();
  core_->ioc.poll();
}

void HttpServer::Start() {
  Core& core = *core_;
  {
    std::lock_guard lock(core.mu);
    if (core.started) throw std::logic_error("HttpServer started twice");
    core.started = true;
  }
  const auto& options = core.options;
  std::string where = options.host + ":" + std::to_string(options.port);
  ErrorCode ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(core.ioc);
    auto results =
        resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve host '" + options.host +
                               "': " + ec.message());
    }
    endpoint = *results.begin();
  }
  auto fail = [&](const char* step) {
    throw std::runtime_error(std::string("cannot ") + step + " " + where +
                             ": " + ec.message());
  };
  core.acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  // Lets a restarted server bind while old connections sit in TIME_WAIT.
  core.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("set options on");
  core.acceptor.bind(endpoint, ec);
  if (ec) fail("bind to");
  core.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  core.port = core.acceptor.local_endpoint(ec).port();

  core.work.emplace(core.ioc.get_executor());
  Accept(core_);
  int threads =
      options.threads > 0 ? options.threads : std::max(2, UsableCpus());
  core.threads.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    core.threads.emplace_back([&core] {
      for (;;) {
        try {
          core.ioc.run();
          return;
        } catch (const std::exception& e) {
          // A throwing handler is a bug, but one bad request must not take
          // the server down with it.
          spdlog::error("I/O thread caught: {}", e.what());
        }
      }
    });
  }
}

uint16_t HttpServer::port() const { return core_->port; }

void HttpServer::Stop() {
  Core& core = *core_;
  {
    std::lock_guard lock(core.mu);
    if (!core.started || core.stopped) return;
    core.stopped = true;
  }
  core.stopping.store(true);
  asio::post(core.acceptor.get_executor(), [&core] {
    ErrorCode ignored;
    core.acceptor.close(ignored);
  });
  for (auto& session : LiveSessions(core)) session->RequestStop();

  bool all_done;
  {
    std::unique_lock lock(core.mu);
    all_done = core.sessions_changed.wait_for(
        lock, core.options.shutdown_grace,
        [&core] { return core.busy.load() == 0; });
  }
  if (!all_done) {
    spdlog::warn("closing {} connection(s) still busy after {} ms",
                 core.busy.load(), core.options.shutdown_grace.count());
  }
  // What is left either lingers after its last response or is stuck.
  for (auto& session : LiveSessions(core)) session->ForceClose();
  {
    std::unique_lock lock(core.mu);
    core.sessions_changed.wait_for(lock, kForceCloseWait,
                                   [&core] { return core.sessions.empty(); });
  }
  core.work.reset();
  core.ioc.stop();
  for (auto& thread : core.threads) thread.join();
  core.threads.clear();
}

std::string GenerateRequestId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  constexpr int kLength = 52;
  // 36^12 < 2^64, so one 64-bit draw yields 12 characters.
  constexpr int kPerDraw = 12;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(kLength, '\0');
  for (int i = 0; i < kLength; i += kPerDraw) {
    uint64_t bits = rng();
    for (int j = i; j < std::min(kLength, i + kPerDraw); ++j) {
      id[j] = kAlphabet[bits % 36];
      bits /= 36;
    }
  }
  return id;
}

std::string HttpDate(std::chrono::system_clock::time_point time) {
  // Formatted by hand: strftime's %a and %b follow the locale, HTTP's don't.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                          "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

bool HasAmzAlgorithmQuery(std::string_view target) {
  size_t question = target.find('?');
  if (question == std::string_view::npos) return false;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    std::string_view name = param.substr(0, param.find('='));
    if (EqualsIgnoreCase(name, "X-Amz-Algorithm")) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace ddb
