// Multi-attribute GSI keys through the operations: a GSI whose KeySchema has
// two HASH and two RANGE attributes. Only items carrying all four are
// indexed; Query needs equality on both HASH attributes and takes conditions
// on the RANGE attributes from the left, only the last one a range; results
// come in the order of the RANGE attributes, left to right.
#include <string>
#include <vector>

#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class IndexMultiKeyTest : public OpsTest {
 protected:
  // Table "tbl": pk (S) hash; GSI "multi": tenant (S) + site (N) HASH,
  // cat (S) + seq (N) RANGE, projection ALL.
  void CreateMultiKeyTable() {
    Response r = Call("CreateTable", R"({"TableName":"tbl",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
        {"AttributeName":"tenant","AttributeType":"S"},
        {"AttributeName":"site","AttributeType":"N"},
        {"AttributeName":"cat","AttributeType":"S"},
        {"AttributeName":"seq","AttributeType":"N"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
      "BillingMode":"PAY_PER_REQUEST",
      "GlobalSecondaryIndexes":[
        {"IndexName":"multi","KeySchema":[
           {"AttributeName":"tenant","KeyType":"HASH"},
           {"AttributeName":"site","KeyType":"HASH"},
           {"AttributeName":"cat","KeyType":"RANGE"},
           {"AttributeName":"seq","KeyType":"RANGE"}],
         "Projection":{"ProjectionType":"ALL"}}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void Put(const std::string& item) {
    Response r = Call("PutItem", R"({"TableName":"tbl","Item":)" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // An item with every index key attribute.
  void PutFull(const std::string& pk, const std::string& tenant, int site,
               const std::string& cat, int seq) {
    Put(R"({"pk":{"S":")" + pk + R"("},"tenant":{"S":")" + tenant +
        R"("},"site":{"N":")" + std::to_string(site) + R"("},"cat":{"S":")" +
        cat + R"("},"seq":{"N":")" + std::to_string(seq) + R"("}})");
  }

  // Query on "multi" with the given key condition and the values :t (S
  // "acme") and :s (N 1) plus `extra_values` (JSON members, may be empty).
  Response QueryMulti(const std::string& condition,
                      const std::string& extra_values = "",
                      bool forward = true) {
    std::string values = R"(":t":{"S":"acme"},":s":{"N":"1"})";
    if (!extra_values.empty()) values += "," + extra_values;
    return Call("Query", R"({"TableName":"tbl","IndexName":"multi",)"
                         R"("ScanIndexForward":)" +
                             std::string(forward ? "true" : "false") +
                             R"(,"KeyConditionExpression":")" + condition +
                             R"(","ExpressionAttributeValues":{)" + values +
                             "}}");
  }

  // The "pk" of every returned item, in order; fails on an error response.
  static std::vector<std::string> Pks(const Response& r) {
    std::vector<std::string> pks;
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return pks;
    for (const auto& item : r.json["Items"].GetArray()) {
      pks.push_back(item["pk"]["S"].GetString());
    }
    return pks;
  }

  // Six items in acme/1 (put out of order), one in another tenant, one in
  // another site, and four each missing one index key attribute.
  void PutItems() {
    PutFull("p5", "acme", 1, "b", 2);
    PutFull("p1", "acme", 1, "a", 10);
    PutFull("p4", "acme", 1, "b", 1);
    PutFull("p2", "acme", 1, "a", 20);
    PutFull("p6", "acme", 1, "c", 5);
    PutFull("p3", "acme", 1, "a", 30);
    PutFull("other-tenant", "zeta", 1, "a", 15);
    PutFull("other-site", "acme", 2, "a", 15);
    Put(R"({"pk":{"S":"no-tenant"},"site":{"N":"1"},"cat":{"S":"a"},"seq":{"N":"15"}})");
    Put(R"({"pk":{"S":"no-site"},"tenant":{"S":"acme"},"cat":{"S":"a"},"seq":{"N":"15"}})");
    Put(R"({"pk":{"S":"no-cat"},"tenant":{"S":"acme"},"site":{"N":"1"},"seq":{"N":"15"}})");
    Put(R"({"pk":{"S":"no-seq"},"tenant":{"S":"acme"},"site":{"N":"1"},"cat":{"S":"a"}})");
  }
};

using Pk = std::vector<std::string>;

TEST_F(IndexMultiKeyTest, DescribeTableListsAllFourKeyElements) {
  CreateMultiKeyTable();
  Response r = Call("DescribeTable", R"({"TableName":"tbl"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ToString(r.json["Table"]["GlobalSecondaryIndexes"][0]["KeySchema"]),
            R"([{"AttributeName":"tenant","KeyType":"HASH"},)"
            R"({"AttributeName":"site","KeyType":"HASH"},)"
            R"({"AttributeName":"cat","KeyType":"RANGE"},)"
            R"({"AttributeName":"seq","KeyType":"RANGE"}])");
}

TEST_F(IndexMultiKeyTest, ItemsMissingAnyKeyAttributeAreNotIndexed) {
  CreateMultiKeyTable();
  PutItems();
  Response scan = Call("Scan", R"({"TableName":"tbl","IndexName":"multi"})");
  ASSERT_EQ(scan.status, 200) << scan.body;
  EXPECT_EQ(scan.json["Count"].GetInt(), 8) << scan.body;
  for (const std::string& pk : Pks(scan)) {
    EXPECT_NE(pk.rfind("no-", 0), 0u) << pk << " is in the index";
  }
  Response d = Call("DescribeTable", R"({"TableName":"tbl"})");
  EXPECT_EQ(d.json["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"].GetInt(),
            8);

  // Removing one key attribute drops the item; adding the missing one
  // indexes it.
  ASSERT_EQ(Call("UpdateItem", R"({"TableName":"tbl","Key":{"pk":{"S":"p1"}},
                   "UpdateExpression":"REMOVE seq"})")
                .status,
            200);
  EXPECT_EQ(Pks(QueryMulti("tenant = :t AND site = :s")),
            (Pk{"p2", "p3", "p4", "p5", "p6"}));
  ASSERT_EQ(
      Call("UpdateItem", R"({"TableName":"tbl","Key":{"pk":{"S":"no-site"}},
             "UpdateExpression":"SET site = :s",
             "ExpressionAttributeValues":{":s":{"N":"1"}}})")
          .status,
      200);
  EXPECT_EQ(Pks(QueryMulti("tenant = :t AND site = :s")),
            (Pk{"no-site", "p2", "p3", "p4", "p5", "p6"}));
}

