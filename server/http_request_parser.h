// RequestParser: the HTTP request parser of the HttpServer's sessions.
// Internal to the server (server/http_*.cc).
#pragma once

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/optional/optional.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/router.h"

namespace ddb::http_detail {

namespace beast = boost::beast;
namespace http = beast::http;
using ErrorCode = boost::system::error_code;

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
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

}  // namespace ddb::http_detail
