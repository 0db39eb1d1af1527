#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "core/api_error.h"
#include "server/router.h"

namespace ddb {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kService = "dynamodb";
constexpr std::string_view kTerminator = "aws4_request";

ApiError Incomplete(std::string message) {
  return ApiError("IncompleteSignatureException", std::move(message));
}
ApiError Invalid(std::string message) {
  return ApiError("InvalidSignatureException", std::move(message));
}

char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), LowerAscii);
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

// SigV4's URI encoding: every byte but the unreserved ones as %XX (upper
// case hex); '/' kept when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes %XX escapes; anything else (a stray '%' too) stays as it is, so
// re-encoding gives what a client that encoded correctly signed.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return parts;
}

// The value of the first header named `name` (lower case), if any.
std::optional<std::string_view> FindHeader(
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && Lower(key) == name) return value;
  }
  return std::nullopt;
}

// X-Amz-Date's form, "20150830T123600Z".
std::optional<std::chrono::sys_seconds> ParseIsoBasic(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  }
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  using namespace std::chrono;
  year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(4, 2))},
                     day{static_cast<unsigned>(num(6, 2))}};
  int h = num(9, 2), m = num(11, 2), sec = num(13, 2);
  if (!ymd.ok() || h > 23 || m > 59 || sec > 60) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{m} + seconds{sec};
}

// The Date header's form, "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 1123).
std::optional<std::chrono::sys_seconds> ParseHttpDate(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                                 "May", "Jun", "Jul", "Aug",
                                                 "Sep", "Oct", "Nov", "Dec"};
  std::string text(s);
  char month_name[4] = {};
  int d = 0, y = 0, h = 0, m = 0, sec = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &d,
                  month_name, &y, &h, &m, &sec, &consumed) != 6 ||
      static_cast<size_t>(consumed) != text.size()) {
    return std::nullopt;
  }
  auto it = std::find(std::begin(kMonths), std::end(kMonths),
                      std::string_view(month_name));
  if (it == std::end(kMonths)) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y},
                     month{static_cast<unsigned>(it - std::begin(kMonths) + 1)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || m > 59 || sec > 60) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{m} + seconds{sec};
}

std::string FormatIsoBasic(std::chrono::sys_seconds secs) {
  using namespace std::chrono;
  auto days_part = floor<days>(secs);
  year_month_day ymd{days_part};
  hh_mm_ss hms{secs - days_part};
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return buf;
}

bool IsValidRegion(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  return std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(),
                                       [](char c) { return HexValue(c) >= 0; });
}

// What the request claims: from the Authorization header, or from a
// presigned URL's query parameters.
struct Claim {
  std::string algorithm;
  std::string credential;
  std::string signed_headers;
  std::string signature;
  std::optional<std::string> date;  // X-Amz-Date, else Date
  bool date_is_amz = false;         // the value came from X-Amz-Date
  bool presigned = false;
  std::optional<long long> expires;  // X-Amz-Expires, presigned only
};

