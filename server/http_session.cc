#include "server/http_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/verb.hpp>
#include <exception>
#include <mutex>
#include <utility>

#include "server/http_response.h"
#include "server/http_server.h"

namespace ddb::http_detail {
namespace {

// After answering with "Connection: close" we keep reading (and discarding)
// for a while before closing: closing a socket with unread input makes the
// kernel send a RST, which can destroy the response before the client has
// read it -- exactly the case of a 413 sent while the client is still
// uploading its body.
constexpr std::chrono::seconds kLingerTimeout{5};

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxReadChunk = 64 * 1024;

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

thread_local HttpSession* HttpSession::dispatching_ = nullptr;

HttpSession::~HttpSession() {
  SetState(State::kClosed);
  std::lock_guard lock(core_->mu);
  core_->sessions.erase(this);
  core_->sessions_changed.notify_all();
}

void HttpSession::Start() {
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

void HttpSession::RequestStop() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stop_requested_ = true;
    if (self->state_ == State::kIdle) self->CloseNow();
  });
}

void HttpSession::ForceClose() {
  asio::post(socket_.get_executor(),
             [self = shared_from_this()] { self->CloseNow(); });
}

void HttpSession::TimeOut() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->state_ != State::kClosed &&
        self->Expired(Clock::now().time_since_epoch().count())) {
      self->CloseNow();
    }
  });
}

void HttpSession::SetState(State state) {
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
void HttpSession::SetDeadline(Clock::duration timeout) {
  deadline_.store((Clock::now() + timeout).time_since_epoch().count(),
                  std::memory_order_relaxed);
}

void HttpSession::ClearDeadline() {
  deadline_.store(kNoDeadline, std::memory_order_relaxed);
}

// Waits for the first byte of the next request. A separate step from
// reading the request so that the two get different timeouts.
void HttpSession::WaitForRequest() {
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
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](ErrorCode ec, size_t n) {
                            self->buffer_.commit(n);
                            // EOF, idle timeout, reset or a stop: nothing to
                            // answer.
                            if (ec || self->stop_requested_) {
                              self->CloseNow();
                              return;
                            }
                            self->ReadRequest();
                          });
}

void HttpSession::ReadRequest() {
  SetState(State::kReading);
  // One deadline for the whole request (headers, 100-continue, body).
  SetDeadline(core_->options.request_timeout);
  Parse();
}

// Parses what is buffered; reads more until the request is complete.
void HttpSession::Parse() {
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
void HttpSession::ReadMore() {
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

void HttpSession::OnReadError(ErrorCode ec) {
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

void HttpSession::Dispatch() {
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
void HttpSession::Deliver(HttpResult result) {
  if (answered_.exchange(true)) return;
  if (dispatching_ == this) {  // inside Dispatch, on its thread
    sync_result_.emplace(std::move(result));
    return;
  }
  // From a write run on an I/O thread (a deferred group commit), `defer`
  // queues the answer behind that run without waking another thread (a
  // post would, and on a busy core that wake-up costs more than it saves);
  // from any other thread it is a plain post.
  asio::defer(socket_.get_executor(), [self = shared_from_this(),
                                       result = std::move(result)]() mutable {
    self->OnResult(std::move(result));
  });
}

void HttpSession::OnResult(HttpResult result) {
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
void HttpSession::LogRequest(const HttpResult& result) {
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
std::string HttpSession::AllowedOrigin(std::string_view origin) const {
  if (origin.empty()) return "";
  for (const auto& allowed : core_->options.cors_origins) {
    if (allowed == "*") return "*";
    if (EqualsIgnoreCase(allowed, origin)) return std::string(origin);
  }
  return "";
}

void HttpSession::WritePreflight(std::string allow_headers) {
  SetState(State::kHandling);
  request_id_ = GenerateRequestId();
  preflight_allow_headers_ =
      allow_headers.empty() ? std::string("*") : std::move(allow_headers);
  WriteResponse(200, std::string(), std::string(), keep_alive_);
}

// An error found by the HTTP layer itself: empty body, then close, since
// the rest of the input can no longer be framed.
void HttpSession::WriteError(http::status status) {
  SetState(State::kHandling);
  request_id_ = GenerateRequestId();
  cors_origin_.clear();
  WriteResponse(static_cast<int>(status), std::string(), std::string(), false);
}

void HttpSession::WriteResponse(int status, std::string body,
                                const std::string& content_type,
                                bool keep_alive) {
  SetState(State::kWriting);
  keep_alive = keep_alive && !stop_requested_ && !core_->stopping.load();
  // One string for the head, sent with the body in one gather write.
  head_.clear();
  AppendResponseHead(head_,
                     {.version = version_,
                      .status = status,
                      .request_id = request_id_,
                      .body = body,
                      .content_type = content_type,
                      .cors_origin = cors_origin_,
                      .preflight_allow_headers = preflight_allow_headers_,
                      .keep_alive = keep_alive});
  // A preflight's headers go in its own response only.
  if (!cors_origin_.empty()) preflight_allow_headers_.clear();
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

void HttpSession::AfterWrite(ErrorCode ec, bool keep_alive) {
  body_ = std::string();
  if (ec) {
    CloseNow();
  } else if (keep_alive) {
    WaitForRequest();
  } else {
    Linger();
  }
}

void HttpSession::Linger() {
  SetState(State::kClosing);
  ErrorCode ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  SetDeadline(kLingerTimeout);
  Drain();
}

void HttpSession::Drain() {
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

void HttpSession::CloseNow() {
  SetState(State::kClosed);
  ErrorCode ignored;
  ClearDeadline();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace ddb::http_detail
