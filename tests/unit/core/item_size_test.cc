// AttributeValue basics and DynamoDB's item size rules.
#include <gtest/gtest.h>

#include <string>

#include "core/attribute_value.h"

namespace ddb {
namespace {

// DynamoDB's item size limit: 400 KB.
constexpr size_t kMaxItemSize = 400 * 1024;

AttributeValue Set(AttrType type, std::vector<std::string> members) {
  AttributeValue v;
  v.type = type;
  v.set = std::move(members);
  return v;
}

AttributeValue List(std::vector<AttributeValue> elements) {
  AttributeValue v;
  v.type = AttrType::kL;
  v.list = std::move(elements);
  return v;
}

AttributeValue Map(AttributeMap members) {
  AttributeValue v;
  v.type = AttrType::kM;
  v.map = std::move(members);
  return v;
}

TEST(AttributeValueTest, TypeNames) {
  EXPECT_STREQ(AttrTypeName(AttrType::kS), "S");
  EXPECT_STREQ(AttrTypeName(AttrType::kN), "N");
  EXPECT_STREQ(AttrTypeName(AttrType::kB), "B");
  EXPECT_STREQ(AttrTypeName(AttrType::kBool), "BOOL");
  EXPECT_STREQ(AttrTypeName(AttrType::kNull), "NULL");
  EXPECT_STREQ(AttrTypeName(AttrType::kM), "M");
  EXPECT_STREQ(AttrTypeName(AttrType::kL), "L");
  EXPECT_STREQ(AttrTypeName(AttrType::kSS), "SS");
  EXPECT_STREQ(AttrTypeName(AttrType::kNS), "NS");
  EXPECT_STREQ(AttrTypeName(AttrType::kBS), "BS");
}

TEST(AttributeValueTest, Constructors) {
  EXPECT_EQ(AttributeValue::String("a").type, AttrType::kS);
  EXPECT_EQ(AttributeValue::String("a").scalar, "a");
  EXPECT_EQ(AttributeValue::Number("1.5").type, AttrType::kN);
  EXPECT_EQ(AttributeValue::Binary("\x01").type, AttrType::kB);
  EXPECT_FALSE(AttributeValue::Bool(false).boolean);
  EXPECT_EQ(AttributeValue::Bool(false).type, AttrType::kBool);
  EXPECT_EQ(AttributeValue::Null().type, AttrType::kNull);
  EXPECT_TRUE(AttributeValue::Null().boolean);
}

TEST(AttributeValueTest, Equality) {
  EXPECT_EQ(AttributeValue::String("a"), AttributeValue::String("a"));
  EXPECT_NE(AttributeValue::String("a"), AttributeValue::String("b"));
  // Same text, different types.
  EXPECT_NE(AttributeValue::String("1"), AttributeValue::Number("1"));
  EXPECT_NE(AttributeValue::String("a"), AttributeValue::Binary("a"));
  EXPECT_EQ(AttributeValue::Bool(true), AttributeValue::Bool(true));
  EXPECT_NE(AttributeValue::Bool(true), AttributeValue::Bool(false));
  EXPECT_NE(AttributeValue::Bool(true), AttributeValue::Null());
  EXPECT_EQ(AttributeValue::Null(), AttributeValue::Null());
  // Sets compare as sets.
  EXPECT_EQ(Set(AttrType::kSS, {"a", "b", "c"}),
            Set(AttrType::kSS, {"c", "a", "b"}));
  EXPECT_NE(Set(AttrType::kSS, {"a", "b"}), Set(AttrType::kSS, {"a", "c"}));
  EXPECT_NE(Set(AttrType::kSS, {"a", "b"}), Set(AttrType::kSS, {"a"}));
  EXPECT_NE(Set(AttrType::kSS, {"a"}), Set(AttrType::kBS, {"a"}));
  EXPECT_EQ(Set(AttrType::kNS, {"1", "2.5"}), Set(AttrType::kNS, {"2.5", "1"}));
  // Lists are ordered; maps compare by name.
  EXPECT_EQ(List({AttributeValue::String("a"), AttributeValue::Number("1")}),
            List({AttributeValue::String("a"), AttributeValue::Number("1")}));
  EXPECT_NE(List({AttributeValue::String("a"), AttributeValue::Number("1")}),
            List({AttributeValue::Number("1"), AttributeValue::String("a")}));
  EXPECT_EQ(Map({{"x", Set(AttrType::kSS, {"p", "q"})}}),
            Map({{"x", Set(AttrType::kSS, {"q", "p"})}}));
  EXPECT_NE(Map({{"x", AttributeValue::Null()}}),
            Map({{"y", AttributeValue::Null()}}));
  EXPECT_NE(Map({}), List({}));
}

TEST(ItemSizeTest, Scalars) {
  EXPECT_EQ(AttributeValueSize(AttributeValue::String("hello")), 5u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::String("")), 0u);
  // UTF-8 bytes, not characters.
  EXPECT_EQ(AttributeValueSize(AttributeValue::String("\xc3\xa9")), 2u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::String("\xf0\x9f\x98\x80")), 4u);
  // Raw bytes, not the base64 text.
  EXPECT_EQ(AttributeValueSize(AttributeValue::Binary(std::string(3, '\0'))),
            3u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Bool(false)), 1u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Null()), 1u);
}

