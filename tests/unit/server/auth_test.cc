// SigV4 verification: AWS's published examples for each step of the
// algorithm, then every answer DynamoDB gives a badly signed request, through
// the router (auth required, clock fixed).
#include "server/auth.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/router.h"
#include "storage/storage.h"

namespace ddb {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono;

// The secret of AWS's documentation examples and test suite.
constexpr std::string_view kExampleSecret =
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Signs like the AWS test suite: region us-east-1, service "service",
// 20150830T123600Z.
std::string SuiteSignature(std::string_view method, std::string_view target,
                           const Headers& headers,
                           const std::vector<std::string>& signed_headers,
                           std::string_view payload_hash) {
  std::string canonical = sigv4::CanonicalRequest(method, target, headers,
                                                  signed_headers, payload_hash);
  std::string to_sign = sigv4::StringToSign(
      "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical);
  return sigv4::Signature(kExampleSecret, "20150830", "us-east-1", "service",
                          to_sign);
}

const Headers kSuiteHeaders = {{"Host", "example.amazonaws.com"},
                               {"X-Amz-Date", "20150830T123600Z"}};

TEST(SigV4Test, Sha256OfNothing) {
  EXPECT_EQ(sigv4::Sha256Hex(""), kEmptyHash);
}

TEST(SigV4Test, SigningKeyOfTheDocumentedExample) {
  EXPECT_EQ(sigv4::Hex(sigv4::SigningKey(kExampleSecret, "20150830",
                                         "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

// The IAM ListUsers walkthrough of the SigV4 documentation.
TEST(SigV4Test, IamListUsersExample) {
  Headers headers = {
      {"Host", "iam.amazonaws.com"},
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"X-Amz-Date", "20150830T123600Z"}};
  std::string canonical = sigv4::CanonicalRequest(
      "GET", "/?Action=ListUsers&Version=2010-05-08", headers,
      {"content-type", "host", "x-amz-date"}, kEmptyHash);
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(sigv4::Sha256Hex(canonical),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  std::string to_sign = sigv4::StringToSign(
      "20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical);
  EXPECT_EQ(
      sigv4::Signature(kExampleSecret, "20150830", "us-east-1", "iam", to_sign),
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4Test, TestSuiteGetVanilla) {
  EXPECT_EQ(SuiteSignature("GET", "/", kSuiteHeaders, {"host", "x-amz-date"},
                           kEmptyHash),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, TestSuiteGetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(SuiteSignature("GET", "/?Param2=value2&Param1=value1",
                           kSuiteHeaders, {"host", "x-amz-date"}, kEmptyHash),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, TestSuitePostVanilla) {
  EXPECT_EQ(SuiteSignature("POST", "/", kSuiteHeaders, {"host", "x-amz-date"},
                           kEmptyHash),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

// The path as it arrives, raw UTF-8: the canonical form percent-encodes it.
TEST(SigV4Test, TestSuiteGetUtf8) {
  EXPECT_EQ(SuiteSignature("GET", "/\xE1\x88\xB4", kSuiteHeaders,
                           {"host", "x-amz-date"}, kEmptyHash),
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST(SigV4Test, TestSuitePostFormWithContentSha256) {
  std::string body_hash = sigv4::Sha256Hex("Param1=value1");
  EXPECT_EQ(body_hash,
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  Headers headers = {{"X-Amz-Date", "20150830T123600Z"},
                     {"Content-Type", "application/x-www-form-urlencoded"},
                     {"Host", "example.amazonaws.com"},
                     {"Content-Length", "13"},
                     {"X-Amz-Content-Sha256", body_hash}};
  EXPECT_EQ(SuiteSignature("POST", "/", headers,
                           {"content-length", "content-type", "host",
                            "x-amz-content-sha256", "x-amz-date"},
                           body_hash),
            "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
}

TEST(SigV4Test, CanonicalUriNormalizesAndEncodes) {
  EXPECT_EQ(sigv4::CanonicalUri(""), "/");
  EXPECT_EQ(sigv4::CanonicalUri("/"), "/");
  EXPECT_EQ(sigv4::CanonicalUri("//"), "/");
  EXPECT_EQ(sigv4::CanonicalUri("//example//"), "/example/");
  EXPECT_EQ(sigv4::CanonicalUri("/example/.."), "/");
  EXPECT_EQ(sigv4::CanonicalUri("/example1/example2/../.."), "/");
  EXPECT_EQ(sigv4::CanonicalUri("/./example"), "/example");
  EXPECT_EQ(sigv4::CanonicalUri("/example space/"), "/example%20space/");
  // What arrives already encoded is encoded again (every service but S3).
  EXPECT_EQ(sigv4::CanonicalUri("/a%20b"), "/a%2520b");
  EXPECT_EQ(sigv4::CanonicalUri("/-_.~"), "/-_.~");
}

TEST(SigV4Test, CanonicalQuerySortsAndEncodes) {
  EXPECT_EQ(sigv4::CanonicalQuery("", false), "");
  EXPECT_EQ(sigv4::CanonicalQuery("b=2&a=1&A=0", false), "A=0&a=1&b=2");
  EXPECT_EQ(sigv4::CanonicalQuery("Param1=value2&Param1=Value1", false),
            "Param1=Value1&Param1=value2");
  EXPECT_EQ(sigv4::CanonicalQuery("flag&x=a%20b&y=a b&z=%7e", false),
            "flag=&x=a%20b&y=a%20b&z=~");
  EXPECT_EQ(sigv4::CanonicalQuery("\xE1\x88\xB4=bar", false), "%E1%88%B4=bar");
  EXPECT_EQ(sigv4::CanonicalQuery("X-Amz-Signature=abc&X-Amz-Date=1", true),
            "X-Amz-Date=1");
}

TEST(SigV4Test, CanonicalHeadersTrimAndJoinValues) {
  Headers headers = {{"Host", "h"},
                     {"My-Header1", "  a   b \t c  "},
                     {"my-header1", "second"}};
  EXPECT_EQ(sigv4::CanonicalRequest("POST", "/", headers,
                                    {"host", "my-header1"}, "x"),
            "POST\n/\n\nhost:h\nmy-header1:a b c,second\n\nhost;my-header1\nx");
}

// --- Through the router: what a client sees. ---

constexpr std::string_view kKey1 = "AKIDONE";
constexpr std::string_view kSecret1 = "secret-one";
constexpr std::string_view kKey2 = "AKIDTWO";
constexpr std::string_view kSecret2 = "secret-two";
// The fixed server clock: 2024-01-01T12:00:00Z.
const system_clock::time_point kNow = sys_days{year{2024} / 1 / 1} + hours{12};
constexpr std::string_view kNowIso = "20240101T120000Z";

struct Signing {
  std::string key = std::string(kKey1);
  std::string secret = std::string(kSecret1);
  std::string amz_date = std::string(kNowIso);
  std::string scope_date = "20240101";
  std::string region = "us-east-1";
  std::string service = "dynamodb";
  std::vector<std::string> signed_headers = {"content-type", "host",
                                             "x-amz-date", "x-amz-target"};
};

// A request as the HTTP layer hands it over (headers captured), signed the
// way an SDK signs it.
HttpRequestInfo SignedRequest(std::string_view operation, std::string body,
                              const Signing& s = {}) {
  HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.amz_target = "DynamoDB_20120810." + std::string(operation);
  request.content_type = "application/x-amz-json-1.0";
  request.host = "127.0.0.1:8000";
  request.body = std::move(body);
  request.request_id = "TEST";
  request.headers = {{"Host", request.host},
                     {"Content-Type", request.content_type},
                     {"X-Amz-Date", s.amz_date},
                     {"X-Amz-Target", request.amz_target}};
  std::string canonical =
      sigv4::CanonicalRequest(request.method, request.path, request.headers,
                              s.signed_headers, sigv4::Sha256Hex(request.body));
  std::string scope =
      s.scope_date + "/" + s.region + "/" + s.service + "/aws4_request";
  std::string signature =
      sigv4::Signature(s.secret, s.scope_date, s.region, s.service,
                       sigv4::StringToSign(s.amz_date, scope, canonical));
  std::string signed_list;
  for (const std::string& h : s.signed_headers) {
    signed_list += (signed_list.empty() ? "" : ";") + h;
  }
  request.authorization = "AWS4-HMAC-SHA256 Credential=" + s.key + "/" + scope +
                          ", SignedHeaders=" + signed_list +
                          ", Signature=" + signature;
  request.headers.emplace_back("Authorization", request.authorization);
  return request;
}

void SetAuthorization(HttpRequestInfo& request, std::string value) {
  request.authorization = value;
  for (auto& [name, v] : request.headers) {
    if (name == "Authorization") v = value;
  }
}

struct Error {
  std::string type;  // without the namespace
  std::string message;
};

Error ErrorOf(const HttpResult& result) {
  rapidjson::Document doc;
  doc.Parse(result.body.data(), result.body.size());
  Error error;
  if (!doc.IsObject() || !doc.HasMember("__type")) return error;
  std::string type = doc["__type"].GetString();
  error.type = type.substr(type.find('#') + 1);
  for (const char* name : {"message", "Message"}) {
    if (doc.HasMember(name)) error.message = doc[name].GetString();
  }
  return error;
}

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you "
    "provided. Check your AWS Secret Access Key and signing method. Consult "
    "the service documentation for details.";

class AuthRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions storage_options;
    storage_options.in_memory = true;
    storage_ = Storage::Open(storage_options);
    RouterOptions options;
    options.auth.required = true;
    options.auth.secrets = {{std::string(kKey1), std::string(kSecret1)},
                            {std::string(kKey2), std::string(kSecret2)}};
    options.auth.clock = [] { return kNow; };
    router_ = std::make_unique<Router>(*storage_, options);
  }
  void TearDown() override {
    storage_->Shutdown();
    router_.reset();
    storage_.reset();
  }

  HttpResult Send(HttpRequestInfo request) {
    return router_->HandleSync(std::move(request));
  }
  // The error DynamoDB's type and message for `request`, which must fail
  // with status 400.
  Error Fail(HttpRequestInfo request) {
    HttpResult result = Send(std::move(request));
    EXPECT_EQ(result.status, 400) << result.body;
    return ErrorOf(result);
  }
  std::vector<std::string> Tables(const Signing& s) {
    HttpResult result = Send(SignedRequest("ListTables", "{}", s));
    EXPECT_EQ(result.status, 200) << result.body;
    rapidjson::Document doc;
    doc.Parse(result.body.data(), result.body.size());
    std::vector<std::string> names;
    for (const auto& name : doc["TableNames"].GetArray()) {
      names.emplace_back(name.GetString());
    }
    return names;
  }

  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Router> router_;
};

constexpr std::string_view kCreateTable =
    R"({"TableName":"tbl","AttributeDefinitions":[{"AttributeName":"pk",)"
    R"("AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk",)"
    R"("KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})";

TEST_F(AuthRouterTest, CorrectlySignedRequestsWork) {
  HttpResult result = Send(SignedRequest("ListTables", "{}"));
  EXPECT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.body, R"({"TableNames":[]})");
}

TEST_F(AuthRouterTest, EachAccessKeySeesOnlyItsOwnTables) {
  HttpResult created =
      Send(SignedRequest("CreateTable", std::string(kCreateTable)));
  ASSERT_EQ(created.status, 200) << created.body;
  Signing one;
  Signing two;
  two.key = kKey2;
  two.secret = kSecret2;
  Signing one_elsewhere;
  one_elsewhere.region = "eu-west-1";
  EXPECT_EQ(Tables(one), std::vector<std::string>{"tbl"});
  EXPECT_TRUE(Tables(two).empty());
  EXPECT_TRUE(Tables(one_elsewhere).empty());
  // The second key may create its own table of the same name.
  EXPECT_EQ(
      Send(SignedRequest("CreateTable", std::string(kCreateTable), two)).status,
      200);
  EXPECT_EQ(Tables(two), std::vector<std::string>{"tbl"});
}

TEST_F(AuthRouterTest, WrongSecretIsAnInvalidSignature) {
  Signing s;
  s.secret = "not-the-secret";
  Error error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.type, "InvalidSignatureException");
  // DynamoDB goes on with what it signed, to help find a signer's bug.
  EXPECT_EQ(error.message.substr(0, kMismatch.size()), kMismatch);
  EXPECT_NE(error.message.find(
                "\n\nThe Canonical String for this request should have been\n"
                "'POST\n/\n\ncontent-type:application/x-amz-json-1.0\n"
                "host:127.0.0.1:8000\nx-amz-date:20240101T120000Z\n"
                "x-amz-target:DynamoDB_20120810.ListTables\n\n"
                "content-type;host;x-amz-date;x-amz-target\n" +
                sigv4::Sha256Hex("{}") +
                "'\n\nThe String-to-Sign should have been\n"
                "'AWS4-HMAC-SHA256\n20240101T120000Z\n"
                "20240101/us-east-1/dynamodb/aws4_request\n"),
            std::string::npos)
      << error.message;
  // Never the secret.
  EXPECT_EQ(error.message.find(kSecret1), std::string::npos);
}

TEST_F(AuthRouterTest, ChangedBodyOrHeaderIsAnInvalidSignature) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  request.body = R"({"Limit":1})";
  EXPECT_EQ(Fail(request).type, "InvalidSignatureException");

  request = SignedRequest("ListTables", "{}");
  for (auto& [name, value] : request.headers) {
    if (name == "X-Amz-Target") value = "DynamoDB_20120810.ListTable";
  }
  EXPECT_EQ(Fail(request).type, "InvalidSignatureException");

  // The signature must match exactly: one character off, or more or less.
  request = SignedRequest("ListTables", "{}");
  std::string auth = request.authorization;
  auth.back() = auth.back() == '0' ? '1' : '0';
  SetAuthorization(request, auth);
  EXPECT_EQ(Fail(request).type, "InvalidSignatureException");
  SetAuthorization(request, auth + "0");
  EXPECT_EQ(Fail(request).type, "InvalidSignatureException");
}

TEST_F(AuthRouterTest, UnsignedHeadersMayChange) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  request.headers.emplace_back("User-Agent", "anything");
  EXPECT_EQ(Send(request).status, 200);
}

TEST_F(AuthRouterTest, UnknownAccessKey) {
  Signing s;
  s.key = "AKIDNOBODY";
  Error error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.type, "UnrecognizedClientException");
  EXPECT_EQ(error.message,
            "The security token included in the request is invalid.");
}

TEST_F(AuthRouterTest, MissingOrForeignAuthorization) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  SetAuthorization(request, "");
  Error error = Fail(request);
  EXPECT_EQ(error.type, "MissingAuthenticationTokenException");
  EXPECT_EQ(error.message, "Request is missing Authentication Token");
  SetAuthorization(request, "Basic dXNlcjpwYXNz");
  EXPECT_EQ(Fail(request).type, "MissingAuthenticationTokenException");
}

TEST_F(AuthRouterTest, IncompleteAuthorization) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKIDONE/20240101/us-east-1/dynamodb/"
      "aws4_request";
  SetAuthorization(request, auth);
  Error error = Fail(request);
  EXPECT_EQ(error.type, "IncompleteSignatureException");
  EXPECT_EQ(error.message,
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=" +
                auth);

  // No date at all, nor anything else.
  request = SignedRequest("ListTables", "{}");
  std::erase_if(request.headers,
                [](const auto& h) { return h.first == "X-Amz-Date"; });
  SetAuthorization(request, "AWS4-HMAC-SHA256");
  EXPECT_EQ(Fail(request).message,
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a "
            "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256");
}

TEST_F(AuthRouterTest, PairWithoutEqualSign) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKIDONE /20240101/us-east-1/dynamodb/"
      "aws4_request, SignedHeaders=host, Signature=abc";
  SetAuthorization(request, auth);
  Error error = Fail(request);
  EXPECT_EQ(error.type, "IncompleteSignatureException");
  EXPECT_EQ(error.message,
            "'/20240101/us-east-1/dynamodb/aws4_request' not a valid "
            "key=value pair (missing equal-sign) in Authorization header: '" +
                auth + "'.");
}

TEST_F(AuthRouterTest, DateMustBeIsoBasic) {
  Signing s;
  s.amz_date = "2024-01-01T12:00:00Z";
  Error error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.type, "IncompleteSignatureException");
  EXPECT_EQ(
      error.message,
      "Date must be in ISO-8601 'basic format'. Got "
      "'2024-01-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
}

TEST_F(AuthRouterTest, ClockSkewLimits) {
  Signing s;
  s.amz_date = "20240101T114500Z";  // exactly 15 minutes old: fine
  EXPECT_EQ(Send(SignedRequest("ListTables", "{}", s)).status, 200);
  s.amz_date = "20240101T121500Z";  // exactly 15 minutes ahead: fine
  EXPECT_EQ(Send(SignedRequest("ListTables", "{}", s)).status, 200);

  s.amz_date = "20240101T114459Z";
  Error error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.type, "InvalidSignatureException");
  EXPECT_EQ(error.message,
            "Signature expired: 20240101T114459Z is now earlier than "
            "20240101T114500Z (20240101T120000Z - 15 min.)");

  s.amz_date = "20240101T121501Z";
  error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.type, "InvalidSignatureException");
  EXPECT_EQ(error.message,
            "Signature not yet current: 20240101T121501Z is still later than "
            "20240101T121500Z (20240101T120000Z + 15 min.)");
}

TEST_F(AuthRouterTest, FarDatesDoNotOverflow) {
  Signing s;
  s.amz_date = "99991231T235959Z";
  Error error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.message,
            "Signature not yet current: 99991231T235959Z is still later than "
            "20240101T121500Z (20240101T120000Z + 15 min.)");
  s.amz_date = "00000101T000000Z";
  EXPECT_EQ(Fail(SignedRequest("ListTables", "{}", s)).message.substr(0, 36),
            "Signature expired: 00000101T000000Z ");
}

TEST_F(AuthRouterTest, HttpDateHeaderServesWhenNoAmzDate) {
  HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.amz_target = "DynamoDB_20120810.ListTables";
  request.content_type = "application/x-amz-json-1.0";
  request.host = "localhost";
  request.body = "{}";
  request.headers = {{"Host", "localhost"},
                     {"Date", "Mon, 01 Jan 2024 12:00:00 GMT"}};
  std::string canonical = sigv4::CanonicalRequest(
      "POST", "/", request.headers, {"date", "host"}, sigv4::Sha256Hex("{}"));
  std::string signature = sigv4::Signature(
      kSecret1, "20240101", "us-east-1", "dynamodb",
      sigv4::StringToSign("20240101T120000Z",
                          "20240101/us-east-1/dynamodb/aws4_request",
                          canonical));
  request.authorization =
      "AWS4-HMAC-SHA256 Credential=AKIDONE/20240101/us-east-1/dynamodb/"
      "aws4_request, SignedHeaders=date;host, Signature=" +
      signature;
  EXPECT_EQ(Send(request).status, 200) << Send(request).body;
}

TEST_F(AuthRouterTest, HostMustBeSigned) {
  Signing s;
  s.signed_headers = {"content-type", "x-amz-date", "x-amz-target"};
  Error error = Fail(SignedRequest("ListTables", "{}", s));
  EXPECT_EQ(error.type, "InvalidSignatureException");
  EXPECT_EQ(error.message,
            "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST_F(AuthRouterTest, UnsupportedAlgorithm) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  std::string auth = request.authorization;
  auth.replace(0, std::string("AWS4-HMAC-SHA256").size(), "AWS4-HMAC-SHA512");
  SetAuthorization(request, auth);
  Error error = Fail(request);
  EXPECT_EQ(error.type, "IncompleteSignatureException");
  EXPECT_EQ(error.message,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only "
            "AWS4-HMAC-SHA256 for now). ");
}

TEST_F(AuthRouterTest, CredentialNeedsFiveElements) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  SetAuthorization(request,
                   "AWS4-HMAC-SHA256 Credential=AKIDONE/20240101/us-east-1/"
                   "dynamodb, SignedHeaders=host, Signature=abc");
  Error error = Fail(request);
  EXPECT_EQ(error.type, "IncompleteSignatureException");
  EXPECT_EQ(error.message,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got "
            "'AKIDONE/20240101/us-east-1/dynamodb'");
}

TEST_F(AuthRouterTest, CredentialScopeMustFit) {
  HttpRequestInfo request = SignedRequest("ListTables", "{}");
  SetAuthorization(request,
                   "AWS4-HMAC-SHA256 Credential=AKIDONE/20231231/US_EAST/s3/"
                   "aws5_request, SignedHeaders=host, Signature=abc");
  Error error = Fail(request);
  EXPECT_EQ(error.type, "InvalidSignatureException");
  EXPECT_EQ(error.message,
            "Credential should be scoped to a valid region, not 'US_EAST'. "
            "Credential should be scoped to correct service: 'dynamodb'. "
            "Credential should be scoped with a valid terminator: "
            "'aws4_request', not 'aws5_request'. Date in Credential scope "
            "does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            "'20231231' != '20240101', from '20240101T120000Z'.");
  // A scope naming another day is refused even when signed with it.
  Signing s;
  s.scope_date = "20240102";
  EXPECT_EQ(Fail(SignedRequest("ListTables", "{}", s)).type,
            "InvalidSignatureException");
}

TEST_F(AuthRouterTest, ContentSha256Header) {
  // Signed with the body's hash sent along: fine.
  Signing s;
  s.signed_headers = {"content-type", "host", "x-amz-content-sha256",
                      "x-amz-date", "x-amz-target"};
  auto with_hash = [&](std::string body, std::string claimed) {
    HttpRequestInfo request;
    request.method = "POST";
    request.path = "/";
    request.amz_target = "DynamoDB_20120810.ListTables";
    request.content_type = "application/x-amz-json-1.0";
    request.host = "h";
    request.body = std::move(body);
    request.headers = {{"Host", "h"},
                       {"Content-Type", request.content_type},
                       {"X-Amz-Content-Sha256", claimed},
                       {"X-Amz-Date", s.amz_date},
                       {"X-Amz-Target", request.amz_target}};
    std::string canonical = sigv4::CanonicalRequest(
        "POST", "/", request.headers, s.signed_headers, claimed);
    request.authorization =
        "AWS4-HMAC-SHA256 Credential=AKIDONE/20240101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;"
        "x-amz-date;x-amz-target, Signature=" +
        sigv4::Signature(
            kSecret1, "20240101", "us-east-1", "dynamodb",
            sigv4::StringToSign(s.amz_date,
                                "20240101/us-east-1/dynamodb/aws4_request",
                                canonical));
    return request;
  };
  EXPECT_EQ(Send(with_hash("{}", sigv4::Sha256Hex("{}"))).status, 200);
  // A hash that is not the body's: the body changed after signing.
  EXPECT_EQ(Fail(with_hash("{}", sigv4::Sha256Hex("{ }"))).type,
            "InvalidSignatureException");
}

TEST_F(AuthRouterTest, PresignedQuery) {
  HttpRequestInfo request;
  request.method = "POST";
  request.amz_target = "DynamoDB_20120810.ListTables";
  request.content_type = "application/x-amz-json-1.0";
  request.host = "h";
  request.body = "{}";
  request.has_amz_algorithm_query = true;
  request.headers = {{"Host", "h"}};
  std::string query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDONE%2F20240101%2F"
      "us-east-1%2Fdynamodb%2Faws4_request&X-Amz-Date=20240101T115000Z&"
      "X-Amz-Expires=60&X-Amz-SignedHeaders=host";
  std::string canonical =
      sigv4::CanonicalRequest("POST", "/?" + query, request.headers, {"host"},
                              sigv4::Sha256Hex("{}"), /*presigned=*/true);
  std::string signature = sigv4::Signature(
      kSecret1, "20240101", "us-east-1", "dynamodb",
      sigv4::StringToSign("20240101T115000Z",
                          "20240101/us-east-1/dynamodb/aws4_request",
                          canonical));
  request.path = "/?" + query + "&X-Amz-Signature=" + signature;
  EXPECT_EQ(Send(request).status, 200) << Send(request).body;
  request.path = "/?" + query + "&X-Amz-Signature=" + std::string(64, '0');
  EXPECT_EQ(Fail(request).type, "InvalidSignatureException");
  request.path = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256";
  EXPECT_EQ(Fail(request).type, "IncompleteSignatureException");
}

// What DynamoDB checks before the signature: a body that is not JSON, then
// the target. The signature comes before an empty body.
TEST_F(AuthRouterTest, OrderOfChecks) {
  Signing bad;
  bad.secret = "wrong";
  HttpRequestInfo request = SignedRequest("ListTables", "{not json", bad);
  EXPECT_EQ(Fail(request).type, "SerializationException");
  request = SignedRequest("NoSuchOperation", "{}", bad);
  EXPECT_EQ(Fail(request).type, "UnknownOperationException");
  request = SignedRequest("ListTables", "", bad);
  EXPECT_EQ(Fail(request).type, "InvalidSignatureException");
  request = SignedRequest("ListTables", "");
  EXPECT_EQ(Fail(request).type, "SerializationException");
}

// Without --require-auth any signature is accepted, as DynamoDB Local does.
TEST(AuthOptionalTest, AnySignatureWithoutRequireAuth) {
  StorageOptions storage_options;
  storage_options.in_memory = true;
  auto storage = Storage::Open(storage_options);
  {
    Router router(*storage, RouterOptions{});
    Signing s;
    s.secret = "whatever";
    s.amz_date = "20000101T000000Z";
    EXPECT_EQ(router.HandleSync(SignedRequest("ListTables", "{}", s)).status,
              200);
  }
  storage->Shutdown();
}

}  // namespace
}  // namespace ddb
