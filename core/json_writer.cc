#include "core/json_writer.h"

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ddb {

namespace {

// The second character of a byte's escape: 'u' for "\u00XX", 0 for none.
constexpr std::array<char, 256> MakeEscapeTable() {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}
constexpr std::array<char, 256> kEscape = MakeEscapeTable();

}  // namespace

size_t FindJsonEscape(std::string_view text, size_t from) {
  const char* data = text.data();
  const size_t size = text.size();
  size_t i = from;
#if defined(__SSE2__)
  // A byte needs escaping when it is '"', '\\' or <= 0x1F (unsigned:
  // max(byte, 0x1F) == 0x1F). Unaligned loads that stay inside the text.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1F);
  for (; i + 16 <= size; i += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
                                  _mm_cmpeq_epi8(bytes, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(bytes, control), control));
    int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i < size; ++i) {
    if (kEscape[static_cast<unsigned char>(data[i])] != 0) return i;
  }
  return size;
}

void JsonWriter::WriteEscapedString(rapidjson::StringBuffer& out,
                                    std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.Put('"');
  size_t done = 0;
  while (done < text.size()) {
    size_t next = FindJsonEscape(text, done);
    if (next > done) {
      std::memcpy(out.Push(next - done), text.data() + done, next - done);
    }
    if (next == text.size()) break;
    auto byte = static_cast<unsigned char>(text[next]);
    char kind = kEscape[byte];
    if (kind == 'u') {
      char* dst = out.Push(6);
      dst[0] = '\\';
      dst[1] = 'u';
      dst[2] = '0';
      dst[3] = '0';
      dst[4] = kHex[byte >> 4];
      dst[5] = kHex[byte & 0xF];
    } else {
      char* dst = out.Push(2);
      dst[0] = '\\';
      dst[1] = kind;
    }
    done = next + 1;
  }
  out.Put('"');
}

}  // namespace ddb