TEST(ItemSizeTest, Numbers) {
  // One byte of exponent plus one per base-100 digit pair (aligned on the
  // decimal point), plus one for negatives; zero is one byte.
  struct Case {
    std::string number;
    size_t size;
  };
  const Case cases[] = {
      {"0", 1},
      {"1", 2},
      {"10", 2},
      {"12", 2},
      {"99", 2},
      {"100", 2},    // 1|00
      {"123", 3},    // 1|23
      {"1234", 3},   // 12|34
      {"12345", 4},  // 1|23|45
      {"0.1", 2},
      {"0.12", 2},
      {"1.2", 3},  // 1|20
      {"12.3", 3},
      {"-1", 3},
      {"-0.5", 3},
      {std::string(38, '9'), 20},
      {"1" + std::string(125, '0'), 2},
      {"11" + std::string(124, '0'), 2},
      {"11111" + std::string(121, '0'), 4},
      {"111111" + std::string(120, '0'), 4},
      {"1111111" + std::string(119, '0'), 5},
      {std::string(38, '1') + std::string(88, '0'), 20},
      {"0." + std::string(129, '0') + "1", 2},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(AttributeValueSize(AttributeValue::Number(c.number)), c.size)
        << c.number;
  }
}

TEST(ItemSizeTest, SetsSumTheirMembers) {
  EXPECT_EQ(AttributeValueSize(Set(AttrType::kSS, {"ab", "c"})), 3u);
  EXPECT_EQ(AttributeValueSize(Set(AttrType::kBS, {"\x01\x02", "\x03"})), 3u);
  EXPECT_EQ(AttributeValueSize(Set(AttrType::kNS, {"1", "123", "-1"})),
            2u + 3u + 3u);
}

TEST(ItemSizeTest, DocumentsHaveOverhead) {
  // 3 bytes per list or map, 1 per element, plus map entry names.
  EXPECT_EQ(AttributeValueSize(List({})), 3u);
  EXPECT_EQ(AttributeValueSize(Map({})), 3u);
  EXPECT_EQ(AttributeValueSize(List(
                {AttributeValue::String("ab"), AttributeValue::Number("1")})),
            3u + (1 + 2) + (1 + 2));
  EXPECT_EQ(AttributeValueSize(Map({{"xy", AttributeValue::Bool(true)}})),
            3u + 1 + 2 + 1);
  EXPECT_EQ(AttributeValueSize(
                Map({{"a", List({Map({{"b", AttributeValue::Null()}})})}})),
            3u + (1 + 1 + (3 + (1 + (3 + 1 + 1 + 1)))));
}

