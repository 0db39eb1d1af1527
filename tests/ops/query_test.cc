// Query through the router: sort-key order for S, N (negative, fractional)
// and B, every sort-key operator, backward reads, paging and resuming,
// filters, and DynamoDB's error messages.
#include <cstdio>
#include <string>
#include <vector>

#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class QueryTest : public OpsTest {
 protected:
  void Put(const std::string& item) {
    Response r = Call("PutItem", R"({"TableName":"tbl","Item":)" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // A composite table "tbl" with sort key type `type` and items of
  // partition "p" with the given sort-key values (plus one other partition).
  void Fill(const std::string& type, const std::vector<std::string>& keys) {
    CreateCompositeTable("tbl", type);
    for (const std::string& key : keys) {
      Put(R"({"pk":{"S":"p"},"sk":{")" + type + R"(":")" + key +
          R"("},"v":{"N":"1"}})");
      Put(R"({"pk":{"S":"other"},"sk":{")" + type + R"(":")" + key + R"("}})");
    }
  }
  Response Query(const std::string& body) {
    return Call("Query", R"({"TableName":"tbl",)" + body + "}");
  }
  // The sort keys a query returns, in order.
  std::vector<std::string> Keys(const std::string& body,
                                const std::string& type) {
    Response r = Query(body);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> keys;
    if (r.status != 200) return keys;
    for (const auto& item : r.json["Items"].GetArray()) {
      keys.push_back(item["sk"][type.c_str()].GetString());
    }
    return keys;
  }
  static std::string Pk() {
    return R"("KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}})";
  }
  static std::string PkAnd(const std::string& sk_condition,
                           const std::string& values) {
    return R"("KeyConditionExpression":"pk = :p AND )" + sk_condition +
           R"(","ExpressionAttributeValues":{":p":{"S":"p"},)" + values + "}";
  }
};

using Strings = std::vector<std::string>;

TEST_F(QueryTest, NumbersSortNumerically) {
  Fill("N", {"10", "-5", "2.5", "0", "-100", "1", "3"});
  EXPECT_EQ(Keys(Pk(), "N"),
            (Strings{"-100", "-5", "0", "1", "2.5", "3", "10"}));
  EXPECT_EQ(Keys(Pk() + R"(,"ScanIndexForward":false)", "N"),
            (Strings{"10", "3", "2.5", "1", "0", "-5", "-100"}));
}

TEST_F(QueryTest, StringsSortByUnsignedBytes) {
  Fill("S", {"b", "a", "ab", "\u00e9", "B", "a0"});
  EXPECT_EQ(Keys(Pk(), "S"), (Strings{"B", "a", "a0", "ab", "b", "\u00e9"}));
}

TEST_F(QueryTest, BinarySortsByUnsignedBytes) {
  // 0x00, 0x7f, 0x80, 0xff.
  Fill("B", {"/w==", "AA==", "gA==", "fw=="});
  EXPECT_EQ(Keys(Pk(), "B"), (Strings{"AA==", "fw==", "gA==", "/w=="}));
}

TEST_F(QueryTest, SortKeyOperators) {
  Fill("N", {"1", "2", "3", "4", "5"});
  const std::string v3 = R"(":v":{"N":"3"})";
  EXPECT_EQ(Keys(PkAnd("sk = :v", v3), "N"), (Strings{"3"}));
  EXPECT_EQ(Keys(PkAnd("sk < :v", v3), "N"), (Strings{"1", "2"}));
  EXPECT_EQ(Keys(PkAnd("sk <= :v", v3), "N"), (Strings{"1", "2", "3"}));
  EXPECT_EQ(Keys(PkAnd("sk > :v", v3), "N"), (Strings{"4", "5"}));
  EXPECT_EQ(Keys(PkAnd("sk >= :v", v3), "N"), (Strings{"3", "4", "5"}));
  EXPECT_EQ(Keys(PkAnd(":v > sk", v3), "N"), (Strings{"1", "2"}));
  EXPECT_EQ(
      Keys(PkAnd("sk BETWEEN :a AND :b", R"(":a":{"N":"2"},":b":{"N":"4"})"),
           "N"),
      (Strings{"2", "3", "4"}));
  EXPECT_EQ(Keys(PkAnd("sk < :v", v3) + R"(,"ScanIndexForward":false)", "N"),
            (Strings{"2", "1"}));
}

