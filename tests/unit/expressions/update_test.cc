// Update expressions: parsing with DynamoDB's messages (table-driven) and
// the semantics of SET, REMOVE, ADD and DELETE.
#include "expressions/update.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json_codec.h"
#include "tests/unit/expressions/test_util.h"

namespace ddb {
namespace {

using testing::L;
using testing::M;
using testing::N;
using testing::S;
using testing::ValidationMessage;

AttributeValue Set(AttrType type, std::vector<std::string> members) {
  AttributeValue value;
  value.type = type;
  value.set = std::move(members);
  return value;
}

const ExpressionAttributeValues& Values() {
  static const ExpressionAttributeValues values = {
      {":s", S("x")},
      {":n", N("5")},
      {":one", N("1")},
      {":big", N("9.9999999999999999999999999999999999999E+125")},
      {":l", L({S("c")})},
      {":empty", L({})},
      {":ss", Set(AttrType::kSS, {"b", "c"})},
      {":ns", Set(AttrType::kNS, {"7"})},
      {":t", AttributeValue::Bool(true)},
      {":m", M({})},
  };
  return values;
}

const ExpressionAttributeNames& Names() {
  static const ExpressionAttributeNames names = {{"#a", "a"}, {"#k", "k"}};
  return names;
}

Update Parse(std::string_view text) {
  ResolveContext context{"UpdateExpression", &Names(), &Values(), nullptr,
                         nullptr};
  return ParseUpdate(text, context);
}

std::string Error(std::string_view text) {
  return ValidationMessage([&] { Parse(text); });
}

std::string Json(const Item& item) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteItem(item, writer);
  return buffer.GetString();
}

// Applies `text` to `item` and renders the result as DynamoDB JSON.
std::string Apply(std::string_view text, Item item) {
  ApplyUpdate(Parse(text), &item);
  return Json(item);
}

std::string ApplyError(std::string_view text, Item item) {
  Update update = Parse(text);
  return ValidationMessage([&] { ApplyUpdate(update, &item); });
}

// ---- Parsing ---------------------------------------------------------------

TEST(UpdateParseTest, AcceptsEveryDocumentedForm) {
  for (const char* text : {
           "SET a = :s",
           "set a = :s, b = a",
           "SET a = b + :n",
           "SET a = b - :n",
           "SET a = if_not_exists(a, :n) + :one",
           "SET l = list_append(l, :l)",
           "SET l = list_append(if_not_exists(l, :empty), :l)",
           "REMOVE a, b.c, l[1]",
           "ADD n :n, ss :ss",
           "DELETE ss :ss",
           "SET a = :s REMOVE b ADD n :n DELETE ss :ss",
           "DELETE ss :ss SET a = :s",
           "SET #a.#k = :s",
           "SET m.x[3].y = :s",
       }) {
    EXPECT_EQ(Error(text), "<no error>") << text;
  }
}

struct ErrorCase {
  const char* expression;
  const char* message;  // after "Invalid UpdateExpression: "
};

TEST(UpdateParseTest, ErrorsUseDynamoDbMessages) {
  const ErrorCase cases[] = {
      {"", "The expression can not be empty;"},
      {"INVALID SYNTAX HERE",
       "Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\""},
      {"SET a = ", "Syntax error; token: \"<EOF>\", near: \"= \""},
      {"SET a :s", "Syntax error; token: \":s\", near: \"a :s\""},
      {"ADD a b", "Syntax error; token: \"b\", near: \"a b\""},
      {"REMOVE a = :s", "Syntax error; token: \"=\", near: \"a = :s\""},
      {"SET a = :s SET b = :s",
       "The \"SET\" section can only be used once in an update expression;"},
      {"remove a REMOVE b",
       "The \"REMOVE\" section can only be used once in an update "
       "expression;"},
      {"SET name = :s",
       "Attribute name is a reserved keyword; reserved keyword: name"},
      {"SET a = size(b)", "Invalid function name; function: size"},
      {"SET a = #b",
       "An expression attribute name used in the document path is not "
       "defined; attribute name: #b"},
      {"SET a = :nope",
       "An expression attribute value used in expression is not defined; "
       "attribute value: :nope"},
      {"SET a = :s, a = :n",
       "Two document paths overlap with each other; must remove or rewrite "
       "one of these paths; path one: [a], path two: [a]"},
      {"SET a.b = :s REMOVE a",
       "Two document paths overlap with each other; must remove or rewrite "
       "one of these paths; path one: [a, b], path two: [a]"},
      {"SET a[1] = :s REMOVE a.b",
       "Two document paths conflict with each other; must remove or rewrite "
       "one of these paths; path one: [a, [1]], path two: [a, b]"},
      {"ADD a :s",
       "Incorrect operand type for operator or function; operator: ADD, "
       "operand type: STRING"},
      {"ADD a :l",
       "Incorrect operand type for operator or function; operator: ADD, "
       "operand type: LIST"},
      {"DELETE a :n",
       "Incorrect operand type for operator or function; operator: DELETE, "
       "operand type: NUMBER"},
      {"DELETE a :t",
       "Incorrect operand type for operator or function; operator: DELETE, "
       "operand type: BOOLEAN"},
      {"SET a = if_not_exists(:s, :n)",
       "Operator or function requires a document path; operator or "
       "function: if_not_exists"},
      {"SET a = if_not_exists(a)",
       "Incorrect number of operands for operator or function; operator or "
       "function: if_not_exists, number of operands: 1"},
      {"SET a = list_append(:s, l)",
       "Incorrect operand type for operator or function; operator or "
       "function: list_append, operand type: S"},
      {"SET a = b + :s",
       "Incorrect operand type for operator or function; operator or "
       "function: +, operand type: S"},
      {"SET a = :l - b",
       "Incorrect operand type for operator or function; operator or "
       "function: -, operand type: L"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(Error(c.expression),
              std::string("Invalid UpdateExpression: ") + c.message)
        << c.expression;
  }
}

TEST(UpdateParseTest, UndefinedNamesBeforeUndefinedValues) {
  EXPECT_EQ(Error("SET a = :nope, b = #nope"),
            "Invalid UpdateExpression: An expression attribute name used in "
            "the document path is not defined; attribute name: #nope");
}

// ---- SET -------------------------------------------------------------------

TEST(UpdateApplyTest, SetCreatesReplacesAndNests) {
  EXPECT_EQ(Apply("SET a = :s", {}), R"({"a":{"S":"x"}})");
  EXPECT_EQ(Apply("SET a = :n", {{"a", S("old")}}), R"({"a":{"N":"5"}})");
  EXPECT_EQ(Apply("SET m.k = :s", {{"m", M({})}}),
            R"({"m":{"M":{"k":{"S":"x"}}}})");
  EXPECT_EQ(Apply("SET a = b", {{"b", N("2")}}),
            R"({"a":{"N":"2"},"b":{"N":"2"}})");
}

TEST(UpdateApplyTest, SetValuesComeFromTheOldItem) {
  EXPECT_EQ(Apply("SET a = b, b = a", {{"a", S("1")}, {"b", S("2")}}),
            R"({"a":{"S":"2"},"b":{"S":"1"}})");
}

TEST(UpdateApplyTest, SetListIndexReplacesOrAppends) {
  Item item = {{"l", L({S("a"), S("b")})}};
  EXPECT_EQ(Apply("SET l[1] = :s", item),
            R"({"l":{"L":[{"S":"a"},{"S":"x"}]}})");
  EXPECT_EQ(Apply("SET l[7] = :s", item),
            R"({"l":{"L":[{"S":"a"},{"S":"b"},{"S":"x"}]}})");
  EXPECT_EQ(Apply("SET l[0] = :s", {{"l", L({})}}),
            R"({"l":{"L":[{"S":"x"}]}})");
}

TEST(UpdateApplyTest, SetThroughAMissingOrMistypedParentFails) {
  const std::string invalid =
      "The document path provided in the update expression is invalid for "
      "update";
  EXPECT_EQ(ApplyError("SET m.k = :s", {}), invalid);
  EXPECT_EQ(ApplyError("SET m.k = :s", {{"m", S("str")}}), invalid);
  EXPECT_EQ(ApplyError("SET m[0] = :s", {{"m", M({})}}), invalid);
  EXPECT_EQ(ApplyError("SET a.b.c = :s", {{"a", M({})}}), invalid);
}

TEST(UpdateApplyTest, Arithmetic) {
  EXPECT_EQ(Apply("SET n = n + :n", {{"n", N("10")}}), R"({"n":{"N":"15"}})");
  EXPECT_EQ(Apply("SET n = n - :n", {{"n", N("1.5")}}),
            R"({"n":{"N":"-3.5"}})");
  EXPECT_EQ(Apply("SET n = :n - n", {{"n", N("5")}}), R"({"n":{"N":"0"}})");
  EXPECT_EQ(Apply("SET c = if_not_exists(c, :n) + :one", {}),
            R"({"c":{"N":"6"}})");
  EXPECT_EQ(Apply("SET c = if_not_exists(c, :n) + :one", {{"c", N("1")}}),
            R"({"c":{"N":"2"}})");
  // 38 digits exactly.
  EXPECT_EQ(Apply("SET n = n + :one",
                  {{"n", N("9999999999999999999999999999999999999")}}),
            R"({"n":{"N":"10000000000000000000000000000000000000"}})");
  EXPECT_EQ(ApplyError("SET n = n + :one", {{"n", S("x")}}),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("SET n = n + :one", {}),
            "The provided expression refers to an attribute that does not "
            "exist in the item");
  EXPECT_EQ(ApplyError("SET n = n + :big", {{"n", N("9E+125")}}),
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range");
  EXPECT_EQ(ApplyError("SET n = n + :one",
                       {{"n", N("0.00000000000000000000000000000000000001")}}),
            "Attempting to store more than 38 significant digits in a Number");
}

TEST(UpdateApplyTest, ListAppend) {
  Item item = {{"l", L({S("a"), S("b")})}};
  EXPECT_EQ(Apply("SET l = list_append(l, :l)", item),
            R"({"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]}})");
  EXPECT_EQ(Apply("SET l = list_append(:l, l)", item),
            R"({"l":{"L":[{"S":"c"},{"S":"a"},{"S":"b"}]}})");
  EXPECT_EQ(Apply("SET l = list_append(if_not_exists(l, :empty), :l)", {}),
            R"({"l":{"L":[{"S":"c"}]}})");
  EXPECT_EQ(ApplyError("SET l = list_append(l, :l)", {{"l", S("x")}}),
            "An operand in the update expression has an incorrect data type");
}

