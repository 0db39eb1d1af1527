#include "core/utf8.h"

#include <cstdint>
#include <cstring>

namespace ddb {

namespace {

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Checks one multi-byte sequence starting at text[i] (a non-ASCII lead);
// returns its length, or 0 when it is malformed.
size_t SequenceLength(const unsigned char* text, size_t i, size_t size) {
  const unsigned char lead = text[i];
  size_t length;
  // The allowed range of the second byte narrows for E0 (no overlongs), ED
  // (no surrogates), F0 (no overlongs) and F4 (nothing above U+10FFFF).
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;  // a continuation byte, C0, C1 or F5-FF
  }
  if (size - i < length) return 0;
  if (text[i + 1] < low || text[i + 1] > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!IsContinuation(text[i + k])) return 0;
  }
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  size_t i = 0;
  while (i < size) {
    if (size - i >= 16) {
      uint64_t a, b;
      std::memcpy(&a, bytes + i, 8);
      std::memcpy(&b, bytes + i + 8, 8);
      if (((a | b) & kHighBits) == 0) {
        i += 16;
        continue;
      }
    }
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    size_t length = SequenceLength(bytes, i, size);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace ddb
