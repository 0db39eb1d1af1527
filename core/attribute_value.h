// AttributeValue: one DynamoDB value of any of its ten types, and Item, a map
// of attribute names to values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ddb {

enum class AttrType : uint8_t {
  kS = 0,
  kN = 1,
  kB = 2,
  kBool = 3,
  kNull = 4,
  kM = 5,
  kL = 6,
  kSS = 7,
  kNS = 8,
  kBS = 9,
};

// The wire name of a type: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS",
// "NS", "BS".
const char* AttrTypeName(AttrType type);

struct AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue>;
using Item = AttributeMap;

struct AttributeValue {
  AttrType type = AttrType::kNull;
  // S: the text; N: canonical decimal text (see Decimal::ToString);
  // B: the raw (base64-decoded) bytes.
  std::string scalar;
  bool boolean = true;  // BOOL's value; NULL's value is always true.
  // SS, NS (canonical text), BS (raw bytes): members in request order.
  std::vector<std::string> set;
  std::vector<AttributeValue> list;  // L
  AttributeMap map;                  // M

  static AttributeValue String(std::string s);
  static AttributeValue Number(std::string canonical);
  static AttributeValue Binary(std::string bytes);
  static AttributeValue Bool(bool b);
  static AttributeValue Null();

  bool operator==(const AttributeValue& other) const;
};

// DynamoDB's size rules (Developer Guide, "Item sizes and formats"): strings
// and binary by length, numbers by ~(significant digits)/2 + 1, 1 byte for
// BOOL and NULL, 3 bytes of overhead per list/map plus 1 per element, sets
// as the sum of their members. Attribute names count at their UTF-8 length.
size_t AttributeValueSize(const AttributeValue& value);
size_t ItemSize(const Item& item);

}  // namespace ddb
