#include "storage/key_codec.h"

#include <xxhash.h>

#include <stdexcept>

#include "core/decimal.h"
#include "storage/coding.h"

namespace ddb {
namespace {

constexpr uint8_t kNegative = 0x01;
constexpr uint8_t kZero = 0x02;
constexpr uint8_t kPositive = 0x03;
constexpr int kExponentBias = 129;
constexpr int kMinExponent = -129;     // 1E-130 = 0.1 x 10^-129
constexpr int kMaxExponent = 126;      // 9.99...E+125 = 0.999... x 10^126
constexpr size_t kMaxDigitPairs = 19;  // 38 significant digits

constexpr uint8_t kPartitionInline = 0x01;
constexpr uint8_t kPartitionDigest = 0x02;
constexpr uint8_t kSortKeyTruncated = 0xFF;

void AppendEscaped(std::string_view bytes, std::string* out) {
  out->reserve(out->size() + bytes.size() + 2);
  for (char c : bytes) {
    out->push_back(c);
    if (c == '\0') out->push_back(static_cast<char>(0xFF));
  }
  out->push_back('\0');
  out->push_back('\0');
}

void AppendNumber(std::string_view text, std::string* out) {
  Decimal d = Decimal::Parse(text);
  if (d.is_zero()) {
    out->push_back(static_cast<char>(kZero));
    return;
  }
  if (d.exponent() < kMinExponent || d.exponent() > kMaxExponent) {
    throw std::invalid_argument("number out of DynamoDB's range: " +
                                std::string(text));
  }
  // Complementing every byte after the class reverses the order of
  // negatives: a larger magnitude must sort lower.
  const uint8_t flip = d.is_negative() ? 0xFF : 0x00;
  out->push_back(static_cast<char>(d.is_negative() ? kNegative : kPositive));
  out->push_back(static_cast<char>((d.exponent() + kExponentBias) ^ flip));
  const std::string& digits = d.digits();
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = digits[i] - '0';
    int lo = i + 1 < digits.size() ? digits[i + 1] - '0' : 0;
    out->push_back(static_cast<char>((hi * 10 + lo + 1) ^ flip));
  }
  out->push_back(static_cast<char>(0x00 ^ flip));
}

[[noreturn]] void Corrupt(const char* why) {
  throw std::runtime_error(std::string("corrupt key encoding: ") + why);
}

std::string DecodeEscaped(std::string_view* in) {
  std::string out;
  size_t i = 0;
  const std::string_view s = *in;
  while (true) {
    size_t zero = s.find('\0', i);
    if (zero == std::string_view::npos || zero + 1 >= s.size()) {
      Corrupt("unterminated string");
    }
    out.append(s.data() + i, zero - i);
    uint8_t next = static_cast<uint8_t>(s[zero + 1]);
    if (next == 0x00) {
      *in = s.substr(zero + 2);
      return out;
    }
    if (next != 0xFF) Corrupt("bad escape");
    out.push_back('\0');
    i = zero + 2;
  }
}

// DynamoDB's canonical number text (no exponent, no superfluous zeros) for
// ±0.digits x 10^exponent.
std::string CanonicalNumber(bool negative, const std::string& digits,
                            int exponent) {
  std::string out;
  if (negative) out.push_back('-');
  const int n = static_cast<int>(digits.size());
  if (exponent <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent), '0');
    out += digits;
  } else if (exponent >= n) {
    out += digits;
    out.append(static_cast<size_t>(exponent - n), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(exponent));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(exponent), std::string::npos);
  }
  return out;
}

std::string DecodeNumber(std::string_view* in) {
  ByteReader r(*in, "key encoding");
  const uint8_t cls = r.ReadByte();
  if (cls == kZero) {
    *in = in->substr(1);
    return "0";
  }
  if (cls != kNegative && cls != kPositive) Corrupt("bad number class");
  const uint8_t flip = cls == kNegative ? 0xFF : 0x00;
  const int exponent = (r.ReadByte() ^ flip) - kExponentBias;
  if (exponent < kMinExponent || exponent > kMaxExponent) {
    Corrupt("exponent out of range");
  }
  std::string digits;
  while (true) {
    const uint8_t b = r.ReadByte() ^ flip;
    if (b == 0) break;
    if (b > 100) Corrupt("bad digit pair");
    if (digits.size() >= 2 * kMaxDigitPairs) Corrupt("too many digits");
    const int pair = b - 1;
    digits.push_back(static_cast<char>('0' + pair / 10));
    digits.push_back(static_cast<char>('0' + pair % 10));
  }
  // The encoder writes normalized digits: a nonzero first digit and a last
  // pair whose only possible zero is its padding.
  if (digits.empty() || digits[0] == '0') Corrupt("unnormalized number");
  if (digits.back() == '0') digits.pop_back();
  if (digits.back() == '0') Corrupt("unnormalized number");
  *in = in->substr(r.position());
  return CanonicalNumber(cls == kNegative, digits, exponent);
}

