// UpdateItem: JSON in, JSON out — upserts, every ReturnValues, conditions,
// the legacy AttributeUpdates, and DynamoDB's validation messages.
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class UpdateItemTest : public OpsTest {
 protected:
  void SetUp() override {
    OpsTest::SetUp();
    CreateHashTable("items");
    CreateCompositeTable("events", "S");
  }

  // UpdateItem on items/{pk: "a"} with extra request members.
  Response Update(const std::string& members) {
    return Call(
        "UpdateItem",
        R"j({"TableName":"items","Key":{"pk":{"S":"a"}},)j" + members + "}");
  }

  std::string Item() {
    return Call("GetItem", R"j({"TableName":"items","Key":{"pk":{"S":"a"}}})j")
        .body;
  }

  void Seed(const std::string& item) {
    Response r =
        Call("PutItem", R"j({"TableName":"items","Item":)j" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
};

TEST_F(UpdateItemTest, CreatesTheItemWhenAbsent) {
  Response r = Update(
      R"j("UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"x"}})j");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(Item(), R"j({"Item":{"pk":{"S":"a"},"v":{"S":"x"}}})j");
  // With no update at all, the key alone is written.
  ASSERT_EQ(
      Call("UpdateItem", R"j({"TableName":"items","Key":{"pk":{"S":"b"}}})j")
          .status,
      200);
  EXPECT_EQ(
      Call("GetItem", R"j({"TableName":"items","Key":{"pk":{"S":"b"}}})j").body,
      R"j({"Item":{"pk":{"S":"b"}}})j");
}

TEST_F(UpdateItemTest, EveryReturnValues) {
  Seed(
      R"j({"pk":{"S":"a"},"n":{"N":"1"},"keep":{"S":"k"},"m":{"M":{"x":{"S":"1"},"y":{"S":"2"}}}})j");
  const std::string update =
      R"j("UpdateExpression":"SET n = n + :one, m.x = :s","ExpressionAttributeValues":{":one":{"N":"1"},":s":{"S":"new"}},"ReturnValues":")j";
  EXPECT_EQ(Update(update + R"j(NONE")j").body, "{}");
  EXPECT_EQ(Update(update + R"j(UPDATED_OLD")j").body,
            R"j({"Attributes":{"m":{"M":{"x":{"S":"new"}}},"n":{"N":"2"}}})j");
  EXPECT_EQ(Update(update + R"j(UPDATED_NEW")j").body,
            R"j({"Attributes":{"m":{"M":{"x":{"S":"new"}}},"n":{"N":"4"}}})j");
  EXPECT_EQ(
      Update(update + R"j(ALL_OLD")j").body,
      R"j({"Attributes":{"keep":{"S":"k"},"m":{"M":{"x":{"S":"new"},"y":{"S":"2"}}},"n":{"N":"4"},"pk":{"S":"a"}}})j");
  EXPECT_EQ(
      Update(update + R"j(ALL_NEW")j").body,
      R"j({"Attributes":{"keep":{"S":"k"},"m":{"M":{"x":{"S":"new"},"y":{"S":"2"}}},"n":{"N":"6"},"pk":{"S":"a"}}})j");
}

TEST_F(UpdateItemTest, ReturnValuesOnANewItem) {
  EXPECT_EQ(
      Update(
          R"j("UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"x"}},"ReturnValues":"ALL_OLD")j")
          .body,
      "{}");
  EXPECT_EQ(
      Call(
          "UpdateItem",
          R"j({"TableName":"items","Key":{"pk":{"S":"b"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"x"}},"ReturnValues":"ALL_NEW"})j")
          .body,
      R"j({"Attributes":{"pk":{"S":"b"},"v":{"S":"x"}}})j");
  EXPECT_EQ(
      Call(
          "UpdateItem",
          R"j({"TableName":"items","Key":{"pk":{"S":"c"}},"UpdateExpression":"REMOVE v","ReturnValues":"UPDATED_NEW"})j")
          .body,
      "{}");
}

TEST_F(UpdateItemTest, RemoveAddDeleteAndListOperations) {
  Seed(
      R"j({"pk":{"S":"a"},"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]},"tags":{"SS":["x","y"]},"gone":{"S":"1"}})j");
  Response r = Update(
      R"j("UpdateExpression":"REMOVE l[0], gone ADD cnt :one SET l = list_append(l, :tail)","ExpressionAttributeValues":{":one":{"N":"1"},":tail":{"L":[{"S":"d"}]}}})j");
  // "l" is both SET and REMOVEd-from: DynamoDB calls that an overlap.
  ExpectError(r, "ValidationException",
              "Invalid UpdateExpression: Two document paths overlap with each "
              "other; must remove or rewrite one of these paths; path one: "
              "[l, [0]], path two: [l]");
  r = Update(
      R"j("UpdateExpression":"REMOVE l[0], gone ADD tags :more, cnt :one DELETE misc :less","ExpressionAttributeValues":{":more":{"SS":["z"]},":one":{"N":"1"},":less":{"SS":["x"]}},"ReturnValues":"ALL_NEW")j");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"j({"Attributes":{"cnt":{"N":"1"},"l":{"L":[{"S":"b"},{"S":"c"}]},"pk":{"S":"a"},"tags":{"SS":["x","y","z"]}}})j");
  r = Update(
      R"j("UpdateExpression":"DELETE tags :all","ExpressionAttributeValues":{":all":{"SS":["x","y","z"]}},"ReturnValues":"ALL_NEW")j");
  EXPECT_EQ(
      r.body,
      R"j({"Attributes":{"cnt":{"N":"1"},"l":{"L":[{"S":"b"},{"S":"c"}]},"pk":{"S":"a"}}})j");
}

