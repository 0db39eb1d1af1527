// libFuzzer target for SigV4 verification (--require-auth): whatever a
// client sends as its request line, headers and body, VerifySigV4 either
// names a configured caller or throws DynamoDB's 400 ApiError — never a
// crash, a hang, a leak or another exception.
//
// Input: lines. Line 1 is the method, line 2 the request target (path and
// query), line 3 the Authorization header, then "name: value" header lines
// up to an empty line, then the body. When the first byte is '!', the
// Authorization header is replaced by a correct signature of the request
// (access key AKIDFUZZ, the credential date and region taken from the
// X-Amz-Date header and line 3's scope when they parse), so the accepting
// path and the canonicalisation of hostile paths, queries and headers run
// too. Run e.g.
//   auth_fuzzer -max_total_time=30 tests/fuzz/corpus/auth
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api_error.h"
#include "server/auth.h"
#include "server/router.h"

namespace {

constexpr std::string_view kAccessKey = "AKIDFUZZ";
constexpr std::string_view kSecret = "fuzz-secret";

const ddb::AuthOptions& Options() {
  static const ddb::AuthOptions* options = [] {
    auto* o = new ddb::AuthOptions;
    o->required = true;
    o->secrets.emplace(std::string(kAccessKey), std::string(kSecret));
    // 2024-01-01T00:00:00Z: corpus dates near it pass the skew check.
    o->clock = [] {
      return std::chrono::system_clock::time_point(
          std::chrono::seconds(1704067200));
    };
    return o;
  }();
  return *options;
}

// Splits off the next line (without its '\n'); false when none is left.
bool NextLine(std::string_view& rest, std::string_view* line) {
  if (rest.empty()) return false;
  size_t end = rest.find('\n');
  *line = rest.substr(0, end);
  rest =
      end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return true;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A correct signature of `request` over all its headers, in the scope the
// fuzzed Authorization header named (or a default one).
void SignCorrectly(ddb::HttpRequestInfo& request) {
  std::string amz_date = "20240101T000000Z";
  for (const auto& [name, value] : request.headers) {
    if (Lower(name) == "x-amz-date") amz_date = value;
  }
  std::string date = amz_date.substr(0, 8);
  std::string region = "us-east-1";
  // "…Credential=KEY/DATE/REGION/…": keep the fuzzed region when present.
  size_t at = request.authorization.find("Credential=");
  if (at != std::string::npos) {
    std::string_view scope(request.authorization);
    scope.remove_prefix(at + 11);
    scope = scope.substr(0, scope.find_first_of(", "));
    size_t first = scope.find('/');
    size_t second = first == std::string_view::npos
                        ? std::string_view::npos
                        : scope.find('/', first + 1);
    size_t third = second == std::string_view::npos
                       ? std::string_view::npos
                       : scope.find('/', second + 1);
    if (third != std::string_view::npos) {
      region = std::string(scope.substr(second + 1, third - second - 1));
    }
  }
  std::vector<std::string> signed_headers;
  for (const auto& [name, value] : request.headers) {
    signed_headers.push_back(Lower(name));
  }
  std::string scope_text = date + "/" + region + "/dynamodb/aws4_request";
  std::string canonical = ddb::sigv4::CanonicalRequest(
      request.method, request.path, request.headers, signed_headers,
      ddb::sigv4::Sha256Hex(request.body));
  std::string signature = ddb::sigv4::Signature(
      kSecret, date, region, "dynamodb",
      ddb::sigv4::StringToSign(amz_date, scope_text, canonical));
  std::string joined;
  for (const std::string& name : signed_headers) {
    if (!joined.empty()) joined += ';';
    joined += name;
  }
  request.authorization =
      "AWS4-HMAC-SHA256 Credential=" + std::string(kAccessKey) + "/" +
      scope_text + ", SignedHeaders=" + joined + ", Signature=" + signature;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const bool sign = !rest.empty() && rest.front() == '!';
  if (sign) rest.remove_prefix(1);
  ddb::HttpRequestInfo request;
  std::string_view line;
  if (NextLine(rest, &line)) request.method = line;
  if (NextLine(rest, &line)) request.path = line;
  if (NextLine(rest, &line)) request.authorization = line;
  while (NextLine(rest, &line) && !line.empty()) {
    size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::string value(colon == std::string_view::npos ? std::string_view()
                                                      : line.substr(colon + 1));
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (Lower(name) == "host") request.host = value;
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  request.body = std::string(rest);
  request.has_amz_algorithm_query =
      request.path.find("X-Amz-Algorithm=") != std::string::npos;
  if (sign) SignCorrectly(request);
  if (!request.authorization.empty()) {
    request.headers.emplace_back("Authorization", request.authorization);
  }
  try {
    ddb::AuthenticatedCaller caller = ddb::VerifySigV4(request, Options());
    // Only the configured key can be accepted.
    if (caller.access_key != kAccessKey) abort();
  } catch (const ddb::ApiError& error) {
    if (error.http_status() != 400) abort();
  }
  // Anything else thrown escapes and is reported by libFuzzer.
  return 0;
}
