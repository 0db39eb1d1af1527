// KeyConditionExpression: the shapes DynamoDB accepts and the key range they
// describe, with its messages for the rest.
#include "expressions/key_condition.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/expressions/test_util.h"

namespace ddb {
namespace {

using testing::N;
using testing::S;
using testing::ValidationMessage;

const KeySchemaView kSchema{"pk", AttrType::kS, "sk", AttrType::kN};

KeyRange Range(std::string_view text, const KeySchemaView& schema = kSchema) {
  static const ExpressionAttributeValues values = {
      {":p", S("p")}, {":a", N("1")}, {":b", N("9")}, {":s", S("x")}};
  static const ExpressionAttributeNames names = {{"#k", "pk"}};
  ResolveContext context{"KeyConditionExpression", &names, &values, nullptr,
                         nullptr};
  return BuildKeyRange(ExtractKeyConditions(ParseCondition(text, context)),
                       schema);
}

std::string Error(std::string_view text,
                  const KeySchemaView& schema = kSchema) {
  return ValidationMessage([&] { Range(text, schema); });
}

TEST(KeyConditionTest, PartitionOnly) {
  KeyRange range = Range("pk = :p");
  EXPECT_EQ(range.hash.scalar, "p");
  EXPECT_FALSE(range.sort.has_value());
  EXPECT_EQ(Range("#k = :p").hash.scalar, "p");
  EXPECT_EQ(Range(":p = pk").hash.scalar, "p");
}

TEST(KeyConditionTest, EverySortKeyOperator) {
  struct Case {
    const char* text;
    const char* op;
  };
  for (const Case& c : {
           Case{"pk = :p AND sk = :a", "EQ"},
           Case{"pk = :p AND sk < :a", "LT"},
           Case{"pk = :p AND sk <= :a", "LE"},
           Case{"pk = :p AND sk > :a", "GT"},
           Case{"pk = :p AND sk >= :a", "GE"},
           Case{"pk = :p AND :a > sk", "LT"},  // mirrored
           Case{"sk BETWEEN :a AND :b AND pk = :p", "BETWEEN"},
       }) {
    KeyRange range = Range(c.text);
    ASSERT_TRUE(range.sort.has_value()) << c.text;
    EXPECT_EQ(range.sort->attribute, "sk");
    EXPECT_STREQ(range.sort->OperatorName(), c.op) << c.text;
  }
  KeyRange between = Range("pk = :p AND sk BETWEEN :a AND :b");
  ASSERT_EQ(between.sort->values.size(), 2u);
  EXPECT_EQ(between.sort->values[1].scalar, "9");
  const KeySchemaView string_sort{"pk", AttrType::kS, "sk", AttrType::kS};
  EXPECT_STREQ(Range("pk = :p AND begins_with(sk, :s)", string_sort)
                   .sort->OperatorName(),
               "BEGINS_WITH");
}

TEST(KeyConditionTest, ErrorsUseDynamoDbMessages) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"pk = :p OR sk = :a",
                "Invalid operator used in KeyConditionExpression: OR"},
           Case{"NOT pk = :p",
                "Invalid operator used in KeyConditionExpression: NOT"},
           Case{"pk IN (:p)",
                "Invalid operator used in KeyConditionExpression: IN"},
           Case{"pk <> :p",
                "Invalid operator used in KeyConditionExpression: <>"},
           Case{"pk = :p AND attribute_exists(sk)",
                "Invalid operator used in KeyConditionExpression: "
                "attribute_exists"},
           Case{"pk = :p AND contains(sk, :a)",
                "Invalid operator used in KeyConditionExpression: contains"},
           Case{"size(pk) = :a",
                "KeyConditionExpressions cannot contain nested operations"},
           Case{"pk = sk",
                "Invalid condition in KeyConditionExpression: Multiple "
                "attribute names used in one condition"},
           Case{"pk.x = :p",
                "KeyConditionExpressions cannot have conditions on nested "
                "attributes"},
           Case{":p = :s",
                "Invalid condition in KeyConditionExpression: No key "
                "attribute specified"},
           Case{"pk = :p AND pk = :p",
                "KeyConditionExpressions must only contain one condition per "
                "key"},
           // Caught by the condition resolver, before the key rules.
           Case{"pk = :p AND begins_with(sk, :a)",
                "Invalid KeyConditionExpression: Incorrect operand type for "
                "operator or function; operator or function: begins_with, "
                "operand type: N"},
           Case{"sk = :a", "Query condition missed key schema element: pk"},
           Case{"pk = :p AND misc = :a",
                "Query condition missed key schema element: sk"},
           Case{"pk > :p", "Query key condition not supported"},
           Case{"pk = :a",
                "One or more parameter values were invalid: Condition "
                "parameter type does not match schema type"},
           Case{"pk = :p AND sk = :s",
                "One or more parameter values were invalid: Condition "
                "parameter type does not match schema type"},
       }) {
    EXPECT_EQ(Error(c.text), c.message) << c.text;
  }
  const KeySchemaView hash_only{"pk", AttrType::kS, std::nullopt};
  EXPECT_EQ(Error("pk = :p AND sk = :a", hash_only),
            "Query key condition not supported");
  EXPECT_EQ(Error(""),
            "Invalid KeyConditionExpression: The expression can not be empty;");
}

}  // namespace
}  // namespace ddb
