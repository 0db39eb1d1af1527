// UpdateTable with GlobalSecondaryIndexUpdates: Create backfills the
// existing items (the index reads as CREATING until then), Delete drops it.
#include <chrono>
#include <string>
#include <thread>

#include "server/ops/ops.h"
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class IndexUpdateTableTest : public OpsTest {
 protected:
  std::string IndexStatus(const std::string& index) {
    Response r = Call("DescribeTable", R"({"TableName":"tbl"})");
    if (!r.json["Table"].HasMember("GlobalSecondaryIndexes")) return "";
    for (const auto& i : r.json["Table"]["GlobalSecondaryIndexes"].GetArray()) {
      if (i["IndexName"].GetString() == index) {
        return i["IndexStatus"].GetString();
      }
    }
    return "";
  }

  // The status once the backfill is over (or after 5 s).
  std::string AwaitActive(const std::string& index) {
    for (int i = 0; i < 500 && IndexStatus(index) != "ACTIVE"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return IndexStatus(index);
  }

  // How many items the index finds under g = `value`.
  int CountInIndex(const std::string& value) {
    Response q = Call(
        "Query",
        R"({"TableName":"tbl","IndexName":"byG","Select":"COUNT","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":")" +
            value + R"("}}})");
    EXPECT_EQ(q.status, 200) << q.body;
    return q.status == 200 ? q.json["Count"].GetInt() : -1;
  }
};

TEST_F(IndexUpdateTableTest, CreateBackfillsAndDeleteDrops) {
  CreateHashTable("tbl");
  constexpr int kItems = 2500;  // more than one backfill chunk
  for (int i = 0; i < kItems; ++i) {
    std::string item = R"({"pk":{"S":"p)" + std::to_string(i) + R"("}})";
    if (i % 2 == 0) item.insert(item.size() - 1, R"(,"g":{"S":"even"})");
    ASSERT_EQ(
        Call("PutItem", R"({"TableName":"tbl","Item":)" + item + "}").status,
        200);
  }
  Response r = Call("UpdateTable", R"({"TableName":"tbl",
    "AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
    "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byG",
      "KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
      "Projection":{"ProjectionType":"KEYS_ONLY"}}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(AwaitActive("byG"), "ACTIVE");
  EXPECT_EQ(CountInIndex("even"), kItems / 2);

  ExpectError(Call("UpdateTable", R"({"TableName":"tbl",
    "GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"nope"}}]})"),
              "ResourceNotFoundException",
              "Requested resource not found: Requested index nope not found");
  ASSERT_EQ(Call("UpdateTable", R"({"TableName":"tbl",
    "GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"byG"}}]})")
                .status,
            200);
  EXPECT_EQ(IndexStatus("byG"), "");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"tbl","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"even"}}})"),
      "ValidationException",
      "The table does not have the specified index: byG");
}

TEST_F(IndexUpdateTableTest, ABackfillCutShortResumesAtStartUp) {
  CreateHashTable("tbl");
  constexpr int kItems = 1500;  // more than one backfill chunk
  for (int i = 0; i < kItems; ++i) {
    ASSERT_EQ(Call("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"p)" +
                                  std::to_string(i) + R"("},"g":{"S":"all"}}})")
                  .status,
              200);
  }
  ASSERT_EQ(Call("UpdateTable", R"({"TableName":"tbl",
    "AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
    "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byG",
      "KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
      "Projection":{"ProjectionType":"KEYS_ONLY"}}}]})")
                .status,
            200);
  ASSERT_EQ(AwaitActive("byG"), "ACTIVE");
  // What a process stopped mid-backfill leaves: the index still marked
  // backfilling, with none of its entries made yet.
  storage_->WriteSync([](Txn& txn) {
    for (TableDef table : txn.AllTables()) {
      if (table.name != "tbl") continue;
      for (IndexDef& index : table.indexes) {
        txn.DropIndex(table, index.id);
        index.backfilling = true;
      }
      txn.UpdateTable(table);
    }
  });
  EXPECT_EQ(IndexStatus("byG"), "CREATING");

  EXPECT_EQ(ops::ResumeIndexBackfills(*storage_), 1);
  ASSERT_EQ(AwaitActive("byG"), "ACTIVE");
  EXPECT_EQ(CountInIndex("all"), kItems);
  // Nothing left to resume.
  EXPECT_EQ(ops::ResumeIndexBackfills(*storage_), 0);
}

TEST_F(IndexUpdateTableTest, BillingModeAndThroughput) {
  CreateHashTable("tbl");
  ASSERT_EQ(
      Call(
          "UpdateTable",
          R"({"TableName":"tbl","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})")
          .status,
      200);
  Response d = Call("DescribeTable", R"({"TableName":"tbl"})");
  EXPECT_EQ(
      d.json["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"].GetInt(),
      5);
  ExpectError(
      Call(
          "UpdateTable",
          R"({"TableName":"tbl","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})"),
      "ValidationException",
      "The provisioned throughput for the table will not change. The "
      "requested value equals the current value. Current ReadCapacityUnits "
      "provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current "
      "WriteCapacityUnits provisioned for the table: 5. Requested "
      "WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide "
      "for current limits and how to request higher limits.");
  ExpectError(
      Call("UpdateTable",
           R"({"TableName":"missing","BillingMode":"PAY_PER_REQUEST"})"),
      "ResourceNotFoundException",
      "Requested resource not found: Table: missing not found");
}

}  // namespace
}  // namespace ddb::testing