// ---- REMOVE ----------------------------------------------------------------

TEST(UpdateApplyTest, RemoveAttributesMembersAndShiftingListElements) {
  EXPECT_EQ(Apply("REMOVE a, gone", {{"a", S("x")}, {"b", S("y")}}),
            R"({"b":{"S":"y"}})");
  EXPECT_EQ(Apply("REMOVE m.k", {{"m", M({{"k", S("x")}, {"j", S("y")}})}}),
            R"({"m":{"M":{"j":{"S":"y"}}}})");
  Item list = {{"l", L({S("a"), S("b"), S("c"), S("d")})}};
  EXPECT_EQ(Apply("REMOVE l[1]", list),
            R"({"l":{"L":[{"S":"a"},{"S":"c"},{"S":"d"}]}})");
  // Indexes name elements of the list as it was.
  EXPECT_EQ(Apply("REMOVE l[0], l[1]", list),
            R"({"l":{"L":[{"S":"c"},{"S":"d"}]}})");
  EXPECT_EQ(Apply("REMOVE l[3], l[0]", list),
            R"({"l":{"L":[{"S":"b"},{"S":"c"}]}})");
  EXPECT_EQ(Apply("REMOVE l[9]", list),
            R"({"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"},{"S":"d"}]}})");
  Item nested = {{"l", L({M({{"x", S("1")}}), S("b"), M({{"x", S("3")}})})}};
  EXPECT_EQ(Apply("REMOVE l[0], l[2].x", nested),
            R"({"l":{"L":[{"S":"b"},{"M":{}}]}})");
}

