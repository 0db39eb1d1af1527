// HttpSession: one connection of the HttpServer. Internal to the server
// (server/http_*.cc); see server/http_server.h for the interface.
#pragma once

#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_request_parser.h"
#include "server/http_server_core.h"
#include "server/router.h"

namespace ddb::http_detail {

// One connection. Everything it does runs on its own strand (the
// executor of its socket), so it needs no locks; a `done` called later from
// another thread posts back to it. Timeouts are a deadline per session that
// Core's sweeper checks, not a timer per operation.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<HttpServer::Core> core, Socket socket)
      : core_(std::move(core)), socket_(std::move(socket)) {}

  ~HttpSession();

  void Start();

  // From any thread: close now if idle, else after the current response.
  void RequestStop();

  // From any thread: close whatever the state.
  void ForceClose();

  // Whether this session's deadline is before `now`. Called by the sweeper
  // with core_->mu held (which keeps the session from being destroyed).
  bool Expired(Clock::rep now) const {
    return deadline_.load(std::memory_order_relaxed) <= now;
  }

  // From the sweeper: close if the deadline (still) passed -- the session
  // may have moved on since the sweeper looked.
  void TimeOut();

 private:
  enum class State {
    kIdle,      // between requests: the idle timeout applies
    kReading,   // a request has started: the request timeout applies
    kHandling,  // the handler has it; nothing is read meanwhile
    kWriting,
    kClosing,  // lingering after the last response
    kClosed,
  };

  // The steps of a connection; see http_session.cc.
  void SetState(State state);
  void SetDeadline(Clock::duration timeout);
  void ClearDeadline();
  void WaitForRequest();
  void ReadRequest();
  void Parse();
  void ReadMore();
  void OnReadError(ErrorCode ec);
  void Dispatch();
  void Deliver(HttpResult result);
  void OnResult(HttpResult result);
  void LogRequest(const HttpResult& result);
  std::string AllowedOrigin(std::string_view origin) const;
  void WritePreflight(std::string allow_headers);
  void WriteError(http::status status);
  void WriteResponse(int status, std::string body,
                     const std::string& content_type, bool keep_alive);
  void AfterWrite(ErrorCode ec, bool keep_alive);
  void Linger();
  void Drain();
  void CloseNow();

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

}  // namespace ddb::http_detail
