// PutItem, GetItem, DeleteItem: JSON in, JSON out.
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class ItemOpsTest : public OpsTest {
 protected:
  void SetUp() override {
    OpsTest::SetUp();
    CreateHashTable("items");
    CreateCompositeTable("events");
  }
};

TEST_F(ItemOpsTest, PutThenGetRoundTripsEveryType) {
  const std::string item =
      R"({"pk":{"S":"k1"},"s":{"S":"text"},"n":{"N":"00042.500"},"b":{"B":"AAEC/w=="},)"
      R"("t":{"BOOL":true},"z":{"NULL":true},"m":{"M":{"x":{"N":"1.0"},"e":{"S":""}}},)"
      R"("l":{"L":[{"S":"a"},{"N":"-0"}]},"ss":{"SS":["b","a"]},"ns":{"NS":["1.5E2","2"]},)"
      R"("bs":{"BS":["AQ=="]},"eb":{"B":""}})";
  Response put =
      Call("PutItem", R"({"TableName":"items","Item":)" + item + "}");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body, "{}");

  Response get =
      Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"k1"}}})");
  ASSERT_EQ(get.status, 200) << get.body;
  const auto& got = get.json["Item"];
  EXPECT_EQ(std::string(got["n"]["N"].GetString()), "42.5");
  EXPECT_EQ(std::string(got["b"]["B"].GetString()), "AAEC/w==");
  EXPECT_EQ(ToString(got["m"]), R"({"M":{"e":{"S":""},"x":{"N":"1"}}})");
  EXPECT_EQ(ToString(got["l"]), R"({"L":[{"S":"a"},{"N":"0"}]})");
  EXPECT_EQ(ToString(got["ns"]), R"({"NS":["150","2"]})");
  EXPECT_EQ(ToString(got["t"]), R"({"BOOL":true})");
  EXPECT_EQ(ToString(got["z"]), R"({"NULL":true})");
  EXPECT_EQ(ToString(got["eb"]), R"({"B":""})");
  EXPECT_EQ(got.MemberCount(), 12u);
}

TEST_F(ItemOpsTest, PutOverwritesAndReturnsOldItem) {
  ASSERT_EQ(
      Call("PutItem",
           R"({"TableName":"items","Item":{"pk":{"S":"a"},"v":{"N":"1"}}})")
          .status,
      200);
  Response second = Call(
      "PutItem",
      R"({"TableName":"items","Item":{"pk":{"S":"a"},"w":{"S":"x"}},"ReturnValues":"ALL_OLD"})");
  EXPECT_EQ(second.body, R"({"Attributes":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  Response get =
      Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":"a"}}})");
  EXPECT_EQ(get.body, R"({"Item":{"pk":{"S":"a"},"w":{"S":"x"}}})");

  Response described = Call("DescribeTable", R"({"TableName":"items"})");
  EXPECT_EQ(described.json["Table"]["ItemCount"].GetInt(), 1);
  // pk (2 + 1) + w (1 + 1) bytes by DynamoDB's size rules.
  EXPECT_EQ(described.json["Table"]["TableSizeBytes"].GetInt(), 5);
}

TEST_F(ItemOpsTest, DeleteReturnsOldItemAndRemovesIt) {
  Call(
      "PutItem",
      R"({"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"1.0"},"v":{"S":"x"}}})");
  Response del = Call(
      "DeleteItem",
      R"({"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"ALL_OLD"})");
  EXPECT_EQ(del.body,
            R"({"Attributes":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"x"}}})");
  EXPECT_EQ(
      Call("GetItem",
           R"({"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}})")
          .body,
      "{}");
  // Deleting a missing item succeeds with nothing to return.
  EXPECT_EQ(
      Call(
          "DeleteItem",
          R"({"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"ALL_OLD"})")
          .body,
      "{}");
}

TEST_F(ItemOpsTest, NumericSortKeysAreEqualWhateverTheirSpelling) {
  Call(
      "PutItem",
      R"({"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"100"},"v":{"S":"first"}}})");
  Call(
      "PutItem",
      R"({"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"1E2"},"v":{"S":"second"}}})");
  Response get = Call(
      "GetItem",
      R"({"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"100.00"}}})");
  EXPECT_EQ(get.body,
            R"({"Item":{"pk":{"S":"a"},"sk":{"N":"100"},"v":{"S":"second"}}})");
}

