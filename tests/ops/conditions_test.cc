// Conditional writes: ConditionExpression and the legacy Expected on
// PutItem, DeleteItem and UpdateItem, the exact failure responses, and their
// atomicity under concurrent clients.
#include <atomic>
#include <thread>
#include <vector>

#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class ConditionsTest : public OpsTest {
 protected:
  void SetUp() override {
    OpsTest::SetUp();
    CreateHashTable("items");
  }

  void Put(const std::string& item) {
    Response r =
        Call("PutItem", R"j({"TableName":"items","Item":)j" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::string Get(const std::string& pk) {
    return Call("GetItem", R"j({"TableName":"items","Key":{"pk":{"S":")j" + pk +
                               R"j("}},"ConsistentRead":true})j")
        .body;
  }

  void ExpectConditionFailed(const Response& r) {
    ExpectError(r, "ConditionalCheckFailedException",
                "The conditional request failed");
    EXPECT_EQ(r.FullType(),
              "com.amazonaws.dynamodb.v20120810#"
              "ConditionalCheckFailedException");
  }
};

TEST_F(ConditionsTest, PutIfNotExists) {
  const std::string put =
      R"j({"TableName":"items","Item":{"pk":{"S":"a"},"v":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"})j";
  ASSERT_EQ(Call("PutItem", put).status, 200);
  ExpectConditionFailed(Call("PutItem", put));
  EXPECT_EQ(Get("a"), R"j({"Item":{"pk":{"S":"a"},"v":{"N":"1"}}})j");
}

TEST_F(ConditionsTest, FailureCarriesOldItemOnlyWhenAsked) {
  Put(R"j({"pk":{"S":"a"},"v":{"S":"old"}})j");
  Response plain = Call(
      "PutItem",
      R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"v = :x","ExpressionAttributeValues":{":x":{"S":"new"}}})j");
  ExpectConditionFailed(plain);
  EXPECT_FALSE(plain.json.HasMember("Item"));
  Response with_item = Call(
      "PutItem",
      R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"v = :x","ExpressionAttributeValues":{":x":{"S":"new"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
  ExpectConditionFailed(with_item);
  EXPECT_EQ(ToString(with_item.json["Item"]),
            R"j({"pk":{"S":"a"},"v":{"S":"old"}})j");
  // No old item: nothing to carry.
  Response absent = Call(
      "DeleteItem",
      R"j({"TableName":"items","Key":{"pk":{"S":"b"}},"ConditionExpression":"attribute_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
  ExpectConditionFailed(absent);
  EXPECT_FALSE(absent.json.HasMember("Item"));
}

TEST_F(ConditionsTest, DeleteWithCondition) {
  Put(R"j({"pk":{"S":"a"},"status":{"S":"active"}})j");
  const std::string del =
      R"j({"TableName":"items","Key":{"pk":{"S":"a"}},"ConditionExpression":"(attribute_exists(pk)) AND (#s = :v)","ExpressionAttributeNames":{"#s":"status"},"ExpressionAttributeValues":{":v":{"S":"%s"}}})j";
  std::string wrong = del;
  wrong.replace(wrong.find("%s"), 2, "idle");
  ExpectConditionFailed(Call("DeleteItem", wrong));
  EXPECT_NE(Get("a"), "{}");
  std::string right = del;
  right.replace(right.find("%s"), 2, "active");
  ASSERT_EQ(Call("DeleteItem", right).status, 200);
  EXPECT_EQ(Get("a"), "{}");
}

TEST_F(ConditionsTest, ValidationMessages) {
  ExpectError(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v"})j"),
      "ValidationException",
      "Invalid ConditionExpression: An expression attribute value used in "
      "expression is not defined; attribute value: :v");
  ExpectError(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"S":"x"},":w":{"S":"y"}}})j"),
      "ValidationException",
      "Value provided in ExpressionAttributeValues unused in expressions: "
      "keys: {:w}");
  ExpectError(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"S":"x"}},"ExpressionAttributeNames":{"#u":"x"}})j"),
      "ValidationException",
      "Value provided in ExpressionAttributeNames unused in expressions: "
      "keys: {#u}");
  ExpectError(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{}})j"),
      "ValidationException", "ExpressionAttributeValues must not be empty");
  ExpectError(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{"v":{"S":"x"}}})j"),
      "ValidationException",
      "ExpressionAttributeValues contains invalid key: Syntax error; key: "
      "\"v\"");
  ExpectError(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":{"SS":[]}}})j"),
      "ValidationException",
      "ExpressionAttributeValues contains invalid value: One or more "
      "parameter values were invalid: An string set  may not be empty for "
      "key :v");
  ExpectError(
      Call(
          "DeleteItem",
          R"j({"TableName":"items","Key":{"pk":{"S":"a"}},"ConditionExpression":""})j"),
      "ValidationException",
      "Invalid ConditionExpression: The expression can not be empty;");
  ExpectError(
      Call(
          "DeleteItem",
          R"j({"TableName":"items","Key":{"pk":{"S":"a"}},"ConditionExpression":"name = :v","ExpressionAttributeValues":{":v":{"S":"x"}}})j"),
      "ValidationException",
      "Invalid ConditionExpression: Attribute name is a reserved keyword; "
      "reserved keyword: name");
}

