// The item codec round-trips every attribute type exactly and refuses, never
// crashes on, corrupt bytes.
#include "storage/item_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>

namespace ddb {
namespace {

AttributeValue Set(AttrType type, std::vector<std::string> members) {
  AttributeValue v;
  v.type = type;
  v.set = std::move(members);
  return v;
}

AttributeValue Empty(AttrType type) {
  AttributeValue v;
  v.type = type;
  return v;
}

Item EveryType() {
  AttributeValue list;
  list.type = AttrType::kL;
  list.list = {AttributeValue::String("x"), AttributeValue::Number("-1.5"),
               AttributeValue::Null(), Empty(AttrType::kL)};
  AttributeValue map;
  map.type = AttrType::kM;
  map.map = {{"inner", list},
             {"", AttributeValue::Bool(false)},
             {"empty", Empty(AttrType::kM)}};
  return {
      {"s", AttributeValue::String("h\xC3\xA9llo")},
      {"empty_s", AttributeValue::String("")},
      {"n", AttributeValue::Number("12345678901234567890.123")},
      {"b", AttributeValue::Binary(std::string("\0\xFF\x01", 3))},
      {"t", AttributeValue::Bool(true)},
      {"f", AttributeValue::Bool(false)},
      {"null", AttributeValue::Null()},
      {"l", list},
      {"m", map},
      {"ss", Set(AttrType::kSS, {"b", "a", "c"})},
      {"ns", Set(AttrType::kNS, {"1", "-2.5", "1E+100"})},
      {"bs", Set(AttrType::kBS, {std::string("\0", 1), "\xFF"})},
      {std::string("name\0with zero", 14), AttributeValue::Number("0")},
  };
}

TEST(ItemCodecTest, RoundTripsEveryType) {
  Item item = EveryType();
  std::string bytes = EncodeItem(item);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kItemFormatVersion);
  Item back = DecodeItem(bytes);
  EXPECT_EQ(back, item);
  // Set member order is kept as sent.
  EXPECT_EQ(back["ss"].set, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_FALSE(back["f"].boolean);
  EXPECT_EQ(EncodeItem(back), bytes);
}

TEST(ItemCodecTest, EmptyItemAndLargeValues) {
  EXPECT_EQ(DecodeItem(EncodeItem({})), Item{});
  Item big = {{"blob", AttributeValue::Binary(std::string(400 * 1024, 'z'))}};
  EXPECT_EQ(DecodeItem(EncodeItem(big)), big);
}

TEST(ItemCodecTest, DeepNestingWithinDynamoLimitsRoundTrips) {
  AttributeValue v = AttributeValue::String("leaf");
  for (int i = 0; i < 32; ++i) {
    AttributeValue outer;
    outer.type = (i % 2) ? AttrType::kM : AttrType::kL;
    if (outer.type == AttrType::kM) {
      outer.map["k"] = v;
    } else {
      outer.list.push_back(v);
    }
    v = outer;
  }
  Item item = {{"deep", v}};
  EXPECT_EQ(DecodeItem(EncodeItem(item)), item);
}

TEST(ItemCodecTest, RejectsMalformedInput) {
  const std::string good = EncodeItem(EveryType());
  // Every truncation fails cleanly.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(DecodeItem(std::string_view(good).substr(0, n)),
                 std::runtime_error)
        << n;
  }
  EXPECT_THROW(DecodeItem(good + "x"), std::runtime_error);  // trailing
  std::string bad_version = good;
  bad_version[0] = 9;
  EXPECT_THROW(DecodeItem(bad_version), std::runtime_error);
  // Unknown tag.
  EXPECT_THROW(DecodeItem(std::string("\x01\x01\x01"
                                      "a\x0A",
                                      5)),
               std::runtime_error);
  // Duplicate names.
  EXPECT_THROW(DecodeItem(std::string("\x01\x02\x01"
                                      "a\x04\x01"
                                      "a\x04",
                                      8)),
               std::runtime_error);
  // A huge count must not allocate; a huge length must not read past the
  // end; a varint longer than 64 bits is refused.
  EXPECT_THROW(DecodeItem(std::string("\x01\x01\x01"
                                      "a\x06\xFF\xFF\xFF\xFF\x0F",
                                      10)),
               std::runtime_error);
  EXPECT_THROW(DecodeItem(std::string("\x01\x01\xFF\xFF\xFF\xFF\x0F", 7)),
               std::runtime_error);
  EXPECT_THROW(DecodeItem(std::string("\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"
                                      "\xFF\xFF\x01",
                                      12)),
               std::runtime_error);
  // Nesting far beyond anything valid: a list of lists, 10000 deep.
  std::string bomb = "\x01\x01\x01x";
  for (int i = 0; i < 10000; ++i) bomb += "\x06\x01";
  bomb += '\x04';
  EXPECT_THROW(DecodeItem(bomb), std::runtime_error);
}

TEST(ItemCodecTest, RandomCorruptionNeverCrashes) {
  const std::string good = EncodeItem(EveryType());
  std::mt19937_64 rng(99);
  int decoded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes = good;
    for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    try {
      DecodeItem(bytes);
      ++decoded;  // some flips land in payload bytes and stay valid
    } catch (const std::runtime_error&) {
    }
  }
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes(1 + rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 12);
    bytes[0] = 1;
    try {
      DecodeItem(bytes);
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_GT(decoded, 0);
}

}  // namespace
}  // namespace ddb
