// Coding: the byte-level primitives every storage format is built from —
// fixed-width big-endian integers (so that memcmp order is numeric order in
// keys) and LEB128 varints (compact lengths in values).
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ddb {

inline void AppendFixed32BE(uint32_t v, std::string* out) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  out->append(buf, 4);
}

inline void AppendFixed64BE(uint64_t v, std::string* out) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  out->append(buf, 8);
}

// REQUIRES: p points at 8 readable bytes.
inline uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

inline void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void AppendLengthPrefixed(std::string_view bytes, std::string* out) {
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

// A bounds-checked reader over untrusted bytes: every read that would run
// past the end, or a varint that overflows 64 bits, throws
// std::runtime_error, so corrupt data can never make a decoder read out of
// bounds.
class ByteReader {
 public:
  ByteReader(std::string_view data, const char* what)
      : data_(data), what_(what) {}

  bool empty() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

  uint8_t ReadByte() {
    if (pos_ >= data_.size()) Fail("unexpected end of data");
    return static_cast<uint8_t>(data_[pos_++]);
  }

  std::string_view ReadBytes(size_t n) {
    if (n > remaining()) Fail("length exceeds remaining data");
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  uint64_t ReadVarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = ReadByte();
      // The tenth byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && b > 1) Fail("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail("varint too long");
  }

  std::string_view ReadLengthPrefixed() {
    uint64_t n = ReadVarint();
    if (n > remaining()) Fail("length exceeds remaining data");
    return ReadBytes(static_cast<size_t>(n));
  }

  // A count of elements each at least `min_element_bytes` long: bounding it
  // by the remaining data stops a corrupt count from causing a huge
  // allocation.
  size_t ReadCount(size_t min_element_bytes) {
    uint64_t n = ReadVarint();
    if (min_element_bytes > 0 && n > remaining() / min_element_bytes) {
      Fail("element count exceeds remaining data");
    }
    return static_cast<size_t>(n);
  }

  [[noreturn]] void Fail(const char* why) const {
    throw std::runtime_error(std::string("corrupt ") + what_ + ": " + why +
                             " at offset " + std::to_string(pos_));
  }

 private:
  std::string_view data_;
  const char* what_;
  size_t pos_ = 0;
};

}  // namespace ddb
