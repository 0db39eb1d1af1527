// JsonWriter: RapidJSON's Writer over a StringBuffer with our own string
// escaping.
//
// RapidJSON 1.1 escapes one byte at a time (about 0.5 GB/s), which was
// 43-46 % of the server's CPU on Query and Scan pages, and its SIMD variant
// (RAPIDJSON_SSE2) is wrong: it leaves 0x1A-0x1F unescaped. This writer
// copies the text 32 bytes at a time (AVX2, when the CPU has it; else 16 with
// SSE2) while looking for the next byte to escape, so each string is read
// once; the output is byte for byte what RapidJSON's scalar writer
// produces ("\b \t \n \f \r" short escapes, other control bytes as
// "\u00XX" with upper-case hex, '"' and '\\' escaped, everything else,
// including '/', 0x7F and UTF-8, copied).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace ddb {

class JsonWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Base = rapidjson::Writer<rapidjson::StringBuffer>;
  using Base::Base;

  // These hide Base's String/Key overloads, so that every string written
  // through a JsonWriter (including by Value::Accept, which is a template on
  // the handler type) takes the fast path.
  bool String(const char* str, rapidjson::SizeType length,
              bool /*copy*/ = false) {
    Prefix(rapidjson::kStringType);
    WriteEscapedString(*os_, std::string_view(str, length));
    return EndValue(true);
  }
  bool String(const std::string& str) {
    return String(str.data(), static_cast<rapidjson::SizeType>(str.size()));
  }
  bool String(const char* str) {
    return String(str, static_cast<rapidjson::SizeType>(std::strlen(str)));
  }
  bool Key(const char* str, rapidjson::SizeType length, bool copy = false) {
    return String(str, length, copy);
  }
  bool Key(const std::string& str) { return String(str); }
  bool Key(const char* str) { return String(str); }

  // Appends `text` as a quoted, escaped JSON string.
  static void WriteEscapedString(rapidjson::StringBuffer& out,
                                 std::string_view text);
};

// The buffer's text as a std::string (one copy, no strlen).
inline std::string TakeJson(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The offset of the first byte of text[from, end) that JSON needs escaped
// (a control byte, '"' or '\\'), or text.size(). Exposed for tests.
size_t FindJsonEscape(std::string_view text, size_t from);

}  // namespace ddb
