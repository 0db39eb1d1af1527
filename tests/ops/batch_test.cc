// BatchGetItem and BatchWriteItem: JSON in, JSON out, with DynamoDB's exact
// messages.
#include <string>

#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class BatchTest : public OpsTest {
 protected:
  void SetUp() override {
    OpsTest::SetUp();
    CreateHashTable("items");
    CreateCompositeTable("events");
  }

  static std::string PutRequest(const std::string& pk,
                                const std::string& extra = "") {
    return R"({"PutRequest":{"Item":{"pk":{"S":")" + pk + R"("})" + extra +
           "}}}";
  }
  static std::string Keys(int from, int to) {
    std::string keys;
    for (int i = from; i < to; ++i) {
      if (!keys.empty()) keys += ",";
      keys += R"({"pk":{"S":"k)" + std::to_string(i) + R"("}})";
    }
    return "[" + keys + "]";
  }
  void PutMany(int count, const std::string& extra = "") {
    for (int start = 0; start < count; start += 25) {
      std::string requests;
      for (int i = start; i < std::min(count, start + 25); ++i) {
        if (!requests.empty()) requests += ",";
        requests += PutRequest("k" + std::to_string(i), extra);
      }
      Response r = Call("BatchWriteItem",
                        R"({"RequestItems":{"items":[)" + requests + "]}}");
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
};

// ---- BatchWriteItem ------------------------------------------------------

TEST_F(BatchTest, WriteAcrossTablesAndReportNothingUnprocessed) {
  Response r = Call(
      "BatchWriteItem",
      R"({"RequestItems":{"items":[)" + PutRequest("a", R"(,"v":{"N":"1"})") +
          "," + PutRequest("b") +
          R"(],"events":[{"PutRequest":{"Item":{"pk":{"S":"e"},"sk":{"N":"1"}}}}]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"UnprocessedItems":{}})");
  EXPECT_EQ(
      Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"a"}}})").body,
      R"({"Item":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  EXPECT_EQ(
      Call("GetItem",
           R"({"TableName":"events","Key":{"pk":{"S":"e"},"sk":{"N":"1"}}})")
          .json["Item"]["sk"]["N"]
          .GetString(),
      std::string("1"));

  Response del = Call(
      "BatchWriteItem",
      R"({"RequestItems":{"items":[{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"missing"}}}}]},"ReturnConsumedCapacity":"TOTAL"})");
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(
      del.body,
      R"({"ConsumedCapacity":[{"TableName":"items","CapacityUnits":2.0}],"UnprocessedItems":{}})");
  EXPECT_EQ(
      Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"a"}}})").body,
      "{}");
  Response described = Call("DescribeTable", R"({"TableName":"items"})");
  EXPECT_EQ(described.json["Table"]["ItemCount"].GetInt(), 1);
}

TEST_F(BatchTest, WriteEmptyRequestItems) {
  ExpectError(Call("BatchWriteItem", R"({"RequestItems":{}})"),
              "ValidationException",
              "The requestItems parameter is required for BatchWriteItem");
}

TEST_F(BatchTest, WriteMissingRequestItemsAndBadEnums) {
  ExpectError(
      Call(
          "BatchWriteItem",
          R"({"ReturnConsumedCapacity":"hi","ReturnItemCollectionMetrics":"hi"})"),
      "ValidationException",
      "3 validation errors detected: Value 'hi' at 'returnConsumedCapacity' "
      "failed to satisfy constraint: Member must satisfy enum value set: "
      "[INDEXES, TOTAL, NONE]; Value 'hi' at 'returnItemCollectionMetrics' "
      "failed to satisfy constraint: Member must satisfy enum value set: "
      "[SIZE, NONE]; Value null at 'requestItems' failed to satisfy "
      "constraint: Member must not be null");
}

