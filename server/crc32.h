// CRC32 of response bodies for the x-amz-crc32 header, which AWS SDKs check
// against the bytes they received (a mismatch makes them retry the call).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ddb {

// The CRC-32 of zlib and Ethernet (reflected polynomial 0xEDB88320), which is
// the checksum DynamoDB puts in x-amz-crc32.
uint32_t Crc32(std::string_view bytes);

// The pieces of Crc32, exposed for the unit tests and benchmarks.
namespace detail {

// Every function below continues a running CRC the way zlib's crc32() does:
// `crc` is the CRC-32 of the bytes before (0 for none), the result that of
// those bytes followed by [data, data + size).

// zlib's table-driven crc32() (any size).
uint32_t Crc32Zlib(uint32_t crc, const char* data, size_t size);

// True if this CPU has PCLMULQDQ (and the binary was built for x86-64), i.e.
// if Crc32Clmul may be called.
bool HasClmul();

// Carry-less multiplication folding (Intel, "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", 2009): 64 bytes per
// step, then Barrett reduction; the < 16-byte tail goes to Crc32Zlib. Only
// when HasClmul(); inputs of < 64 bytes go straight to Crc32Zlib.
uint32_t Crc32Clmul(uint32_t crc, const char* data, size_t size);

// The generator polynomial without its x^32 term, in normal bit order (bit i
// is the coefficient of x^i).
inline constexpr uint64_t kCrc32Poly = 0x04C11DB7;

// Reverses the low `bits` bits of v (the reflected representation stores the
// coefficient of x^(bits-1-i) in bit i).
constexpr uint64_t Reflect(uint64_t v, int bits) {
  uint64_t r = 0;
  for (int i = 0; i < bits; ++i) {
    if (v & (uint64_t{1} << i)) r |= uint64_t{1} << (bits - 1 - i);
  }
  return r;
}

// x^n mod P as a 32-bit reflected value (bit i = coefficient of x^(31-i)).
constexpr uint32_t XPowModP(int n) {
  uint64_t r = 1;  // x^0, normal bit order
  for (int i = 0; i < n; ++i) {
    r <<= 1;
    if (r & (uint64_t{1} << 32)) r ^= (uint64_t{1} << 32) | kCrc32Poly;
  }
  return static_cast<uint32_t>(Reflect(r, 32));
}

// floor(x^64 / P), the Barrett constant (degree 32), as a 33-bit reflected
// value (bit i = coefficient of x^(32-i)).
constexpr uint64_t BarrettMu() {
  // Long division. The x^64 step is done up front (x^64 does not fit in 64
  // bits): quotient x^32, remainder x^64 - x^32 * P = kCrc32Poly * x^32.
  uint64_t quotient = uint64_t{1} << 32;
  uint64_t rem = kCrc32Poly << 32;
  for (int i = 63; i >= 32; --i) {
    if (rem & (uint64_t{1} << i)) {
      quotient |= uint64_t{1} << (i - 32);
      rem ^= kCrc32Poly << (i - 32);
      rem ^= uint64_t{1} << i;  // the x^32 term of P, shifted
    }
  }
  return Reflect(quotient, 33);
}

// P itself (degree 32) as a 33-bit reflected value.
inline constexpr uint64_t kPoly33 =
    Reflect((uint64_t{1} << 32) | kCrc32Poly, 33);

}  // namespace detail
}  // namespace ddb
