// Secondary indexes through the operations: CreateTable validation,
// DescribeTable, maintenance by PutItem/UpdateItem/DeleteItem, and Query and
// Scan with IndexName (ordering, projections, paging).
#include <set>
#include <string>

#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class IndexOpsTest : public OpsTest {
 protected:
  // Table "t": pk (S) hash, sk (N) range; GSI "byEmail" (email S, ALL),
  // GSI "byGroup" (grp S hash, rnk N range, KEYS_ONLY), LSI "byScore"
  // (pk, score N, INCLUDE note).
  void CreateIndexedTable() {
    Response r = Call("CreateTable", R"({"TableName":"tbl",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
        {"AttributeName":"sk","AttributeType":"N"},
        {"AttributeName":"email","AttributeType":"S"},
        {"AttributeName":"grp","AttributeType":"S"},
        {"AttributeName":"rnk","AttributeType":"N"},
        {"AttributeName":"score","AttributeType":"N"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
        {"AttributeName":"sk","KeyType":"RANGE"}],
      "BillingMode":"PAY_PER_REQUEST",
      "GlobalSecondaryIndexes":[
        {"IndexName":"byEmail","KeySchema":[{"AttributeName":"email","KeyType":"HASH"}],
         "Projection":{"ProjectionType":"ALL"}},
        {"IndexName":"byGroup","KeySchema":[{"AttributeName":"grp","KeyType":"HASH"},
           {"AttributeName":"rnk","KeyType":"RANGE"}],
         "Projection":{"ProjectionType":"KEYS_ONLY"}}],
      "LocalSecondaryIndexes":[
        {"IndexName":"byScore","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
           {"AttributeName":"score","KeyType":"RANGE"}],
         "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]}}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void Put(const std::string& item) {
    Response r = Call("PutItem", R"({"TableName":"tbl","Item":)" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // CreateTable on table "x" with the given extra members; returns the
  // response.
  Response Create(const std::string& defs, const std::string& rest) {
    return Call("CreateTable",
                R"({"TableName":"xyz","AttributeDefinitions":[)" + defs + "]," +
                    rest + "}");
  }
};

constexpr char kPkDef[] = R"({"AttributeName":"pk","AttributeType":"S"})";
constexpr char kGDef[] = R"({"AttributeName":"g","AttributeType":"S"})";
constexpr char kHashKey[] =
    R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST")";

std::string Gsi(const std::string& name, const std::string& keys,
                const std::string& projection = R"({"ProjectionType":"ALL"})") {
  return R"({"IndexName":")" + name + R"(","KeySchema":)" + keys +
         R"(,"Projection":)" + projection + "}";
}
constexpr char kGKeys[] = R"([{"AttributeName":"g","KeyType":"HASH"}])";

TEST_F(IndexOpsTest, CreateTableValidatesIndexes) {
  const std::string defs = std::string(kPkDef) + "," + kGDef;
  ExpectError(
      Create(defs, std::string(kHashKey) + R"(,"GlobalSecondaryIndexes":[])"),
      "ValidationException",
      "One or more parameter values were invalid: List of "
      "GlobalSecondaryIndexes is empty");
  ExpectError(
      Create(kPkDef, std::string(kHashKey) + R"(,"GlobalSecondaryIndexes":[)" +
                         Gsi("gsi", kGKeys) + "]"),
      "ValidationException",
      "One or more parameter values were invalid: Some index key attributes "
      "are not defined in AttributeDefinitions. Keys: [g], "
      "AttributeDefinitions: [pk]");
  ExpectError(
      Create(defs, std::string(kHashKey) + R"(,"GlobalSecondaryIndexes":[)" +
                       Gsi("gsi", kGKeys) + "," + Gsi("gsi", kGKeys) + "]"),
      "ValidationException",
      "One or more parameter values were invalid: Duplicate index "
      "name: gsi");
  ExpectError(
      Create(defs,
             std::string(kHashKey) + R"(,"GlobalSecondaryIndexes":[)" +
                 Gsi("gsi", kGKeys,
                     R"({"ProjectionType":"ALL","NonKeyAttributes":["a"]})") +
                 "]"),
      "ValidationException",
      "One or more parameter values were invalid: ProjectionType is ALL, but "
      "NonKeyAttributes is specified");
  ExpectError(
      Create(defs, std::string(kHashKey) + R"(,"GlobalSecondaryIndexes":[)" +
                       Gsi("gsi", kGKeys, "{}") + "]"),
      "ValidationException",
      "One or more parameter values were invalid: Unknown ProjectionType: "
      "null");
  ExpectError(
      Create(defs, std::string(kHashKey) + R"(,"LocalSecondaryIndexes":[)" +
                       Gsi("lsi", kGKeys) + "]"),
      "ValidationException",
      "One or more parameter values were invalid: Table KeySchema does not "
      "have a range key, which is required when specifying a "
      "LocalSecondaryIndex");
  // An unused definition once indexes are present.
  ExpectError(
      Create(defs + R"(,{"AttributeName":"u","AttributeType":"S"})",
             std::string(kHashKey) + R"(,"GlobalSecondaryIndexes":[)" +
                 Gsi("gsi", kGKeys) + "]"),
      "ValidationException",
      "One or more parameter values were invalid: Some AttributeDefinitions "
      "are not used. AttributeDefinitions: [pk, g, u], keys used: [pk, g]");
  // Provisioned tables need throughput per GSI.
  ExpectError(
      Create(
          defs,
          R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},"GlobalSecondaryIndexes":[)" +
              Gsi("gsi", kGKeys) + "]"),
      "ValidationException",
      "One or more parameter values were invalid: ProvisionedThroughput must "
      "be specified for index: gsi");
}

TEST_F(IndexOpsTest, CreateTableValidatesLocalIndexes) {
  const std::string defs =
      std::string(kPkDef) +
      R"(,{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"o","AttributeType":"S"},{"AttributeName":"l","AttributeType":"N"})";
  const std::string keys =
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST")";
  ExpectError(
      Create(
          defs,
          keys + R"(,"LocalSecondaryIndexes":[)" +
              Gsi("lsi",
                  R"([{"AttributeName":"o","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}])") +
              "]"),
      "ValidationException",
      "One or more parameter values were invalid: Index KeySchema does not "
      "have the same leading hash key as table KeySchema for index: lsi. "
      "index hash key: o, table hash key: pk");
  ExpectError(
      Create(defs,
             keys + R"(,"LocalSecondaryIndexes":[)" +
                 Gsi("lsi", R"([{"AttributeName":"pk","KeyType":"HASH"}])") +
                 "]"),
      "ValidationException",
      "One or more parameter values were invalid: Index KeySchema does not "
      "have a range key for index: lsi");
}