TEST_F(ItemOpsTest, MissingTableIsResourceNotFound) {
  ExpectError(Call("GetItem", R"({"TableName":"nope","Key":{"pk":{"S":"a"}}})"),
              "ResourceNotFoundException", "Requested resource not found");
  ExpectError(
      Call("PutItem", R"({"TableName":"nope","Item":{"pk":{"S":"a"}}})"),
      "ResourceNotFoundException", "Requested resource not found");
  ExpectError(
      Call("DeleteItem", R"({"TableName":"nope","Key":{"pk":{"S":"a"}}})"),
      "ResourceNotFoundException", "Requested resource not found");
}

TEST_F(ItemOpsTest, PutItemKeyErrors) {
  ExpectError(
      Call("PutItem", R"({"TableName":"items","Item":{"x":{"S":"a"}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Missing the key pk "
      "in the item");
  ExpectError(
      Call("PutItem", R"({"TableName":"items","Item":{"pk":{"N":"1"}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Type mismatch for "
      "key pk expected: S actual: N");
  ExpectError(
      Call("PutItem", R"({"TableName":"items","Item":{"pk":{"S":""}}})"),
      "ValidationException",
      "One or more parameter values are not valid. The AttributeValue "
      "for a key attribute cannot contain an empty string value. Key: "
      "pk");
  std::string long_key(2049, 'k');
  ExpectError(Call("PutItem", R"({"TableName":"items","Item":{"pk":{"S":")" +
                                  long_key + R"("}}})"),
              "ValidationException",
              "One or more parameter values were invalid: Size of hashkey has "
              "exceeded the maximum size limit of2048 bytes");
  CreateCompositeTable("sorted", "S");
  std::string long_sort(1025, 's');
  ExpectError(
      Call("PutItem",
           R"({"TableName":"sorted","Item":{"pk":{"S":"a"},"sk":{"S":")" +
               long_sort + R"("}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Aggregated size of "
      "all range keys has exceeded the size limit of 1024 bytes");
  ExpectError(
      Call("PutItem",
           R"({"TableName":"items","Item":{"pk":{"S":"a"},"x":{"SS":[]}}})"),
      "ValidationException",
      "One or more parameter values were invalid: An string set  may not be "
      "empty");
}

TEST_F(ItemOpsTest, KeyLookupErrors) {
  const std::string mismatch =
      "The provided key element does not match the schema";
  ExpectError(
      Call("GetItem", R"({"TableName":"items","Key":{"pk":{"N":"1"}}})"),
      "ValidationException", mismatch);
  ExpectError(
      Call("GetItem",
           R"({"TableName":"items","Key":{"pk":{"S":"a"},"x":{"S":"b"}}})"),
      "ValidationException", mismatch);
  ExpectError(
      Call("GetItem", R"({"TableName":"events","Key":{"pk":{"S":"a"}}})"),
      "ValidationException", mismatch);
  ExpectError(Call("GetItem", R"({"TableName":"items","Key":{"pk":{"S":""}}})"),
              "ValidationException",
              "One or more parameter values were invalid: The AttributeValue "
              "for a key attribute cannot contain an empty string value. Key: "
              "pk");
}

TEST_F(ItemOpsTest, ItemSizeLimit) {
  // 400 KB exactly is allowed: name "pk"(2)+"k"(1) + name "d"(1) + data.
  std::string data(400 * 1024 - 4, 'x');
  Response ok = Call(
      "PutItem", R"({"TableName":"items","Item":{"pk":{"S":"k"},"d":{"S":")" +
                     data + R"("}}})");
  EXPECT_EQ(ok.status, 200) << ok.Message();
  data.push_back('x');
  ExpectError(Call("PutItem",
                   R"({"TableName":"items","Item":{"pk":{"S":"k"},"d":{"S":")" +
                       data + R"("}}})"),
              "ValidationException",
              "Item size has exceeded the maximum allowed size");
}