TEST_F(BatchTest, WriteMoreThan25Requests) {
  std::string requests;
  for (int i = 0; i < 26; ++i) {
    if (!requests.empty()) requests += ",";
    requests += PutRequest("k" + std::to_string(i));
  }
  Response r = Call("BatchWriteItem",
                    R"({"RequestItems":{"items":[)" + requests + "]}}");
  EXPECT_EQ(r.ErrorType(), "ValidationException");
  std::string message = r.Message();
  EXPECT_EQ(message.rfind("1 validation error detected: Value '{items=[", 0),
            0u)
      << message;
  const std::string tail =
      "]}' at 'requestItems' failed to satisfy constraint: Map value must "
      "satisfy constraint: [Member must have length less than or equal to "
      "25, Member must have length greater than or equal to 1]";
  ASSERT_GE(message.size(), tail.size());
  EXPECT_EQ(message.substr(message.size() - tail.size()), tail);
}

TEST_F(BatchTest, WriteShortTableNameAndMissingMembers) {
  Response r = Call(
      "BatchWriteItem",
      R"({"RequestItems":{"aa;":[{"PutRequest":{},"DeleteRequest":{}}]}})");
  EXPECT_EQ(r.ErrorType(), "ValidationException");
  EXPECT_EQ(
      r.Message(),
      "3 validation errors detected: Value '{aa;=[{PutRequest={}, "
      "DeleteRequest={}}]}' at 'requestItems' failed to satisfy constraint: "
      "Map keys must satisfy constraint: [Member must have length less than "
      "or equal to 255, Member must have length greater than or equal to 3, "
      "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]; "
      "Value null at 'requestItems.aa;.member.1.member.deleteRequest.key' "
      "failed to satisfy constraint: Member must not be null; Value null at "
      "'requestItems.aa;.member.1.member.putRequest.item' failed to satisfy "
      "constraint: Member must not be null");
}

TEST_F(BatchTest, WriteEmptyWriteRequest) {
  ExpectError(Call("BatchWriteItem", R"({"RequestItems":{"items":[{}]}})"),
              "ValidationException",
              "Supplied AttributeValue has more than one datatypes set, must "
              "contain exactly one of the supported datatypes");
}

TEST_F(BatchTest, WriteMissingTableBeforeDuplicates) {
  ExpectError(Call("BatchWriteItem",
                   R"({"RequestItems":{"nope":[)" + PutRequest("a") +
                       R"(,{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}})"),
              "ResourceNotFoundException", "Requested resource not found");
}

TEST_F(BatchTest, WriteDuplicateKeysPutThenDelete) {
  ExpectError(Call("BatchWriteItem",
                   R"({"RequestItems":{"items":[)" + PutRequest("a") +
                       R"(,{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}})"),
              "ValidationException",
              "Provided list of item keys contains duplicates");
  // Nothing of a rejected batch is written.
  EXPECT_EQ(
      Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"a"}}})").body,
      "{}");
}

TEST_F(BatchTest, WriteDuplicateNumericKeysCompareByValue) {
  CreateHashTable("nums", "N");
  ExpectError(
      Call(
          "BatchWriteItem",
          R"({"RequestItems":{"nums":[{"PutRequest":{"Item":{"pk":{"N":"1"}}}},{"PutRequest":{"Item":{"pk":{"N":"1.0"}}}}]}})"),
      "ValidationException", "Provided list of item keys contains duplicates");
}

TEST_F(BatchTest, WriteKeysThatOnlyConcatenateAlikeAreDistinct) {
  // ("ab", "c") and ("a", "bc"), and "1" as a string and as a number in
  // two tables, are different keys.
  CreateCompositeTable("pairs", "S");
  Response r = Call(
      "BatchWriteItem",
      R"({"RequestItems":{"pairs":[{"PutRequest":{"Item":{"pk":{"S":"ab"},"sk":{"S":"c"}}}},)"
      R"({"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"S":"bc"}}}}],)"
      R"("items":[{"PutRequest":{"Item":{"pk":{"S":"ab"}}}}]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  Response described = Call("DescribeTable", R"({"TableName":"pairs"})");
  EXPECT_EQ(described.json["Table"]["ItemCount"].GetInt(), 2);
}