const AttributeValue& RequireKeyAttribute(const Item& item,
                                          const KeyAttribute& key) {
  auto it = item.find(key.name);
  if (it == item.end()) {
    throw std::invalid_argument("item lacks key attribute " + key.name);
  }
  if (it->second.type != key.type) {
    throw std::invalid_argument("key attribute " + key.name +
                                " has the wrong type");
  }
  return it->second;
}

void AppendDigest(std::string_view bytes, std::string* out) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  AppendFixed64BE(h.high64, out);
  AppendFixed64BE(h.low64, out);
}

void AppendPartitionPart(std::string_view encoded_pk, std::string* out) {
  if (encoded_pk.size() <= kMaxInlinePartitionKey) {
    out->push_back(static_cast<char>(kPartitionInline));
    out->append(encoded_pk);
  } else {
    out->push_back(static_cast<char>(kPartitionDigest));
    AppendDigest(encoded_pk, out);
  }
}

}  // namespace

void AppendKeyValue(const AttributeValue& value, std::string* out) {
  switch (value.type) {
    case AttrType::kS:
    case AttrType::kB:
      AppendEscaped(value.scalar, out);
      return;
    case AttrType::kN:
      AppendNumber(value.scalar, out);
      return;
    default:
      throw std::invalid_argument(std::string("not a key type: ") +
                                  AttrTypeName(value.type));
  }
}

std::string EncodeKeyValue(const AttributeValue& value) {
  std::string out;
  AppendKeyValue(value, &out);
  return out;
}

AttributeValue DecodeKeyValue(AttrType type, std::string_view* in) {
  switch (type) {
    case AttrType::kS:
      return AttributeValue::String(DecodeEscaped(in));
    case AttrType::kB:
      return AttributeValue::Binary(DecodeEscaped(in));
    case AttrType::kN:
      return AttributeValue::Number(DecodeNumber(in));
    default:
      throw std::invalid_argument("not a key type");
  }
}

void AppendBoundedKeyPart(std::string_view encoded, size_t budget,
                          std::string* out) {
  const size_t tail = 1 + kKeyDigestSize;
  if (encoded.size() <= budget - tail) {
    out->append(encoded);
    return;
  }
  out->append(encoded.substr(0, budget - tail));
  out->push_back(static_cast<char>(kSortKeyTruncated));
  AppendDigest(encoded, out);
}

uint32_t PartitionHash(std::string_view encoded_pk) {
  return static_cast<uint32_t>(
      XXH3_64bits(encoded_pk.data(), encoded_pk.size()) >> 32);
}

std::string TableKeyPrefix(uint64_t table_id) {
  std::string out;
  AppendFixed64BE(table_id, &out);
  return out;
}

std::string PartitionKeyPrefix(uint64_t table_id, const AttributeValue& pk) {
  std::string encoded = EncodeKeyValue(pk);
  std::string out;
  out.reserve(kItemKeyHeaderSize + 1 + encoded.size());
  AppendFixed64BE(table_id, &out);
  AppendFixed32BE(PartitionHash(encoded), &out);
  AppendPartitionPart(encoded, &out);
  return out;
}

std::string EncodeItemKey(const TableDef& table, const Item& item) {
  std::string out =
      PartitionKeyPrefix(table.id, RequireKeyAttribute(item, table.hash_key));
  if (table.range_key) {
    std::string sk;
    AppendKeyValue(RequireKeyAttribute(item, *table.range_key), &sk);
    AppendBoundedKeyPart(sk, kSortKeyBudget, &out);
  }
  return out;
}

bool ItemKeyIsDigested(const TableDef& table, const Item& key) {
  if (EncodeKeyValue(RequireKeyAttribute(key, table.hash_key)).size() >
      kMaxInlinePartitionKey) {
    return true;
  }
  if (!table.range_key) return false;
  // AppendBoundedKeyPart keeps encodings up to budget - (1 + digest) whole.
  return EncodeKeyValue(RequireKeyAttribute(key, *table.range_key)).size() >
         kSortKeyBudget - 1 - kKeyDigestSize;
}

}  // namespace ddb
