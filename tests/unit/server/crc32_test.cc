// Checksums, request ids and the other small pieces of the HTTP layer.
#include "server/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

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

// The reference: zlib's crc32() called directly.
uint32_t ZlibCrc(uint32_t crc, const char* data, size_t size) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(data),
                                     static_cast<uInt>(size)));
}

// Random bytes, the same on every run.
std::vector<char> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<char> bytes(n);
  for (char& c : bytes) c = static_cast<char>(gen());
  return bytes;
}

// The implementations under test, each continuing a running CRC (Crc32
// itself starts from 0 only, so it is left out where a CRC is continued).
using Crc32Fn = uint32_t (*)(uint32_t, const char*, size_t);
struct Impl {
  const char* name;
  Crc32Fn fn;
};
std::vector<Impl> Implementations(bool with_crc32 = true) {
  std::vector<Impl> impls = {{"Crc32Zlib", detail::Crc32Zlib}};
  if (detail::HasClmul()) impls.push_back({"Crc32Clmul", detail::Crc32Clmul});
  if (with_crc32) {
    impls.push_back({"Crc32", [](uint32_t crc, const char* data, size_t size) {
                       EXPECT_EQ(crc, 0u);
                       return Crc32(std::string_view(data, size));
                     }});
  }
  return impls;
}

// Checks fn over `size` bytes at `offset` within a heap block that ends
// exactly at the last byte, so that AddressSanitizer catches any read past
// the end (and the start is misaligned by `offset`).
void ExpectMatchesZlib(const Impl& impl, const std::vector<char>& source,
                       size_t offset, size_t size) {
  std::unique_ptr<char[]> block(new char[offset + size]);
  if (size > 0) std::memcpy(block.get() + offset, source.data(), size);
  const char* data = block.get() + offset;
  EXPECT_EQ(impl.fn(0, data, size), ZlibCrc(0, data, size))
      << impl.name << " size " << size << " offset " << offset;
}

TEST(Crc32Test, DetailKnownVectors) {
  for (const Impl& impl : Implementations()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(impl.fn(0, "", 0), 0u);
    EXPECT_EQ(impl.fn(0, nullptr, 0), 0u);
    EXPECT_EQ(impl.fn(0, "123456789", 9), 0xCBF43926u);
    // 64 and 128 bytes: the smallest inputs on the folding path.
    std::string s64(64, 'a'), s128(128, 'a');
    EXPECT_EQ(impl.fn(0, s64.data(), 64), ZlibCrc(0, s64.data(), 64));
    EXPECT_EQ(impl.fn(0, s128.data(), 128), ZlibCrc(0, s128.data(), 128));
  }
}

TEST(Crc32Test, ClmulPathIsTested) {
#if defined(__x86_64__)
  // Nearly every x86-64 CPU since 2010 has PCLMULQDQ; without it (an old
  // Atom, an emulator hiding the flag) only the zlib path is tested here.
  if (!detail::HasClmul()) GTEST_SKIP() << "no PCLMULQDQ on this CPU";
  EXPECT_EQ(detail::Crc32Clmul(0, "123456789", 9), 0xCBF43926u);
#else
  EXPECT_FALSE(detail::HasClmul());
#endif
}

TEST(Crc32Test, EveryLengthUpTo4096AtEveryOffset) {
  const std::vector<char> source = RandomBytes(4096, 1);
  for (const Impl& impl : Implementations()) {
    for (size_t offset = 0; offset < 16; ++offset) {
      for (size_t size = 0; size <= 4096; ++size) {
        ExpectMatchesZlib(impl, source, offset, size);
      }
    }
  }
}

TEST(Crc32Test, RandomLengthsUpTo2MiBAtEveryOffset) {
  const size_t kMax = 2 << 20;
  const std::vector<char> source = RandomBytes(kMax, 2);
  std::mt19937 gen(3);
  std::uniform_int_distribution<size_t> length(4097, kMax);
  for (const Impl& impl : Implementations()) {
    for (size_t offset = 0; offset < 16; ++offset) {
      for (int i = 0; i < 3; ++i) {
        ExpectMatchesZlib(impl, source, offset, length(gen));
      }
    }
    ExpectMatchesZlib(impl, source, 0, kMax);
  }
}