TEST_F(BatchTest, WriteKeyMismatch) {
  for (const char* item :
       {R"({})", R"({"b":{"S":"a"}})", R"({"pk":{"N":"1"}})"}) {
    ExpectError(
        Call(
            "BatchWriteItem",
            std::string(R"({"RequestItems":{"items":[{"PutRequest":{"Item":)") +
                item + "}}]}}"),
        "ValidationException",
        "The provided key element does not match the schema");
  }
  ExpectError(
      Call(
          "BatchWriteItem",
          R"({"RequestItems":{"events":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}})"),
      "ValidationException",
      "The provided key element does not match the schema");
  ExpectError(
      Call(
          "BatchWriteItem",
          R"({"RequestItems":{"items":[{"DeleteRequest":{"Key":{"pk":{"S":"a"},"x":{"S":"b"}}}}]}})"),
      "ValidationException",
      "The provided key element does not match the schema");
}

TEST_F(BatchTest, WriteHashKeyTooBig) {
  std::string big(2049, 'a');
  ExpectError(Call("BatchWriteItem",
                   R"({"RequestItems":{"items":[)" + PutRequest(big) + "]}}"),
              "ValidationException",
              "One or more parameter values were invalid: Size of hashkey has "
              "exceeded the maximum size limit of2048 bytes");
}

TEST_F(BatchTest, WriteItemTooBig) {
  std::string big(400 * 1024, 'x');
  ExpectError(
      Call("BatchWriteItem",
           R"({"RequestItems":{"items":[)" +
               PutRequest("a", R"(,"v":{"S":")" + big + R"("})") + "]}}"),
      "ValidationException", "Item size has exceeded the maximum allowed size");
}

TEST_F(BatchTest, WriteInvalidAttributeValue) {
  ExpectError(
      Call(
          "BatchWriteItem",
          R"({"RequestItems":{"items":[{"PutRequest":{"Item":{"pk":{"S":"a"},"s":{"SS":[]}}}}]}})"),
      "ValidationException",
      "One or more parameter values were invalid: An string set  may not be "
      "empty");
}

TEST_F(BatchTest, WriteRejectsWrongJsonTypes) {
  EXPECT_EQ(Call("BatchWriteItem", R"({"RequestItems":[]})").ErrorType(),
            "SerializationException");
  EXPECT_EQ(
      Call("BatchWriteItem", R"({"RequestItems":{"items":{}}})").ErrorType(),
      "SerializationException");
}

TEST_F(BatchTest, WriteExactly25Succeeds) {
  PutMany(25);
  Response described = Call("DescribeTable", R"({"TableName":"items"})");
  EXPECT_EQ(described.json["Table"]["ItemCount"].GetInt(), 25);
}

TEST_F(BatchTest, WriteChecksIndexKeyTypes) {
  Response created = Call(
      "CreateTable",
      R"({"TableName":"indexed","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]})");
  ASSERT_EQ(created.status, 200) << created.body;
  ExpectError(
      Call(
          "BatchWriteItem",
          R"({"RequestItems":{"indexed":[{"PutRequest":{"Item":{"pk":{"S":"a"},"g":{"N":"1"}}}}]}})"),
      "ValidationException",
      "One or more parameter values were invalid: Type mismatch for Index "
      "Key g Expected: S Actual: N IndexName: by_g");
  Response ok = Call(
      "BatchWriteItem",
      R"({"RequestItems":{"indexed":[{"PutRequest":{"Item":{"pk":{"S":"a"},"g":{"S":"x"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}})");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

// ---- BatchGetItem ----------------------------------------------------------

