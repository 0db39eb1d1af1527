#include "server/http_server.h"

#include <sched.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
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
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/optional/optional.hpp>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <limits>
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
constexpr size_t kMaxReadChunk = 64 * 1024;

// How often the sweeper looks for connections past their deadline: the
// timeouts fire up to this late.
constexpr std::chrono::milliseconds kSweepInterval{200};

// How deep responses finished inline may nest (a pipeline of requests that
// are all answered at once); deeper ones go through the scheduler.
constexpr int kMaxInlineWrites = 8;

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

void AppendNumber(std::string& out, uint64_t n) {
  char digits[20];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
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

// Parses one request straight into an HttpRequestInfo, keeping only the
// header fields the server uses (all of them only when asked to): Beast's
// request_parser would build a field list with one allocation per field.
// Framing, limits and errors are Beast's basic_parser's.
class RequestParser : public http::basic_parser<true> {
 public:
  explicit RequestParser(bool capture_headers)
      : capture_headers_(capture_headers) {}

  HttpRequestInfo& info() { return info_; }
  http::verb method() const { return method_; }
  unsigned version() const { return version_; }
  // The first value of each of these fields ("" when absent).
  const std::string& expect() const { return expect_; }
  const std::string& origin() const { return origin_; }
  const std::string& cors_request_method() const {
    return cors_request_method_;
  }
  const std::string& cors_request_headers() const {
    return cors_request_headers_;
  }

 private:
  enum Seen : unsigned {
    kAmzTarget = 1,
    kContentType = 2,
    kAuthorization = 4,
    kHost = 8,
    kExpect = 16,
    kOrigin = 32,
    kCorsMethod = 64,
    kCorsHeaders = 128,
  };

  // As http::message's operator[]: the first of repeated fields counts.
  void SetOnce(Seen which, std::string& out, beast::string_view value) {
    if (seen_ & which) return;
    seen_ |= which;
    out.assign(value.data(), value.size());
  }

  void on_request_impl(http::verb method, beast::string_view method_string,
                       beast::string_view target, int version,
                       ErrorCode&) override {
    method_ = method;
    version_ = static_cast<unsigned>(version);
    info_.method.assign(method_string.data(), method_string.size());
    info_.path.assign(target.data(), target.size());
  }

  void on_response_impl(int, beast::string_view, int, ErrorCode&) override {}

  void on_field_impl(http::field name, beast::string_view name_string,
                     beast::string_view value, ErrorCode&) override {
    if (capture_headers_) {
      info_.headers.emplace_back(std::string(name_string), std::string(value));
    }
    switch (name) {
      case http::field::content_type:
        SetOnce(kContentType, info_.content_type, value);
        break;
      case http::field::authorization:
        SetOnce(kAuthorization, info_.authorization, value);
        break;
      case http::field::host:
        SetOnce(kHost, info_.host, value);
        break;
      case http::field::expect:
        SetOnce(kExpect, expect_, value);
        break;
      case http::field::origin:
        SetOnce(kOrigin, origin_, value);
        break;
      case http::field::access_control_request_method:
        SetOnce(kCorsMethod, cors_request_method_, value);
        break;
      case http::field::access_control_request_headers:
        SetOnce(kCorsHeaders, cors_request_headers_, value);
        break;
      case http::field::unknown:
        if (EqualsIgnoreCase(name_string, "X-Amz-Target")) {
          SetOnce(kAmzTarget, info_.amz_target, value);
        }
        break;
      default:
        break;
    }
  }

  void on_header_impl(ErrorCode&) override {}

  // As http::string_body's reader.
  void on_body_init_impl(const boost::optional<uint64_t>& content_length,
                         ErrorCode& ec) override {
    if (content_length) {
      if (*content_length > info_.body.max_size()) {
        ec = http::error::buffer_overflow;
        return;
      }
      info_.body.reserve(static_cast<size_t>(*content_length));
    }
  }

  size_t on_body_impl(beast::string_view body, ErrorCode& ec) override {
    if (body.size() > info_.body.max_size() - info_.body.size()) {
      ec = http::error::buffer_overflow;
      return 0;
    }
    info_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(uint64_t, beast::string_view, ErrorCode&) override {
  }

  size_t on_chunk_body_impl(uint64_t, beast::string_view body,
                            ErrorCode& ec) override {
    return on_body_impl(body, ec);
  }

  void on_finish_impl(ErrorCode&) override {}

  const bool capture_headers_;
  HttpRequestInfo info_;
  http::verb method_ = http::verb::unknown;
  unsigned version_ = 11;
  unsigned seen_ = 0;
  std::string expect_;
  std::string origin_;
  std::string cors_request_method_;
  std::string cors_request_headers_;
};

}  // namespace

class HttpSession;

// Each connection's socket runs on its own strand of the shared io_context; a
// concrete executor type rather than any_io_executor keeps the per-operation
// executor copies cheap.
using Strand = asio::strand<asio::io_context::executor_type>;
using Socket = asio::basic_stream_socket<tcp, Strand>;
using Clock = std::chrono::steady_clock;

struct HttpServer::Core {
  Core(HttpServerOptions options_in, HttpHandler handler_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        acceptor(asio::make_strand(ioc)),
        sweeper(ioc) {}

  const HttpServerOptions options;
  const HttpHandler handler;
  // Declared before everything that does I/O on it, so it is destroyed last.
  asio::io_context ioc;
  tcp::acceptor acceptor;
  // Closes the connections whose deadline passed (see HttpSession::deadline_);
  // one timer for the server instead of one per connection and operation.
  asio::steady_timer sweeper;
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
// executor of its socket), so it needs no locks; a `done` called later from
// another thread posts back to it. Timeouts are a deadline per session that
// Core's sweeper checks, not a timer per operation.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<HttpServer::Core> core, Socket socket)
      : core_(std::move(core)), socket_(std::move(socket)) {}

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
    // Only for WriteResponse's inline write_some; the asynchronous
    // operations do not depend on it.
    ErrorCode ignored;
    socket_.non_blocking(true, ignored);
    asio::dispatch(socket_.get_executor(),
                   [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // From any thread: close now if idle, else after the current response.
  void RequestStop() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->stop_requested_ = true;
      if (self->state_ == State::kIdle) self->CloseNow();
    });
  }

  // From any thread: close whatever the state.
  void ForceClose() {
    asio::post(socket_.get_executor(),
               [self = shared_from_this()] { self->CloseNow(); });
  }

  // Whether this session's deadline is before `now`. Called by the sweeper
  // with core_->mu held (which keeps the session from being destroyed).
  bool Expired(Clock::rep now) const {
    return deadline_.load(std::memory_order_relaxed) <= now;
  }

  // From the sweeper: close if the deadline (still) passed -- the session
  // may have moved on since the sweeper looked.
  void TimeOut() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->state_ != State::kClosed &&
          self->Expired(Clock::now().time_since_epoch().count())) {
        self->CloseNow();
      }
    });
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

  // Times out the current step `timeout` from now (see TimeOut()).
  void SetDeadline(Clock::duration timeout) {
    deadline_.store((Clock::now() + timeout).time_since_epoch().count(),
                    std::memory_order_relaxed);
  }
  void ClearDeadline() {
    deadline_.store(kNoDeadline, std::memory_order_relaxed);
  }

  // Waits for the first byte of the next request. A separate step from
  // reading the request so that the two get different timeouts.
  void WaitForRequest() {
    if (stop_requested_ || core_->stopping.load()) {
      CloseNow();
      return;
    }
    parser_.emplace(core_->options.capture_headers);
    parser_->header_limit(static_cast<uint32_t>(core_->options.header_limit));
    parser_->body_limit(core_->options.body_limit);
    header_checked_ = false;
    if (buffer_.size() > 0) {  // a pipelined request is already here
      ReadRequest();
      return;
    }
    SetState(State::kIdle);
    if (core_->options.idle_timeout.count() > 0) {
      SetDeadline(core_->options.idle_timeout);
    } else {
      ClearDeadline();
    }
    socket_.async_read_some(
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
    SetDeadline(core_->options.request_timeout);
    Parse();
  }

  // Parses what is buffered; reads more until the request is complete.
  void Parse() {
    for (;;) {
      if (parser_->is_done()) {
        Dispatch();
        return;
      }
      if (parser_->is_header_done() && !header_checked_) {
        header_checked_ = true;
        // A client that sent "Expect: 100-continue" waits for this before
        // sending the body (curl does for large bodies, for up to a second).
        if (EqualsIgnoreCase(parser_->expect(), "100-continue")) {
          static constexpr std::string_view kContinue =
              "HTTP/1.1 100 Continue\r\n\r\n";
          asio::async_write(socket_, asio::buffer(kContinue),
                            [self = shared_from_this()](ErrorCode ec, size_t) {
                              if (ec) {
                                self->CloseNow();
                                return;
                              }
                              self->Parse();
                            });
          return;
        }
      }
      if (buffer_.size() == 0) break;
      ErrorCode ec;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) {
        OnReadError(ec);
        return;
      }
      if (used == 0) break;  // no progress without more input
    }
    ReadMore();
  }

  // Reads more of the current request: up to 64 KiB at a time (as Beast's
  // read), less while the buffer is small.
  void ReadMore() {
    size_t room = buffer_.capacity() - buffer_.size();
    size_t want = std::min(std::max(room, kReadChunk), kMaxReadChunk);
    auto on_read = [self = shared_from_this()](ErrorCode ec, size_t n) {
      self->buffer_.commit(n);
      // EOF mid-request, a reset, the request timeout or a forced stop: no
      // one to answer.
      if (ec) {
        self->CloseNow();
        return;
      }
      self->Parse();
    };
    socket_.async_read_some(buffer_.prepare(want), std::move(on_read));
  }

  void OnReadError(ErrorCode ec) {
    if (parser_ && parser_->is_header_done()) {
      version_ = parser_->version();
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
    ClearDeadline();
    RequestParser& parser = *parser_;
    HttpRequestInfo info = std::move(parser.info());
    info.has_amz_algorithm_query = HasAmzAlgorithmQuery(info.path);
    info.request_id = GenerateRequestId();
    keep_alive_ = parser.keep_alive();
    version_ = parser.version();
    request_id_ = info.request_id;
    cors_origin_.clear();
    if (!core_->options.cors_origins.empty()) {
      cors_origin_ = AllowedOrigin(parser.origin());
      // A browser's preflight is answered here; it never reaches the router
      // (it carries no body and no X-Amz-Target).
      if (parser.method() == http::verb::options && !cors_origin_.empty() &&
          !parser.cors_request_method().empty()) {
        std::string allow_headers = parser.cors_request_headers();
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

    // A handler that answers at once (reads do) calls `done` on this thread
    // from inside the call below: the result is kept and written as soon as
    // the handler returns, with no trip through the executor. A later `done`
    // (from the storage writer) posts to the session's strand.
    HttpSession* outer = dispatching_;
    dispatching_ = this;
    try {
      core_->handler(std::move(info),
                     [self = shared_from_this()](HttpResult result) {
                       self->Deliver(std::move(result));
                     });
    } catch (const std::exception& e) {
      spdlog::error("request handler threw: {}", e.what());
      Deliver(HttpResult{500, std::string(kInternalErrorBody)});
    }
    dispatching_ = outer;
    if (sync_result_) {
      HttpResult result = std::move(*sync_result_);
      sync_result_.reset();
      OnResult(std::move(result));
    }
  }

  // The handler's `done`, from any thread.
  void Deliver(HttpResult result) {
    if (answered_.exchange(true)) return;
    if (dispatching_ == this) {  // inside Dispatch, on its thread
      sync_result_.emplace(std::move(result));
      return;
    }
    asio::post(socket_.get_executor(), [self = shared_from_this(),
                                        result = std::move(result)]() mutable {
      self->OnResult(std::move(result));
    });
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
    keep_alive = keep_alive && !stop_requested_ && !core_->stopping.load();
    // The head is written by hand, exactly as Beast's serializer wrote it
    // (same fields, order and spelling): one string, sent with the body in
    // one gather write.
    std::string& head = head_;
    head.clear();
    head += "HTTP/";
    head += char('0' + version_ / 10);
    head += '.';
    head += char('0' + version_ % 10);
    head += ' ';
    AppendNumber(head, static_cast<unsigned>(status));
    head += ' ';
    head += http::obsolete_reason(static_cast<http::status>(status));
    head += "\r\nServer: dynalocal\r\nDate: ";
    head += CurrentHttpDate();
    head += "\r\nx-amzn-RequestId: ";
    head += request_id_;
    head += "\r\nx-amz-crc32: ";
    AppendNumber(head, Crc32(body));
    head += "\r\n";
    if (!content_type.empty()) {
      head += "Content-Type: ";
      head += content_type;
      head += "\r\n";
    }
    if (!cors_origin_.empty()) {
      head += "Access-Control-Allow-Origin: ";
      head += cors_origin_;
      head += "\r\n";
      if (cors_origin_ != "*") head += "Vary: Origin\r\n";
      // Browsers hide other response headers from scripts; the SDKs read
      // these two (the request id, and the checksum they verify).
      head +=
          "Access-Control-Expose-Headers: x-amzn-RequestId, x-amz-crc32\r\n";
      if (!preflight_allow_headers_.empty()) {
        head += "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n";
        head += "Access-Control-Allow-Headers: ";
        head += preflight_allow_headers_;
        head += "\r\nAccess-Control-Max-Age: 172800\r\n";
        preflight_allow_headers_.clear();
      }
    }
    // As Beast's keep_alive(): HTTP/1.1 says only "close", HTTP/1.0 only
    // "keep-alive".
    if (version_ >= 11) {
      if (!keep_alive) head += "Connection: close\r\n";
    } else if (keep_alive) {
      head += "Connection: keep-alive\r\n";
    }
    head += "Content-Length: ";
    AppendNumber(head, body.size());
    head += "\r\n\r\n";
    body_ = std::move(body);
    SetDeadline(core_->options.request_timeout);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                              asio::buffer(body_)};
    // Try to send it all at once, here: a small response nearly always fits
    // in the socket's buffer, and finishing inline saves a trip through the
    // scheduler (often to the other I/O thread). Not when this call is
    // itself inside such an inline finish, so that a long pipeline cannot
    // grow the stack without bound.
    size_t sent = 0;
    if (inline_writes_ < kMaxInlineWrites) {
      ErrorCode ec;
      sent = socket_.write_some(buffers, ec);  // non-blocking, see Start()
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        sent = 0;
      } else if (ec) {
        body_ = std::string();
        CloseNow();
        return;
      }
      if (sent == head_.size() + body_.size()) {
        ++inline_writes_;
        AfterWrite(ErrorCode(), keep_alive);
        --inline_writes_;
        return;
      }
    }
    if (sent < head_.size()) {
      buffers[0] += sent;
    } else {
      buffers[0] = asio::const_buffer();
      buffers[1] += sent - head_.size();
    }
    asio::async_write(
        socket_, buffers,
        [self = shared_from_this(), keep_alive](ErrorCode ec, size_t) {
          self->AfterWrite(ec, keep_alive);
        });
  }

  void AfterWrite(ErrorCode ec, bool keep_alive) {
    body_ = std::string();
    if (ec) {
      CloseNow();
    } else if (keep_alive) {
      WaitForRequest();
    } else {
      Linger();
    }
  }

  void Linger() {
    SetState(State::kClosing);
    ErrorCode ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(kLingerTimeout);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(kReadChunk),
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
    ClearDeadline();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  std::shared_ptr<HttpServer::Core> core_;
  static constexpr Clock::rep kNoDeadline =
      std::numeric_limits<Clock::rep>::max();

  Socket socket_;
  // When the current step (idle wait, request, response, linger) times out,
  // as a steady_clock count; the sweeper closes the session after it.
  std::atomic<Clock::rep> deadline_{kNoDeadline};
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  bool header_checked_ = false;  // Expect: 100-continue handled
  int inline_writes_ = 0;        // nesting of WriteResponse's inline finish
  std::string head_;             // the response head being written
  std::string body_;             // the response body being written
  State state_ = State::kIdle;
  bool counted_busy_ = false;  // whether this session is in core_->busy
  bool stop_requested_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::string request_id_;
  // Guards against a handler calling `done` twice; written from whichever
  // thread calls it.
  std::atomic<bool> answered_{false};
  // A result `done` gave synchronously, while Dispatch is still running.
  std::optional<HttpResult> sync_result_;
  // The session whose handler this thread is running, if any.
  static thread_local HttpSession* dispatching_;
  // The request log's start time and method, kept only when it is on.
  bool log_request_ = false;
  std::string method_;
  std::chrono::steady_clock::time_point started_;
  std::string cors_origin_;  // Access-Control-Allow-Origin for this request
  std::string preflight_allow_headers_;  // set while answering a preflight
};

thread_local HttpSession* HttpSession::dispatching_ = nullptr;

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
      asio::make_strand(core->ioc), [core](ErrorCode ec, Socket socket) {
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

// Closes the sessions whose deadline passed, every kSweepInterval until the
// server halts. Holds the Core by plain pointer: a wait still pending when
// the Core goes is destroyed with its io_context, never run.
void Sweep(HttpServer::Core* core) {
  core->sweeper.expires_after(kSweepInterval);
  core->sweeper.async_wait([core](ErrorCode ec) {
    if (ec || core->halted.load()) return;
    auto now = Clock::now().time_since_epoch().count();
    std::vector<std::shared_ptr<HttpSession>> expired;
    {
      std::lock_guard lock(core->mu);
      for (auto& [ptr, weak] : core->sessions) {
        if (!ptr->Expired(now)) continue;
        if (auto session = weak.lock()) expired.push_back(std::move(session));
      }
    }
    for (auto& session : expired) session->TimeOut();
    Sweep(core);
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
  Sweep(&core);
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