TEST_F(IndexOpsTest, DescribeTableShowsIndexes) {
  CreateIndexedTable();
  Put(R"({"pk":{"S":"a"},"sk":{"N":"1"},"email":{"S":"a@x"},"grp":{"S":"g"},"rnk":{"N":"2"}})");
  Put(R"({"pk":{"S":"b"},"sk":{"N":"1"}})");
  Response r = Call("DescribeTable", R"({"TableName":"tbl"})");
  ASSERT_EQ(r.status, 200);
  const auto& gsis = r.json["Table"]["GlobalSecondaryIndexes"];
  ASSERT_EQ(gsis.Size(), 2u);
  EXPECT_STREQ(gsis[0]["IndexName"].GetString(), "byEmail");
  EXPECT_STREQ(gsis[0]["IndexStatus"].GetString(), "ACTIVE");
  EXPECT_EQ(gsis[0]["ItemCount"].GetInt(), 1);
  EXPECT_GT(gsis[0]["IndexSizeBytes"].GetInt(), 0);
  EXPECT_STREQ(
      gsis[0]["IndexArn"].GetString(),
      "arn:aws:dynamodb:us-east-1:000000000000:table/tbl/index/byEmail");
  EXPECT_STREQ(gsis[1]["Projection"]["ProjectionType"].GetString(),
               "KEYS_ONLY");
  const auto& lsis = r.json["Table"]["LocalSecondaryIndexes"];
  ASSERT_EQ(lsis.Size(), 1u);
  EXPECT_EQ(ToString(lsis[0]["Projection"]),
            R"({"NonKeyAttributes":["note"],"ProjectionType":"INCLUDE"})");
  EXPECT_EQ(lsis[0]["ItemCount"].GetInt(), 0);
}

