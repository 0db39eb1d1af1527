// CreateTable, DescribeTable, ListTables, DeleteTable: JSON in, JSON out.
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

using TableOpsTest = OpsTest;

constexpr const char* kDefs =
    R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}])";
constexpr const char* kKeys =
    R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}])";

std::string CreateBody(const std::string& name, const std::string& rest) {
  return R"({"TableName":")" + name + R"(",)" + rest + "}";
}

TEST_F(TableOpsTest, CreateReturnsDescriptionAndDescribeSaysActive) {
  Response created = Call(
      "CreateTable",
      CreateBody(
          "orders",
          std::string(kDefs) + "," + kKeys +
              R"(,"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":7})"));
  ASSERT_EQ(created.status, 200) << created.body;
  const auto& description = created.json["TableDescription"];
  EXPECT_EQ(std::string(description["TableName"].GetString()), "orders");
  EXPECT_EQ(std::string(description["TableStatus"].GetString()), "CREATING");
  EXPECT_EQ(description["ProvisionedThroughput"]["ReadCapacityUnits"].GetInt(),
            5);
  EXPECT_EQ(description["ProvisionedThroughput"]["WriteCapacityUnits"].GetInt(),
            7);
  EXPECT_FALSE(description.HasMember("BillingModeSummary"));

  Response described = Call("DescribeTable", R"({"TableName":"orders"})");
  ASSERT_EQ(described.status, 200) << described.body;
  const auto& table = described.json["Table"];
  EXPECT_EQ(std::string(table["TableStatus"].GetString()), "ACTIVE");
  EXPECT_EQ(ToString(table["KeySchema"]),
            R"([{"AttributeName":"pk","KeyType":"HASH"}])");
  EXPECT_EQ(ToString(table["AttributeDefinitions"]),
            R"([{"AttributeName":"pk","AttributeType":"S"}])");
  EXPECT_EQ(table["ItemCount"].GetInt(), 0);
  EXPECT_EQ(table["TableSizeBytes"].GetInt(), 0);
  EXPECT_EQ(std::string(table["TableArn"].GetString()),
            "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
  EXPECT_EQ(std::string(table["TableId"].GetString()).size(), 36u);
  EXPECT_TRUE(table["CreationDateTime"].IsNumber());
}

TEST_F(TableOpsTest, PayPerRequestHasBillingSummaryAndZeroThroughput) {
  CreateHashTable("ondemand");
  Response described = Call("DescribeTable", R"({"TableName":"ondemand"})");
  const auto& table = described.json["Table"];
  EXPECT_EQ(std::string(table["BillingModeSummary"]["BillingMode"].GetString()),
            "PAY_PER_REQUEST");
  EXPECT_EQ(table["ProvisionedThroughput"]["ReadCapacityUnits"].GetInt(), 0);
}

TEST_F(TableOpsTest, CreateExistingTableIsResourceInUse) {
  CreateHashTable("dupe");
  Response again =
      Call("CreateTable",
           CreateBody("dupe", std::string(kDefs) + "," + kKeys +
                                  R"(,"BillingMode":"PAY_PER_REQUEST")"));
  ExpectError(again, "ResourceInUseException", "Table already exists: dupe");
  EXPECT_EQ(again.FullType(),
            "com.amazonaws.dynamodb.v20120810#ResourceInUseException");
}

TEST_F(TableOpsTest, TableNameConstraints) {
  ExpectError(Call("CreateTable", R"({"KeySchema":[]})"), "ValidationException",
              "The parameter 'TableName' is required but was not present in "
              "the request");
  ExpectError(
      Call("CreateTable",
           CreateBody("ab", std::string(kDefs) + "," + kKeys +
                                R"(,"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value 'ab' at 'tableName' failed to "
      "satisfy constraint: Member must have length greater than or equal to "
      "3");
  ExpectError(
      Call("CreateTable",
           CreateBody("bad table!@#",
                      std::string(kDefs) + "," + kKeys +
                          R"(,"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value 'bad table!@#' at 'tableName' "
      "failed to satisfy constraint: Member must satisfy regular expression "
      "pattern: [a-zA-Z0-9_.-]+");
  std::string long_name(256, 'a');
  ExpectError(
      Call("CreateTable",
           CreateBody(long_name, std::string(kDefs) + "," + kKeys +
                                     R"(,"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value '" + long_name +
          "' at 'tableName' failed to satisfy constraint: Member must have "
          "length less than or equal to 255");
  // A bad name is reported alone, before the other members' problems.
  Response r = Call("CreateTable", R"({"TableName":"x!","KeySchema":[]})");
  EXPECT_EQ(r.ErrorType(), "ValidationException");
  EXPECT_NE(r.Message().find("'tableName'"), std::string::npos);
  EXPECT_EQ(r.Message().find("keySchema"), std::string::npos);
}

TEST_F(TableOpsTest, EnumAndListConstraintsAreAggregated) {
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) +
                  R"(,"KeySchema":[{"AttributeName":"pk","KeyType":"INVALID"}],"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value 'INVALID' at "
      "'keySchema.1.member.keyType' failed to satisfy constraint: Member must "
      "satisfy enum value set: [HASH, RANGE]");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"INVALID"}],)" +
                  std::string(kKeys) + R"(,"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value 'INVALID' at "
      "'attributeDefinitions.1.member.attributeType' failed to satisfy "
      "constraint: Member must satisfy enum value set: [B, N, S]");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"},{"AttributeName":"x","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value "
      "'[KeySchemaElement(attributeName=pk, keyType=HASH), "
      "KeySchemaElement(attributeName=sk, keyType=RANGE), "
      "KeySchemaElement(attributeName=x, keyType=RANGE)]' at 'keySchema' "
      "failed to satisfy constraint: Member must have length less than or "
      "equal to 2");
  Response two = Call(
      "CreateTable",
      CreateBody("tbl", std::string(kDefs) + "," + kKeys +
                            R"(,"BillingMode":"WRONG","TableClass":"NOPE")"));
  ExpectError(two, "ValidationException",
              "2 validation errors detected: Value 'WRONG' at 'billingMode' "
              "failed to satisfy constraint: Member must satisfy enum value "
              "set: [PROVISIONED, PAY_PER_REQUEST]; Value 'NOPE' at "
              "'tableClass' failed to satisfy constraint: Member must satisfy "
              "enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]");
}