TEST(Crc32Test, SpecialBytes) {
  // All zeros and all ones exercise the pre-inverted start and the folding
  // without the help of random data.
  for (char fill : {'\0', '\xff'}) {
    std::string s(100000, fill);
    for (const Impl& impl : Implementations()) {
      for (size_t size : {64, 65, 79, 80, 127, 128, 1000, 100000}) {
        EXPECT_EQ(impl.fn(0, s.data(), size), ZlibCrc(0, s.data(), size))
            << impl.name << " size " << size << " fill " << int{fill};
      }
    }
  }
}

TEST(Crc32Test, ContinuesARunningCrc) {
  const std::vector<char> source = RandomBytes(10000, 4);
  for (const Impl& impl : Implementations(/*with_crc32=*/false)) {
    for (size_t split : {0, 1, 4, 63, 64, 100, 4096, 9999, 10000}) {
      uint32_t first = impl.fn(0, source.data(), split);
      EXPECT_EQ(impl.fn(first, source.data() + split, source.size() - split),
                ZlibCrc(0, source.data(), source.size()))
          << impl.name << " split " << split;
    }
  }
}

// A polynomial over GF(2) of degree < 128 (bit i = coefficient of x^i).
struct Poly128 {
  uint64_t lo = 0, hi = 0;
};

// a * b for a, b of degree < 64, in normal bit order.
Poly128 MulPoly(uint64_t a, uint64_t b) {
  Poly128 r;
  for (int i = 0; i < 64; ++i) {
    if (!(b & (uint64_t{1} << i))) continue;
    r.lo ^= a << i;
    if (i > 0) r.hi ^= a >> (64 - i);
  }
  return r;
}

TEST(Crc32Test, FoldingConstants) {
  using detail::Reflect;
  using detail::XPowModP;
  // x^n mod P for n < 32 is x^n itself.
  for (int n = 0; n < 32; ++n) EXPECT_EQ(XPowModP(n), 1u << (31 - n)) << n;
  // For n >= 32, checked against zlib: the message consisting of the single
  // bit x^m (bit b of the first byte is x^(7-b), then 8 per zero byte after
  // it) has the CRC without pre- and post-inversion x^(m+32) mod P, and
  // zlib gives that as ~crc32(0xFFFFFFFF, message).
  for (int n = 32; n <= 1100; ++n) {
    int m = n - 32;
    int bit = 7 - m % 8;
    std::string message(1 + m / 8, '\0');
    message[0] = static_cast<char>(1 << bit);
    EXPECT_EQ(XPowModP(n),
              ~ZlibCrc(0xFFFFFFFFu, message.data(), message.size()))
        << n;
  }
  // The constants as the white paper and other implementations print them:
  // x^k mod P reflected in 33 bits (i.e. shifted left by one).
  EXPECT_EQ(uint64_t{XPowModP(4 * 128 + 32)} << 1, 0x154442BD4u);
  EXPECT_EQ(uint64_t{XPowModP(4 * 128 - 32)} << 1, 0x1C6E41596u);
  EXPECT_EQ(uint64_t{XPowModP(128 + 32)} << 1, 0x1751997D0u);
  EXPECT_EQ(uint64_t{XPowModP(128 - 32)} << 1, 0x0CCAA009Eu);
  EXPECT_EQ(uint64_t{XPowModP(64)} << 1, 0x163CD6124u);
  EXPECT_EQ(detail::kPoly33, 0x1DB710641u);
  EXPECT_EQ(detail::BarrettMu(), 0x1F7011641u);
  // mu = floor(x^64 / P): mu * P = x^64 + (a remainder of degree < 32).
  uint64_t mu = Reflect(detail::BarrettMu(), 33);
  uint64_t poly = (uint64_t{1} << 32) | detail::kCrc32Poly;
  Poly128 product = MulPoly(mu, poly);
  EXPECT_EQ(product.hi, 1u);
  EXPECT_EQ(product.lo >> 32, 0u);
  EXPECT_EQ(Reflect(0x1, 33), uint64_t{1} << 32);
  EXPECT_EQ(Reflect(detail::kCrc32Poly, 32), 0xEDB88320u);
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
