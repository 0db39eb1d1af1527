// The read fast path (WriteStoredItemJson, StoredItemSize) must be
// indistinguishable from decoding the item and writing it with WriteItem:
// the same JSON byte for byte, the same DynamoDB size, and an error on
// exactly the corrupt inputs DecodeItem refuses.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>

#include "core/json_codec.h"
#include "storage/item_codec.h"

namespace ddb {
namespace {

AttributeValue Of(AttrType type) {
  AttributeValue v;
  v.type = type;
  return v;
}

AttributeValue Set(AttrType type, std::vector<std::string> members) {
  AttributeValue v = Of(type);
  v.set = std::move(members);
  return v;
}

AttributeValue List(std::vector<AttributeValue> elements) {
  AttributeValue v = Of(AttrType::kL);
  v.list = std::move(elements);
  return v;
}

AttributeValue Map(AttributeMap entries) {
  AttributeValue v = Of(AttrType::kM);
  v.map = std::move(entries);
  return v;
}

std::string SlowJson(std::string_view encoded) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteItem(DecodeItem(encoded), writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string FastJson(std::string_view encoded, size_t* size) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  *size = WriteStoredItemJson(encoded, writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void ExpectSame(const Item& item) {
  const std::string encoded = EncodeItem(item);
  size_t size = 0;
  const std::string fast = FastJson(encoded, &size);
  EXPECT_EQ(fast, SlowJson(encoded));
  EXPECT_EQ(size, ItemSize(item));
  EXPECT_EQ(StoredItemSize(encoded), ItemSize(item));
}

TEST(ItemJsonTest, EmptyItem) { ExpectSame({}); }

TEST(ItemJsonTest, EveryTypeAndEdgeValues) {
  // Control characters, quotes, backslashes, '/' and multi-byte UTF-8 (BMP
  // and astral) exercise the writer's escaping on both paths.
  const std::string tricky =
      std::string("q\"b\\s/\b\f\n\r\t\x01\x19\x7F end \xC3\xA9 \xE2\x82\xAC ") +
      "\xF0\x9F\x98\x80" + std::string(1, '\0') + "nul";
  const std::string binary = std::string("\0\xFF\x80\x01 raw", 8);
  Item item = {
      {"s", AttributeValue::String("hello")},
      {"s_empty", AttributeValue::String("")},
      {"s_tricky", AttributeValue::String(tricky)},
      {"n_int", AttributeValue::Number("42")},
      {"n_neg", AttributeValue::Number("-0.000123")},
      {"n_zero", AttributeValue::Number("0")},
      {"n_big",
       AttributeValue::Number("99999999999999999999999999999999999999" +
                              std::string(88, '0'))},
      {"n_small", AttributeValue::Number("0." + std::string(129, '0') + "1")},
      {"n_38",
       AttributeValue::Number("1234567890123456789012345678.9012345678")},
      {"b", AttributeValue::Binary(binary)},
      {"b_1", AttributeValue::Binary("a")},
      {"b_2", AttributeValue::Binary("ab")},
      {"b_empty", AttributeValue::Binary("")},
      {"bool_t", AttributeValue::Bool(true)},
      {"bool_f", AttributeValue::Bool(false)},
      {"null", AttributeValue::Null()},
      {"ss", Set(AttrType::kSS, {"z", "a", "", tricky})},
      {"ns", Set(AttrType::kNS, {"3", "-1.5", "1E+3", "0.001"})},
      {"bs", Set(AttrType::kBS, {binary, "x", "xy", "xyz"})},
      {"ss_empty", Of(AttrType::kSS)},
      {"ns_empty", Of(AttrType::kNS)},
      {"bs_empty", Of(AttrType::kBS)},
      {"l_empty", Of(AttrType::kL)},
      {"m_empty", Of(AttrType::kM)},
      {"l", List({AttributeValue::Null(), AttributeValue::Number("7"), List({}),
                  Map({}), Set(AttrType::kSS, {"x"})})},
      {"m",
       Map({{"", AttributeValue::Bool(false)},
            {tricky, AttributeValue::String(tricky)},
            {"inner",
             Map({{"l", List({Map({{"deep", AttributeValue::Null()}})})}})}})},
      {"", AttributeValue::String("empty name")},
      {"\xE2\x82\xAC name", AttributeValue::String("unicode name")},
      {"name \"quoted\"\n", AttributeValue::Number("1")},
  };
  ExpectSame(item);
}

TEST(ItemJsonTest, DeepNesting) {
  // 32 levels, DynamoDB's maximum, alternating maps and lists.
  AttributeValue v = AttributeValue::String("leaf");
  for (int i = 0; i < 31; ++i) {
    v = i % 2 == 0 ? List({v, AttributeValue::Null()}) : Map({{"k", v}});
  }
  ExpectSame({{"top", v}});
}

TEST(ItemJsonTest, LargeItem) {
  Item item;
  for (int i = 0; i < 300; ++i) {
    item["attr" + std::to_string(i)] =
        AttributeValue::String(std::string(1000 + i, 'a' + i % 26));
  }
  ExpectSame(item);
}

// Random trees over every type, with names and strings drawn from bytes that
// need escaping and multi-byte UTF-8.
class RandomItems {
 public:
  explicit RandomItems(uint32_t seed) : rng_(seed) {}

  Item NextItem() {
    Item item;
    const int n = Uniform(0, 8);
    for (int i = 0; i < n; ++i) item[Text()] = Value(0);
    return item;
  }

 private:
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }

  std::string Text() {
    static const char* const kPieces[] = {"a",
                                          "Z",
                                          "0",
                                          " ",
                                          "\"",
                                          "\\",
                                          "/",
                                          "\n",
                                          "\t",
                                          "\x01",
                                          "\x19",
                                          "\x7F",
                                          "\xC3\xA9",
                                          "\xE2\x82\xAC",
                                          "\xF0\x9F\x98\x80",
                                          "key"};
    std::string s;
    const int n = Uniform(0, 6);
    for (int i = 0; i < n; ++i) s += kPieces[Uniform(0, 15)];
    return s;
  }

  std::string Bytes() {
    std::string s(static_cast<size_t>(Uniform(0, 7)), '\0');
    for (char& c : s) c = static_cast<char>(Uniform(0, 255));
    return s;
  }

  std::string Number() {
    static const char* const kNumbers[] = {
        "0",      "1",         "-1",      "12.5",  "-0.0012", "1200",
        "100000", "3.1415926", "0.00001", "-9999", "5",       "10"};
    std::string n = kNumbers[Uniform(0, 11)];
    // Longer digit runs reach both parities of NumberSize's pairing.
    if (Uniform(0, 3) == 0) n += std::string(Uniform(1, 30), '7');
    return n;
  }

  AttributeValue Value(int depth) {
    const int type = Uniform(0, depth >= 4 ? 4 : 9);
    switch (type) {
      case 0:
        return AttributeValue::String(Text());
      case 1:
        return AttributeValue::Number(Number());
      case 2:
        return AttributeValue::Binary(Bytes());
      case 3:
        return AttributeValue::Bool(Uniform(0, 1) == 1);
      case 4:
        return AttributeValue::Null();
      case 5: {
        AttributeValue m = Of(AttrType::kM);
        const int n = Uniform(0, 4);
        for (int i = 0; i < n; ++i) m.map[Text()] = Value(depth + 1);
        return m;
      }
      case 6: {
        AttributeValue l = Of(AttrType::kL);
        const int n = Uniform(0, 4);
        for (int i = 0; i < n; ++i) l.list.push_back(Value(depth + 1));
        return l;
      }
      default: {
        const AttrType set_type = type == 7   ? AttrType::kSS
                                  : type == 8 ? AttrType::kNS
                                              : AttrType::kBS;
        AttributeValue s = Of(set_type);
        const int n = Uniform(0, 4);
        for (int i = 0; i < n; ++i) {
          s.set.push_back(set_type == AttrType::kSS   ? Text()
                          : set_type == AttrType::kNS ? Number()
                                                      : Bytes());
        }
        return s;
      }
    }
  }

  std::mt19937 rng_;
};

TEST(ItemJsonTest, RandomItemsMatchTheDecodePath) {
  RandomItems random(20261122);
  for (int i = 0; i < 3000; ++i) {
    SCOPED_TRACE(i);
    ExpectSame(random.NextItem());
    if (HasFailure()) break;
  }
}

// Corrupt input: the fast path refuses exactly what DecodeItem refuses, and
// never reads out of bounds (ASan builds check the latter).
TEST(ItemJsonTest, CorruptInputFailsLikeDecodeItem) {
  RandomItems random(7);
  std::mt19937 rng(99);
  for (int i = 0; i < 500; ++i) {
    const std::string encoded = EncodeItem(random.NextItem());
    for (int m = 0; m < 10; ++m) {
      std::string bad = encoded;
      if (m % 2 == 0 && !bad.empty()) {
        bad.resize(
            std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng));
      } else {
        bad[std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng)] =
            static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
      }
      bool decode_ok = true;
      try {
        DecodeItem(bad);
      } catch (const std::runtime_error&) {
        decode_ok = false;
      }
      size_t size = 0;
      bool fast_ok = true;
      try {
        FastJson(bad, &size);
      } catch (const std::runtime_error&) {
        fast_ok = false;
      }
      bool size_ok = true;
      try {
        StoredItemSize(bad);
      } catch (const std::runtime_error&) {
        size_ok = false;
      }
      ASSERT_EQ(fast_ok, decode_ok) << i << "/" << m;
      ASSERT_EQ(size_ok, decode_ok) << i << "/" << m;
      // A mutation can leave a still-valid item: then both paths agree.
      if (decode_ok) {
        size_t ignored = 0;
        EXPECT_EQ(FastJson(bad, &ignored), SlowJson(bad));
      }
    }
  }
}

// Every control character must leave as an escape, whatever its offset in
// the string (SIMD string scanners work on aligned blocks, and RapidJSON
// 1.1's SSE2 one let 0x1A-0x1F through), on both paths.
TEST(JsonEscapeTest, ControlCharactersAreEscapedAtEveryOffset) {
  for (int c = 0; c < 0x20; ++c) {
    for (size_t offset = 0; offset < 40; ++offset) {
      std::string text(offset, 'a');
      text.push_back(static_cast<char>(c));
      text.append(40 - offset, 'b');
      std::string encoded = EncodeItem({{"v", AttributeValue::String(text)}});
      size_t ignored = 0;
      for (const std::string& json :
           {SlowJson(encoded), FastJson(encoded, &ignored)}) {
        for (char byte : json) {
          ASSERT_GE(static_cast<unsigned char>(byte), 0x20)
              << "raw control byte " << c << " at offset " << offset << ": "
              << json;
        }
      }
    }
  }
}

}  // namespace
}  // namespace ddb