Claim ClaimFromHeader(const HttpRequestInfo& request) {
  const std::string& auth = request.authorization;
  std::string_view text = Trim(auth);
  Claim claim;
  size_t space = text.find_first_of(" \t");
  claim.algorithm = std::string(text.substr(0, space));
  std::string_view rest =
      space == std::string_view::npos ? "" : text.substr(space + 1);
  // DynamoDB reads the rest as key=value pairs split at commas and blanks:
  // "Credential=AKID /2024..." fails on the piece after the blank.
  std::map<std::string, std::string> params;
  size_t i = 0;
  while (i < rest.size()) {
    size_t end = rest.find_first_of(", \t", i);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view piece = rest.substr(i, end - i);
    i = end + 1;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      throw Incomplete("'" + std::string(piece) +
                       "' not a valid key=value pair (missing equal-sign) in "
                       "Authorization header: '" +
                       auth + "'.");
    }
    params.emplace(std::string(piece.substr(0, eq)),
                   std::string(piece.substr(eq + 1)));
  }
  if (auto v = FindHeader(request.headers, "x-amz-date")) {
    claim.date = std::string(Trim(*v));
    claim.date_is_amz = true;
  } else if (auto d = FindHeader(request.headers, "date")) {
    claim.date = std::string(Trim(*d));
  }

  std::string missing;
  // An empty SignedHeaders passes here and fails the Host check later.
  for (std::string_view name : {"Credential", "Signature", "SignedHeaders"}) {
    auto it = params.find(std::string(name));
    if (it == params.end() || (it->second.empty() && name != "SignedHeaders")) {
      missing += "Authorization header requires '" + std::string(name) +
                 "' parameter. ";
    }
  }
  if (!claim.date.has_value()) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or "
        "a 'Date' header. ";
  }
  if (!missing.empty()) throw Incomplete(missing + "Authorization=" + auth);
  claim.credential = params["Credential"];
  claim.signature = params["Signature"];
  claim.signed_headers = params["SignedHeaders"];
  return claim;
}

Claim ClaimFromQuery(const HttpRequestInfo& request) {
  std::string_view target = request.path;
  size_t q = target.find('?');
  std::string_view query =
      q == std::string_view::npos ? "" : target.substr(q + 1);
  std::map<std::string, std::string> params;
  for (std::string_view piece : Split(query, '&')) {
    size_t eq = piece.find('=');
    std::string name = PercentDecode(piece.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(piece.substr(eq + 1));
    params.emplace(std::move(name), std::move(value));
  }
  Claim claim;
  claim.presigned = true;
  std::string missing;
  for (std::string_view name :
       {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
        "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    if (params[std::string(name)].empty()) {
      missing += "AWS query-string parameters must include '" +
                 std::string(name) + "'. ";
    }
  }
  if (!missing.empty()) {
    throw Incomplete(missing + "Re-examine the query-string parameters.");
  }
  claim.algorithm = params["X-Amz-Algorithm"];
  claim.credential = params["X-Amz-Credential"];
  claim.signature = params["X-Amz-Signature"];
  claim.signed_headers = params["X-Amz-SignedHeaders"];
  claim.date = params["X-Amz-Date"];
  claim.date_is_amz = true;
  if (auto it = params.find("X-Amz-Expires"); it != params.end()) {
    try {
      claim.expires = std::stoll(it->second);
    } catch (const std::exception&) {
      throw Incomplete("X-Amz-Expires must be a number of seconds, got '" +
                       it->second + "'.");
    }
  }
  return claim;
}

}  // namespace

namespace sigv4 {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return Hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           mac, &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string SigningKey(std::string_view secret, std::string_view date,
                       std::string_view region, std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, kTerminator);
}

std::string CanonicalUri(std::string_view path) {
  std::vector<std::string_view> segments;
  for (std::string_view segment : Split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string normalized = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized.push_back('/');
    normalized.append(segments[i]);
  }
  if (!segments.empty() && !path.empty() && path.back() == '/') {
    normalized.push_back('/');
  }
  return UriEncode(normalized, /*keep_slash=*/true);
}