TEST_F(BatchTest, GetGroupsByTableWithPerTableProjection) {
  PutMany(3, R"(,"a":{"S":"x"},"b":{"N":"2"})");
  ASSERT_EQ(
      Call(
          "PutItem",
          R"({"TableName":"events","Item":{"pk":{"S":"e"},"sk":{"N":"1"},"c":{"S":"y"}}})")
          .status,
      200);
  Response r = Call(
      "BatchGetItem",
      R"({"RequestItems":{"items":{"Keys":[{"pk":{"S":"k0"}},{"pk":{"S":"k2"}},{"pk":{"S":"none"}}],"ProjectionExpression":"#b","ExpressionAttributeNames":{"#b":"b"}},)"
      R"("events":{"Keys":[{"pk":{"S":"e"},"sk":{"N":"1"}}],"AttributesToGet":["c"],"ConsistentRead":true}},"ReturnConsumedCapacity":"TOTAL"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ToString(r.json["Responses"]["items"]),
            R"([{"b":{"N":"2"}},{"b":{"N":"2"}}])");
  EXPECT_EQ(ToString(r.json["Responses"]["events"]), R"([{"c":{"S":"y"}}])");
  EXPECT_EQ(ToString(r.json["UnprocessedKeys"]), "{}");
  EXPECT_EQ(
      ToString(r.json["ConsumedCapacity"]),
      R"([{"TableName":"items","CapacityUnits":1.5},{"TableName":"events","CapacityUnits":1.0}])");
}

TEST_F(BatchTest, GetEmptyRequestItems) {
  ExpectError(Call("BatchGetItem", R"({"RequestItems":{}})"),
              "ValidationException",
              "The requestItems parameter is required for BatchGetItem");
  ExpectError(Call("BatchGetItem", R"({})"), "ValidationException",
              "1 validation error detected: Value null at 'requestItems' "
              "failed to satisfy constraint: Member must not be null");
}

TEST_F(BatchTest, GetMoreThan100KeysInOneTable) {
  ExpectError(Call("BatchGetItem", R"({"RequestItems":{"items":{"Keys":)" +
                                       Keys(0, 101) + "}}}"),
              "ValidationException",
              "1 validation error detected: Value at "
              "'RequestItems.items.member.Keys' failed to satisfy "
              "constraint: Member must have length less than or equal to 100");
}

TEST_F(BatchTest, GetMoreThan100KeysAcrossTables) {
  ExpectError(
      Call("BatchGetItem",
           R"({"RequestItems":{"items":{"Keys":)" + Keys(0, 100) +
               R"(},"events":{"Keys":[{"pk":{"S":"e"},"sk":{"N":"1"}}]}}})"),
      "ValidationException",
      "Too many items requested for the BatchGetItem call");
}

TEST_F(BatchTest, GetEmptyAndMissingKeys) {
  ExpectError(Call("BatchGetItem", R"({"RequestItems":{"a":{"Keys":[]}}})"),
              "ValidationException",
              "2 validation errors detected: Value '{a={Keys=[]}}' at "
              "'requestItems' failed to satisfy constraint: Map keys must "
              "satisfy constraint: [Member must have length less than or "
              "equal to 255, Member must have length greater than or equal "
              "to 3, Member must satisfy regular expression pattern: "
              "[a-zA-Z0-9_.-]+]; Value '[]' at 'requestItems.a.member.keys' "
              "failed to satisfy constraint: Member must have length greater "
              "than or equal to 1");
  ExpectError(Call("BatchGetItem", R"({"RequestItems":{"items":{}}})"),
              "ValidationException",
              "1 validation error detected: Value null at "
              "'requestItems.items.member.keys' failed to satisfy "
              "constraint: Member must not be null");
}

TEST_F(BatchTest, GetDuplicateKeys) {
  ExpectError(
      Call(
          "BatchGetItem",
          R"({"RequestItems":{"items":{"Keys":[{"pk":{"S":"d"}},{"pk":{"S":"d"}}]}}})"),
      "ValidationException", "Provided list of item keys contains duplicates");
}

TEST_F(BatchTest, GetMissingTable) {
  ExpectError(Call("BatchGetItem",
                   R"({"RequestItems":{"nope":{"Keys":[{"pk":{"S":"a"}}]}}})"),
              "ResourceNotFoundException", "Requested resource not found");
}

