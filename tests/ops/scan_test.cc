// Scan through the router: paging by Limit and by 1 MB, resuming with
// ExclusiveStartKey, parallel-scan segments, filters, Select, and
// DynamoDB's error messages.
#include <set>
#include <string>

#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class ScanTest : public OpsTest {
 protected:
  void Put(const std::string& table, const std::string& item) {
    Response r = Call(
        "PutItem", R"({"TableName":")" + table + R"(","Item":)" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void PutNumbered(const std::string& table, int n) {
    for (int i = 0; i < n; ++i) {
      Put(table, R"({"pk":{"S":"k)" + std::to_string(i) + R"("},"n":{"N":")" +
                     std::to_string(i) + R"("}})");
    }
  }
  Response Scan(const std::string& body) { return Call("Scan", body); }

  // Every pk a full paginated scan returns, asserting no duplicates.
  std::set<std::string> ScanAll(const std::string& extra, int* pages) {
    std::set<std::string> seen;
    std::string start;
    *pages = 0;
    while (true) {
      std::string body = R"({"TableName":"tbl")" + extra;
      if (!start.empty()) body += R"(,"ExclusiveStartKey":)" + start;
      body += "}";
      Response r = Scan(body);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      ++*pages;
      for (const auto& item : r.json["Items"].GetArray()) {
        EXPECT_TRUE(seen.insert(item["pk"]["S"].GetString()).second);
      }
      if (!r.json.HasMember("LastEvaluatedKey")) break;
      start = ToString(r.json["LastEvaluatedKey"]);
      if (*pages > 1000) break;
    }
    return seen;
  }
};

TEST_F(ScanTest, EmptyTable) {
  CreateHashTable("tbl");
  Response r = Scan(R"({"TableName":"tbl"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 0);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 0);
  EXPECT_EQ(r.json["Items"].Size(), 0u);
  EXPECT_FALSE(r.json.HasMember("LastEvaluatedKey"));
}

TEST_F(ScanTest, ReturnsEveryItemOnce) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 25);
  Response r = Scan(R"({"TableName":"tbl"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 25);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 25);
  EXPECT_FALSE(r.json.HasMember("LastEvaluatedKey"));
}

TEST_F(ScanTest, OtherTablesAreNotRead) {
  CreateHashTable("aaa");
  CreateHashTable("tbl");
  CreateHashTable("zzz");
  PutNumbered("aaa", 5);
  PutNumbered("tbl", 3);
  PutNumbered("zzz", 5);
  Response r = Scan(R"({"TableName":"tbl"})");
  EXPECT_EQ(r.json["Count"].GetInt(), 3);
}

TEST_F(ScanTest, LimitPagesAndResumes) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 10);
  int pages = 0;
  std::set<std::string> all = ScanAll(R"(,"Limit":3)", &pages);
  EXPECT_EQ(all.size(), 10u);
  // 3+3+3+1: the last page is short, so it carries no LastEvaluatedKey.
  EXPECT_EQ(pages, 4);
}

TEST_F(ScanTest, LimitEqualToRemainingStillReturnsKey) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 4);
  Response r = Scan(R"({"TableName":"tbl","Limit":4})");
  EXPECT_EQ(r.json["Count"].GetInt(), 4);
  ASSERT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  Response next = Scan(R"({"TableName":"tbl","Limit":4,"ExclusiveStartKey":)" +
                       ToString(r.json["LastEvaluatedKey"]) + "}");
  EXPECT_EQ(next.json["Count"].GetInt(), 0);
  EXPECT_FALSE(next.json.HasMember("LastEvaluatedKey"));
}

