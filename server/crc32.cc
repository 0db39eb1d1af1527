#include "server/crc32.h"

#include <zlib.h>

#include <algorithm>

#if defined(__x86_64__)
#include <emmintrin.h>  // SSE2 (x86-64 baseline)
#include <wmmintrin.h>  // PCLMULQDQ
#endif

namespace ddb {
namespace detail {

// zlib's crc32 uses slicing tables (about 2.3 GB/s here against 265 MB/s
// for Boost.CRC's byte-at-a-time loop); on Query and Scan responses the
// checksum was 40 % of the server's CPU before (bench/RESULTS.md), and still
// 12-14 % with zlib, hence Crc32Clmul below.
uint32_t Crc32Zlib(uint32_t crc, const char* data, size_t size) {
  uLong c = crc;
  const auto* bytes = reinterpret_cast<const Bytef*>(data);
  // zlib takes a uInt length; bodies are limited far below 4 GiB, but the
  // loop keeps this correct for any size.
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    c = crc32(c, bytes, chunk);
    bytes += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(c);
}

#if defined(__x86_64__)

// How the folding works (reflected CRC, so the first bit of the message is
// the highest-degree coefficient). A 16-byte block loaded little-endian into
// an XMM register holds a polynomial of degree < 128 with the coefficient of
// x^(127-i) in bit i: its low quadword H carries x^64 * H(x), its high
// quadword L just L(x). The message so far is congruent (mod P) to such a
// register followed by the bytes not yet read. To move a register forward
// over D more bits, x^D * (x^64 H + L) is replaced by the congruent
//   H * (x^(D+64) mod P) + L * (x^D mod P),
// two 64x32-bit carry-less products (PCLMULQDQ) of degree < 96, and XORed
// into the block D bits later. PCLMULQDQ of a 64-bit and a 32-bit reflected
// operand leaves the product's coefficient of x^(94-k) in bit k, which the
// register reads as x^(127-k): the product comes out multiplied by x^33, so
// the constants are x^(D+31) mod P and x^(D-33) mod P.
//
// Four registers are folded 512 bits (64 bytes) at a time, independent
// chains that hide PCLMULQDQ's latency; then they are folded into one 128
// bits at a time, as are the remaining whole 16-byte blocks. The last
// register R is reduced to CRC = R * x^32 mod P in three steps (each
// constant compensating for PCLMULQDQ's shift as above):
//   W = L * x^32 + H * (x^95 mod P)             96 bits, == R * x^32
//   V = W[32..95] + W[0..31] * (x^63 mod P)    64 bits, == W
//   CRC = V mod P by Barrett reduction with mu = floor(x^64 / P).
// The starting CRC goes in by XOR into the first 32 bits of the message
// (the usual pre-inverted CRC register); the < 16-byte tail goes to zlib.
namespace {

constexpr uint64_t kFold512Lo = XPowModP(512 + 31);
constexpr uint64_t kFold512Hi = XPowModP(512 - 33);
constexpr uint64_t kFold128Lo = XPowModP(128 + 31);
constexpr uint64_t kFold128Hi = XPowModP(128 - 33);
constexpr uint64_t kReduce96 = XPowModP(95);
constexpr uint64_t kReduce64 = XPowModP(63);
constexpr uint64_t kMu = BarrettMu();

inline __m128i Load(const char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

inline __m128i Pair(uint64_t hi, uint64_t lo) {
  return _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));
}

// Returns x moved forward over the distance of k (see above), XOR next.
__attribute__((target("pclmul"))) inline __m128i Fold(__m128i x, __m128i k,
                                                      __m128i next) {
  __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
  __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

}  // namespace

__attribute__((target("pclmul"))) uint32_t Crc32Clmul(uint32_t crc,
                                                      const char* data,
                                                      size_t size) {
  if (size < 64) return Crc32Zlib(crc, data, size);
  const char* p = data;
  const char* const end = data + size;
  const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);

  __m128i x0 =
      _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(~crc)));
  __m128i x1 = Load(p + 16);
  __m128i x2 = Load(p + 32);
  __m128i x3 = Load(p + 48);
  p += 64;
  const __m128i k512 = Pair(kFold512Hi, kFold512Lo);
  while (end - p >= 64) {
    x0 = Fold(x0, k512, Load(p));
    x1 = Fold(x1, k512, Load(p + 16));
    x2 = Fold(x2, k512, Load(p + 32));
    x3 = Fold(x3, k512, Load(p + 48));
    p += 64;
  }

  const __m128i k128 = Pair(kFold128Hi, kFold128Lo);
  __m128i x = Fold(x0, k128, x1);
  x = Fold(x, k128, x2);
  x = Fold(x, k128, x3);
  while (end - p >= 16) {
    x = Fold(x, k128, Load(p));
    p += 16;
  }

  // 128 -> 96 -> 64 bits, then Barrett.
  const __m128i kReduce = Pair(kReduce64, kReduce96);
  __m128i w = _mm_xor_si128(_mm_srli_si128(x, 8),
                            _mm_clmulepi64_si128(x, kReduce, 0x00));
  __m128i v = _mm_xor_si128(
      _mm_srli_si128(w, 4),
      _mm_clmulepi64_si128(_mm_and_si128(w, low32), kReduce, 0x10));
  // q = floor(V / P) = floor(V[0..31] * mu / x^32): the low 32 bits of the
  // reflected product; V - q * P leaves the CRC in bits 32..63.
  const __m128i kBarrett = Pair(kPoly33, kMu);
  __m128i q = _mm_and_si128(
      _mm_clmulepi64_si128(_mm_and_si128(v, low32), kBarrett, 0x00), low32);
  __m128i r = _mm_xor_si128(v, _mm_clmulepi64_si128(q, kBarrett, 0x10));
  uint32_t state =
      static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(r, 4)));

  return Crc32Zlib(~state, p, static_cast<size_t>(end - p));
}

bool HasClmul() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") != 0;
  }();
  return has;
}

#else  // !defined(__x86_64__)

bool HasClmul() { return false; }

uint32_t Crc32Clmul(uint32_t crc, const char* data, size_t size) {
  return Crc32Zlib(crc, data, size);
}

#endif

}  // namespace detail

uint32_t Crc32(std::string_view bytes) {
  if (bytes.size() >= 64 && detail::HasClmul()) {
    return detail::Crc32Clmul(0, bytes.data(), bytes.size());
  }
  return detail::Crc32Zlib(0, bytes.data(), bytes.size());
}

}  // namespace ddb