// ---- Legacy Expected ------------------------------------------------------

TEST_F(ConditionsTest, ExpectedExistsAndValue) {
  ASSERT_EQ(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"},"v":{"S":"1"}},"Expected":{"pk":{"Exists":false}}})j")
          .status,
      200);
  ExpectConditionFailed(Call(
      "PutItem",
      R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"Expected":{"pk":{"Exists":false}}})j"));
  ExpectConditionFailed(Call(
      "PutItem",
      R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"Expected":{"v":{"Value":{"S":"2"}}}})j"));
  ASSERT_EQ(
      Call(
          "PutItem",
          R"j({"TableName":"items","Item":{"pk":{"S":"a"},"v":{"S":"2"}},"Expected":{"v":{"Value":{"S":"1"},"Exists":true}}})j")
          .status,
      200);
}

TEST_F(ConditionsTest, ExpectedComparisonOperatorsAndConditionalOperator) {
  Put(R"j({"pk":{"S":"a"},"n":{"N":"5"},"s":{"S":"hello"},"ss":{"SS":["x"]}})j");
  auto put_if = [&](const std::string& expected, const char* op = nullptr) {
    std::string body =
        R"j({"TableName":"items","Item":{"pk":{"S":"a"},"n":{"N":"5"},"s":{"S":"hello"},"ss":{"SS":["x"]}},"Expected":)j" +
        expected;
    if (op) body += std::string(R"j(,"ConditionalOperator":")j") + op + "\"";
    return Call("PutItem", body + "}").status;
  };
  EXPECT_EQ(
      put_if(
          R"j({"n":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"4"}]}})j"),
      200);
  EXPECT_EQ(
      put_if(
          R"j({"n":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"4"}]}})j"),
      400);
  EXPECT_EQ(
      put_if(
          R"j({"n":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"9"}]}})j"),
      200);
  EXPECT_EQ(
      put_if(
          R"j({"s":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"he"}]}})j"),
      200);
  EXPECT_EQ(
      put_if(
          R"j({"ss":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"x"}]}})j"),
      200);
  EXPECT_EQ(
      put_if(
          R"j({"ss":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"x"}]}})j"),
      400);
  EXPECT_EQ(
      put_if(
          R"j({"s":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"a"},{"S":"hello"}]}})j"),
      200);
  EXPECT_EQ(put_if(R"j({"zz":{"ComparisonOperator":"NULL"}})j"), 200);
  EXPECT_EQ(put_if(R"j({"zz":{"ComparisonOperator":"NOT_NULL"}})j"), 400);
  EXPECT_EQ(put_if(R"j({"n":{"ComparisonOperator":"NE","Value":{"N":"5"}}})j"),
            400);
  const std::string one_false =
      R"j({"n":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"5"}]},"s":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"nope"}]}})j";
  EXPECT_EQ(put_if(one_false), 400);
  EXPECT_EQ(put_if(one_false, "AND"), 400);
  EXPECT_EQ(put_if(one_false, "OR"), 200);
}