std::string CanonicalQuery(std::string_view query, bool skip_signature) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!query.empty()) {
    for (std::string_view piece : Split(query, '&')) {
      if (piece.empty()) continue;
      size_t eq = piece.find('=');
      std::string name = PercentDecode(piece.substr(0, eq));
      if (skip_signature && name == "X-Amz-Signature") continue;
      std::string value = eq == std::string_view::npos
                              ? ""
                              : PercentDecode(piece.substr(eq + 1));
      pairs.emplace_back(UriEncode(name, false), UriEncode(value, false));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string CanonicalRequest(
    std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::vector<std::string>& signed_headers,
    std::string_view payload_hash, bool presigned) {
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query =
      q == std::string_view::npos ? "" : target.substr(q + 1);
  std::string out(method);
  out.push_back('\n');
  out += CanonicalUri(path);
  out.push_back('\n');
  out += CanonicalQuery(query, presigned);
  out.push_back('\n');
  for (const std::string& name : signed_headers) {
    // Every value of the header, in the order received, each trimmed with
    // inner runs of blanks collapsed, joined with commas.
    std::string joined;
    bool first = true;
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size() || Lower(key) != name) continue;
      if (!first) joined.push_back(',');
      first = false;
      bool blank = false;
      for (char c : Trim(value)) {
        if (IsSpace(c)) {
          blank = true;
          continue;
        }
        if (blank) joined.push_back(' ');
        blank = false;
        joined.push_back(c);
      }
    }
    out += name;
    out.push_back(':');
    out += joined;
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) out.push_back(';');
    out += signed_headers[i];
  }
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += scope;
  out.push_back('\n');
  out += Sha256Hex(canonical_request);
  return out;
}

std::string Signature(std::string_view secret, std::string_view date,
                      std::string_view region, std::string_view service,
                      std::string_view string_to_sign) {
  return Hex(
      HmacSha256(SigningKey(secret, date, region, service), string_to_sign));
}

}  // namespace sigv4

