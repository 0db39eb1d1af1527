// The key codec must make memcmp order equal DynamoDB's order: S and B by
// unsigned bytes, N by numeric value (1 == 1.0), and every encoding must be
// prefix-free so composite keys (pk then sk) keep that order.
#include "storage/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/decimal.h"

namespace ddb {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return Sign(c);
  return Sign(static_cast<int>(a.size() > b.size()) -
              static_cast<int>(a.size() < b.size()));
}

// DynamoDB's order for two values of the same key type.
int DynamoCompare(const AttributeValue& a, const AttributeValue& b) {
  if (a.type == AttrType::kN) {
    return Sign(Decimal::Parse(a.scalar).Compare(Decimal::Parse(b.scalar)));
  }
  return CompareBytes(a.scalar, b.scalar);
}

std::string RandomBytes(std::mt19937_64& rng) {
  // A tiny alphabet with the critical bytes makes prefixes, equal values
  // and escapes frequent.
  static const char kAlphabet[] = {'\0', '\x01', 'a', 'b', '\xFE', '\xFF'};
  std::uniform_int_distribution<int> len(0, 6);
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 1);
  std::string s;
  for (int n = len(rng); n > 0; --n) s.push_back(kAlphabet[pick(rng)]);
  return s;
}

// Random DynamoDB numbers, written in varied but equivalent spellings.
std::string RandomNumberText(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> nonzero(1, 9);
  int k = kind(rng);
  if (k == 0) return "0";
  std::string sign = (rng() & 1) ? "-" : "";
  if (k <= 3) {
    // Small integers and short decimals: many ties and near-ties.
    std::uniform_int_distribution<int> small(0, 300);
    std::string text = sign + std::to_string(small(rng));
    if (rng() & 1) text += "." + std::to_string(digit(rng));
    if (rng() & 1) text += "0";  // a trailing zero must not matter
    return text;
  }
  // 0.d1...dn x 10^E across the whole range, up to 38 digits.
  std::uniform_int_distribution<int> count(1, k <= 6 ? 3 : 38);
  std::uniform_int_distribution<int> exponent(-129, 126);
  int n = count(rng);
  std::string digits(1, static_cast<char>('0' + nonzero(rng)));
  for (int i = 1; i < n; ++i)
    digits.push_back(static_cast<char>('0' + digit(rng)));
  if (digits.size() > 1 && digits.back() == '0') digits.back() = '7';
  int e =
      k <= 6 ? std::uniform_int_distribution<int>(-3, 4)(rng) : exponent(rng);
  // value = 0.digits x 10^e = d1.d2... x 10^(e-1).
  std::string text = sign + digits.substr(0, 1);
  if (digits.size() > 1) text += "." + digits.substr(1);
  return text + "E" + std::to_string(e - 1);
}

AttributeValue RandomValue(AttrType type, std::mt19937_64& rng) {
  switch (type) {
    case AttrType::kS:
      return AttributeValue::String(RandomBytes(rng));
    case AttrType::kB:
      return AttributeValue::Binary(RandomBytes(rng));
    default:
      return AttributeValue::Number(
          Decimal::Parse(RandomNumberText(rng)).ToString());
  }
}

class KeyOrderTest : public ::testing::TestWithParam<AttrType> {};

