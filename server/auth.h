// Optional SigV4 request verification (--require-auth).
//
// Without it dynalocal accepts any signature, as DynamoDB Local does: the
// Authorization header only names the caller's access key and region. With
// it, every request must be signed with one of the configured access key /
// secret pairs, and DynamoDB's errors answer the ones that are not.
//
// The checks run in the order DynamoDB's front end runs them (as observed
// against the real service): the shape of the Authorization header, the
// date and clock skew, Host among the signed headers, the algorithm, the
// credential scope, the access key, and last the signature itself. Only the
// router calls VerifySigV4; nothing here logs, so neither the Authorization
// header nor a secret can reach a log.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb {

struct HttpRequestInfo;  // server/router.h

struct AuthOptions {
  bool required = false;
  // access key id -> secret access key.
  std::map<std::string, std::string> secrets;
  // Requests signed further than this from the server's clock are refused.
  std::chrono::seconds max_clock_skew{15 * 60};
  // The server's clock; tests fix it to check published examples and the
  // skew limits. Empty: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

// Who a verified request comes from.
struct AuthenticatedCaller {
  std::string access_key;
  std::string region;  // from the credential scope
};

// Verifies `request`'s SigV4 signature (Authorization header, or the
// X-Amz-* query parameters of a presigned URL) against options.secrets.
// Needs request.headers (HttpServerOptions::capture_headers). Throws
// DynamoDB's ApiError when the request is not signed by a configured key:
// MissingAuthenticationTokenException, IncompleteSignatureException,
// InvalidSignatureException or UnrecognizedClientException.
AuthenticatedCaller VerifySigV4(const HttpRequestInfo& request,
                                const AuthOptions& options);

// The pieces of SigV4, exposed for tests (AWS publishes vectors for each).
namespace sigv4 {

// Lower-case hex of the SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Hex(std::string_view bytes);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request"), raw bytes.
std::string SigningKey(std::string_view secret, std::string_view date,
                       std::string_view region, std::string_view service);

// The path of a request target, normalized (dot segments and empty segments
// removed) and URI-encoded as SigV4 wants it for every service but S3.
std::string CanonicalUri(std::string_view path);

// The query string, each name and value URI-encoded, sorted by name then
// value; `skip_signature` drops X-Amz-Signature (presigned URLs).
std::string CanonicalQuery(std::string_view query, bool skip_signature);

// The canonical request: method, canonical URI and query of `target` (path
// plus optional "?query"), the `signed_headers` (lower case, in the order
// given) with their values from `headers` trimmed and joined, the signed
// header list, and `payload_hash`.
std::string CanonicalRequest(
    std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::vector<std::string>& signed_headers,
    std::string_view payload_hash, bool presigned = false);

// "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hash of the
// canonical request.
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// Lower-case hex signature of `string_to_sign` under the signing key.
std::string Signature(std::string_view secret, std::string_view date,
                      std::string_view region, std::string_view service,
                      std::string_view string_to_sign);

}  // namespace sigv4
}  // namespace ddb