TEST(ItemSizeTest, ItemsCountAttributeNames) {
  Item item{{"pk", AttributeValue::String("abc")},
            {"\xc3\xa9", AttributeValue::Number("12")}};
  EXPECT_EQ(ItemSize(item), 2u + 3 + 2 + 2);
  EXPECT_EQ(ItemSize(Item{}), 0u);
}

// dynalite's boundary tests, verified against DynamoDB: {a: S key, b: S
// filler} of exactly 400 KB is accepted, one byte more is rejected.
TEST(ItemSizeTest, FourHundredKilobyteBoundary) {
  const std::string key = "0123456789";
  Item item{{"a", AttributeValue::String(key)},
            {"b", AttributeValue::String(
                      std::string(kMaxItemSize - key.size() - 2, 'a'))}};
  EXPECT_EQ(ItemSize(item), kMaxItemSize);
  item["b"].scalar.push_back('a');
  EXPECT_EQ(ItemSize(item), kMaxItemSize + 1);
  // A 38-digit number of exponent 125 costs 20 bytes.
  Item with_number{{"a", AttributeValue::String(key)},
                   {"b", AttributeValue::String(std::string(
                             kMaxItemSize - key.size() - 1 - 1 - 20, 'a'))},
                   {"c", AttributeValue::Number(std::string(38, '1') +
                                                std::string(88, '0'))}};
  EXPECT_EQ(ItemSize(with_number), kMaxItemSize + 1);
}

// The conformance suite's tier3/limits/itemSize cases.
TEST(ItemSizeTest, ConformanceSuiteCases) {
  Item under{{"pk", AttributeValue::String("lim-is-under")},
             {"data", AttributeValue::String(std::string(390000, 'x'))}};
  EXPECT_LE(ItemSize(under), kMaxItemSize);
  Item over{{"pk", AttributeValue::String("lim-is-over")},
            {"bigval", AttributeValue::String(std::string(410000, 'x'))}};
  EXPECT_GT(ItemSize(over), kMaxItemSize);

  // 100 attributes with ~207-byte names and 3,900-byte values: over only
  // because the names count.
  Item names{{"pk", AttributeValue::String("lim-is-attrnames")}};
  size_t values_only = 0;
  for (int i = 0; i < 100; ++i) {
    std::string suffix = std::to_string(i);
    suffix.insert(0, 3 - suffix.size(), '0');
    names["attr" + std::string(200, 'a') + suffix] =
        AttributeValue::String(std::string(3900, 'x'));
    values_only += 3900;
  }
  EXPECT_LT(values_only, kMaxItemSize);
  EXPECT_GT(ItemSize(names), kMaxItemSize);

  Item nested{
      {"pk", AttributeValue::String("lim-is-nested")},
      {"nested",
       Map({{"level1", Map({{"level2", Map({{"payload",
                                             AttributeValue::String(std::string(
                                                 410000, 'x'))}})}})}})}};
  EXPECT_GT(ItemSize(nested), kMaxItemSize);

  std::vector<std::string> members;
  std::vector<AttributeValue> elements;
  for (int i = 0; i < 100; ++i) {
    members.push_back(std::string(4200, 'x') + std::to_string(i));
    elements.push_back(AttributeValue::String(members.back()));
  }
  EXPECT_GT(ItemSize({{"pk", AttributeValue::String("lim-is-set")},
                      {"bigset", Set(AttrType::kSS, members)}}),
            kMaxItemSize);
  EXPECT_GT(ItemSize({{"pk", AttributeValue::String("lim-is-list")},
                      {"biglist", List(elements)}}),
            kMaxItemSize);

  EXPECT_LE(ItemSize({{"pk", AttributeValue::String("lim-is-binary")},
                      {"bindata",
                       AttributeValue::Binary(std::string(350000, '\0'))}}),
            kMaxItemSize);
  EXPECT_GT(ItemSize({{"pk", AttributeValue::String("lim-is-binary-over")},
                      {"bindata",
                       AttributeValue::Binary(std::string(410000, '\0'))}}),
            kMaxItemSize);
}

}  // namespace
}  // namespace ddb