TEST_P(KeyOrderTest, MemcmpOrderEqualsDynamoOrderAndRoundTrips) {
  const AttrType type = GetParam();
  std::mt19937_64 rng(12345 + static_cast<int>(type));
  std::vector<AttributeValue> values;
  for (int i = 0; i < 3000; ++i) values.push_back(RandomValue(type, rng));

  std::vector<std::string> encoded;
  for (const AttributeValue& v : values) encoded.push_back(EncodeKeyValue(v));

  for (size_t i = 0; i < values.size(); ++i) {
    // Round trip, and the decoder stops exactly at the end of the value.
    std::string with_tail = encoded[i] + "tail";
    std::string_view in = with_tail;
    AttributeValue back = DecodeKeyValue(type, &in);
    EXPECT_EQ(back.type, type);
    EXPECT_EQ(back.scalar, values[i].scalar);
    EXPECT_EQ(in, "tail");
  }

  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  for (int trial = 0; trial < 20000; ++trial) {
    size_t a = pick(rng), b = pick(rng);
    int expected = DynamoCompare(values[a], values[b]);
    ASSERT_EQ(CompareBytes(encoded[a], encoded[b]), expected)
        << values[a].scalar << " vs " << values[b].scalar;
    // Prefix-free: whatever follows a value cannot change the order of two
    // different values (what composite pk|sk keys rely on).
    if (expected != 0) {
      EXPECT_EQ(CompareBytes(encoded[a] + std::string(1, '\xFF'),
                             encoded[b] + std::string(1, '\0')),
                expected);
      EXPECT_EQ(CompareBytes(encoded[a] + std::string(1, '\0'),
                             encoded[b] + std::string(1, '\xFF')),
                expected);
    }
  }

  // Sorting by encoding yields DynamoDB's order throughout.
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return CompareBytes(encoded[a], encoded[b]) < 0;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    ASSERT_LE(DynamoCompare(values[order[i - 1]], values[order[i]]), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, KeyOrderTest,
                         ::testing::Values(AttrType::kS, AttrType::kN,
                                           AttrType::kB));

std::string EncodeNumber(const std::string& text) {
  return EncodeKeyValue(AttributeValue::Number(text));
}

TEST(KeyCodecTest, EqualNumbersEncodeIdentically) {
  EXPECT_EQ(EncodeNumber("1"), EncodeNumber("1.0"));
  EXPECT_EQ(EncodeNumber("1"), EncodeNumber("1.000E0"));
  EXPECT_EQ(EncodeNumber("100"), EncodeNumber("1E2"));
  EXPECT_EQ(EncodeNumber("-0.5"), EncodeNumber("-5E-1"));
  EXPECT_EQ(EncodeNumber("0"), EncodeNumber("-0"));
  EXPECT_EQ(EncodeNumber("0"), EncodeNumber("0.000"));
  EXPECT_NE(EncodeNumber("1"), EncodeNumber("10"));
}

TEST(KeyCodecTest, NumbersSortNumericallyAcrossTheRange) {
  const std::vector<std::string> ascending = {
      "-9.9999999999999999999999999999999999999E+125",
      "-1E+125",
      "-100",
      "-10",
      "-1.05",
      "-1",
      "-0.5",
      "-1E-129",
      "-1E-130",
      "0",
      "1E-130",
      "1.5E-130",
      "1E-129",
      "0.001",
      "0.5",
      "1",
      "1.0000000000000000000000000000000000001",
      "1.05",
      "1.5",
      "2",
      "10",
      "99",
      "100",
      "101",
      "1E+125",
      "9.9999999999999999999999999999999999999E+125",
  };
  for (size_t i = 1; i < ascending.size(); ++i) {
    EXPECT_LT(CompareBytes(EncodeNumber(ascending[i - 1]),
                           EncodeNumber(ascending[i])),
              0)
        << ascending[i - 1] << " < " << ascending[i];
  }
}

TEST(KeyCodecTest, NumberFormatMatchesTheGrammar) {
  // 1 = 0.1 x 10^1: class 03, exponent 1 + 129, pair (10) + 1, terminator.
  EXPECT_EQ(EncodeNumber("1"), std::string("\x03\x82\x0B\x00", 4));
  EXPECT_EQ(EncodeNumber("0"), std::string("\x02", 1));
  // Negative: every byte after the class complemented.
  EXPECT_EQ(EncodeNumber("-1"), std::string("\x01\x7D\xF4\xFF", 4));
  // 38 digits: 19 pairs, 22 bytes in all.
  EXPECT_EQ(EncodeNumber("1.2345678901234567890123456789012345678").size(),
            22u);
}

TEST(KeyCodecTest, NumbersRoundTripToCanonicalText) {
  for (const char* text :
       {"0", "1", "-1", "1.5", "-0.001", "123456789", "1E-130", "-1E-130",
        "9.9999999999999999999999999999999999999E+125", "1.0", "150", "0.1",
        "10", "1000000", "0.0102"}) {
    std::string encoded = EncodeNumber(text);
    std::string_view in = encoded;
    EXPECT_EQ(DecodeKeyValue(AttrType::kN, &in).scalar,
              Decimal::Parse(text).ToString())
        << text;
    EXPECT_TRUE(in.empty());
  }
}

TEST(KeyCodecTest, StringsEscapeZeroAndSortPrefixesFirst) {
  auto enc = [](std::string s) {
    return EncodeKeyValue(AttributeValue::String(std::move(s)));
  };
  EXPECT_EQ(enc(std::string("a\0b", 3)), std::string("a\0\xFF"
                                                     "b\0\0",
                                                     6));
  EXPECT_EQ(enc(""), std::string("\0\0", 2));
  EXPECT_LT(CompareBytes(enc(""), enc(std::string(1, '\0'))), 0);
  EXPECT_LT(CompareBytes(enc("a"), enc(std::string("a\0", 2))), 0);
  EXPECT_LT(CompareBytes(enc(std::string("a\0", 2)), enc("a\x01")), 0);
  EXPECT_LT(CompareBytes(enc("a"), enc("ab")), 0);
  EXPECT_LT(CompareBytes(enc("ab"), enc("b")), 0);
  // UTF-8 bytes compare unsigned: U+00E9 (C3 A9) sorts after 'z'.
  EXPECT_LT(CompareBytes(enc("z"), enc("\xC3\xA9")), 0);
}

TEST(KeyCodecTest, RejectsNonKeyTypesAndOutOfRangeNumbers) {
  EXPECT_THROW(EncodeKeyValue(AttributeValue::Bool(true)),
               std::invalid_argument);
  EXPECT_THROW(EncodeKeyValue(AttributeValue::Null()), std::invalid_argument);
}

TEST(KeyCodecTest, CorruptBytesThrowAndNeverCrash) {
  for (const std::string& bad :
       {std::string(""), std::string("\x03", 1), std::string("\x03\x82", 2),
        std::string("\x03\x82\x0B", 3), std::string("\x03\x82\xFF\x00", 4),
        std::string("\x07", 1), std::string("\x03\x82\x01\x00", 4)}) {
    std::string_view in = bad;
    EXPECT_THROW(DecodeKeyValue(AttrType::kN, &in), std::runtime_error);
  }
  for (const std::string& bad :
       {std::string("abc"), std::string("a\0", 2), std::string("a\0\x05", 3)}) {
    std::string_view in = bad;
    EXPECT_THROW(DecodeKeyValue(AttrType::kS, &in), std::runtime_error);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    for (int n = static_cast<int>(rng() % 24); n > 0; --n) {
      bytes.push_back(static_cast<char>(rng()));
    }
    for (AttrType type : {AttrType::kN, AttrType::kS}) {
      std::string_view in = bytes;
      try {
        DecodeKeyValue(type, &in);
      } catch (const std::runtime_error&) {
      }
    }
  }
}

TableDef LongKeyTable() {
  TableDef t;
  t.id = 42;
  t.name = "t";
  t.hash_key = {"pk", AttrType::kS};
  t.range_key = KeyAttribute{"sk", AttrType::kB};
  return t;
}

TEST(ItemKeyTest, LayoutAndLimits) {
  TableDef t = LongKeyTable();
  Item item = {{"pk", AttributeValue::String("p")},
               {"sk", AttributeValue::Binary("s")}};
  std::string key = EncodeItemKey(t, item);
  std::string pk_enc = EncodeKeyValue(item["pk"]);
  std::string expected = TableKeyPrefix(42);
  uint32_t h = PartitionHash(pk_enc);
  for (int shift = 24; shift >= 0; shift -= 8) {
    expected.push_back(static_cast<char>((h >> shift) & 0xFF));
  }
  expected += '\x01' + pk_enc + EncodeKeyValue(item["sk"]);
  EXPECT_EQ(key, expected);
  EXPECT_TRUE(key.starts_with(PartitionKeyPrefix(42, item["pk"])));

  // The longest keys DynamoDB allows, with worst-case escaping, fit LMDB.
  item["pk"] = AttributeValue::String(std::string(2048, '\0'));
  item["sk"] = AttributeValue::Binary(std::string(1024, '\0'));
  EXPECT_LE(EncodeItemKey(t, item).size(), kMaxLmdbKeySize);
  item["pk"] = AttributeValue::String(std::string(100, 'x'));  // 102 encoded
  EXPECT_LE(EncodeItemKey(t, item).size(), kMaxLmdbKeySize);
  item["pk"] = AttributeValue::String(std::string(98, 'x'));  // 100: inline
  EXPECT_EQ(EncodeItemKey(t, item).size(), kMaxLmdbKeySize);
}

TEST(ItemKeyTest, LongSortKeysKeepOrderWhereTheyDifferEarly) {
  TableDef t = LongKeyTable();
  auto key = [&](std::string sk) {
    return EncodeItemKey(t, {{"pk", AttributeValue::String("p")},
                             {"sk", AttributeValue::Binary(std::move(sk))}});
  };
  std::string a = key(std::string(300, 'a') + std::string(724, 'z'));
  std::string b = key(std::string(301, 'a') + std::string(723, 'z'));
  std::string short_b = key(std::string(301, 'a'));
  EXPECT_GT(CompareBytes(a, b), 0);  // differ at byte 300, within N
  EXPECT_LT(CompareBytes(short_b, b), 0);
  // Sharing the first N bytes: distinct keys, order by digest.
  std::string c = key(std::string(1023, 'q') + "1");
  std::string d = key(std::string(1023, 'q') + "2");
  EXPECT_NE(c, d);
  EXPECT_EQ(c.size(), d.size());
  // header, 0x01 "p" 00 00, then the sort key part filling its budget.
  EXPECT_EQ(c.size(), kItemKeyHeaderSize + 4 + kSortKeyBudget);
  EXPECT_EQ(c.substr(0, c.size() - 17), d.substr(0, d.size() - 17));
}

TEST(ItemKeyTest, MissingOrMistypedKeyAttributeIsRejected) {
  TableDef t = LongKeyTable();
  EXPECT_THROW(EncodeItemKey(t, {{"pk", AttributeValue::String("p")}}),
               std::invalid_argument);
  EXPECT_THROW(EncodeItemKey(t, {{"pk", AttributeValue::Number("1")},
                                 {"sk", AttributeValue::Binary("s")}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace ddb
