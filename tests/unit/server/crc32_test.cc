// Checksums, request ids and the other small pieces of the HTTP layer.
#include "server/crc32.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>

#include "server/http_server.h"

namespace ddb {
namespace {

TEST(Crc32Test, KnownVectors) {
  // The x-amz-crc32 DynamoDB sends with an empty JSON object body.
  EXPECT_EQ(Crc32("{}"), 2745614147u);
  EXPECT_EQ(Crc32(""), 0u);
  // The standard check value of CRC-32.
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(Crc32Test, BinaryBytes) {
  std::string bytes("\x00\xff\x80\x7f", 4);
  EXPECT_EQ(Crc32(bytes), Crc32(std::string_view(bytes.data(), 4)));
  EXPECT_NE(Crc32(bytes), Crc32(std::string_view(bytes.data(), 3)));
}

TEST(RequestIdTest, FiftyTwoUppercaseAlphanumerics) {
  const std::regex format("[A-Z0-9]{52}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = GenerateRequestId();
    ASSERT_TRUE(std::regex_match(id, format)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, UsesTheWholeAlphabet) {
  std::set<char> chars;
  for (int i = 0; i < 200; ++i) {
    for (char c : GenerateRequestId()) chars.insert(c);
  }
  EXPECT_EQ(chars.size(), 36u);
}

TEST(HttpDateTest, Rfc1123Gmt) {
  using namespace std::chrono;
  // 784111777 is the example date of RFC 7231.
  EXPECT_EQ(HttpDate(system_clock::time_point(seconds(784111777))),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(HttpDate(system_clock::time_point(seconds(0))),
            "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(system_clock::time_point(seconds(1709251199))),
            "Thu, 29 Feb 2024 23:59:59 GMT");
}

TEST(AmzAlgorithmQueryTest, FindsTheParameter) {
  EXPECT_FALSE(HasAmzAlgorithmQuery("/"));
  EXPECT_FALSE(HasAmzAlgorithmQuery("/?"));
  EXPECT_FALSE(HasAmzAlgorithmQuery("/X-Amz-Algorithm"));
  EXPECT_FALSE(HasAmzAlgorithmQuery("/?a=X-Amz-Algorithm"));
  EXPECT_FALSE(HasAmzAlgorithmQuery("/?X-Amz-Algorithms=1"));
  EXPECT_TRUE(HasAmzAlgorithmQuery("/?X-Amz-Algorithm=AWS4-HMAC-SHA256"));
  EXPECT_TRUE(HasAmzAlgorithmQuery("/?a=1&X-Amz-Algorithm=x&b=2"));
  EXPECT_TRUE(HasAmzAlgorithmQuery("/?x-amz-algorithm"));
}

}  // namespace
}  // namespace ddb
