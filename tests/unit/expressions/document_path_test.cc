// Document paths, reserved words and ExpressionAttributeNames bookkeeping.
#include "expressions/document_path.h"

#include <gtest/gtest.h>

#include <string>

#include "expressions/attribute_names.h"
#include "expressions/reserved_words.h"
#include "tests/unit/expressions/test_util.h"

namespace ddb {
namespace {

using testing::ValidationMessage;

constexpr std::string_view kParam = "ProjectionExpression";

PathAst ParseOne(std::string_view source) {
  TokenCursor cursor(source, kParam);
  PathAst path = ParsePath(cursor);
  if (cursor.Peek().kind != TokenKind::kEnd) cursor.FailSyntax();
  return path;
}

DocumentPath Resolve(std::string_view source,
                     const ExpressionAttributeNames* names = nullptr,
                     UsedNames* used = nullptr) {
  PathAst ast = ParseOne(source);
  CheckReservedWords(ast, kParam);
  CheckPathLimits(ast, kParam);
  return ResolvePath(ast, names, used, kParam);
}

TEST(ReservedWordsTest, MatchesWithoutRegardToCase) {
  EXPECT_TRUE(IsReservedWord("status"));
  EXPECT_TRUE(IsReservedWord("STATUS"));
  EXPECT_TRUE(IsReservedWord("AbOrT"));
  EXPECT_TRUE(IsReservedWord("name"));
  EXPECT_TRUE(IsReservedWord("data"));
  EXPECT_TRUE(IsReservedWord("count"));
  EXPECT_TRUE(IsReservedWord("items"));
  EXPECT_TRUE(IsReservedWord("size"));
  // The first, last and longest entries of the table.
  EXPECT_TRUE(IsReservedWord("abort"));
  EXPECT_TRUE(IsReservedWord("zone"));
  EXPECT_TRUE(IsReservedWord("CORRESPONDING"));
  EXPECT_TRUE(IsReservedWord("localTimestamp"));
}

TEST(ReservedWordsTest, OrdinaryNamesAreNot) {
  EXPECT_FALSE(IsReservedWord(""));
  EXPECT_FALSE(IsReservedWord("pk"));
  EXPECT_FALSE(IsReservedWord("statuses"));
  EXPECT_FALSE(IsReservedWord("stat"));
  EXPECT_FALSE(IsReservedWord("attribute_exists"));
  EXPECT_FALSE(IsReservedWord("a_very_long_attribute_name"));
}

TEST(DocumentPathTest, ParsesNamesAndIndexes) {
  DocumentPath path = Resolve("a.b[2].c");
  EXPECT_EQ(path.elements, (std::vector<PathElement>{
                               PathElement::Name("a"), PathElement::Name("b"),
                               PathElement::Index(2), PathElement::Name("c")}));
  EXPECT_EQ(path.ToString(), "[a, b, [2], c]");
}

TEST(DocumentPathTest, AllowsSpacesBetweenTokens) {
  EXPECT_EQ(Resolve("a . b [ 10 ] [0]").ToString(), "[a, b, [10], [0]]");
}

TEST(DocumentPathTest, ResolvesPlaceholdersAndRecordsThem) {
  ExpressionAttributeNames names = {{"#n", "name"}, {"#x", "x.y"}};
  UsedNames used;
  DocumentPath path = Resolve("#n.#x[0][1]", &names, &used);
  EXPECT_EQ(path.elements,
            (std::vector<PathElement>{
                PathElement::Name("name"), PathElement::Name("x.y"),
                PathElement::Index(0), PathElement::Index(1)}));
  EXPECT_EQ(used, (UsedNames{"#n", "#x"}));
}

TEST(DocumentPathTest, UndefinedPlaceholder) {
  const std::string expected =
      "Invalid ProjectionExpression: An expression attribute name used in "
      "the document path is not defined; attribute name: #n";
  EXPECT_EQ(ValidationMessage([] { Resolve("a.#n"); }), expected);
  ExpressionAttributeNames names = {{"#m", "m"}};
  EXPECT_EQ(ValidationMessage([&] { Resolve("#n", &names); }), expected);
}

TEST(DocumentPathTest, BareReservedWordIsRejected) {
  EXPECT_EQ(ValidationMessage([] { Resolve("a.abORt"); }),
            "Invalid ProjectionExpression: Attribute name is a reserved "
            "keyword; reserved keyword: abORt");
  // Through a placeholder the same name is fine.
  ExpressionAttributeNames names = {{"#s", "status"}};
  EXPECT_EQ(Resolve("#s", &names).ToString(), "[status]");
}

TEST(DocumentPathTest, SyntaxErrors) {
  auto message = [](std::string_view source) {
    return ValidationMessage([&] { ParseOne(source); });
  };
  EXPECT_EQ(message("a..b"),
            "Invalid ProjectionExpression: Syntax error; token: \".\", near: "
            "\"..b\"");
  EXPECT_EQ(message("a[]"),
            "Invalid ProjectionExpression: Syntax error; token: \"]\", near: "
            "\"[]\"");
  EXPECT_EQ(message("l[a]"),
            "Invalid ProjectionExpression: Syntax error; token: \"a\", near: "
            "\"[a]\"");
  EXPECT_EQ(message("l[-1]"),
            "Invalid ProjectionExpression: Syntax error; token: \"-\", near: "
            "\"[-1\"");
  EXPECT_EQ(message("l[001]"),
            "Invalid ProjectionExpression: Syntax error; token: \"0\", near: "
            "\"001\"");
  EXPECT_EQ(message("l[0000000000001]"),
            "Invalid ProjectionExpression: Syntax error; token: \"0\", near: "
            "\"000\"");
  EXPECT_EQ(message("l[\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93]"),
            "Invalid ProjectionExpression: Syntax error; token: "
            "\"\xEF\xBC\x91\", near: \"[\xEF\xBC\x91\xEF\xBC\x92\"");
  EXPECT_EQ(message("[0]"),
            "Invalid ProjectionExpression: Syntax error; token: \"[\", near: "
            "\"[0\"");
  EXPECT_EQ(message("a-b"),
            "Invalid ProjectionExpression: Syntax error; token: \"-\", near: "
            "\"a-b\"");
  EXPECT_EQ(message("a."),
            "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", "
            "near: \".\"");
  // A keyword is not an attribute name.
  EXPECT_EQ(message("a.and"),
            "Invalid ProjectionExpression: Syntax error; token: \"and\", "
            "near: \".and\"");
}

TEST(DocumentPathTest, ListIndexRange) {
  EXPECT_EQ(Resolve("l[4294967294]").elements.back(),
            PathElement::Index(4294967294u));
  EXPECT_EQ(ValidationMessage([] { Resolve("l[4294967295]"); }),
            "Invalid ProjectionExpression: List index is not within the "
            "allowable range; index: [4294967295]");
  EXPECT_EQ(ValidationMessage([] { Resolve("l[999999999999999999999]"); }),
            "Invalid ProjectionExpression: List index is not within the "
            "allowable range; index: [999999999999999999999]");
}

TEST(DocumentPathTest, DepthLimitIsThirtyTwo) {
  std::string path = "a";
  for (int i = 0; i < 31; ++i) path += ".b";
  EXPECT_EQ(Resolve(path).elements.size(), 32u);
  path += "[0]";
  EXPECT_EQ(ValidationMessage([&] { Resolve(path); }),
            "Invalid ProjectionExpression: The document path has too many "
            "nesting levels; nesting levels: 33");
}

TEST(DocumentPathTest, IndexLikeNameStillPrintsAsWritten) {
  ExpressionAttributeNames names = {{"#b", "[3]"}};
  DocumentPath path = Resolve("a.#b", &names);
  EXPECT_EQ(path.elements[1], PathElement::Name("[3]"));
  EXPECT_EQ(path.ToString(), "[a, [3]]");
}

TEST(AttributeNamesTest, KeySyntax) {
  EXPECT_TRUE(IsValidPlaceholderKey("#a", '#'));
  EXPECT_TRUE(IsValidPlaceholderKey("#A_9", '#'));
  EXPECT_TRUE(IsValidPlaceholderKey(":v", ':'));
  EXPECT_FALSE(IsValidPlaceholderKey("#", '#'));
  EXPECT_FALSE(IsValidPlaceholderKey("a", '#'));
  EXPECT_FALSE(IsValidPlaceholderKey("#a-b", '#'));
  EXPECT_FALSE(IsValidPlaceholderKey(":v", '#'));
}

TEST(AttributeNamesTest, CheckMap) {
  EXPECT_EQ(CheckExpressionAttributeNames({}),
            "ExpressionAttributeNames must not be empty");
  EXPECT_EQ(CheckExpressionAttributeNames({{"a", "a"}}),
            "ExpressionAttributeNames contains invalid key: Syntax error; "
            "key: \"a\"");
  EXPECT_EQ(CheckExpressionAttributeNames({{"#DE", ""}}),
            "ExpressionAttributeNames contains invalid value: Empty attribute "
            "name for key #DE");
  EXPECT_EQ(CheckExpressionAttributeNames({{"#a", "a"}, {"#b", "x y"}}), "");
}

TEST(AttributeNamesTest, UnusedNamesMessage) {
  ExpressionAttributeNames names = {{"#a", "a"}, {"#b", "b"}, {"#c", "c"}};
  EXPECT_EQ(UnusedNamesMessage(names, {"#b"}),
            "Value provided in ExpressionAttributeNames unused in "
            "expressions: keys: {#a, #c}");
  EXPECT_EQ(UnusedNamesMessage({{"#unused", "x"}}, {}),
            "Value provided in ExpressionAttributeNames unused in "
            "expressions: keys: {#unused}");
  EXPECT_EQ(UnusedNamesMessage(names, {"#a", "#b", "#c"}), "");
}

}  // namespace
}  // namespace ddb
