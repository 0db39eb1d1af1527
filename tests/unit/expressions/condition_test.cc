// Condition expressions: parsing with DynamoDB's messages (table-driven),
// and evaluation of every comparator and function over every type.
#include "expressions/condition.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/parse_cache.h"
#include "tests/unit/expressions/test_util.h"

namespace ddb {
namespace {

using testing::L;
using testing::M;
using testing::N;
using testing::S;
using testing::ValidationMessage;

AttributeValue B(std::string bytes) { return AttributeValue::Binary(bytes); }
AttributeValue Bool(bool b) { return AttributeValue::Bool(b); }
AttributeValue Null() { return AttributeValue::Null(); }
AttributeValue Set(AttrType type, std::vector<std::string> members) {
  AttributeValue value;
  value.type = type;
  value.set = std::move(members);
  return value;
}

// Values every test may reference; unused ones are fine at this layer.
const ExpressionAttributeValues& Values() {
  static const ExpressionAttributeValues values = {
      {":s", S("abc")},
      {":s2", S("abd")},
      {":a", S("a")},
      {":n", N("5")},
      {":n1", N("1")},
      {":n10", N("10")},
      {":b", B("\x01\x02")},
      {":b1", B("\x01")},
      {":t", Bool(true)},
      {":null", Null()},
      {":ss", Set(AttrType::kSS, {"x", "y"})},
      {":ssr", Set(AttrType::kSS, {"y", "x"})},
      {":ns", Set(AttrType::kNS, {"1", "2"})},
      {":l", L({S("a"), N("1")})},
      {":m", M({{"k", S("v")}})},
      {":typeS", S("S")},
      {":typeX", S("X")},
      {":x", S("x")},
      {":zero", N("0")},
      {":three", N("3")},
  };
  return values;
}

const ExpressionAttributeNames& Names() {
  static const ExpressionAttributeNames names = {{"#n", "name"},
                                                 {"#s", "status"}};
  return names;
}

Condition Parse(std::string_view text,
                std::string_view parameter = "ConditionExpression") {
  ResolveContext context{parameter, &Names(), &Values(), nullptr, nullptr};
  return ParseCondition(text, context);
}

std::string Error(std::string_view text) {
  return ValidationMessage([&] { Parse(text); });
}

// The item most evaluation cases run against.
const Item& Sample() {
  static const Item item = {
      {"s", S("abc")},
      {"n", N("5")},
      {"b", B("\x01\x02")},
      {"t", Bool(true)},
      {"z", Null()},
      {"ss", Set(AttrType::kSS, {"x", "y"})},
      {"ns", Set(AttrType::kNS, {"1", "2"})},
      {"bs", Set(AttrType::kBS, {"\x01", "\x02"})},
      {"l", L({S("a"), N("1"), M({{"k", S("v")}})})},
      {"m", M({{"k", S("v")}, {"nest", M({{"deep", N("3")}})}})},
      {"name", S("Ann")},
      {"status", S("active")},
      {"u", S("h\xC3\xA9llo\xF0\x9F\x98\x80")},  // héllo + an emoji
  };
  return item;
}

bool Eval(std::string_view text, const Item& item = Sample()) {
  return EvaluateCondition(Parse(text), item);
}

// ---- Parsing: valid forms --------------------------------------------------

TEST(ConditionParseTest, AcceptsEveryDocumentedForm) {
  for (const char* text : {
           "s = :s",
           "s <> :s",
           "s < :s",
           "s <= :s",
           "s > :s",
           "s >= :s",
           "n BETWEEN :n1 AND :n10",
           "s IN (:s, :s2)",
           "s in (:s)",
           "attribute_exists(s)",
           "attribute_not_exists(m.k)",
           "attribute_type(s, :typeS)",
           "begins_with(s, :a)",
           "contains(ss, :x)",
           "size(s) > :n",
           "NOT s = :s",
           "s = :s AND n = :n OR t = :t",
           "(s = :s)",
           "(attribute_exists(s)) AND (n = :n)",
           "(s = :s AND (n = :n))",
           "l[0] = :a",
           "m.nest.deep = :three",
           "#n = :s",
           "#s.#n = :s",
           "not (s = :s)",
           "s=:s and n=:n",
           ":s = s",
           "size(l) = size(ss)",
       }) {
    EXPECT_EQ(Error(text), "<no error>") << text;
  }
}

TEST(ConditionParseTest, NotBindsTighterThanAndWhichBindsTighterThanOr) {
  // false OR (true AND true) -> true; (false OR true) AND true would be too,
  // so also check NOT only negates its own comparison.
  EXPECT_TRUE(Eval("s = :s2 OR n = :n AND t = :t"));
  EXPECT_FALSE(Eval("(s = :s2 OR n = :n) AND t = :null"));
  EXPECT_TRUE(Eval("s = :s2 OR n = :n AND t = :t"));
  EXPECT_TRUE(Eval("NOT s = :s2 AND n = :n"));
  EXPECT_FALSE(Eval("NOT (s = :s OR n = :zero)"));
}

TEST(ConditionParseTest, KeywordsIgnoreCaseAndFunctionsDoNot) {
  EXPECT_TRUE(Eval("n between :n1 and :n10"));
  EXPECT_EQ(Error("ATTRIBUTE_EXISTS(s)"),
            "Invalid ConditionExpression: Invalid function name; function: "
            "ATTRIBUTE_EXISTS");
}

// ---- Parsing: every error message -----------------------------------------

struct ErrorCase {
  const char* expression;
  const char* message;  // after "Invalid ConditionExpression: "
};

TEST(ConditionParseTest, ErrorsUseDynamoDbMessages) {
  const ErrorCase cases[] = {
      {"", "The expression can not be empty;"},
      {"   ", "The expression can not be empty;"},
      {"s = ", "Syntax error; token: \"<EOF>\", near: \"= \""},
      {"s", "Syntax error; token: \"<EOF>\", near: \"s\""},
      {"s == :s", "Syntax error; token: \"=\", near: \"== :s\""},
      {"s = :s AND", "Syntax error; token: \"<EOF>\", near: \"AND\""},
      {"(s = :s", "Syntax error; token: \"<EOF>\", near: \":s\""},
      {"s BETWEEN :n1", "Syntax error; token: \"<EOF>\", near: \":n1\""},
      {"s IN :s", "Syntax error; token: \":s\", near: \"IN :s\""},
      {"((s = :s))", "The expression has redundant parentheses;"},
      {"foo(s)", "Invalid function name; function: foo"},
      {"begins_with(s, :a) = :t",
       "The function is not allowed to be used this way in an expression; "
       "function: begins_with"},
      {"size(s)",
       "The function is not allowed to be used this way in an expression; "
       "function: size"},
      {"status = :s",
       "Attribute name is a reserved keyword; reserved keyword: status"},
      {"a.set = :s",
       "Attribute name is a reserved keyword; reserved keyword: set"},
      {"l[4294967295] = :s",
       "List index is not within the allowable range; index: [4294967295]"},
      {"#missing = :s",
       "An expression attribute name used in the document path is not "
       "defined; attribute name: #missing"},
      {"s = :missing",
       "An expression attribute value used in expression is not defined; "
       "attribute value: :missing"},
      {"attribute_exists(s, n)",
       "Incorrect number of operands for operator or function; operator or "
       "function: attribute_exists, number of operands: 2"},
      {"begins_with(s)",
       "Incorrect number of operands for operator or function; operator or "
       "function: begins_with, number of operands: 1"},
      {"s = s",
       "The first operand must be distinct from the remaining operands for "
       "this operator or function; operator: =, first operand: [s]"},
      {"contains(m.k, m.k)",
       "The first operand must be distinct from the remaining operands for "
       "this operator or function; operator: contains, first operand: [m, "
       "k]"},
      {"attribute_exists(:s)",
       "Operator or function requires a document path; operator or "
       "function: attribute_exists"},
      {"attribute_type(s, :n)",
       "Incorrect operand type for operator or function; operator or "
       "function: attribute_type, operand type: N"},
      {"attribute_type(s, :typeX)",
       "Invalid attribute type name found; type: X, valid types: "
       "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
      {"begins_with(s, :n)",
       "Incorrect operand type for operator or function; operator or "
       "function: begins_with, operand type: N"},
      {"size(:n) > :n",
       "Incorrect operand type for operator or function; operator or "
       "function: size, operand type: N"},
      {"n BETWEEN :n AND :s",
       "The BETWEEN operator requires same data type for lower and upper "
       "bounds; lower bound operand: AttributeValue: {N:5}, upper bound "
       "operand: AttributeValue: {S:abc}"},
      {"n BETWEEN :n10 AND :n1",
       "The BETWEEN operator requires upper bound to be greater than or "
       "equal to lower bound; lower bound operand: AttributeValue: {N:10}, "
       "upper bound operand: AttributeValue: {N:1}"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(Error(c.expression),
              std::string("Invalid ConditionExpression: ") + c.message)
        << c.expression;
  }
}

TEST(ConditionParseTest, ErrorsComeInDynamoDbsOrder) {
  // Redundant parentheses before an unknown function before a misused one
  // before a reserved word before an undefined name.
  EXPECT_EQ(Error("((foo(status) = :nope))"),
            "Invalid ConditionExpression: The expression has redundant "
            "parentheses;");
  EXPECT_EQ(Error("size(status) = :nope AND bar(x)"),
            "Invalid ConditionExpression: Invalid function name; function: "
            "bar");
  EXPECT_EQ(Error("#missing = :s AND status = :s"),
            "Invalid ConditionExpression: Attribute name is a reserved "
            "keyword; reserved keyword: status");
}

TEST(ConditionParseTest, LimitsOnSizeInOperandsAndOperators) {
  EXPECT_EQ(Error(std::string(4097, ' ')),
            "Invalid ConditionExpression: Expression size has exceeded the "
            "maximum allowed size; expression size: 4097");
  std::string in = "s IN (:s";
  for (int i = 0; i < 100; ++i) in += ", :s";
  in += ")";
  EXPECT_EQ(Error(in),
            "Invalid ConditionExpression: The IN operator is provided with "
            "too many operands; number of operands: 101");
  std::string many = "s = :s";
  for (int i = 0; i < 150; ++i) many += " AND s = :s";
  EXPECT_EQ(Error(many),
            "Invalid ConditionExpression: The expression contains too many "
            "operators; operator count: 301");
}

TEST(ConditionParseTest, FilterExpressionUsesItsOwnName) {
  EXPECT_EQ(ValidationMessage([] { Parse("s = :nope", "FilterExpression"); }),
            "Invalid FilterExpression: An expression attribute value used in "
            "expression is not defined; attribute value: :nope");
}

TEST(ConditionParseTest, RecordsUsedNamesAndValues) {
  UsedNames names;
  UsedValues values;
  ResolveContext context{"ConditionExpression", &Names(), &Values(), &names,
                         &values};
  ParseCondition("#n = :s OR size(#s) > :n", context);
  EXPECT_EQ(names, (UsedNames{"#n", "#s"}));
  EXPECT_EQ(values, (UsedValues{":n", ":s"}));
}

TEST(ConditionParseTest, RepeatedExpressionsComeFromTheCache) {
  const std::string text = "s = :s AND n > :n1 -- unique 1";
  EXPECT_NE(Error(text), "<no error>");  // failures are not cached
  const std::string ok = "s = :s AND n > :n1 AND n < :n10";
  Parse(ok);
  ParseCache::Stats before = GlobalParseCache().stats();
  Parse(ok);
  ParseCache::Stats after = GlobalParseCache().stats();
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.misses, before.misses);
}

// ---- Evaluation ------------------------------------------------------------

TEST(ConditionEvalTest, EqualityIsTypedAndSetsCompareAsSets) {
  EXPECT_TRUE(Eval("s = :s"));
  EXPECT_FALSE(Eval("s = :s2"));
  EXPECT_TRUE(Eval("n = :n"));
  EXPECT_FALSE(Eval("n = :s"));  // different types are never equal
  EXPECT_TRUE(Eval("b = :b"));
  EXPECT_TRUE(Eval("t = :t"));
  EXPECT_TRUE(Eval("z = :null"));
  EXPECT_TRUE(Eval("ss = :ssr"));  // order does not matter
  EXPECT_TRUE(Eval("ns = :ns"));
  EXPECT_FALSE(Eval("ss = :ns"));
  EXPECT_TRUE(Eval("l[0] = :a"));
  EXPECT_TRUE(Eval("m.k = :s") == false);
  EXPECT_TRUE(Eval("l[2] = :m"));
  EXPECT_TRUE(Eval("m.nest.deep = :three"));
  // Numbers compare by value, whatever their spelling.
  ExpressionAttributeValues spelled = {{":v", N("1.50")}};
  ResolveContext context{"ConditionExpression", nullptr, &spelled, nullptr,
                         nullptr};
  EXPECT_TRUE(
      EvaluateCondition(ParseCondition("x = :v", context), {{"x", N("1.5")}}));
}

TEST(ConditionEvalTest, NotEqualHoldsForMissingAttributes) {
  EXPECT_TRUE(Eval("gone <> :s"));
  EXPECT_FALSE(Eval("s <> :s"));
  EXPECT_TRUE(Eval("n <> :s"));
  EXPECT_FALSE(Eval("gone = :s"));
}

TEST(ConditionEvalTest, OrderingOnlyForSameScalarTypes) {
  EXPECT_TRUE(Eval("s < :s2"));
  EXPECT_TRUE(Eval("s <= :s"));
  EXPECT_FALSE(Eval("s > :s2"));
  EXPECT_TRUE(Eval("s >= :a"));
  EXPECT_TRUE(Eval("n < :n10"));  // numerically, not as text
  EXPECT_TRUE(Eval("n > :n1"));
  EXPECT_TRUE(Eval("b > :b1"));
  EXPECT_FALSE(Eval("n < :s"));  // mixed types are unordered
  EXPECT_FALSE(Eval("t < :t"));
  EXPECT_FALSE(Eval("ss < :ss"));
  EXPECT_FALSE(Eval("gone < :n"));
  Item unicode = {{"x", S("\xC3\xA9")}};  // é sorts after z by bytes
  EXPECT_TRUE(EvaluateCondition(Parse("x > :a"), unicode));
}

TEST(ConditionEvalTest, BetweenAndIn) {
  EXPECT_TRUE(Eval("n BETWEEN :n1 AND :n10"));
  EXPECT_TRUE(Eval("n BETWEEN :n AND :n"));
  EXPECT_FALSE(Eval("n BETWEEN :zero AND :n1"));
  EXPECT_TRUE(Eval("s BETWEEN :a AND :s2"));
  EXPECT_FALSE(Eval("s BETWEEN :n1 AND :n10"));
  EXPECT_FALSE(Eval("gone BETWEEN :n1 AND :n10"));
  EXPECT_TRUE(Eval("s IN (:a, :s)"));
  EXPECT_FALSE(Eval("s IN (:a, :s2)"));
  EXPECT_TRUE(Eval("ss IN (:ns, :ssr)"));
  EXPECT_FALSE(Eval("gone IN (:a)"));
}

TEST(ConditionEvalTest, ExistenceAndType) {
  EXPECT_TRUE(Eval("attribute_exists(s)"));
  EXPECT_TRUE(Eval("attribute_exists(m.nest.deep)"));
  EXPECT_FALSE(Eval("attribute_exists(m.nope)"));
  EXPECT_FALSE(Eval("attribute_exists(s.k)"));  // a string has no members
  EXPECT_TRUE(Eval("attribute_not_exists(l[5])"));
  EXPECT_TRUE(Eval("attribute_not_exists(gone)"));
  EXPECT_TRUE(Eval("attribute_type(s, :typeS)"));
  EXPECT_FALSE(Eval("attribute_type(n, :typeS)"));
  EXPECT_FALSE(Eval("attribute_type(gone, :typeS)"));
  EXPECT_TRUE(EvaluateCondition(Parse("attribute_not_exists(s)"), {}));
}

TEST(ConditionEvalTest, BeginsWith) {
  EXPECT_TRUE(Eval("begins_with(s, :a)"));
  EXPECT_FALSE(Eval("begins_with(s, :s2)"));
  EXPECT_TRUE(Eval("begins_with(b, :b1)"));
  EXPECT_FALSE(Eval("begins_with(b, :a)"));  // binary vs string
  EXPECT_FALSE(Eval("begins_with(ss, :x)"));
  EXPECT_FALSE(Eval("begins_with(gone, :a)"));
}

TEST(ConditionEvalTest, ContainsOnStringsSetsAndLists) {
  EXPECT_TRUE(Eval("contains(s, :a)"));
  EXPECT_FALSE(Eval("contains(s, :x)"));
  EXPECT_TRUE(Eval("contains(ss, :x)"));
  EXPECT_FALSE(Eval("contains(ss, :a)"));
  EXPECT_TRUE(Eval("contains(ns, :n1)"));
  EXPECT_FALSE(Eval("contains(ns, :a)"));  // wrong element type
  EXPECT_TRUE(Eval("contains(bs, :b1)"));
  EXPECT_TRUE(Eval("contains(b, :b1)"));
  EXPECT_TRUE(Eval("contains(l, :a)"));
  EXPECT_TRUE(Eval("contains(l, :n1)"));
  EXPECT_TRUE(Eval("contains(l, :m)"));  // any element type in a list
  EXPECT_FALSE(Eval("contains(l, :x)"));
  EXPECT_FALSE(Eval("contains(n, :n)"));
  EXPECT_FALSE(Eval("contains(m, :s)"));
  EXPECT_FALSE(Eval("contains(gone, :a)"));
}

TEST(ConditionEvalTest, SizeOfEveryType) {
  EXPECT_TRUE(Eval("size(s) = :three"));
  EXPECT_TRUE(Eval("size(b) = size(ns)"));
  EXPECT_TRUE(Eval("size(ss) < :three"));
  EXPECT_TRUE(Eval("size(l) = :three"));
  EXPECT_TRUE(Eval("size(m) > :n1"));
  // UTF-16 code units, as DynamoDB (Java) counts them: 5 + 2 for the emoji.
  Item unicode = {{"u", S("h\xC3\xA9llo\xF0\x9F\x98\x80")}};
  ExpressionAttributeValues seven = {{":v", N("7")}};
  ResolveContext context{"ConditionExpression", nullptr, &seven, nullptr,
                         nullptr};
  EXPECT_TRUE(
      EvaluateCondition(ParseCondition("size(u) = :v", context), unicode));
  // size() of a number, boolean or gone attribute is no value at all.
  EXPECT_FALSE(Eval("size(n) = :n1"));
  EXPECT_FALSE(Eval("size(t) = :n1"));
  EXPECT_FALSE(Eval("size(gone) = :zero"));
  EXPECT_TRUE(Eval("size(gone) <> :zero"));
}

TEST(ConditionEvalTest, PathsThroughNamesAndIndexes) {
  EXPECT_TRUE(Eval("#n = :s") == false);
  Item item = {{"name", S("abc")}};
  EXPECT_TRUE(EvaluateCondition(Parse("#n = :s"), item));
  EXPECT_TRUE(Eval("l[2].k = :s") == false);
  EXPECT_FALSE(Eval("l[9] = :a"));
  EXPECT_FALSE(Eval("m[0] = :a"));  // a map indexed as a list
}

}  // namespace
}  // namespace ddb