TEST_F(TableOpsTest, KeySchemaRules) {
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) +
                  R"(,"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"pk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "Invalid KeySchema: Some index key attribute have no definition");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) +
                  R"(,"KeySchema":[{"AttributeName":"other","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "One or more parameter values were invalid: Some index key attributes "
      "are not defined in AttributeDefinitions. Keys: [other], "
      "AttributeDefinitions: [pk]");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) +
                  R"(,"KeySchema":[{"AttributeName":"pk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"extra","AttributeType":"N"}],)" +
                  std::string(kKeys) + R"(,"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "One or more parameter values were invalid: Number of attributes in "
      "KeySchema does not exactly match number of attributes defined in "
      "AttributeDefinitions");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody("tbl",
                     std::string(kDefs) +
                         R"(,"KeySchema":[],"BillingMode":"PAY_PER_REQUEST")")),
      "ValidationException",
      "1 validation error detected: Value '[]' at 'keySchema' failed to "
      "satisfy constraint: Member must have length greater than or equal to "
      "1");
}

TEST_F(TableOpsTest, BillingModeRules) {
  ExpectError(
      Call("CreateTable", CreateBody("tbl", std::string(kDefs) + "," + kKeys)),
      "ValidationException",
      "One or more parameter values were invalid: ReadCapacityUnits and "
      "WriteCapacityUnits must both be specified when BillingMode is "
      "PROVISIONED");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) + "," + kKeys +
                  R"(,"BillingMode":"PAY_PER_REQUEST","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1})")),
      "ValidationException",
      "One or more parameter values were invalid: Neither ReadCapacityUnits "
      "nor WriteCapacityUnits can be specified when BillingMode is "
      "PAY_PER_REQUEST");
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) + "," + kKeys +
                  R"(,"ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":1})")),
      "ValidationException",
      "1 validation error detected: Value '0' at "
      "'provisionedThroughput.readCapacityUnits' failed to satisfy "
      "constraint: Member must have value greater than or equal to 1");
}