TEST_F(IndexMultiKeyTest, QueryOrdersBySortAttributesLeftToRight) {
  CreateMultiKeyTable();
  PutItems();
  // Both HASH attributes, no RANGE condition: by cat, then seq.
  Response all = QueryMulti("tenant = :t AND site = :s");
  EXPECT_EQ(Pks(all), (Pk{"p1", "p2", "p3", "p4", "p5", "p6"}));
  EXPECT_EQ(
      ToString(all.json["Items"][0]),
      R"({"cat":{"S":"a"},"pk":{"S":"p1"},"seq":{"N":"10"},"site":{"N":"1"},"tenant":{"S":"acme"}})");
  // The HASH conditions in either order; backward.
  EXPECT_EQ(Pks(QueryMulti("site = :s AND tenant = :t")),
            (Pk{"p1", "p2", "p3", "p4", "p5", "p6"}));
  EXPECT_EQ(Pks(QueryMulti("tenant = :t AND site = :s", "", false)),
            (Pk{"p6", "p5", "p4", "p3", "p2", "p1"}));
  // Other HASH values select other partitions.
  EXPECT_EQ(Pks(Call("Query", R"({"TableName":"tbl","IndexName":"multi",
      "KeyConditionExpression":"tenant = :t AND site = :s",
      "ExpressionAttributeValues":{":t":{"S":"acme"},":s":{"N":"2"}}})")),
            (Pk{"other-site"}));
  // A range condition on the first RANGE attribute.
  EXPECT_EQ(Pks(QueryMulti("tenant = :t AND site = :s AND cat >= :c",
                           R"(":c":{"S":"b"})")),
            (Pk{"p4", "p5", "p6"}));
  EXPECT_EQ(Pks(QueryMulti("tenant = :t AND site = :s AND begins_with(cat, :c)",
                           R"(":c":{"S":"a"})")),
            (Pk{"p1", "p2", "p3"}));
  // Equality on the first RANGE attribute alone.
  EXPECT_EQ(Pks(QueryMulti("tenant = :t AND site = :s AND cat = :c",
                           R"(":c":{"S":"b"})", false)),
            (Pk{"p5", "p4"}));
  // Equality on the first, then a range on the second.
  EXPECT_EQ(
      Pks(QueryMulti(
          "tenant = :t AND site = :s AND cat = :c AND seq BETWEEN :lo AND :hi",
          R"(":c":{"S":"a"},":lo":{"N":"15"},":hi":{"N":"30"})")),
      (Pk{"p2", "p3"}));
  EXPECT_EQ(
      Pks(QueryMulti("seq < :hi AND cat = :c AND site = :s AND tenant = :t",
                     R"(":c":{"S":"a"},":hi":{"N":"30"})", false)),
      (Pk{"p2", "p1"}));
  // Equality on both RANGE attributes.
  EXPECT_EQ(
      Pks(QueryMulti("tenant = :t AND site = :s AND cat = :c AND seq = :q",
                     R"(":c":{"S":"b"},":q":{"N":"2"})")),
      (Pk{"p5"}));
}

