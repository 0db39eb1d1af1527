// IsValidUtf8 against a reference decoder over every short sequence, and
// against RapidJSON's own validation (which it replaces in the router).
#include "core/utf8.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <random>
#include <string>

namespace ddb {
namespace {

// Reference: decode code points the slow, obvious way.
bool Reference(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80           ? 1
                    : (lead >> 5) == 0x6  ? 2
                    : (lead >> 4) == 0xE  ? 3
                    : (lead >> 3) == 0x1E ? 4
                                          : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1   ? lead
                    : length == 2 ? lead & 0x1F
                    : length == 3 ? lead & 0x0F
                                  : lead & 0x07;
    for (size_t k = 1; k < length; ++k) {
      auto byte = static_cast<unsigned char>(text[i + k]);
      if ((byte & 0xC0) != 0x80) return false;
      code = (code << 6) | (byte & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMin[length] || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool RapidJsonAccepts(const std::string& text) {
  std::string json = "\"" + text + "\"";
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  return !doc.HasParseError();
}

TEST(Utf8Test, EveryOneAndTwoByteString) {
  for (int a = 0; a < 256; ++a) {
    std::string one(1, static_cast<char>(a));
    ASSERT_EQ(IsValidUtf8(one), Reference(one)) << a;
    for (int b = 0; b < 256; ++b) {
      std::string two{static_cast<char>(a), static_cast<char>(b)};
      ASSERT_EQ(IsValidUtf8(two), Reference(two)) << a << " " << b;
    }
  }
}

TEST(Utf8Test, ThreeAndFourByteLeadsWithEverySecondByte) {
  for (int lead = 0xE0; lead <= 0xFF; ++lead) {
    for (int second = 0; second < 256; ++second) {
      for (int rest : {0x80, 0xBF, 0x41, 0xC0}) {
        std::string text{static_cast<char>(lead), static_cast<char>(second),
                         static_cast<char>(rest), static_cast<char>(rest)};
        ASSERT_EQ(IsValidUtf8(text), Reference(text))
            << lead << " " << second << " " << rest;
        text.pop_back();
        ASSERT_EQ(IsValidUtf8(text), Reference(text))
            << lead << " " << second << " " << rest;
      }
    }
  }
}

TEST(Utf8Test, KnownCases) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii that is longer than sixteen bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));       // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));          // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("0123456789abcdef\xff"));  // after a fast block
  EXPECT_FALSE(IsValidUtf8("0123456789abcde\xc3"));   // truncated at the end
}

// The router relies on: IsValidUtf8(s) implies RapidJSON's validating parse
// accepts s inside a string; random mixes agree both ways.
TEST(Utf8Test, AgreesWithRapidJsonOnRandomText) {
  std::mt19937 random(11);
  const std::string pieces[] = {
      "a",    "\xc3\xa9",     "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3",
      "\x80", "\xed\xa0\x80", "\xf8",         "0123456789abcdef"};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    size_t count = random() % 12;
    for (size_t k = 0; k < count; ++k) {
      // Mostly valid pieces, so that both outcomes are common.
      size_t index = random() % 9;
      if (index >= 4 && index <= 7 && random() % 3 != 0) index = 0;
      text += pieces[index];
    }
    ASSERT_EQ(IsValidUtf8(text), RapidJsonAccepts(text)) << round;
  }
}

}  // namespace
}  // namespace ddb