AuthenticatedCaller VerifySigV4(const HttpRequestInfo& request,
                                const AuthOptions& options) {
  std::string_view auth = Trim(request.authorization);
  Claim claim;
  if (!auth.empty()) {
    // DynamoDB answers a header that is not SigV4 at all (AWS3, Basic, ...)
    // as if there were none.
    if (auth.substr(0, 5) != "AWS4-") {
      throw ApiError("MissingAuthenticationTokenException",
                     "Request is missing Authentication Token");
    }
    claim = ClaimFromHeader(request);
  } else if (request.has_amz_algorithm_query) {
    claim = ClaimFromQuery(request);
  } else {
    throw ApiError("MissingAuthenticationTokenException",
                   "Request is missing Authentication Token");
  }

  // The date: its form, then the clock skew.
  // Seconds, not the clock's nanoseconds: a date in the year 9999 must not
  // overflow.
  std::optional<std::chrono::sys_seconds> when = ParseIsoBasic(*claim.date);
  if (!when && !claim.date_is_amz) when = ParseHttpDate(*claim.date);
  if (!when) {
    throw Incomplete("Date must be in ISO-8601 'basic format'. Got '" +
                     *claim.date +
                     "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  const std::string iso_date = FormatIsoBasic(*when);
  const std::string shown_date = claim.date_is_amz ? *claim.date : iso_date;
  const std::chrono::sys_seconds now = std::chrono::floor<std::chrono::seconds>(
      options.clock ? options.clock() : Clock::now());
  const auto skew = options.max_clock_skew;
  auto minutes_text = [](std::chrono::seconds window) {
    return std::to_string(
               std::chrono::duration_cast<std::chrono::minutes>(window)
                   .count()) +
           " min.)";
  };
  // A presigned URL stays valid for X-Amz-Expires seconds after it was made
  // (at most a week, as AWS allows; clamped so the arithmetic cannot
  // overflow).
  std::chrono::seconds window = skew;
  if (claim.expires.has_value()) {
    window = std::max(window, std::chrono::seconds(std::clamp<long long>(
                                  *claim.expires, 0, 7 * 24 * 3600)));
  }
  if (*when < now - window) {
    throw Invalid("Signature expired: " + shown_date + " is now earlier than " +
                  FormatIsoBasic(now - window) + " (" + FormatIsoBasic(now) +
                  " - " + minutes_text(window));
  }
  if (*when > now + skew) {
    throw Invalid("Signature not yet current: " + shown_date +
                  " is still later than " + FormatIsoBasic(now + skew) + " (" +
                  FormatIsoBasic(now) + " + " + minutes_text(skew));
  }

  std::vector<std::string> signed_headers;
  for (std::string_view name : Split(claim.signed_headers, ';')) {
    if (!name.empty()) signed_headers.push_back(Lower(Trim(name)));
  }
  if (std::find(signed_headers.begin(), signed_headers.end(), "host") ==
      signed_headers.end()) {
    throw Invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }

  if (claim.algorithm != kAlgorithm) {
    throw Incomplete("Unsupported AWS 'algorithm': '" + claim.algorithm +
                     "' (only AWS4-HMAC-SHA256 for now). ");
  }

  // The credential scope: key/date/region/service/terminator (trailing
  // slashes do not count).
  std::string_view credential = claim.credential;
  while (!credential.empty() && credential.back() == '/') {
    credential.remove_suffix(1);
  }
  std::vector<std::string_view> scope = Split(credential, '/');
  if (scope.size() != 5) {
    throw Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        claim.credential + "'");
  }
  const std::string access_key(scope[0]);
  const std::string scope_date(scope[1]);
  const std::string region(scope[2]);
  const std::string service(scope[3]);
  const std::string terminator(scope[4]);
  std::vector<std::string> problems;
  if (!IsValidRegion(region)) {
    problems.push_back("Credential should be scoped to a valid region, not '" +
                       region + "'.");
  }
  if (service != kService) {
    problems.push_back("Credential should be scoped to correct service: '" +
                       std::string(kService) + "'.");
  }
  if (terminator != kTerminator) {
    problems.push_back(
        "Credential should be scoped with a valid terminator: '" +
        std::string(kTerminator) + "', not '" + terminator + "'.");
  }
  if (scope_date != iso_date.substr(0, 8)) {
    problems.push_back(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
        "version of date from HTTP: '" +
        scope_date + "' != '" + iso_date.substr(0, 8) + "', from '" +
        shown_date + "'.");
  }
  if (!problems.empty()) {
    std::string message;
    for (const std::string& problem : problems) {
      if (!message.empty()) message.push_back(' ');
      message += problem;
    }
    throw Invalid(message);
  }

  auto secret = options.secrets.find(access_key);
  if (secret == options.secrets.end()) {
    throw ApiError("UnrecognizedClientException",
                   "The security token included in the request is invalid.");
  }

  const std::string body_hash = sigv4::Sha256Hex(request.body);
  std::string payload_hash = body_hash;
  if (auto claimed = FindHeader(request.headers, "x-amz-content-sha256")) {
    // The client may sign a hash it sends along (or UNSIGNED-PAYLOAD). A
    // hash that is not the body's means the body changed after signing:
    // then the body's own hash goes into the canonical request, and the
    // signature cannot match.
    std::string_view value = Trim(*claimed);
    if (!IsSha256Hex(value) || Lower(value) == body_hash) {
      payload_hash = std::string(value);
    }
  }
  const std::string canonical =
      sigv4::CanonicalRequest(request.method, request.path, request.headers,
                              signed_headers, payload_hash, claim.presigned);
  const std::string scope_text =
      scope_date + "/" + region + "/" + service + "/" + terminator;
  const std::string amz_date = claim.date_is_amz ? *claim.date : iso_date;
  const std::string string_to_sign =
      sigv4::StringToSign(amz_date, scope_text, canonical);
  const std::string expected = sigv4::Signature(
      secret->second, scope_date, region, service, string_to_sign);
  // Constant time, so the comparison does not tell how much of a guess was
  // right.
  const bool signature_matches =
      claim.signature.size() == expected.size() &&
      CRYPTO_memcmp(claim.signature.data(), expected.data(), expected.size()) ==
          0;
  if (!signature_matches) {
    throw Invalid(
        "The request signature we calculated does not match the signature "
        "you provided. Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details.\n\nThe Canonical "
        "String for this request should have been\n'" +
        canonical + "'\n\nThe String-to-Sign should have been\n'" +
        string_to_sign + "'\n");
  }
  return AuthenticatedCaller{access_key, region};
}

}  // namespace ddb