TEST_F(UpdateItemTest, ConditionGuardsTheUpdate) {
  Seed(R"j({"pk":{"S":"a"},"v":{"N":"1"}})j");
  Response failed = Update(
      R"j("UpdateExpression":"SET v = :two","ConditionExpression":"v = :two","ExpressionAttributeValues":{":two":{"N":"2"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD")j");
  ExpectError(failed, "ConditionalCheckFailedException",
              "The conditional request failed");
  EXPECT_EQ(ToString(failed.json["Item"]),
            R"j({"pk":{"S":"a"},"v":{"N":"1"}})j");
  EXPECT_EQ(Item(), R"j({"Item":{"pk":{"S":"a"},"v":{"N":"1"}}})j");
  Response ok = Update(
      R"j("UpdateExpression":"SET v = :two","ConditionExpression":"v = :one","ExpressionAttributeValues":{":one":{"N":"1"},":two":{"N":"2"}})j");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Item(), R"j({"Item":{"pk":{"S":"a"},"v":{"N":"2"}}})j");
  // A condition on a missing item sees the empty item.
  ExpectError(
      Call(
          "UpdateItem",
          R"j({"TableName":"items","Key":{"pk":{"S":"new"}},"UpdateExpression":"SET v = :one","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":one":{"N":"1"}}})j"),
      "ConditionalCheckFailedException", "The conditional request failed");
}

TEST_F(UpdateItemTest, KeyAttributesCannotBeUpdated) {
  ExpectError(
      Update(
          R"j("UpdateExpression":"SET pk = :v","ExpressionAttributeValues":{":v":{"S":"x"}})j"),
      "ValidationException",
      "One or more parameter values were invalid: Cannot update attribute "
      "pk. This attribute is part of the key");
  ExpectError(
      Call(
          "UpdateItem",
          R"j({"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"UpdateExpression":"REMOVE sk"})j"),
      "ValidationException",
      "One or more parameter values were invalid: Cannot update attribute "
      "sk. This attribute is part of the key");
  ExpectError(
      Update(
          R"j("AttributeUpdates":{"pk":{"Action":"PUT","Value":{"S":"x"}}})j"),
      "ValidationException",
      "One or more parameter values were invalid: Cannot update attribute "
      "pk. This attribute is part of the key");
}

TEST_F(UpdateItemTest, ValidationMessages) {
  ExpectError(Update(R"j("UpdateExpression":"")j"), "ValidationException",
              "Invalid UpdateExpression: The expression can not be empty;");
  ExpectError(
      Update(
          R"j("UpdateExpression":"INVALID SYNTAX HERE","ExpressionAttributeValues":{":v":{"S":"val"}})j"),
      "ValidationException",
      "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: "
      "\"INVALID SYNTAX\"");
  ExpectError(Update(R"j("UpdateExpression":"SET attr1 = :v")j"),
              "ValidationException",
              "Invalid UpdateExpression: An expression attribute value used "
              "in expression is not defined; attribute value: :v");
  ExpectError(
      Update(
          R"j("UpdateExpression":"SET attr1 = :v","ExpressionAttributeValues":{":v":{"S":"val"},":unused":{"S":"extra"}})j"),
      "ValidationException",
      "Value provided in ExpressionAttributeValues unused in expressions: "
      "keys: {:unused}");
  ExpectError(
      Update(
          R"j("UpdateExpression":"SET attr1 = :v","ExpressionAttributeValues":{":v":{"S":"val"}},"AttributeUpdates":{"attr1":{"Value":{"S":"val"},"Action":"PUT"}})j"),
      "ValidationException",
      "Can not use both expression and non-expression parameters in the same "
      "request: Non-expression parameters: {AttributeUpdates} Expression "
      "parameters: {UpdateExpression}");
  // Update expression errors come before condition expression errors.
  ExpectError(
      Update(
          R"j("UpdateExpression":"SET a = :nope","ConditionExpression":"b = :nope2")j"),
      "ValidationException",
      "Invalid UpdateExpression: An expression attribute value used in "
      "expression is not defined; attribute value: :nope");
  ExpectError(
      Call(
          "UpdateItem",
          R"j({"TableName":"nothere","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET x = :v","ExpressionAttributeValues":{":v":{"S":"x"}}})j"),
      "ResourceNotFoundException", "Requested resource not found");
}

