#include "server/router.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <memory>
#include <optional>

#include "core/api_error.h"
#include "core/utf8.h"
#include "server/auth.h"
#include "server/ops/ops.h"

namespace ddb {
namespace {

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";

HttpResult ErrorResult(const ApiError& error) {
  return HttpResult{error.http_status(), error.ToJson(),
                    "application/x-amz-json-1.0"};
}

// What DynamoDB's front end answers for a request it cannot route (wrong
// method, or a body that is not JSON-typed): 404 with an XML-ish body.
HttpResult UnknownOperationXml() {
  return HttpResult{404, "<UnknownOperationException/>\n", "application/xml"};
}

std::string MediaType(std::string_view content_type) {
  std::string out;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c != ' ' && c != '\t') {
      out.push_back(
          static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

// The SigV4 credential scope "Credential=AKID/20240101/us-east-1/dynamodb/
// aws4_request" names the caller's access key and region.
struct Credential {
  std::string access_key;
  std::string region;
};

// A request's DOM, kept alive until its operation completes. RapidJSON's
// default pool allocates a 64 KB chunk (and the allocator for it) on the
// first value; freeing a block that large makes glibc consolidate its free
// lists, once per request (issue 8's UpdateItem profile). A first chunk
// inside this object holds the DOM of a typical item request; larger ones
// grow by ordinary chunks.
struct ParsedBody {
  static constexpr size_t kInlineBytes = 8 * 1024;
  static constexpr size_t kChunkBytes = 16 * 1024;
  // User-provided, so that make_shared does not zero the chunk first.
  ParsedBody() {}  // NOLINT(modernize-use-equals-default)
  alignas(16) char first_chunk[kInlineBytes];
  rapidjson::MemoryPoolAllocator<> allocator{first_chunk, sizeof first_chunk,
                                             kChunkBytes};
  rapidjson::Document document{&allocator};
};

Credential ParseCredential(std::string_view authorization) {
  Credential credential;
  size_t start = authorization.find("Credential=");
  if (start == std::string_view::npos) return credential;
  std::string_view scope = authorization.substr(start + 11);
  scope = scope.substr(0, scope.find_first_of(", "));
  size_t slash = scope.find('/');
  if (slash == std::string_view::npos) return credential;
  credential.access_key = std::string(scope.substr(0, slash));
  std::string_view rest = scope.substr(slash + 1);  // date/region/service/...
  size_t date_end = rest.find('/');
  if (date_end == std::string_view::npos) return credential;
  rest = rest.substr(date_end + 1);
  credential.region = std::string(rest.substr(0, rest.find('/')));
  return credential;
}

// "dynamodb.eu-west-1.amazonaws.com[:port]" names a region too.
std::string RegionFromHost(std::string_view host) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  host = host.substr(0, host.find(':'));
  if (host.size() <= kSuffix.size() ||
      host.substr(host.size() - kSuffix.size()) != kSuffix) {
    return "";
  }
  host.remove_suffix(kSuffix.size());
  size_t dot = host.rfind('.');
  return std::string(dot == std::string_view::npos ? host
                                                   : host.substr(dot + 1));
}

bool IsValidRegion(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Router::Router(Storage& storage, RouterOptions options)
    : storage_(storage), options_(std::move(options)) {}

void Router::Handle(HttpRequestInfo request,
                    std::function<void(HttpResult)> done) {
  // Health checks and wait-for scripts poke the endpoint with GET; DynamoDB
  // answers its root with a plain-text line naming the host addressed.
  std::string_view path = request.path;
  path = path.substr(0, path.find('?'));
  if (request.method == "GET" && path == "/") {
    return done(
        HttpResult{200, "healthy: " + request.host + " ", "text/plain"});
  }
  std::string media_type = MediaType(request.content_type);
  if (request.method != "POST" ||
      (!request.body.empty() && media_type != "application/json" &&
       media_type != "application/x-amz-json-1.0")) {
    return done(UnknownOperationXml());
  }

  // DynamoDB parses the body before it looks at the target.
  auto parsed = std::make_shared<ParsedBody>();
  rapidjson::Document* const document = &parsed->document;
  if (!request.body.empty()) {
    // Iterative parsing: a hostile body of deeply nested arrays must not
    // exhaust the stack.
    // Malformed UTF-8 is a SerializationException, as in DynamoDB: stored,
    // it would make every response carrying it invalid JSON. A body that is
    // valid UTF-8 throughout is parsed without RapidJSON's slow per-byte
    // validation; any other body takes the validating parse, which gives
    // exactly the old answer (it only looks inside strings and up to the end
    // of the JSON value).
    constexpr unsigned kFlags =
        rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;
    if (IsValidUtf8(request.body)) {
      // The null-terminated Parse is the one RapidJSON's SSE2 scanning
      // applies to. Its aligned 16-byte loads may read up to 15 bytes past
      // the terminator, so the buffer is made to hold them. (A NUL inside
      // the body ends the text early; a raw NUL is invalid JSON anywhere
      // before the value's end, so the answer is the same error.)
      request.body.reserve(request.body.size() + 16);
      document->Parse<kFlags>(request.body.c_str());
    } else {
      document->Parse<kFlags | rapidjson::kParseValidateEncodingFlag>(
          request.body.data(), request.body.size());
    }
    if (document->HasParseError()) {
      return done(ErrorResult(ApiError::Serialization("")));
    }
  }

  std::string_view target = request.amz_target;
  if (target.substr(0, kTargetPrefix.size()) != kTargetPrefix) {
    return done(ErrorResult(ApiError("UnknownOperationException", "")));
  }
  std::string_view operation = target.substr(kTargetPrefix.size());
  // Every answer from here on names the operation and table in the request
  // log.
  {
    std::string table;
    if (document->IsObject() && document->HasMember("TableName")) {
      const rapidjson::Value& name = (*document)["TableName"];
      if (name.IsString()) {
        table.assign(name.GetString(),
                     std::min<size_t>(name.GetStringLength(), 255));
      }
    }
    done = [done = std::move(done), op = std::string(operation),
            table = std::move(table)](HttpResult result) {
      result.operation = op;
      result.table = table;
      done(std::move(result));
    };
  }
  OpHandler handler = FindOperation(operation);
  if (handler == nullptr) {
    if (IsDynamoDbOperation(operation)) {
      return done(ErrorResult(ApiError(
          "UnknownOperationException",
          "dynalocal does not implement " + std::string(operation) + " yet")));
    }
    return done(ErrorResult(ApiError("UnknownOperationException", "")));
  }

  if (request.authorization.empty() && !request.has_amz_algorithm_query) {
    return done(ErrorResult(ApiError("MissingAuthenticationTokenException",
                                     "Request is missing Authentication "
                                     "Token")));
  }
  // DynamoDB checks the signature after the target and before it looks at
  // what the body asks for.
  std::optional<AuthenticatedCaller> caller;
  if (options_.auth.required) {
    try {
      caller = VerifySigV4(request, options_.auth);
    } catch (const ApiError& error) {
      return done(ErrorResult(error));
    }
  }
  if (request.body.empty() || !document->IsObject()) {
    return done(ErrorResult(ApiError::Serialization("")));
  }

  Credential credential = ParseCredential(request.authorization);
  std::string region = credential.region;
  if (!IsValidRegion(region)) region = RegionFromHost(request.host);
  if (!IsValidRegion(region)) region = options_.default_region;

  OpContext ctx;
  ctx.storage = &storage_;
  ctx.region = region;
  ctx.delay_transient_statuses = options_.delay_transient_statuses;
  switch (options_.namespace_mode) {
    case NamespaceMode::kShared:
      ctx.ns = "";
      break;
    case NamespaceMode::kPerRegion:
      ctx.ns = region;
      break;
    case NamespaceMode::kPerAccessKey:
      ctx.ns = credential.access_key + "/" + region;
      break;
  }
  if (caller.has_value()) {
    // With keys that mean something, each one is an account of its own:
    // its tables, per region, whatever the namespace mode says (the same
    // namespace --per-access-key gives, so the data stays put when auth is
    // turned on or off in that mode).
    ctx.region = caller->region;
    ctx.ns = caller->access_key + "/" + caller->region;
  }

  auto shared_done =
      std::make_shared<std::function<void(HttpResult)>>(std::move(done));
  auto complete = [shared_done, parsed, request_id = request.request_id](
                      std::exception_ptr error, std::string body) {
    if (!error) {
      return (*shared_done)(
          HttpResult{200, std::move(body), "application/x-amz-json-1.0"});
    }
    try {
      std::rethrow_exception(error);
    } catch (const ApiError& api_error) {
      (*shared_done)(ErrorResult(api_error));
    } catch (const std::exception& failure) {
      spdlog::error("request {}: internal error: {}", request_id,
                    failure.what());
      (*shared_done)(ErrorResult(ApiError::Internal(
          "The server encountered an internal error trying to fulfill the "
          "request")));
    }
  };
  try {
    handler(*document, ctx, complete);
  } catch (...) {
    complete(std::current_exception(), "");
  }
}

HttpResult Router::HandleSync(HttpRequestInfo request) {
  std::promise<HttpResult> promise;
  std::future<HttpResult> future = promise.get_future();
  Handle(std::move(request), [&promise](HttpResult result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

}  // namespace ddb
