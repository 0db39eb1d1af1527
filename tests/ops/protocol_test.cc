// Router-level behaviour: what DynamoDB answers before any operation runs.
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

using ProtocolTest = OpsTest;

TEST_F(ProtocolTest, GetRootIsAHealthLineNamingTheHost) {
  HttpRequestInfo request;
  request.method = "GET";
  request.path = "/";
  request.host = "localhost:8000";
  Response r = Send(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "healthy: localhost:8000 ");
}

TEST_F(ProtocolTest, OtherMethodsGetUnknownOperation404) {
  HttpRequestInfo request;
  request.method = "PUT";
  request.path = "/";
  Response r = Send(request);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "<UnknownOperationException/>\n");
}

TEST_F(ProtocolTest, NonJsonContentTypeIsUnknownOperation404) {
  HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.content_type = "text/plain";
  request.amz_target = "DynamoDB_20120810.ListTables";
  request.body = "{}";
  EXPECT_EQ(Send(request).status, 404);
}

TEST_F(ProtocolTest, ApplicationJsonIsAccepted) {
  HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.content_type = "application/json; charset=utf-8";
  request.amz_target = "DynamoDB_20120810.ListTables";
  request.authorization = "AWS4-HMAC-SHA256 Credential=A/1/us-east-1/x/y";
  request.body = "{}";
  Response r = Send(request);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"TableNames":[]})");
}

TEST_F(ProtocolTest, MalformedJsonIsSerializationException) {
  Response r = Call("ListTables", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.FullType(), "com.amazon.coral.service#SerializationException");
}

TEST_F(ProtocolTest, UnknownTargetIsUnknownOperationException) {
  Response r = Call("NoSuchThing", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.FullType(), "com.amazon.coral.service#UnknownOperationException");

  HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.content_type = "application/x-amz-json-1.0";
  request.authorization = "AWS4-HMAC-SHA256 Credential=A/1/us-east-1/x/y";
  request.body = "{}";
  Response missing = Send(request);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.FullType(),
            "com.amazon.coral.service#UnknownOperationException");
}

TEST_F(ProtocolTest, MissingAuthorizationIsRejected) {
  HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.content_type = "application/x-amz-json-1.0";
  request.amz_target = "DynamoDB_20120810.ListTables";
  request.body = "{}";
  Response r = Send(request);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.FullType(),
            "com.amazon.coral.service#MissingAuthenticationTokenException");
  EXPECT_EQ(r.Message(), "Request is missing Authentication Token");
}

TEST_F(ProtocolTest, EmptyBodyAndNonObjectBodiesAreSerializationErrors) {
  EXPECT_EQ(Call("ListTables", "").ErrorType(), "SerializationException");
  EXPECT_EQ(Call("ListTables", "[1]").ErrorType(), "SerializationException");
}

TEST_F(ProtocolTest, DeeplyNestedJsonDoesNotCrash) {
  std::string body = R"({"TableName":"t","Item":{"a":)";
  for (int i = 0; i < 200000; ++i) body += R"({"L":[)";
  Response r = Call("PutItem", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.ErrorType(), "SerializationException");
}

TEST_F(ProtocolTest, TablesAreSeparatedByRegion) {
  CreateHashTable("regional");
  Response east = Call("ListTables", "{}", "us-east-1");
  Response west = Call("ListTables", "{}", "eu-west-1");
  EXPECT_EQ(east.body, R"({"TableNames":["regional"]})");
  EXPECT_EQ(west.body, R"({"TableNames":[]})");
  Response describe =
      Call("DescribeTable", R"({"TableName":"regional"})", "us-east-1");
  EXPECT_EQ(std::string(describe.json["Table"]["TableArn"].GetString()),
            "arn:aws:dynamodb:us-east-1:000000000000:table/regional");
}

TEST(SharedNamespaceTest, SharedDbSeesEveryRegionsTables) {
  StorageOptions options;
  options.in_memory = true;
  options.map_size = uint64_t{1} << 30;
  auto storage = Storage::Open(options);
  RouterOptions router_options;
  router_options.namespace_mode = NamespaceMode::kShared;
  Router router(*storage, router_options);
  auto call = [&](const std::string& op, const std::string& body,
                  const std::string& region) {
    HttpRequestInfo request;
    request.method = "POST";
    request.path = "/";
    request.content_type = "application/x-amz-json-1.0";
    request.amz_target = "DynamoDB_20120810." + op;
    request.authorization =
        "AWS4-HMAC-SHA256 Credential=K/20240101/" + region + "/dynamodb/x";
    request.body = body;
    return router.HandleSync(request);
  };
  HttpResult created = call(
      "CreateTable",
      R"({"TableName":"shared","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})",
      "us-east-1");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(call("ListTables", "{}", "ap-south-1").body,
            R"({"TableNames":["shared"]})");
}

}  // namespace
}  // namespace ddb::testing