TEST_F(UpdateItemTest, RuntimeErrorsLeaveTheItemAlone) {
  Seed(R"j({"pk":{"S":"a"},"s":{"S":"x"}})j");
  ExpectError(
      Update(
          R"j("UpdateExpression":"SET n = s + :one","ExpressionAttributeValues":{":one":{"N":"1"}})j"),
      "ValidationException",
      "An operand in the update expression has an incorrect data type");
  ExpectError(
      Update(R"j("UpdateExpression":"SET m.k = s")j"), "ValidationException",
      "The document path provided in the update expression is invalid for "
      "update");
  ExpectError(Update(R"j("UpdateExpression":"SET x = nope")j"),
              "ValidationException",
              "The provided expression refers to an attribute that does not "
              "exist in the item");
  EXPECT_EQ(Item(), R"j({"Item":{"pk":{"S":"a"},"s":{"S":"x"}}})j");
}

TEST_F(UpdateItemTest, ItemSizeLimitAfterUpdate) {
  const std::string big(300 * 1024, 'x');
  Seed(R"({"pk":{"S":"a"},"one":{"S":")" + big + R"("}})");
  ExpectError(Update(R"j("UpdateExpression":"SET two = one")j"),
              "ValidationException",
              "Item size to update has exceeded the maximum allowed size");
}

TEST_F(UpdateItemTest, LegacyAttributeUpdates) {
  Seed(
      R"j({"pk":{"S":"a"},"n":{"N":"10"},"tags":{"SS":["a","b"]},"l":{"L":[{"S":"x"}]},"old":{"S":"1"}})j");
  Response r = Update(
      R"j("AttributeUpdates":{"n":{"Action":"ADD","Value":{"N":"5"}},"tags":{"Action":"DELETE","Value":{"SS":["a"]}},"l":{"Action":"ADD","Value":{"L":[{"S":"y"}]}},"old":{"Action":"DELETE"},"name":{"Value":{"S":"new"}}},"ReturnValues":"UPDATED_NEW")j");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"j({"Attributes":{"l":{"L":[{"S":"x"},{"S":"y"}]},"n":{"N":"15"},"name":{"S":"new"},"tags":{"SS":["b"]}}})j");
  ExpectError(
      Update(
          R"j("AttributeUpdates":{"name":{"Action":"ADD","Value":{"N":"1"}}})j"),
      "ValidationException", "Type mismatch for attribute to update");
  ExpectError(Update(R"j("AttributeUpdates":{"x":{"Action":"PUT"}})j"),
              "ValidationException",
              "One or more parameter values were invalid: Only DELETE action "
              "is allowed when no attribute value is specified");
  ExpectError(
      Update(
          R"j("AttributeUpdates":{"x":{"Action":"DELETE","Value":{"N":"1"}}})j"),
      "ValidationException",
      "One or more parameter values were invalid: DELETE action with value "
      "is not supported for the type N");
  ExpectError(
      Update(
          R"j("AttributeUpdates":{"x":{"Action":"ADD","Value":{"S":"1"}}})j"),
      "ValidationException",
      "One or more parameter values were invalid: ADD action is not "
      "supported for the type S");
  // With Expected.
  ExpectError(
      Update(
          R"j("AttributeUpdates":{"x":{"Value":{"S":"1"}}},"Expected":{"n":{"Value":{"N":"1"}}})j"),
      "ConditionalCheckFailedException", "The conditional request failed");
}

// Write units come from the larger of the item before and after the update
// (the Developer Guide's UpdateItem rule), also when the old item is not
// returned and so not kept after the write.
TEST_F(UpdateItemTest, CapacityCountsTheLargerOfOldAndNew) {
  Seed(R"j({"pk":{"S":"a"},"d":{"S":")j" + std::string(5 * 1024 - 4, 'x') +
       R"j("}})j");
  Response shrink = Update(
      R"j("UpdateExpression":"REMOVE d","ReturnConsumedCapacity":"TOTAL")j");
  ASSERT_EQ(shrink.status, 200) << shrink.body;
  EXPECT_EQ(
      shrink.body,
      R"j({"ConsumedCapacity":{"TableName":"items","CapacityUnits":5.0}})j");
  EXPECT_EQ(Item(), R"j({"Item":{"pk":{"S":"a"}}})j");
  Response grow = Update(
      R"j("UpdateExpression":"SET d = :d","ExpressionAttributeValues":{":d":{"S":")j" +
      std::string(2 * 1024, 'y') +
      R"j("}},"ReturnConsumedCapacity":"TOTAL","ReturnValues":"UPDATED_OLD")j");
  ASSERT_EQ(grow.status, 200) << grow.body;
  EXPECT_EQ(
      grow.body,
      R"j({"ConsumedCapacity":{"TableName":"items","CapacityUnits":3.0}})j");
}

}  // namespace
}  // namespace ddb::testing