TEST_F(IndexMultiKeyTest, QueryPagesInSortOrder) {
  CreateMultiKeyTable();
  PutItems();
  Pk seen;
  std::string start;
  for (int pages = 0; pages < 10; ++pages) {
    std::string body = R"({"TableName":"tbl","IndexName":"multi","Limit":2,
        "KeyConditionExpression":"tenant = :t AND site = :s",
        "ExpressionAttributeValues":{":t":{"S":"acme"},":s":{"N":"1"}})";
    if (!start.empty()) body += R"(,"ExclusiveStartKey":)" + start;
    Response r = Call("Query", body + "}");
    for (const std::string& pk : Pks(r)) seen.push_back(pk);
    if (r.status != 200 || !r.json.HasMember("LastEvaluatedKey")) break;
    start = ToString(r.json["LastEvaluatedKey"]);
  }
  EXPECT_EQ(seen, (Pk{"p1", "p2", "p3", "p4", "p5", "p6"}));
}

TEST_F(IndexMultiKeyTest, QueryKeyConditionErrors) {
  CreateMultiKeyTable();
  // A HASH attribute missing.
  ExpectError(Call("Query", R"({"TableName":"tbl","IndexName":"multi",
      "KeyConditionExpression":"tenant = :t",
      "ExpressionAttributeValues":{":t":{"S":"acme"}}})"),
              "ValidationException",
              "Query condition missed key schema element: site");
  ExpectError(Call("Query", R"({"TableName":"tbl","IndexName":"multi",
      "KeyConditionExpression":"site = :s AND cat = :c",
      "ExpressionAttributeValues":{":s":{"N":"1"},":c":{"S":"a"}}})"),
              "ValidationException",
              "Query condition missed key schema element: tenant");
  // A HASH attribute with a range condition.
  ExpectError(QueryMulti("tenant = :t AND site > :s"), "ValidationException",
              "Query key condition not supported");
  // The second RANGE attribute without the first.
  ExpectError(
      QueryMulti("tenant = :t AND site = :s AND seq = :q", R"(":q":{"N":"1"})"),
      "ValidationException", "Query condition missed key schema element: cat");
  // A range on the first RANGE attribute, then a condition on the second.
  ExpectError(QueryMulti("tenant = :t AND site = :s AND cat > :c AND seq = :q",
                         R"(":c":{"S":"a"},":q":{"N":"1"})"),
              "ValidationException", "Query key condition not supported");
  // A value of the wrong type.
  ExpectError(Call("Query", R"({"TableName":"tbl","IndexName":"multi",
      "KeyConditionExpression":"tenant = :t AND site = :s",
      "ExpressionAttributeValues":{":t":{"S":"acme"},":s":{"S":"1"}}})"),
              "ValidationException",
              "One or more parameter values were invalid: Condition parameter "
              "type does not match schema type");
}

}  // namespace
}  // namespace ddb::testing