TEST_F(IndexOpsTest, SparseIndexAndMaintenanceThroughUpdates) {
  CreateIndexedTable();
  Put(R"({"pk":{"S":"a"},"sk":{"N":"1"},"email":{"S":"old@x"}})");
  Put(R"({"pk":{"S":"b"},"sk":{"N":"1"}})");
  auto query_email = [&](const std::string& email) {
    return Call(
        "Query",
        R"({"TableName":"tbl","IndexName":"byEmail","KeyConditionExpression":"email = :e","ExpressionAttributeValues":{":e":{"S":")" +
            email + R"("}}})");
  };
  EXPECT_EQ(query_email("old@x").json["Count"].GetInt(), 1);
  // Change the index key.
  ASSERT_EQ(
      Call(
          "UpdateItem",
          R"({"TableName":"tbl","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET email = :e","ExpressionAttributeValues":{":e":{"S":"new@x"}}})")
          .status,
      200);
  EXPECT_EQ(query_email("old@x").json["Count"].GetInt(), 0);
  EXPECT_EQ(query_email("new@x").json["Count"].GetInt(), 1);
  // Add it to an item that had none.
  ASSERT_EQ(
      Call(
          "UpdateItem",
          R"({"TableName":"tbl","Key":{"pk":{"S":"b"},"sk":{"N":"1"}},"UpdateExpression":"SET email = :e","ExpressionAttributeValues":{":e":{"S":"new@x"}}})")
          .status,
      200);
  EXPECT_EQ(query_email("new@x").json["Count"].GetInt(), 2);
  // Remove it.
  ASSERT_EQ(
      Call(
          "UpdateItem",
          R"({"TableName":"tbl","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"REMOVE email"})")
          .status,
      200);
  EXPECT_EQ(query_email("new@x").json["Count"].GetInt(), 1);
  ASSERT_EQ(Call("DeleteItem",
                 R"({"TableName":"tbl","Key":{"pk":{"S":"b"},"sk":{"N":"1"}}})")
                .status,
            200);
  EXPECT_EQ(query_email("new@x").json["Count"].GetInt(), 0);
  Response scan = Call("Scan", R"({"TableName":"tbl","IndexName":"byEmail"})");
  EXPECT_EQ(scan.json["Count"].GetInt(), 0) << scan.body;
  Response d = Call("DescribeTable", R"({"TableName":"tbl"})");
  EXPECT_EQ(d.json["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"].GetInt(),
            0);
  EXPECT_EQ(
      d.json["Table"]["GlobalSecondaryIndexes"][0]["IndexSizeBytes"].GetInt(),
      0);
}

TEST_F(IndexOpsTest, WrongTypeIndexKeyIsRejected) {
  CreateIndexedTable();
  ExpectError(
      Call(
          "PutItem",
          R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"email":{"N":"5"}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Type mismatch for Index "
      "Key email Expected: S Actual: N IndexName: byEmail");
  Put(R"({"pk":{"S":"a"},"sk":{"N":"1"}})");
  ExpectError(
      Call(
          "UpdateItem",
          R"({"TableName":"tbl","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET rnk = :r","ExpressionAttributeValues":{":r":{"S":"x"}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Type mismatch for Index "
      "Key rnk Expected: N Actual: S IndexName: byGroup");
}

TEST_F(IndexOpsTest, QueryOrdersBySortKeyAndProjects) {
  CreateIndexedTable();
  for (int i = 0; i < 5; ++i) {
    const std::string n = std::to_string(i);
    Put(R"({"pk":{"S":"p)" + n +
        R"("},"sk":{"N":"1"},"grp":{"S":"g"},"rnk":{"N":")" +
        std::to_string(10 - i) + R"("},"other":{"S":"x"}})");
  }
  Response r = Call(
      "Query",
      R"({"TableName":"tbl","IndexName":"byGroup","KeyConditionExpression":"grp = :g AND rnk BETWEEN :a AND :b","ExpressionAttributeValues":{":g":{"S":"g"},":a":{"N":"7"},":b":{"N":"9"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      ToString(r.json["Items"]),
      R"([{"grp":{"S":"g"},"pk":{"S":"p3"},"rnk":{"N":"7"},"sk":{"N":"1"}},{"grp":{"S":"g"},"pk":{"S":"p2"},"rnk":{"N":"8"},"sk":{"N":"1"}},{"grp":{"S":"g"},"pk":{"S":"p1"},"rnk":{"N":"9"},"sk":{"N":"1"}}])");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"tbl","IndexName":"byGroup","Select":"ALL_ATTRIBUTES","KeyConditionExpression":"grp = :g","ExpressionAttributeValues":{":g":{"S":"g"}}})"),
      "ValidationException",
      "One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
      "is not supported for global secondary index byGroup because its "
      "projection type is not ALL");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"tbl","IndexName":"byGroup","ConsistentRead":true,"KeyConditionExpression":"grp = :g","ExpressionAttributeValues":{":g":{"S":"g"}}})"),
      "ValidationException",
      "Consistent reads are not supported on global secondary indexes");
  ExpectError(
      Call(
          "Query",
          R"({"TableName":"tbl","IndexName":"nope","KeyConditionExpression":"grp = :g","ExpressionAttributeValues":{":g":{"S":"g"}}})"),
      "ValidationException",
      "The table does not have the specified index: nope");
}

