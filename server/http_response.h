// The head of an HttpServer response, with DynamoDB's transport headers.
// Internal to the server (server/http_*.cc).
#pragma once

#include <string>
#include <string_view>

namespace ddb::http_detail {

// What a response head says besides its fixed fields.
struct ResponseHead {
  unsigned version;  // HTTP version as Beast has it: 10 or 11
  int status;
  std::string_view request_id;
  std::string_view body;          // for x-amz-crc32 and Content-Length
  std::string_view content_type;  // "" for none
  // Access-Control-Allow-Origin, "" for none (not a CORS request).
  std::string_view cors_origin;
  // Access-Control-Allow-Headers when answering a preflight, else "".
  std::string_view preflight_allow_headers;
  bool keep_alive;
};

// Appends the head of `response`, through the blank line, to `head`.
void AppendResponseHead(std::string& head, const ResponseHead& response);

}  // namespace ddb::http_detail