TEST_F(ScanTest, OneMegabytePages) {
  CreateHashTable("tbl");
  const std::string payload(100000, 'x');
  for (int i = 0; i < 25; ++i) {
    Put("tbl", R"({"pk":{"S":"big)" + std::to_string(i) +
                   R"("},"payload":{"S":")" + payload + R"("}})");
  }
  Response r = Scan(R"({"TableName":"tbl"})");
  ASSERT_EQ(r.status, 200);
  // ~100 KB each: ten fit in 1 MiB; the 11th would cross it and starts the
  // next page (every page's items sum to at most 1 MiB).
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 10);
  EXPECT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  int pages = 0;
  EXPECT_EQ(ScanAll("", &pages).size(), 25u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ScanTest, FilterAppliesAfterLimit) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 10);
  Response r = Scan(
      R"({"TableName":"tbl","Limit":4,"FilterExpression":"n >= :big","ExpressionAttributeValues":{":big":{"N":"100"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 0);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 4);
  EXPECT_EQ(r.json["Items"].Size(), 0u);
  EXPECT_TRUE(r.json.HasMember("LastEvaluatedKey"));
}

TEST_F(ScanTest, FilterAndProjection) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 10);
  Response r = Scan(
      R"({"TableName":"tbl","FilterExpression":"#n < :five","ProjectionExpression":"#n","ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":five":{"N":"5"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 5);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 10);
  for (const auto& item : r.json["Items"].GetArray()) {
    EXPECT_EQ(item.MemberCount(), 1u);
    EXPECT_TRUE(item.HasMember("n"));
  }
}

TEST_F(ScanTest, SelectCount) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 3);
  Response r = Scan(R"({"TableName":"tbl","Select":"COUNT"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 3);
  EXPECT_FALSE(r.json.HasMember("Items"));
}

TEST_F(ScanTest, AttributesToGetAndScanFilter) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 6);
  Response r = Scan(
      R"({"TableName":"tbl","AttributesToGet":["pk"],"ScanFilter":{"n":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"4"}]}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["Count"].GetInt(), 2);
  for (const auto& item : r.json["Items"].GetArray()) {
    EXPECT_EQ(item.MemberCount(), 1u);
  }
}

TEST_F(ScanTest, ParallelSegmentsAreDisjointAndComplete) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 200);
  for (int total : {1, 2, 3, 7, 16}) {
    std::set<std::string> all;
    for (int segment = 0; segment < total; ++segment) {
      int pages = 0;
      std::set<std::string> part =
          ScanAll(R"(,"Limit":9,"Segment":)" + std::to_string(segment) +
                      R"(,"TotalSegments":)" + std::to_string(total),
                  &pages);
      for (const std::string& pk : part) {
        EXPECT_TRUE(all.insert(pk).second) << pk << " in two segments";
      }
    }
    EXPECT_EQ(all.size(), 200u) << total << " segments";
  }
}

TEST_F(ScanTest, StartKeyFromAnotherSegment) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 50);
  Response first = Scan(R"({"TableName":"tbl","Segment":1,"TotalSegments":2})");
  ASSERT_GT(first.json["Items"].Size(), 0u);
  std::string key = ToString(first.json["Items"][0]["pk"]);
  Response r = Scan(
      R"({"TableName":"tbl","Segment":0,"TotalSegments":2,"ExclusiveStartKey":{"pk":)" +
      key + "}}");
  ExpectError(
      r, "ValidationException",
      "The provided starting key is invalid: Invalid ExclusiveStartKey. "
      "Please use ExclusiveStartKey with correct Segment. "
      "TotalSegments: 2 Segment: 0");
}

