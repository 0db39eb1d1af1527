// The HTTP server in front of the real router and an in-memory storage:
// what a client on the wire sees, including results that come back from the
// storage writer thread.
#include <gtest/gtest.h>

#include <memory>

#include "server/crc32.h"
#include "server/http_server.h"
#include "server/router.h"
#include "storage/storage.h"
#include "tests/unit/server/http_test_client.h"

namespace ddb {
namespace {

using testing::DynamoRequest;
using testing::Response;
using testing::TestClient;

constexpr std::string_view kAuth =
    "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/"
    "dynamodb/aws4_request, SignedHeaders=host, Signature=abc\r\n";

class HttpRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions storage_options;
    storage_options.in_memory = true;
    storage_ = Storage::Open(storage_options);
    router_ = std::make_unique<Router>(*storage_, RouterOptions{});
    HttpServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(options, *router_);
    server_->Start();
  }

  // The order main() uses: no result may arrive at a destroyed server.
  void TearDown() override {
    server_->Stop();
    storage_->Shutdown();
    server_.reset();
    router_.reset();
    storage_.reset();
  }

  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
};

void ExpectTransportHeaders(const Response& res) {
  EXPECT_EQ(res["x-amz-crc32"], std::to_string(Crc32(res.body())));
  EXPECT_EQ(res["x-amzn-RequestId"].size(), 52u);
  EXPECT_EQ(res["Content-Length"], std::to_string(res.body().size()));
  EXPECT_FALSE(res["Date"].empty());
}

TEST_F(HttpRouterTest, GetRootIsAnswered) {
  TestClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: localhost:8000\r\n\r\n");
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.body().empty());
  ExpectTransportHeaders(res);
}

TEST_F(HttpRouterTest, ErrorsCarryTheTransportHeaders) {
  TestClient client(server_->port());
  client.Send(DynamoRequest("ListTables", "{}"));  // no Authorization
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("MissingAuthenticationTokenException"),
            std::string::npos)
      << res.body();
  EXPECT_EQ(res["Content-Type"], "application/x-amz-json-1.0");
  ExpectTransportHeaders(res);
}

TEST_F(HttpRouterTest, PipelinedWritesAndReadsInOrder) {
  TestClient client(server_->port());
  // Writes finish on the storage writer thread; the answers must still come
  // back in request order, each after its own write.
  client.Send(
      DynamoRequest("CreateTable",
                    R"({"TableName":"tab","AttributeDefinitions":[)"
                    R"({"AttributeName":"k","AttributeType":"S"}],)"
                    R"("KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],)"
                    R"("BillingMode":"PAY_PER_REQUEST"})",
                    kAuth) +
      DynamoRequest(
          "PutItem",
          R"({"TableName":"tab","Item":{"k":{"S":"a"},"v":{"N":"1"}}})",
          kAuth) +
      DynamoRequest("GetItem", R"({"TableName":"tab","Key":{"k":{"S":"a"}}})",
                    kAuth) +
      DynamoRequest("ListTables", "{}", kAuth));
  Response create = client.MustRead();
  EXPECT_EQ(create.result_int(), 200) << create.body();
  EXPECT_NE(create.body().find("TableDescription"), std::string::npos);
  Response put = client.MustRead();
  EXPECT_EQ(put.result_int(), 200) << put.body();
  Response get = client.MustRead();
  EXPECT_EQ(get.result_int(), 200) << get.body();
  EXPECT_NE(get.body().find(R"("v":{"N":"1"})"), std::string::npos)
      << get.body();
  Response list = client.MustRead();
  EXPECT_NE(list.body().find(R"("TableNames":["tab"])"), std::string::npos)
      << list.body();
  for (const Response* res : {&create, &put, &get, &list}) {
    ExpectTransportHeaders(*res);
  }
}

}  // namespace
}  // namespace ddb
