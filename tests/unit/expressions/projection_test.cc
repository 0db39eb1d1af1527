// ProjectionExpression: parsing with DynamoDB's messages, and applying the
// resolved paths to items.
#include "expressions/projection.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/expressions/test_util.h"

namespace ddb {
namespace {

using testing::L;
using testing::M;
using testing::N;
using testing::Render;
using testing::S;
using testing::ValidationMessage;

std::string Paths(std::string_view expression,
                  const ExpressionAttributeNames* names = nullptr,
                  UsedNames* used = nullptr) {
  std::string out;
  for (const DocumentPath& path : ParseProjection(expression, names, used)) {
    if (!out.empty()) out += " ";
    out += path.ToString();
  }
  return out;
}

std::string Error(std::string_view expression,
                  const ExpressionAttributeNames* names = nullptr) {
  return ValidationMessage(
      [&] { ParseProjection(expression, names, nullptr); });
}

std::string Project(const Item& item, std::string_view expression,
                    const ExpressionAttributeNames* names = nullptr) {
  UsedNames used;
  return Render(
      ApplyProjection(item, ParseProjection(expression, names, &used)));
}

// ---- Parsing -------------------------------------------------------------

TEST(ParseProjectionTest, TopLevelAndNestedPaths) {
  EXPECT_EQ(Paths("a"), "[a]");
  EXPECT_EQ(Paths(" a  ,   b  "), "[a] [b]");
  EXPECT_EQ(Paths("Title, RelatedItems[0], ProductReviews.FiveStar"),
            "[Title] [RelatedItems, [0]] [ProductReviews, FiveStar]");
}

TEST(ParseProjectionTest, ResolvesNamesAndRecordsUse) {
  ExpressionAttributeNames names = {
      {"#m", "mymap"}, {"#n", "nested"}, {"#l", "mylist"}, {"#x", "x"}};
  UsedNames used;
  EXPECT_EQ(Paths("#m.#n, #l[1]", &names, &used),
            "[mymap, nested] [mylist, [1]]");
  EXPECT_EQ(used, (UsedNames{"#l", "#m", "#n"}));
  EXPECT_EQ(UnusedNamesMessage(names, used),
            "Value provided in ExpressionAttributeNames unused in "
            "expressions: keys: {#x}");
}

TEST(ParseProjectionTest, EmptyExpression) {
  const std::string expected =
      "Invalid ProjectionExpression: The expression can not be empty;";
  EXPECT_EQ(Error(""), expected);
  EXPECT_EQ(Error("  \t"), expected);
}

TEST(ParseProjectionTest, SyntaxErrors) {
  // Verified against DynamoDB by the conformance suite.
  EXPECT_EQ(Error("!!! INVALID !!!"),
            "Invalid ProjectionExpression: Syntax error; token: \"!\", near: "
            "\"!!\"");
  EXPECT_EQ(Error("!!!"),
            "Invalid ProjectionExpression: Syntax error; token: \"!\", near: "
            "\"!!\"");
  EXPECT_EQ(Error("a,"),
            "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", "
            "near: \",\"");
  EXPECT_EQ(Error(",a"),
            "Invalid ProjectionExpression: Syntax error; token: \",\", near: "
            "\",a\"");
  EXPECT_EQ(Error("a,,b"),
            "Invalid ProjectionExpression: Syntax error; token: \",\", near: "
            "\",,b\"");
  EXPECT_EQ(Error("a b"),
            "Invalid ProjectionExpression: Syntax error; token: \"b\", near: "
            "\"a b\"");
  EXPECT_EQ(Error("whatever(stuff)"),
            "Invalid ProjectionExpression: Syntax error; token: \"(\", near: "
            "\"whatever(stuff\"");
  EXPECT_EQ(Error(":a"),
            "Invalid ProjectionExpression: Syntax error; token: \":a\", "
            "near: \":a\"");
  EXPECT_EQ(Error("(a)"),
            "Invalid ProjectionExpression: Syntax error; token: \"(\", near: "
            "\"(a\"");
  // Every other form dynalite's tests list as a syntax error.
  for (std::string_view expression :
       {"abort,", "a..b", "a[b]", "(a.b).c", "(a),(b)", "(a,b)", "a-b"}) {
    EXPECT_TRUE(
        Error(expression)
            .starts_with("Invalid ProjectionExpression: Syntax error; "))
        << expression << ": " << Error(expression);
  }
}

TEST(ParseProjectionTest, SyntaxErrorBeatsReservedWordAndUndefinedName) {
  EXPECT_EQ(Error("status, #x, a!"),
            "Invalid ProjectionExpression: Syntax error; token: \"!\", near: "
            "\"a!\"");
}

TEST(ParseProjectionTest, ReservedWords) {
  EXPECT_EQ(Error("pk, status"),
            "Invalid ProjectionExpression: Attribute name is a reserved "
            "keyword; reserved keyword: status");
  EXPECT_EQ(Error("a.abORt"),
            "Invalid ProjectionExpression: Attribute name is a reserved "
            "keyword; reserved keyword: abORt");
  // DynamoDB checks reserved words over the whole expression before it
  // resolves names: the undefined #a that comes first is not reported.
  EXPECT_EQ(Error("#a,ABSoLUTE"),
            "Invalid ProjectionExpression: Attribute name is a reserved "
            "keyword; reserved keyword: ABSoLUTE");
  ExpressionAttributeNames names = {{"#status", "status"}};
  EXPECT_EQ(Paths("pk, #status", &names), "[pk] [status]");
}

TEST(ParseProjectionTest, UndefinedName) {
  EXPECT_EQ(Error("a,b,a,#a"),
            "Invalid ProjectionExpression: An expression attribute name used "
            "in the document path is not defined; attribute name: #a");
}

TEST(ParseProjectionTest, Overlaps) {
  ExpressionAttributeNames names = {{"#a", "a"}};
  // The first overlapping pair wins even when a conflict comes earlier.
  EXPECT_EQ(Error("b[1], b.a, #a.b, a", &names),
            "Invalid ProjectionExpression: Two document paths overlap with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a, b], path two: [a]");
  EXPECT_EQ(Error("a, #a[1]", &names),
            "Invalid ProjectionExpression: Two document paths overlap with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a], path two: [a, [1]]");
  EXPECT_EQ(Error("a.b[0],a.b[0]"),
            "Invalid ProjectionExpression: Two document paths overlap with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a, b, [0]], path two: [a, b, [0]]");
  ExpressionAttributeNames same = {{"#a", "a"}, {"#b", "a"}};
  EXPECT_EQ(Error("#a, #b", &same),
            "Invalid ProjectionExpression: Two document paths overlap with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a], path two: [a]");
  for (std::string_view expression :
       {"a, a", "a.b, a.b", "a[1], a[1]", "a, a.b", "a.b, a", "a.b, a.b[2]",
        "a.b, a.b.c", "a, a.b[2].c", "a.b.d, a.b", "a.b.d.e, a.b", "a.b, a.b.d",
        "a.b, a.b.d.e"}) {
    EXPECT_NE(Error(expression).find("overlap"), std::string::npos)
        << expression;
  }
  for (std::string_view expression :
       {"a, b", "a.b, a.c", "a.b.d, a.b.e", "a[1], a[2]", "a.b, a.c[2]"}) {
    EXPECT_NO_THROW(ParseProjection(expression, nullptr, nullptr))
        << expression;
  }
}

TEST(ParseProjectionTest, Conflicts) {
  ExpressionAttributeNames names = {{"#a", "a"}, {"#b", "[3]"}};
  EXPECT_EQ(Error("a.b, #a[1], #b", &names),
            "Invalid ProjectionExpression: Two document paths conflict with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a, b], path two: [a, [1]]");
  EXPECT_EQ(Error("a.b[1], #a[1], #b", &names),
            "Invalid ProjectionExpression: Two document paths conflict with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a, b, [1]], path two: [a, [1]]");
  // A name spelled like an index is still a name.
  EXPECT_EQ(Error("a[3].b, #a.#b.b", &names),
            "Invalid ProjectionExpression: Two document paths conflict with "
            "each other; must remove or rewrite one of these paths; path one: "
            "[a, [3], b], path two: [a, [3], b]");
  for (std::string_view expression :
       {"a.b, a[1]", "a[1], a.b", "a.b[1], a.b.c", "a.b.c, a.b[1]"}) {
    EXPECT_NE(Error(expression).find("conflict"), std::string::npos)
        << expression;
  }
  EXPECT_NO_THROW(ParseProjection("a.b, a.c[1]", nullptr, nullptr));
}

TEST(ParseProjectionTest, SizeLimit) {
  // One attribute name exactly 4096 bytes long is accepted; one byte more
  // is not, and a ProjectionExpression's message carries no size.
  std::string name = "a" + std::string(4095, 'z');
  EXPECT_EQ(ParseProjection(name, nullptr, nullptr).size(), 1u);
  EXPECT_EQ(Error(name + "z"),
            "Invalid ProjectionExpression: Expression size has exceeded the "
            "maximum allowed size;");
}

TEST(ParseProjectionTest, SizeIsMeasuredBeforeSubstitution) {
  ExpressionAttributeNames names;
  std::string expression;
  for (int i = 0; i < 686; ++i) {
    std::string key = "#a" + std::to_string(i);
    names[key] = "attribute" + std::to_string(i);
    if (!expression.empty()) expression += ",";
    expression += key;
  }
  ASSERT_LE(expression.size(), kMaxExpressionSize);
  UsedNames used;
  EXPECT_EQ(ParseProjection(expression, &names, &used).size(), 686u);
  EXPECT_EQ(UnusedNamesMessage(names, used), "");
}

TEST(ParseProjectionTest, AstIsRequestIndependent) {
  // One parse serves requests with different name maps.
  ProjectionAst ast = ParseProjectionAst("#k.x");
  ExpressionAttributeNames first = {{"#k", "one"}};
  ExpressionAttributeNames second = {{"#k", "two"}};
  EXPECT_EQ(ResolveProjection(ast, &first, nullptr)[0].ToString(), "[one, x]");
  EXPECT_EQ(ResolveProjection(ast, &second, nullptr)[0].ToString(), "[two, x]");
}

// ---- Applying ------------------------------------------------------------

Item NestedItem() {
  return Item{
      {"pk", S("p")},
      {"a", M({{"b", L({N("2"), N("4"), M({{"x", S("hi")}, {"y", S("yo")}})})},
               {"c", N("5")}})},
      {"b", S("hello")},
  };
}

TEST(ApplyProjectionTest, TopLevelAttributes) {
  EXPECT_EQ(Project(NestedItem(), "b"), "{b: {S: hello}}");
  EXPECT_EQ(Project(NestedItem(), "pk, b"), "{b: {S: hello}, pk: {S: p}}");
  EXPECT_EQ(Project(NestedItem(), "nonexistent"), "{}");
}

TEST(ApplyProjectionTest, KeepsTheNestedShape) {
  EXPECT_EQ(
      Project(NestedItem(), "a.b"),
      "{a: {M: {b: {L: [{N: 2}, {N: 4}, {M: {x: {S: hi}, y: {S: yo}}}]}}}}");
  EXPECT_EQ(Project(NestedItem(), "a.b[0]"), "{a: {M: {b: {L: [{N: 2}]}}}}");
  EXPECT_EQ(Project(NestedItem(), "a.b[2].y"),
            "{a: {M: {b: {L: [{M: {y: {S: yo}}}]}}}}");
}

TEST(ApplyProjectionTest, MergesPathsWithACommonPrefix) {
  EXPECT_EQ(Project(NestedItem(), "a.b[0],a.b[1]"),
            "{a: {M: {b: {L: [{N: 2}, {N: 4}]}}}}");
  EXPECT_EQ(Project(NestedItem(), "a.b[0],a.c"),
            "{a: {M: {b: {L: [{N: 2}]}, c: {N: 5}}}}");
  EXPECT_EQ(Project(NestedItem(), "a.c,b"),
            "{a: {M: {c: {N: 5}}}, b: {S: hello}}");
}

TEST(ApplyProjectionTest, ListElementsAreCompactedInIndexOrder) {
  Item item = {{"l", L({S("zero"), S("one"), S("two"), S("three")})}};
  EXPECT_EQ(Project(item, "l[3], l[1]"), "{l: {L: [{S: one}, {S: three}]}}");
  ExpressionAttributeNames names = {{"#l", "l"}};
  EXPECT_EQ(Project(item, "#l[2], #l[0]", &names),
            "{l: {L: [{S: zero}, {S: two}]}}");
}

TEST(ApplyProjectionTest, MissingOrMistypedPartsAreAbsent) {
  for (std::string_view expression :
       {"x", "a.b[3]", "a.x", "a.x.y", "a.b[3].x", "a.b.x", "a[0]", "a.b[0].x",
        "a.b[0][0]", "b.c", "b[0]", "l[4294967294]"}) {
    EXPECT_EQ(Project(NestedItem(), expression), "{}") << expression;
  }
  EXPECT_EQ(Project(NestedItem(), "a.x, a.b[0], x, a.b[3].x"),
            "{a: {M: {b: {L: [{N: 2}]}}}}");
}

TEST(ApplyProjectionTest, NamesFromPlaceholdersAreSingleKeys) {
  Item item = {
      {"a.b", S("dotted")},
      {"a", M({{"b", S("nested")}, {"c", S("other")}})},
  };
  ExpressionAttributeNames names = {{"#d", "a.b"}};
  EXPECT_EQ(Project(item, "#d", &names), "{a.b: {S: dotted}}");
  EXPECT_EQ(Project(item, "a.b"), "{a: {M: {b: {S: nested}}}}");
}

TEST(ApplyProjectionTest, DeepListsOfMaps) {
  Item item = {
      {"l", L({M({{"a", S("a0")},
                  {"b", S("b0")},
                  {"n", L({M({{"p", S("p00")}, {"q", S("q00")}}),
                           M({{"p", S("p01")}, {"q", S("q01")}})})}}),
               M({{"a", S("a1")}}), M({{"a", S("a2")}, {"c", S("c2")}})})},
  };
  EXPECT_EQ(Project(item, "l[0].a, l[0].b, l[2].c"),
            "{l: {L: [{M: {a: {S: a0}, b: {S: b0}}}, {M: {c: {S: c2}}}]}}");
  EXPECT_EQ(Project(item, "l[0].n[0].p, l[0].n[1].q"),
            "{l: {L: [{M: {n: {L: [{M: {p: {S: p00}}}, {M: {q: {S: "
            "q01}}}]}}}]}}");
  // l[1] has no c, so only l[2] contributes.
  EXPECT_EQ(Project(item, "l[1].c, l[2].c"), "{l: {L: [{M: {c: {S: c2}}}]}}");
}

TEST(ApplyProjectionTest, TreeIsReusableAcrossItems) {
  std::vector<DocumentPath> paths = ParseProjection("a.x, b", nullptr, nullptr);
  ProjectionTree tree(paths);
  EXPECT_EQ(Render(tree.Apply({{"a", M({{"x", N("1")}, {"y", N("2")}})}})),
            "{a: {M: {x: {N: 1}}}}");
  EXPECT_EQ(Render(tree.Apply({{"b", N("3")}, {"c", N("4")}})), "{b: {N: 3}}");
  EXPECT_EQ(Render(tree.Apply({})), "{}");
}

}  // namespace
}  // namespace ddb
