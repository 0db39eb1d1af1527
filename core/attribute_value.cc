#include "core/attribute_value.h"

#include <algorithm>
#include <utility>

namespace ddb {

const char* AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kS:
      return "S";
    case AttrType::kN:
      return "N";
    case AttrType::kB:
      return "B";
    case AttrType::kBool:
      return "BOOL";
    case AttrType::kNull:
      return "NULL";
    case AttrType::kM:
      return "M";
    case AttrType::kL:
      return "L";
    case AttrType::kSS:
      return "SS";
    case AttrType::kNS:
      return "NS";
    case AttrType::kBS:
      return "BS";
  }
  return "?";
}

AttributeValue AttributeValue::String(std::string s) {
  AttributeValue v;
  v.type = AttrType::kS;
  v.scalar = std::move(s);
  return v;
}

AttributeValue AttributeValue::Number(std::string canonical) {
  AttributeValue v;
  v.type = AttrType::kN;
  v.scalar = std::move(canonical);
  return v;
}

AttributeValue AttributeValue::Binary(std::string bytes) {
  AttributeValue v;
  v.type = AttrType::kB;
  v.scalar = std::move(bytes);
  return v;
}

AttributeValue AttributeValue::Bool(bool b) {
  AttributeValue v;
  v.type = AttrType::kBool;
  v.boolean = b;
  return v;
}

AttributeValue AttributeValue::Null() {
  AttributeValue v;
  v.type = AttrType::kNull;
  v.boolean = true;
  return v;
}

namespace {

// Sets are unordered in DynamoDB ({"SS": ["a", "b"]} equals
// {"SS": ["b", "a"]}) and hold no duplicates, so equal sorted copies mean
// equal sets. NS members are canonical text, so text equality is numeric
// equality.
bool SameSet(const std::vector<std::string>& a,
             const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the common case: same order
  std::vector<std::string_view> sa(a.begin(), a.end());
  std::vector<std::string_view> sb(b.begin(), b.end());
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  return sa == sb;
}

// Bytes DynamoDB charges for a number: it stores numbers as a base-100
// mantissa (one byte per pair of digits, aligned on the decimal point), one
// byte of exponent, and one more byte for negatives; zero takes one byte.
// The Developer Guide gives this as "approximately 1 byte per two
// significant digits + 1 byte"; the exact form is dynalite's, whose item
// size tests at the 400 KB boundary are verified against DynamoDB (e.g. a
// 38-digit number with exponent 125 costs 20 bytes).
size_t NumberSize(const std::string& canonical) {
  // Recover the significant digits and the position of the first one from
  // the canonical text ("-0.0012", "1200", "12.5").
  size_t first = std::string::npos, last = std::string::npos;
  size_t point = canonical.size();
  bool negative = false;
  for (size_t i = 0; i < canonical.size(); ++i) {
    char c = canonical[i];
    if (c == '-') {
      negative = true;
    } else if (c == '.') {
      point = i;
    } else if (c != '0') {
      if (first == std::string::npos) first = i;
      last = i;
    }
  }
  if (first == std::string::npos) return 1;  // zero
  size_t num_digits = last - first + 1;
  if (point > first && point < last) --num_digits;
  // Power of ten of the first significant digit.
  long first_power = first < point ? static_cast<long>(point - first) - 1
                                   : -static_cast<long>(first - point);
  // The first digit is alone in its base-100 pair when its power is even.
  size_t pairs =
      first_power % 2 == 0 ? 1 + num_digits / 2 : (num_digits + 1) / 2;
  return 1 + pairs + (negative ? 1 : 0);
}

}  // namespace

bool AttributeValue::operator==(const AttributeValue& other) const {
  if (type != other.type) return false;
  switch (type) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      return scalar == other.scalar;
    case AttrType::kBool:
      return boolean == other.boolean;
    case AttrType::kNull:
      return true;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      return SameSet(set, other.set);
    case AttrType::kL:
      return list == other.list;
    case AttrType::kM:
      return map == other.map;
  }
  return false;
}

// Developer Guide, "Item sizes and formats": strings are their UTF-8 bytes,
// binary its raw bytes, BOOL and NULL 1 byte, a list or map 3 bytes of
// overhead plus 1 byte per element (and a map's element names), sets the
// sum of their members.
size_t AttributeValueSize(const AttributeValue& value) {
  switch (value.type) {
    case AttrType::kS:
    case AttrType::kB:
      return value.scalar.size();
    case AttrType::kN:
      return NumberSize(value.scalar);
    case AttrType::kBool:
    case AttrType::kNull:
      return 1;
    case AttrType::kSS:
    case AttrType::kBS: {
      size_t size = 0;
      for (const std::string& member : value.set) size += member.size();
      return size;
    }
    case AttrType::kNS: {
      size_t size = 0;
      for (const std::string& member : value.set) size += NumberSize(member);
      return size;
    }
    case AttrType::kL: {
      size_t size = 3;
      for (const AttributeValue& element : value.list) {
        size += 1 + AttributeValueSize(element);
      }
      return size;
    }
    case AttrType::kM: {
      size_t size = 3;
      for (const auto& [name, element] : value.map) {
        size += 1 + name.size() + AttributeValueSize(element);
      }
      return size;
    }
  }
  return 0;
}

size_t ItemSize(const Item& item) {
  size_t size = 0;
  for (const auto& [name, value] : item) {
    size += name.size() + AttributeValueSize(value);
  }
  return size;
}

}  // namespace ddb