TEST_F(ScanTest, ConsumedCapacity) {
  CreateHashTable("tbl");
  PutNumbered("tbl", 3);
  Response r = Scan(
      R"({"TableName":"tbl","ReturnConsumedCapacity":"TOTAL","ConsistentRead":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["ConsumedCapacity"]["CapacityUnits"].GetDouble(), 1.0);
  EXPECT_STREQ(r.json["ConsumedCapacity"]["TableName"].GetString(), "tbl");
}

TEST_F(ScanTest, Errors) {
  CreateHashTable("tbl");
  ExpectError(Scan(R"({"TableName":"tbl","Segment":0})"), "ValidationException",
              "The TotalSegments parameter is required but was not present in "
              "the request when Segment parameter is present");
  ExpectError(Scan(R"({"TableName":"tbl","TotalSegments":4})"),
              "ValidationException",
              "The Segment parameter is required but was not present in the "
              "request when parameter TotalSegments is present");
  ExpectError(
      Scan(R"({"TableName":"tbl","Segment":5,"TotalSegments":5})"),
      "ValidationException",
      "The Segment parameter is zero-based and must be less than parameter "
      "TotalSegments: Segment: 5 is not less than TotalSegments: 5");
  ExpectError(Scan(R"({"TableName":"tbl","Limit":0})"), "ValidationException",
              "1 validation error detected: Value '0' at 'limit' failed to "
              "satisfy constraint: Member must have value greater than or "
              "equal to 1");
  ExpectError(Scan(R"({"TableName":"nope"})"), "ResourceNotFoundException",
              "Requested resource not found");
  ExpectError(Scan(R"({"TableName":"tbl","IndexName":"idx"})"),
              "ValidationException",
              "The table does not have the specified index: idx");
  ExpectError(
      Scan(
          R"({"TableName":"tbl","Select":"ALL_ATTRIBUTES","ProjectionExpression":"pk"})"),
      "ValidationException",
      "Cannot specify the ProjectionExpression when choosing to get "
      "ALL_ATTRIBUTES");
  ExpectError(
      Scan(
          R"({"TableName":"tbl","Select":"COUNT","ProjectionExpression":"pk"})"),
      "ValidationException",
      "Cannot specify the ProjectionExpression when choosing to get "
      "only the Count");
  ExpectError(
      Scan(R"({"TableName":"tbl","Select":"ALL_PROJECTED_ATTRIBUTES"})"),
      "ValidationException",
      "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using "
      "an IndexName");
  ExpectError(
      Scan(
          R"({"TableName":"tbl","Select":"ALL_PROJECTED_ATTRIBUTES","ProjectionExpression":"pk"})"),
      "ValidationException",
      "Cannot specify the ProjectionExpression when choosing to get "
      "ALL_PROJECTED_ATTRIBUTES");
  ExpectError(Scan(R"({"TableName":"tbl","Select":"SPECIFIC_ATTRIBUTES"})"),
              "ValidationException",
              "Must specify the AttributesToGet or ProjectionExpression when "
              "choosing to get SPECIFIC_ATTRIBUTES");
  ExpectError(
      Scan(R"({"TableName":"tbl","ExclusiveStartKey":{"x":{"S":"a"}}})"),
      "ValidationException",
      "The provided starting key is invalid: The provided key element "
      "does not match the schema");
  ExpectError(
      Scan(R"({"TableName":"tbl","ExclusiveStartKey":{"pk":{"N":"1"}}})"),
      "ValidationException",
      "The provided starting key is invalid: The provided key element "
      "does not match the schema");
  ExpectError(Scan(R"({"TableName":"tbl","ExclusiveStartKey":{"pk":{}}})"),
              "ValidationException",
              "The provided starting key is invalid: Supplied AttributeValue "
              "is empty, must contain exactly one of the supported datatypes");
  ExpectError(
      Scan(
          R"({"TableName":"tbl","FilterExpression":"#missing = :v","ExpressionAttributeValues":{":v":{"S":"x"}}})"),
      "ValidationException",
      "Invalid FilterExpression: An expression attribute name used in the "
      "document path is not defined; attribute name: #missing");
  ExpectError(
      Scan(
          R"({"TableName":"tbl","FilterExpression":"a = :v","ScanFilter":{"a":{"ComparisonOperator":"NULL"}},"ExpressionAttributeValues":{":v":{"S":"x"}}})"),
      "ValidationException",
      "Can not use both expression and non-expression parameters in the same "
      "request: Non-expression parameters: {ScanFilter} Expression "
      "parameters: {FilterExpression}");
}

}  // namespace
}  // namespace ddb::testing
