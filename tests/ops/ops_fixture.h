// Operation tests: JSON in, JSON out through the router over an in-memory
// store; no sockets.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>
#include <string>

#include "core/json_writer.h"
#include "server/router.h"
#include "storage/storage.h"

namespace ddb::testing {

struct Response {
  int status = 0;
  std::string body;
  rapidjson::Document json;

  // "__type" without its namespace prefix, e.g. "ValidationException".
  std::string ErrorType() const {
    if (!json.IsObject() || !json.HasMember("__type")) return "";
    std::string type = json["__type"].GetString();
    return type.substr(type.find('#') + 1);
  }
  std::string FullType() const {
    return json.IsObject() && json.HasMember("__type")
               ? json["__type"].GetString()
               : "";
  }
  std::string Message() const {
    if (!json.IsObject()) return "";
    if (json.HasMember("message")) return json["message"].GetString();
    if (json.HasMember("Message")) return json["Message"].GetString();
    return "";
  }
};

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions options;
    options.in_memory = true;
    options.map_size = uint64_t{1} << 30;
    storage_ = Storage::Open(options);
    router_ = std::make_unique<Router>(*storage_, RouterOptions{});
  }
  void TearDown() override {
    router_.reset();
    storage_.reset();
  }

  Response Call(const std::string& operation, const std::string& body,
                const std::string& region = "us-east-1") {
    HttpRequestInfo request;
    request.method = "POST";
    request.path = "/";
    request.amz_target = "DynamoDB_20120810." + operation;
    request.content_type = "application/x-amz-json-1.0";
    request.authorization =
        "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/" + region +
        "/dynamodb/aws4_request, SignedHeaders=host, Signature=abc";
    request.host = "localhost:8000";
    request.body = body;
    return Send(std::move(request));
  }

  Response Send(HttpRequestInfo request) {
    HttpResult result = router_->HandleSync(std::move(request));
    Response response;
    response.status = result.status;
    response.body = result.body;
    response.json.Parse(result.body.data(), result.body.size());
    return response;
  }

  // Asserts a 400 with the exact short type and message.
  void ExpectError(const Response& response, const std::string& type,
                   const std::string& message) {
    EXPECT_EQ(response.status, 400) << response.body;
    EXPECT_EQ(response.ErrorType(), type) << response.body;
    EXPECT_EQ(response.Message(), message) << response.body;
  }

  void CreateHashTable(const std::string& name, const std::string& type = "S") {
    Response r = Call(
        "CreateTable",
        R"({"TableName":")" + name +
            R"(","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":")" +
            type +
            R"("}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void CreateCompositeTable(const std::string& name,
                            const std::string& sort_type = "N") {
    Response r = Call(
        "CreateTable",
        R"({"TableName":")" + name +
            R"(","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":")" +
            sort_type +
            R"("}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static std::string ToString(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    value.Accept(writer);
    return buffer.GetString();
  }

  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Router> router_;
};

}  // namespace ddb::testing