TEST_F(ItemOpsTest, TableNameIsCheckedFirst) {
  ExpectError(Call("PutItem", R"({"Item":{"pk":{"S":"a"}}})"),
              "ValidationException",
              "1 validation error detected: Value null at 'tableName' failed "
              "to satisfy constraint: Member must not be null");
  ExpectError(
      Call("PutItem", R"({"TableName":"","ReturnValues":"INVALID","Item":{}})"),
      "ValidationException",
      "1 validation error detected: Value '' at 'tableName' failed to "
      "satisfy constraint: Member must have length greater than or "
      "equal to 1");
  Response several = Call(
      "PutItem",
      R"({"TableName":"items","Item":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"X","ReturnItemCollectionMetrics":"Y","ReturnValues":"Z"})");
  ExpectError(several, "ValidationException",
              "3 validation errors detected: Value 'X' at "
              "'returnConsumedCapacity' failed to satisfy constraint: Member "
              "must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value 'Z' "
              "at 'returnValues' failed to satisfy constraint: Member must "
              "satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, "
              "UPDATED_NEW]; Value 'Y' at 'returnItemCollectionMetrics' "
              "failed to satisfy constraint: Member must satisfy enum value "
              "set: [SIZE, NONE]");
}

TEST_F(ItemOpsTest, ReturnValuesOtherThanAllOldAreRejectedForPut) {
  ExpectError(
      Call(
          "PutItem",
          R"({"TableName":"items","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW"})"),
      "ValidationException", "ReturnValues can only be ALL_OLD or NONE");
}

TEST_F(ItemOpsTest, ConsumedCapacity) {
  Response put = Call(
      "PutItem",
      R"({"TableName":"items","Item":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(
      put.body,
      R"({"ConsumedCapacity":{"TableName":"items","CapacityUnits":1.0}})");
  Response strong = Call(
      "GetItem",
      R"({"TableName":"items","Key":{"pk":{"S":"a"}},"ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"})");
  EXPECT_EQ(
      ToString(strong.json["ConsumedCapacity"]),
      R"({"TableName":"items","CapacityUnits":1.0,"Table":{"CapacityUnits":1.0}})");
  Response eventual = Call(
      "GetItem",
      R"({"TableName":"items","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(eventual.json["ConsumedCapacity"]["CapacityUnits"].GetDouble(),
            0.5);
  // 5 KB item: 5 write units, 2 strongly consistent read units.
  std::string data(5 * 1024 - 4, 'x');
  Response big = Call(
      "PutItem", R"({"TableName":"items","Item":{"pk":{"S":"b"},"d":{"S":")" +
                     data + R"("}},"ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(big.json["ConsumedCapacity"]["CapacityUnits"].GetDouble(), 5.0);
  Response read = Call(
      "GetItem",
      R"({"TableName":"items","Key":{"pk":{"S":"b"}},"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(read.json["ConsumedCapacity"]["CapacityUnits"].GetDouble(), 2.0);
}