TEST_F(BatchTest, GetKeyMismatch) {
  ExpectError(Call("BatchGetItem",
                   R"({"RequestItems":{"items":{"Keys":[{"pk":{"N":"1"}}]}}})"),
              "ValidationException",
              "The provided key element does not match the schema");
}

TEST_F(BatchTest, GetExpressionParameterRules) {
  ExpectError(
      Call(
          "BatchGetItem",
          R"({"RequestItems":{"items":{"Keys":[{"pk":{"S":"a"}}],"AttributesToGet":["a"],"ProjectionExpression":"a"}}})"),
      "ValidationException",
      "Can not use both expression and non-expression parameters in the same "
      "request: Non-expression parameters: {AttributesToGet} Expression "
      "parameters: {ProjectionExpression}");
  ExpectError(
      Call(
          "BatchGetItem",
          R"({"RequestItems":{"items":{"Keys":[{"pk":{"S":"a"}}],"AttributesToGet":["a","a"]}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Duplicate value in "
      "attribute name: a");
  ExpectError(
      Call(
          "BatchGetItem",
          R"({"RequestItems":{"items":{"Keys":[{"pk":{"S":"a"}}],"ProjectionExpression":"a","ExpressionAttributeNames":{"#x":"x"}}}})"),
      "ValidationException",
      "Value provided in ExpressionAttributeNames unused in expressions: "
      "keys: {#x}");
}

TEST_F(BatchTest, GetExactly100Keys) {
  PutMany(100);
  Response r =
      Call("BatchGetItem", R"({"RequestItems":{"items":{"Keys":)" +
                               Keys(0, 100) + R"(,"ConsistentRead":true}}})");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.json["Responses"]["items"].Size(), 100u);
  EXPECT_EQ(ToString(r.json["UnprocessedKeys"]), "{}");
}

TEST_F(BatchTest, GetOver16MegabytesReturnsTheRestUnprocessed) {
  // 100 items of ~390 KB: about 40 fit in 16 MB.
  std::string big(390 * 1024, 'x');
  for (int i = 0; i < 100; ++i) {
    Response put =
        Call("PutItem", R"({"TableName":"items","Item":{"pk":{"S":"k)" +
                            std::to_string(i) + R"("},"v":{"S":")" + big +
                            R"("}}})");
    ASSERT_EQ(put.status, 200) << put.body;
  }
  std::string request =
      R"({"RequestItems":{"items":{"Keys":)" + Keys(0, 100) +
      R"(,"ProjectionExpression":"pk, v","ConsistentRead":true}}})";
  Response first = Call("BatchGetItem", request);
  ASSERT_EQ(first.status, 200);
  size_t returned = first.json["Responses"]["items"].Size();
  EXPECT_GT(returned, 30u);
  EXPECT_LT(returned, 45u);
  const auto& unprocessed = first.json["UnprocessedKeys"]["items"];
  EXPECT_EQ(unprocessed["Keys"].Size(), 100 - returned);
  // The unprocessed entry keeps the table's read parameters.
  EXPECT_EQ(std::string(unprocessed["ProjectionExpression"].GetString()),
            "pk, v");
  EXPECT_TRUE(unprocessed["ConsistentRead"].GetBool());

  // Sending UnprocessedKeys back until it is empty returns every item once.
  size_t total = returned;
  std::string next = ToString(first.json["UnprocessedKeys"]);
  for (int round = 0; round < 5 && next != "{}"; ++round) {
    Response more = Call("BatchGetItem", R"({"RequestItems":)" + next + "}");
    ASSERT_EQ(more.status, 200);
    total += more.json["Responses"]["items"].Size();
    next = ToString(more.json["UnprocessedKeys"]);
  }
  EXPECT_EQ(next, "{}");
  EXPECT_EQ(total, 100u);
}

}  // namespace
}  // namespace ddb::testing
