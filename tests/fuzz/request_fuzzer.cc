// libFuzzer target for whole requests: any body sent to any operation must
// come back as a well-formed response (200, or an error with DynamoDB's JSON
// body) — never a crash, a hang, a leak or a 500.
//
// Input: the first byte picks the operation, the rest is the request body.
// The router runs over one in-memory store with two tables (hash "h" with an
// S key, composite "c" with S/N keys and a GSI), so bodies that name them
// reach storage. Run e.g.
//   request_fuzzer -max_total_time=60 tests/fuzz/corpus/request
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/router.h"
#include "storage/storage.h"

namespace {

constexpr const char* kOperations[] = {
    "CreateTable",
    "DescribeTable",
    "ListTables",
    "DeleteTable",
    "PutItem",
    "GetItem",
    "DeleteItem",
    "UpdateItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
    "UpdateTable",
    "TagResource",
    "UntagResource",
    "ListTagsOfResource",
    "UpdateTimeToLive",
    "DescribeTimeToLive",
};
constexpr size_t kOperationCount = sizeof(kOperations) / sizeof(kOperations[0]);

ddb::HttpResult Send(ddb::Router& router, const std::string& operation,
                     std::string body) {
  ddb::HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.amz_target = "DynamoDB_20120810." + operation;
  request.content_type = "application/x-amz-json-1.0";
  request.authorization =
      "AWS4-HMAC-SHA256 Credential=FUZZ/20240101/us-east-1/dynamodb/"
      "aws4_request";
  request.host = "localhost";
  request.body = std::move(body);
  return router.HandleSync(std::move(request));
}

struct World {
  std::unique_ptr<ddb::Storage> storage;
  std::unique_ptr<ddb::Router> router;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World;
    ddb::StorageOptions options;
    options.in_memory = true;
    options.map_size = uint64_t{1} << 30;
    w->storage = ddb::Storage::Open(options);
    w->router =
        std::make_unique<ddb::Router>(*w->storage, ddb::RouterOptions{});
    Send(
        *w->router, "CreateTable",
        R"({"TableName":"h","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})");
    Send(
        *w->router, "CreateTable",
        R"({"TableName":"c","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"GlobalSecondaryIndexes":[{"IndexName":"gi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],"BillingMode":"PAY_PER_REQUEST"})");
    return w;
  }();
  return *world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  World& world = TheWorld();
  const std::string operation = kOperations[data[0] % kOperationCount];
  ddb::HttpResult result =
      Send(*world.router, operation,
           std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  // Client mistakes are 400s with a JSON error body; a 500 is a bug.
  if (result.status != 200 && result.status != 400) abort();
  rapidjson::Document body;
  body.Parse(result.body.c_str(), result.body.size());
  if (body.HasParseError() || !body.IsObject()) abort();
  if (result.status == 400 && !body.HasMember("__type")) abort();
  return 0;
}
