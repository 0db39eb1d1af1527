#include "server/http_response.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>

#include "server/crc32.h"
#include "server/http_server.h"

namespace ddb::http_detail {
namespace {

namespace http = boost::beast::http;

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

void AppendNumber(std::string& out, uint64_t n) {
  char digits[20];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

}  // namespace

// The head is written by hand, exactly as Beast's serializer wrote it (same
// fields, order and spelling): one string, sent with the body in one gather
// write.
void AppendResponseHead(std::string& head, const ResponseHead& response) {
  head += "HTTP/";
  head += char('0' + response.version / 10);
  head += '.';
  head += char('0' + response.version % 10);
  head += ' ';
  AppendNumber(head, static_cast<unsigned>(response.status));
  head += ' ';
  head += http::obsolete_reason(static_cast<http::status>(response.status));
  head += "\r\nServer: dynalocal\r\nDate: ";
  head += CurrentHttpDate();
  head += "\r\nx-amzn-RequestId: ";
  head += response.request_id;
  head += "\r\nx-amz-crc32: ";
  AppendNumber(head, Crc32(response.body));
  head += "\r\n";
  if (!response.content_type.empty()) {
    head += "Content-Type: ";
    head += response.content_type;
    head += "\r\n";
  }
  if (!response.cors_origin.empty()) {
    head += "Access-Control-Allow-Origin: ";
    head += response.cors_origin;
    head += "\r\n";
    if (response.cors_origin != "*") head += "Vary: Origin\r\n";
    // Browsers hide other response headers from scripts; the SDKs read
    // these two (the request id, and the checksum they verify).
    head += "Access-Control-Expose-Headers: x-amzn-RequestId, x-amz-crc32\r\n";
    if (!response.preflight_allow_headers.empty()) {
      head += "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n";
      head += "Access-Control-Allow-Headers: ";
      head += response.preflight_allow_headers;
      head += "\r\nAccess-Control-Max-Age: 172800\r\n";
    }
  }
  // As Beast's keep_alive(): HTTP/1.1 says only "close", HTTP/1.0 only
  // "keep-alive".
  if (response.version >= 11) {
    if (!response.keep_alive) head += "Connection: close\r\n";
  } else if (response.keep_alive) {
    head += "Connection: keep-alive\r\n";
  }
  head += "Content-Length: ";
  AppendNumber(head, response.body.size());
  head += "\r\n\r\n";
}

}  // namespace ddb::http_detail