TEST_F(ItemOpsTest, ProjectionExpressionKeepsNestedShape) {
  Call(
      "PutItem",
      R"({"TableName":"items","Item":{"pk":{"S":"p"},"a":{"M":{"b":{"L":[{"S":"x"},{"S":"y"},{"S":"z"}]},"c":{"N":"1"}}},"name":{"S":"n"}}})");
  Response get = Call(
      "GetItem",
      R"({"TableName":"items","Key":{"pk":{"S":"p"}},"ProjectionExpression":"a.b[1], #n","ExpressionAttributeNames":{"#n":"name"}})");
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.body,
            R"({"Item":{"a":{"M":{"b":{"L":[{"S":"y"}]}}},"name":{"S":"n"}}})");
  ExpectError(
      Call(
          "GetItem",
          R"({"TableName":"items","Key":{"pk":{"S":"p"}},"ProjectionExpression":"a","ExpressionAttributeNames":{"#n":"name"}})"),
      "ValidationException",
      "Value provided in ExpressionAttributeNames unused in "
      "expressions: keys: {#n}");
  ExpectError(
      Call(
          "GetItem",
          R"({"TableName":"items","Key":{"pk":{"S":"p"}},"ExpressionAttributeNames":{"#n":"name"}})"),
      "ValidationException",
      "ExpressionAttributeNames can only be specified when using "
      "expressions");
  ExpectError(
      Call(
          "GetItem",
          R"({"TableName":"items","Key":{"pk":{"S":"p"}},"ProjectionExpression":"a","AttributesToGet":["a"]})"),
      "ValidationException",
      "Can not use both expression and non-expression parameters in "
      "the same request: Non-expression parameters: {AttributesToGet} "
      "Expression parameters: {ProjectionExpression}");
}

TEST_F(ItemOpsTest, AttributesToGet) {
  Call(
      "PutItem",
      R"({"TableName":"items","Item":{"pk":{"S":"p"},"a":{"S":"1"},"b":{"S":"2"}}})");
  EXPECT_EQ(
      Call(
          "GetItem",
          R"({"TableName":"items","Key":{"pk":{"S":"p"}},"AttributesToGet":["b","missing"]})")
          .body,
      R"({"Item":{"b":{"S":"2"}}})");
  ExpectError(
      Call(
          "GetItem",
          R"({"TableName":"items","Key":{"pk":{"S":"p"}},"AttributesToGet":["a","a"]})"),
      "ValidationException",
      "One or more parameter values were invalid: Duplicate value in "
      "attribute name: a");
}

TEST_F(ItemOpsTest, ExpressionAndLegacyParametersDoNotMix) {
  ExpectError(
      Call(
          "PutItem",
          R"({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"x","Expected":{"a":{"Exists":false}}})"),
      "ValidationException",
      "Can not use both expression and non-expression parameters in "
      "the same request: Non-expression parameters: {Expected} "
      "Expression parameters: {ConditionExpression}");
  ExpectError(
      Call(
          "PutItem",
          R"({"TableName":"items","Item":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":v":{"S":"x"}}})"),
      "ValidationException",
      "ExpressionAttributeValues can only be specified when using "
      "expressions: ConditionExpression is null");
  // Several expressions that could use the values: all are named.
  ExpectError(
      Call(
          "UpdateItem",
          R"({"TableName":"items","Key":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":v":{"S":"x"}}})"),
      "ValidationException",
      "ExpressionAttributeValues can only be specified when using "
      "expressions: UpdateExpression and ConditionExpression are null");
  // A ProjectionExpression never uses values.
  ExpectError(
      Call(
          "Scan",
          R"({"TableName":"items","ProjectionExpression":"a","ExpressionAttributeValues":{":v":{"S":"x"}}})"),
      "ValidationException",
      "ExpressionAttributeValues can only be specified when using "
      "expressions: FilterExpression is null");
}

}  // namespace
}  // namespace ddb::testing

namespace ddb::testing {
namespace {

TEST_F(ItemOpsTest, ItemCollectionMetricsOnlyForTablesWithLocalIndexes) {
  Response created = Call(
      "CreateTable",
      R"({"TableName":"withlsi","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"alt","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"LocalSecondaryIndexes":[{"IndexName":"byalt","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"alt","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],"BillingMode":"PAY_PER_REQUEST"})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string metrics =
      R"("ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"p"}},"SizeEstimateRangeGB":[0.0,1.0]})";
  EXPECT_EQ(
      Call(
          "PutItem",
          R"({"TableName":"withlsi","Item":{"pk":{"S":"p"},"sk":{"S":"1"}},"ReturnItemCollectionMetrics":"SIZE"})")
          .body,
      "{" + metrics + "}");
  EXPECT_EQ(
      Call(
          "UpdateItem",
          R"({"TableName":"withlsi","Key":{"pk":{"S":"p"},"sk":{"S":"1"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE"})")
          .body,
      "{" + metrics + "}");
  EXPECT_EQ(
      Call(
          "DeleteItem",
          R"({"TableName":"withlsi","Key":{"pk":{"S":"p"},"sk":{"S":"1"}},"ReturnItemCollectionMetrics":"SIZE"})")
          .body,
      "{" + metrics + "}");
  EXPECT_EQ(
      Call(
          "PutItem",
          R"({"TableName":"withlsi","Item":{"pk":{"S":"p"},"sk":{"S":"1"}},"ReturnItemCollectionMetrics":"NONE"})")
          .body,
      "{}");
  // No local index: DynamoDB returns no metrics at all.
  EXPECT_EQ(
      Call(
          "PutItem",
          R"({"TableName":"items","Item":{"pk":{"S":"p"}},"ReturnItemCollectionMetrics":"SIZE"})")
          .body,
      "{}");
}

}  // namespace
}  // namespace ddb::testing