TEST_F(TableOpsTest, WrongJsonTypesAreSerializationExceptions) {
  Response r = Call("CreateTable", R"({"TableName":5})");
  EXPECT_EQ(r.FullType(), "com.amazon.coral.service#SerializationException");
  EXPECT_EQ(r.Message(), "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(
      Call("CreateTable", R"({"TableName":"tbl","KeySchema":"x"})").Message(),
      "Unexpected field type");
  EXPECT_EQ(
      Call("CreateTable", R"({"TableName":"tbl","KeySchema":["x"]})").Message(),
      "Unexpected value type in payload");
  EXPECT_EQ(Call("ListTables", R"({"Limit":"5"})").Message(),
            "STRING_VALUE cannot be converted to Integer");
}

TEST_F(TableOpsTest, IndexDefinitionsAreShapeChecked) {
  ExpectError(
      Call(
          "CreateTable",
          CreateBody(
              "tbl",
              std::string(kDefs) + "," + kKeys +
                  R"(,"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{"IndexName":"g"}])")),
      "ValidationException",
      "3 validation errors detected: Value null at "
      "'globalSecondaryIndexes.1.member.keySchema' failed to satisfy "
      "constraint: Member must not be null; Value null at "
      "'globalSecondaryIndexes.1.member.projection' failed to satisfy "
      "constraint: Member must not be null; Value 'g' at "
      "'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
      "constraint: Member must have length greater than or equal to 3");
}

TEST_F(TableOpsTest, ListTablesIsSortedAndPaged) {
  for (const char* name : {"charlie", "alpha", "delta", "bravo"}) {
    CreateHashTable(name);
  }
  EXPECT_EQ(Call("ListTables", "{}").body,
            R"({"TableNames":["alpha","bravo","charlie","delta"]})");
  EXPECT_EQ(
      Call("ListTables", R"({"Limit":2})").body,
      R"({"LastEvaluatedTableName":"bravo","TableNames":["alpha","bravo"]})");
  EXPECT_EQ(
      Call("ListTables", R"({"Limit":2,"ExclusiveStartTableName":"bravo"})")
          .body,
      R"({"TableNames":["charlie","delta"]})");
  ExpectError(Call("ListTables", R"({"Limit":0})"), "ValidationException",
              "1 validation error detected: Value '0' at 'limit' failed to "
              "satisfy constraint: Member must have value greater than or "
              "equal to 1");
  ExpectError(Call("ListTables", R"({"Limit":101})"), "ValidationException",
              "1 validation error detected: Value '101' at 'limit' failed to "
              "satisfy constraint: Member must have value less than or equal "
              "to 100");
}

TEST_F(TableOpsTest, DeleteTableReturnsDeletingAndRemovesData) {
  CreateHashTable("doomed");
  ASSERT_EQ(
      Call("PutItem",
           R"({"TableName":"doomed","Item":{"pk":{"S":"a"},"v":{"N":"1"}}})")
          .status,
      200);
  Response deleted = Call("DeleteTable", R"({"TableName":"doomed"})");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(
      std::string(deleted.json["TableDescription"]["TableStatus"].GetString()),
      "DELETING");
  EXPECT_EQ(deleted.json["TableDescription"]["ItemCount"].GetInt(), 1);
  ExpectError(Call("DescribeTable", R"({"TableName":"doomed"})"),
              "ResourceNotFoundException",
              "Requested resource not found: Table: doomed not found");
  ExpectError(Call("DeleteTable", R"({"TableName":"doomed"})"),
              "ResourceNotFoundException",
              "Requested resource not found: Table: doomed not found");
  // A new table of the same name starts empty.
  CreateHashTable("doomed");
  Response get =
      Call("GetItem", R"({"TableName":"doomed","Key":{"pk":{"S":"a"}}})");
  EXPECT_EQ(get.body, "{}");
}

}  // namespace
}  // namespace ddb::testing

namespace ddb::testing {
namespace {

// Found by the request fuzzer: a number far beyond int64 must be handled
// without undefined behaviour (it is clamped when rendered).
TEST_F(TableOpsTest, HugeLimitIsAConstraintErrorNotACrash) {
  ExpectError(Call("ListTables", R"({"Limit":8.8e119})"), "ValidationException",
              "1 validation error detected: Value '9223372036854775807' at "
              "'limit' failed to satisfy constraint: Member must have value "
              "less than or equal to 100");
}

}  // namespace
}  // namespace ddb::testing