TEST_F(QueryTest, BeginsWith) {
  Fill("S", {"user#1", "user#2", "userx", "order#1", "user"});
  EXPECT_EQ(Keys(PkAnd("begins_with(sk, :v)", R"(":v":{"S":"user#"})"), "S"),
            (Strings{"user#1", "user#2"}));
}

TEST_F(QueryTest, PagingForwardAndBackward) {
  Fill("N", {"1", "2", "3", "4", "5", "6", "7"});
  for (bool forward : {true, false}) {
    std::vector<std::string> all;
    std::string start;
    int pages = 0;
    while (pages < 20) {
      std::string body = Pk() + R"(,"Limit":3,"ScanIndexForward":)" +
                         (forward ? "true" : "false");
      if (!start.empty()) body += R"(,"ExclusiveStartKey":)" + start;
      Response r = Query(body);
      ASSERT_EQ(r.status, 200) << r.body;
      ++pages;
      EXPECT_EQ(r.json["ScannedCount"].GetInt(), r.json["Count"].GetInt());
      for (const auto& item : r.json["Items"].GetArray()) {
        all.push_back(item["sk"]["N"].GetString());
      }
      if (!r.json.HasMember("LastEvaluatedKey")) break;
      start = ToString(r.json["LastEvaluatedKey"]);
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(all, forward ? (Strings{"1", "2", "3", "4", "5", "6", "7"})
                           : (Strings{"7", "6", "5", "4", "3", "2", "1"}));
  }
}

TEST_F(QueryTest, OneMegabytePages) {
  CreateCompositeTable("tbl", "S");
  const std::string payload(60000, 'x');
  for (int i = 0; i < 20; ++i) {
    char sk[8];
    std::snprintf(sk, sizeof sk, "sk-%03d", i);
    Put(R"({"pk":{"S":"p"},"sk":{"S":")" + std::string(sk) +
        R"("},"payload":{"S":")" + payload + R"("}})");
  }
  Response r = Query(Pk());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  EXPECT_GT(r.json["Count"].GetInt(), 0);
  EXPECT_LT(r.json["Count"].GetInt(), 20);
}

TEST_F(QueryTest, FilterSelectAndProjection) {
  Fill("N", {"1", "2", "3"});
  Put(R"({"pk":{"S":"p"},"sk":{"N":"4"},"v":{"N":"2"}})");
  Response r = Query(
      R"("KeyConditionExpression":"pk = :p","FilterExpression":"v = :two","ExpressionAttributeValues":{":p":{"S":"p"},":two":{"N":"2"}},"Select":"COUNT")");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 1);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 4);
  EXPECT_FALSE(r.json.HasMember("Items"));
  r = Query(Pk() + R"(,"ProjectionExpression":"sk")");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Items"][0].MemberCount(), 1u);
}

TEST_F(QueryTest, LegacyKeyConditionsAndQueryFilter) {
  Fill("N", {"1", "2", "3", "4"});
  Response r = Query(
      R"("KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"1"}]}},"QueryFilter":{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}},"AttributesToGet":["sk"])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 3);
  EXPECT_EQ(r.json["Items"][0].MemberCount(), 1u);
}

TEST_F(QueryTest, HashOnlyTable) {
  CreateHashTable("tbl");
  Put(R"({"pk":{"S":"p"},"a":{"S":"x"}})");
  Response r = Query(Pk());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 1);
}

TEST_F(QueryTest, LongSortKeysStayExact) {
  CreateCompositeTable("tbl", "S");
  const std::string base(500, 'k');
  for (char c : std::string("abcde")) {
    Put(R"({"pk":{"S":"p"},"sk":{"S":")" + base + c + R"("}})");
  }
  EXPECT_EQ(
      Keys(PkAnd("sk > :v", R"(":v":{"S":")" + base + R"(c"})"), "S").size(),
      2u);
  EXPECT_EQ(
      Keys(PkAnd("sk = :v", R"(":v":{"S":")" + base + R"(b"})"), "S").size(),
      1u);
}

