// A raw HTTP/1.1 client for the server tests: sends bytes exactly as given
// (so tests can pipeline or send malformed input) and reads responses one by
// one, every step bounded by a timeout so a broken server fails the test
// instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <sstream>
#include <string>

namespace ddb::testing {

namespace http = boost::beast::http;

using Response = http::response<http::string_body>;

// A request as the AWS SDKs send it.
inline std::string DynamoRequest(std::string_view operation,
                                 std::string_view body,
                                 std::string_view extra_headers = "") {
  std::string out = "POST / HTTP/1.1\r\nHost: localhost\r\n";
  out += "Content-Type: application/x-amz-json-1.0\r\n";
  if (!operation.empty()) {
    out += "X-Amz-Target: DynamoDB_20120810." + std::string(operation) + "\r\n";
  }
  out += extra_headers;
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

class TestClient {
 public:
  explicit TestClient(uint16_t port, std::chrono::milliseconds timeout =
                                         std::chrono::seconds(10))
      : stream_(ioc_), timeout_(timeout) {
    stream_.expires_after(timeout_);
    boost::system::error_code ec;
    stream_.connect(boost::asio::ip::tcp::endpoint(
                        boost::asio::ip::make_address("127.0.0.1"), port),
                    ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  // Writes `bytes`; returns the error (the server may close early).
  boost::system::error_code Send(std::string_view bytes) {
    boost::system::error_code result;
    stream_.expires_after(timeout_);
    boost::asio::async_write(
        stream_, boost::asio::buffer(bytes),
        [&](boost::system::error_code ec, size_t) { result = ec; });
    Run();
    return result;
  }

  // Reads one response; nullopt (with `error()` set) when none came.
  std::optional<Response> Read() {
    std::optional<Response> out;
    auto parser = std::make_shared<http::response_parser<http::string_body>>();
    parser->body_limit(64 * 1024 * 1024);
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, *parser,
                     [&](boost::system::error_code ec, size_t) {
                       error_ = ec;
                       if (!ec) out = parser->release();
                     });
    Run();
    return out;
  }

  Response MustRead() {
    auto response = Read();
    EXPECT_TRUE(response.has_value()) << error_.message();
    return response.value_or(Response{});
  }

  // True when the server closed the connection (nothing more to read).
  bool ReadsEof() {
    if (buffer_.size() > 0) return false;
    bool eof = false;
    char byte;
    stream_.expires_after(timeout_);
    stream_.async_read_some(boost::asio::buffer(&byte, 1),
                            [&](boost::system::error_code ec, size_t) {
                              error_ = ec;
                              eof = ec == boost::asio::error::eof ||
                                    ec == boost::asio::error::connection_reset;
                            });
    Run();
    return eof;
  }

  boost::system::error_code error() const { return error_; }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  boost::system::error_code error_;
};

}  // namespace ddb::testing
