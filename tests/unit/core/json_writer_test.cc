// JsonWriter's own string escaping must produce exactly what RapidJSON's
// scalar writer produces, for every byte value at every position relative
// to the 16-byte blocks the fast scan works on.
#include "core/json_writer.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace ddb {
namespace {

// The reference: RapidJSON 1.1's scalar writer, spelled out (its SSE2
// variant, which this build enables for parsing, is the wrong one).
std::string Reference(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string WithJsonWriter(const std::string& text) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

TEST(JsonWriterTest, EveryByteAtEveryOffsetMatchesTheReference) {
  // Every length up to 40, and lengths around the 32- and 64-byte blocks of
  // the AVX2 scan (taken when the CPU has it).
  std::vector<size_t> lengths;
  for (size_t length = 1; length <= 40; ++length) lengths.push_back(length);
  for (size_t length : {63, 64, 65, 95, 96, 97, 129}) lengths.push_back(length);
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t length : lengths) {
      for (size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        ASSERT_EQ(WithJsonWriter(text), Reference(text))
            << "byte " << byte << " at " << at << " of " << length;
      }
    }
  }
}

TEST(JsonWriterTest, KnownEscapes) {
  EXPECT_EQ(WithJsonWriter(std::string("a\"b\\c/d\x7f\b\t\n\f\r\x01\x1f", 15)),
            "\"a\\\"b\\\\c/d\x7f\\b\\t\\n\\f\\r\\u0001\\u001F\"");
  EXPECT_EQ(WithJsonWriter(std::string("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(WithJsonWriter(""), "\"\"");
  EXPECT_EQ(WithJsonWriter("caf\xc3\xa9 \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
}

TEST(JsonWriterTest, RandomStringsMatchTheReference) {
  std::mt19937 random(7);
  const std::string alphabet("ab\"\\\x01\x1a\x1f \x7f\x80\xff/\n", 13);
  for (int round = 0; round < 3000; ++round) {
    std::string text(random() % 300, 'x');
    for (char& c : text) {
      if (random() % 4 == 0) c = alphabet[random() % alphabet.size()];
    }
    ASSERT_EQ(WithJsonWriter(text), Reference(text)) << round;
  }
}

// Keys, nested values and Value::Accept go through the same path.
TEST(JsonWriterTest, DocumentsAreWrittenWithTheFastEscaping) {
  rapidjson::Document doc;
  const char* json =
      R"({"k\u0001":{"S":"x\u001A\"y"},"l":["\\",1,true,null,{"a":"\u001F"}]})";
  doc.Parse(json, std::strlen(json));
  ASSERT_FALSE(doc.HasParseError());
  rapidjson::StringBuffer ours;
  JsonWriter our_writer(ours);
  doc.Accept(our_writer);
  EXPECT_STREQ(ours.GetString(), json);
}

// From every start offset, with the byte to escape at every later offset.
TEST(JsonWriterTest, FindJsonEscapeFromEveryOffset) {
  for (char escaped : {'"', '\\', '\x1f', '\0'}) {
    for (size_t at = 0; at < 100; ++at) {
      std::string text(100, '\x7f');
      text[at] = escaped;
      for (size_t from = 0; from <= 100; ++from) {
        ASSERT_EQ(FindJsonEscape(text, from), from <= at ? at : 100u)
            << "escape at " << at << " from " << from;
      }
    }
  }
}

TEST(JsonWriterTest, FindJsonEscape) {
  std::string text(100, 'a');
  EXPECT_EQ(FindJsonEscape(text, 0), 100u);
  text[37] = '"';
  EXPECT_EQ(FindJsonEscape(text, 0), 37u);
  EXPECT_EQ(FindJsonEscape(text, 37), 37u);
  EXPECT_EQ(FindJsonEscape(text, 38), 100u);
}

}  // namespace
}  // namespace ddb