TEST_F(IndexOpsTest, LocalIndexReadsTheTableForAllAttributes) {
  CreateIndexedTable();
  Put(R"({"pk":{"S":"a"},"sk":{"N":"1"},"score":{"N":"5"},"note":{"S":"n"},"big":{"S":"b"}})");
  Put(R"({"pk":{"S":"a"},"sk":{"N":"2"},"score":{"N":"3"},"note":{"S":"m"}})");
  const std::string base =
      R"({"TableName":"tbl","IndexName":"byScore","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}})";
  Response projected = Call("Query", base + "}");
  ASSERT_EQ(projected.status, 200) << projected.body;
  EXPECT_EQ(
      ToString(projected.json["Items"]),
      R"([{"note":{"S":"m"},"pk":{"S":"a"},"score":{"N":"3"},"sk":{"N":"2"}},{"note":{"S":"n"},"pk":{"S":"a"},"score":{"N":"5"},"sk":{"N":"1"}}])");
  Response all = Call(
      "Query", base + R"(,"Select":"ALL_ATTRIBUTES","ConsistentRead":true})");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_TRUE(all.json["Items"][1].HasMember("big"));
}

TEST_F(IndexOpsTest, PagingOverManyEqualIndexKeysReturnsEachItemOnce) {
  CreateIndexedTable();
  constexpr int kItems = 300;
  for (int i = 0; i < kItems; ++i) {
    Put(R"({"pk":{"S":"p)" + std::to_string(i) +
        R"("},"sk":{"N":"1"},"grp":{"S":"same"},"rnk":{"N":"1"},"email":{"S":"same"}})");
  }
  for (const std::string& op : {std::string("Query"), std::string("Scan")}) {
    for (const std::string& index :
         {std::string("byGroup"), std::string("byEmail")}) {
      std::set<std::string> seen;
      std::string start;
      int pages = 0;
      while (true) {
        std::string body =
            R"({"TableName":"tbl","IndexName":")" + index + R"(","Limit":7)";
        if (op == "Query") {
          const char* attr = index == "byGroup" ? "grp" : "email";
          body += R"(,"KeyConditionExpression":")" + std::string(attr) +
                  R"( = :v","ExpressionAttributeValues":{":v":{"S":"same"}})";
        }
        if (!start.empty()) body += R"(,"ExclusiveStartKey":)" + start;
        body += "}";
        Response r = Call(op, body);
        ASSERT_EQ(r.status, 200) << r.body;
        for (const auto& item : r.json["Items"].GetArray()) {
          EXPECT_TRUE(seen.insert(item["pk"]["S"].GetString()).second)
              << op << " " << index << " repeated " << ToString(item);
        }
        ++pages;
        if (!r.json.HasMember("LastEvaluatedKey")) break;
        start = ToString(r.json["LastEvaluatedKey"]);
        ASSERT_LT(pages, 100);
      }
      EXPECT_EQ(seen.size(), static_cast<size_t>(kItems)) << op << " " << index;
    }
  }
  // LastEvaluatedKey names the index keys and the table keys.
  Response r = Call(
      "Query",
      R"({"TableName":"tbl","IndexName":"byGroup","Limit":1,"KeyConditionExpression":"grp = :v","ExpressionAttributeValues":{":v":{"S":"same"}}})");
  const auto& lek = r.json["LastEvaluatedKey"];
  EXPECT_TRUE(lek.HasMember("grp") && lek.HasMember("rnk") &&
              lek.HasMember("pk") && lek.HasMember("sk"))
      << r.body;
}

TEST_F(IndexOpsTest, DeleteTableRemovesIndexEntries) {
  CreateIndexedTable();
  Put(R"({"pk":{"S":"a"},"sk":{"N":"1"},"email":{"S":"e"}})");
  ASSERT_EQ(Call("DeleteTable", R"({"TableName":"tbl"})").status, 200);
  CreateIndexedTable();
  Response r = Call("Scan", R"({"TableName":"tbl","IndexName":"byEmail"})");
  EXPECT_EQ(r.json["Count"].GetInt(), 0) << r.body;
}

}  // namespace
}  // namespace ddb::testing