TEST_F(QueryTest, Errors) {
  CreateCompositeTable("tbl", "N");
  auto expect = [&](const std::string& body, const std::string& message) {
    ExpectError(Query(body), "ValidationException", message);
  };
  expect(
      R"("KeyConditionExpression":"sk = :v","ExpressionAttributeValues":{":v":{"N":"1"}})",
      "Query condition missed key schema element: pk");
  expect(
      R"("KeyConditionExpression":"attr1 = :v","ExpressionAttributeValues":{":v":{"S":"1"}})",
      "Query condition missed key schema element: pk");
  expect(PkAnd("attr1 = :v", R"(":v":{"S":"1"})"),
         "Query condition missed key schema element: sk");
  expect(R"("KeyConditionExpression":"")",
         "Invalid KeyConditionExpression: The expression can not be empty;");
  expect(R"("Limit":0,)" + Pk(),
         "1 validation error detected: Value at 'Limit' failed to satisfy "
         "constraint: Member must have value greater than or equal to 1");
  expect(R"("Limit":1)",
         "Either the KeyConditions or KeyConditionExpression parameter must "
         "be specified in the request.");
  expect(PkAnd("sk = :v", R"(":v":{"S":"x"})"),
         "One or more parameter values were invalid: Condition parameter type "
         "does not match schema type");
  expect(
      R"("KeyConditionExpression":"pk > :p","ExpressionAttributeValues":{":p":{"S":"p"}})",
      "Query key condition not supported");
  expect(
      R"("KeyConditionExpression":"pk = :p OR sk = :v","ExpressionAttributeValues":{":p":{"S":"p"},":v":{"N":"1"}})",
      "Invalid operator used in KeyConditionExpression: OR");
  expect(PkAnd("sk <> :v", R"(":v":{"N":"1"})"),
         "Invalid operator used in KeyConditionExpression: <>");
  expect(
      R"x("KeyConditionExpression":"pk = :p AND attribute_exists(sk)","ExpressionAttributeValues":{":p":{"S":"p"}})x",
      "Invalid operator used in KeyConditionExpression: attribute_exists");
  expect(PkAnd("pk = :v", R"(":v":{"S":"1"})"),
         "KeyConditionExpressions must only contain one condition per key");
  expect(PkAnd("sk.a = :v", R"(":v":{"N":"1"})"),
         "KeyConditionExpressions cannot have conditions on nested "
         "attributes");
  // The partition key is fixed by the key condition; filtering on it is
  // refused (the sort key may be filtered, as applications do).
  expect(Pk() + R"(,"FilterExpression":"pk > :p")",
         "Filter Expression can only contain non-primary key attributes: "
         "Primary key attribute: pk");
  expect(Pk() + R"(,"ExpressionAttributeNames":{"#unused":"x"})",
         "Value provided in ExpressionAttributeNames unused in expressions: "
         "keys: {#unused}");
  expect(Pk() + R"(,"Select":"SPECIFIC_ATTRIBUTES")",
         "Must specify the AttributesToGet or ProjectionExpression when "
         "choosing to get SPECIFIC_ATTRIBUTES");
  expect(Pk() + R"(,"IndexName":"gsi1")",
         "The table does not have the specified index: gsi1");
  expect(Pk() + R"(,"ExclusiveStartKey":{"pk":{"S":"p"}})",
         "The provided starting key is invalid");
  expect(Pk() + R"(,"ExclusiveStartKey":{"pk":{"S":"q"},"sk":{"N":"1"}})",
         "The provided starting key is outside query boundaries based on "
         "provided conditions");
  expect(PkAnd("sk > :v", R"(":v":{"N":"5"})") +
             R"(,"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1"}})",
         "The provided starting key does not match the range key predicate");
  expect(Pk() + R"(,"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"1"}})",
         "The provided starting key is invalid: The provided key element "
         "does not match the schema");
  expect(
      R"("KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"1"}]}})",
      "Attempted conditional constraint is not an indexable operation");
  expect(Pk() + R"(,"QueryFilter":{"v":{"ComparisonOperator":"NULL"}})",
         "Can not use both expression and non-expression parameters in the "
         "same request: Non-expression parameters: {QueryFilter} Expression "
         "parameters: {KeyConditionExpression}");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"nope","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})"),
      "ResourceNotFoundException", "Requested resource not found");
}

// Found by the request fuzzer: a Condition without ComparisonOperator was a
// 500. DynamoDB validates map entries' members under
// "<map>.<key>.member.<name>".
TEST_F(QueryTest, ConditionMapEntriesAreValidated) {
  CreateCompositeTable("tbl");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"tbl","KeyConditions":{"pk":{"AttributeValueList":[{"S":"a"}]}}})"),
      "ValidationException",
      "1 validation error detected: Value null at "
      "'keyConditions.pk.member.comparisonOperator' failed to satisfy "
      "constraint: Member must not be null");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"tbl","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"a":{},"b":{"ComparisonOperator":""}}})"),
      "ValidationException",
      "2 validation errors detected: Value null at "
      "'queryFilter.a.member.comparisonOperator' failed to satisfy "
      "constraint: Member must not be null; Value '' at "
      "'queryFilter.b.member.comparisonOperator' failed to satisfy "
      "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, "
      "LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, "
      "CONTAINS]");
  ExpectError(
      Call("Scan", R"({"TableName":"tbl","ScanFilter":{"a":{"S":"x"}}})"),
      "ValidationException",
      "1 validation error detected: Value null at "
      "'scanFilter.a.member.comparisonOperator' failed to satisfy "
      "constraint: Member must not be null");
  ExpectError(
      Call(
          "PutItem",
          R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"Expected":{"a":{"ComparisonOperator":"XX"}}})"),
      "ValidationException",
      "1 validation error detected: Value 'XX' at "
      "'expected.a.member.comparisonOperator' failed to satisfy "
      "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, "
      "LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, "
      "CONTAINS]");
}

}  // namespace
}  // namespace ddb::testing