// ---- ADD and DELETE --------------------------------------------------------

TEST(UpdateApplyTest, AddNumbersAndSets) {
  EXPECT_EQ(Apply("ADD n :n", {}), R"({"n":{"N":"5"}})");
  EXPECT_EQ(Apply("ADD n :n", {{"n", N("-5")}}), R"({"n":{"N":"0"}})");
  EXPECT_EQ(Apply("ADD ss :ss", {}), R"({"ss":{"SS":["b","c"]}})");
  EXPECT_EQ(Apply("ADD ss :ss", {{"ss", Set(AttrType::kSS, {"a", "b"})}}),
            R"({"ss":{"SS":["a","b","c"]}})");
  EXPECT_EQ(Apply("ADD m.n :n", {{"m", M({})}}),
            R"({"m":{"M":{"n":{"N":"5"}}}})");
  EXPECT_EQ(ApplyError("ADD ss :ns", {{"ss", Set(AttrType::kSS, {"a"})}}),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("ADD n :n", {{"n", S("x")}}),
            "An operand in the update expression has an incorrect data type");
}

TEST(UpdateApplyTest, DeleteFromSetsRemovesEmptiedAttributes) {
  Item item = {{"ss", Set(AttrType::kSS, {"a", "b", "c"})}};
  EXPECT_EQ(Apply("DELETE ss :ss", item), R"({"ss":{"SS":["a"]}})");
  EXPECT_EQ(Apply("DELETE ss :ss", {{"ss", Set(AttrType::kSS, {"b", "c"})}}),
            "{}");
  EXPECT_EQ(Apply("DELETE ss :ss", {}), "{}");
  EXPECT_EQ(ApplyError("DELETE ss :ns", item),
            "An operand in the update expression has an incorrect data type");
}

TEST(UpdateApplyTest, UpdatedPathsAreTheTargets) {
  Update update = Parse("SET a = b, m.k = :s REMOVE l[1] ADD n :n");
  std::string out;
  for (const DocumentPath& path : UpdatedPaths(update)) out += path.ToString();
  EXPECT_EQ(out, "[a][m, k][l, [1]][n]");
}

}  // namespace
}  // namespace ddb