TEST_F(ConditionsTest, ExpectedValidationMessages) {
  auto error = [&](const std::string& expected) {
    return Call(
               "PutItem",
               R"j({"TableName":"items","Item":{"pk":{"S":"a"}},"Expected":)j" +
                   expected + "}")
        .Message();
  };
  const std::string prefix = "One or more parameter values were invalid: ";
  EXPECT_EQ(
      error(R"j({"a":{"Value":{"S":"x"},"AttributeValueList":[{"S":"x"}]}})j"),
      prefix +
          "Value and AttributeValueList cannot be used together "
          "for Attribute: a");
  EXPECT_EQ(error(R"j({"a":{"ComparisonOperator":"EQ","Exists":true}})j"),
            prefix +
                "Exists and ComparisonOperator cannot be used together "
                "for Attribute: a");
  EXPECT_EQ(error(R"j({"a":{"ComparisonOperator":"EQ"}})j"),
            prefix +
                "Value or AttributeValueList must be used with "
                "ComparisonOperator: EQ for Attribute: a");
  EXPECT_EQ(
      error(
          R"j({"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"}]}})j"),
      prefix +
          "Invalid number of argument(s) for the BETWEEN "
          "ComparisonOperator");
  EXPECT_EQ(
      error(
          R"j({"a":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"1"},{"S":"x"}]}})j"),
      prefix +
          "AttributeValues inside AttributeValueList must be of "
          "same type");
  EXPECT_EQ(
      error(
          R"j({"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"9"},{"N":"1"}]}})j"),
      "The BETWEEN condition was provided a range where the lower bound "
      "is greater than the upper bound");
  EXPECT_EQ(error(R"j({"a":{"AttributeValueList":[{"S":"x"}]}})j"),
            prefix +
                "AttributeValueList can only be used with a "
                "ComparisonOperator for Attribute: a");
  EXPECT_EQ(error(R"j({"a":{}})j"),
            prefix +
                "Value must be provided when Exists is null for "
                "Attribute: a");
  EXPECT_EQ(error(R"j({"a":{"Exists":true}})j"),
            prefix +
                "Value must be provided when Exists is true for "
                "Attribute: a");
  EXPECT_EQ(error(R"j({"a":{"Exists":false,"Value":{"S":"x"}}})j"),
            prefix +
                "Value cannot be used when Exists is false for "
                "Attribute: a");
}

// ---- Atomicity under concurrency -----------------------------------------

// Many clients race to advance a version attribute with a conditional put:
// in every round exactly one wins, and the others see the condition fail.
TEST_F(ConditionsTest, ConcurrentVersionedPutsHaveOneWinnerPerRound) {
  Put(R"j({"pk":{"S":"v"},"version":{"N":"0"}})j");
  constexpr int kClients = 8;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> winners{0};
    std::atomic<int> losers{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        const std::string body =
            R"j({"TableName":"items","Item":{"pk":{"S":"v"},"version":{"N":")j" +
            std::to_string(round + 1) + R"j("},"who":{"N":")j" +
            std::to_string(c) +
            R"j("}},"ConditionExpression":"version = :expected","ExpressionAttributeValues":{":expected":{"N":")j" +
            std::to_string(round) + R"j("}}})j";
        Response r = Call("PutItem", body);
        if (r.status == 200) {
          ++winners;
        } else if (r.ErrorType() == "ConditionalCheckFailedException") {
          ++losers;
        }
      });
    }
    for (std::thread& t : clients) t.join();
    ASSERT_EQ(winners.load(), 1) << "round " << round;
    ASSERT_EQ(losers.load(), kClients - 1) << "round " << round;
  }
  Response final_item =
      Call("GetItem", R"j({"TableName":"items","Key":{"pk":{"S":"v"}}})j");
  EXPECT_EQ(std::string(final_item.json["Item"]["version"]["N"].GetString()),
            std::to_string(kRounds));
}

TEST_F(ConditionsTest, ConcurrentCountersEndExact) {
  constexpr int kClients = 8;
  constexpr int kIncrements = 50;
  std::vector<std::thread> clients;
  std::atomic<int> failures{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Response add = Call(
            "UpdateItem",
            R"j({"TableName":"items","Key":{"pk":{"S":"counter"}},"UpdateExpression":"ADD hits :one SET sum1 = if_not_exists(sum1, :zero) + :two","ExpressionAttributeValues":{":one":{"N":"1"},":two":{"N":"2"},":zero":{"N":"0"}}})j");
        if (add.status != 200) ++failures;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Get("counter"), R"j({"Item":{"hits":{"N":")j" +
                                std::to_string(kClients * kIncrements) +
                                R"j("},"pk":{"S":"counter"},"sum1":{"N":")j" +
                                std::to_string(2 * kClients * kIncrements) +
                                R"j("}}})j");
}

// Deletes guarded by attribute_exists: of many concurrent deletes of one
// item, exactly one succeeds.
TEST_F(ConditionsTest, ConcurrentConditionalDeletesHaveOneWinner) {
  Put(R"j({"pk":{"S":"d"}})j");
  std::atomic<int> winners{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      Response r = Call(
          "DeleteItem",
          R"j({"TableName":"items","Key":{"pk":{"S":"d"}},"ConditionExpression":"attribute_exists(pk)"})j");
      if (r.status == 200) ++winners;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(winners.load(), 1);
}

}  // namespace
}  // namespace ddb::testing
