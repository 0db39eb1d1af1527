#include "expressions/value_ops.h"

#include <algorithm>

#include "core/decimal.h"
#include "core/json_codec.h"

namespace ddb {
namespace {

int CompareBytes(const std::string& a, const std::string& b) {
  // std::string::compare uses char_traits<char>, which compares as unsigned
  // char, the byte order DynamoDB uses for strings and binary.
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool NumbersEqual(const std::string& a, const std::string& b) {
  // Stored numbers are canonical, so equal text is the common fast case.
  if (a == b) return true;
  return Decimal::Parse(a) == Decimal::Parse(b);
}

bool SetsEqual(const AttributeValue& a, const AttributeValue& b) {
  if (a.set.size() != b.set.size()) return false;
  // Set members are unique, so containment one way plus equal sizes is
  // equality. Numbers are canonical text, so text equality is numeric.
  for (const std::string& member : a.set) {
    if (std::find(b.set.begin(), b.set.end(), member) == b.set.end()) {
      if (a.type != AttrType::kNS) return false;
      bool found = false;
      for (const std::string& other : b.set) {
        if (NumbersEqual(member, other)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
  }
  return true;
}

}  // namespace

bool IsSetType(AttrType type) {
  return type == AttrType::kSS || type == AttrType::kNS ||
         type == AttrType::kBS;
}

bool ValuesEqual(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case AttrType::kS:
    case AttrType::kB:
      return a.scalar == b.scalar;
    case AttrType::kN:
      return NumbersEqual(a.scalar, b.scalar);
    case AttrType::kBool:
      return a.boolean == b.boolean;
    case AttrType::kNull:
      return true;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      return SetsEqual(a, b);
    case AttrType::kL:
      if (a.list.size() != b.list.size()) return false;
      for (size_t i = 0; i < a.list.size(); ++i) {
        if (!ValuesEqual(a.list[i], b.list[i])) return false;
      }
      return true;
    case AttrType::kM:
      if (a.map.size() != b.map.size()) return false;
      for (const auto& [name, value] : a.map) {
        auto it = b.map.find(name);
        if (it == b.map.end() || !ValuesEqual(value, it->second)) return false;
      }
      return true;
  }
  return false;
}

std::optional<int> CompareOrdered(const AttributeValue& a,
                                  const AttributeValue& b) {
  if (a.type != b.type) return std::nullopt;
  switch (a.type) {
    case AttrType::kS:
    case AttrType::kB:
      return CompareBytes(a.scalar, b.scalar);
    case AttrType::kN:
      return Decimal::Parse(a.scalar).Compare(Decimal::Parse(b.scalar));
    default:
      return std::nullopt;
  }
}

const AttributeValue* FindPath(const Item& item, const DocumentPath& path) {
  if (path.elements.empty() || path.elements[0].is_index()) return nullptr;
  auto it = item.find(path.elements[0].name);
  if (it == item.end()) return nullptr;
  const AttributeValue* value = &it->second;
  for (size_t i = 1; i < path.elements.size(); ++i) {
    const PathElement& element = path.elements[i];
    if (element.is_index()) {
      if (value->type != AttrType::kL || element.index >= value->list.size()) {
        return nullptr;
      }
      value = &value->list[element.index];
    } else {
      if (value->type != AttrType::kM) return nullptr;
      auto member = value->map.find(element.name);
      if (member == value->map.end()) return nullptr;
      value = &member->second;
    }
  }
  return value;
}

AttributeValue* FindPath(Item& item, const DocumentPath& path) {
  return const_cast<AttributeValue*>(
      FindPath(static_cast<const Item&>(item), path));
}

std::string DescribeValue(const AttributeValue& value) {
  std::string text;
  switch (value.type) {
    case AttrType::kS:
      text = value.scalar;
      break;
    case AttrType::kN:
      text = value.scalar;
      break;
    case AttrType::kB:
      text = Base64Encode(value.scalar);
      break;
    case AttrType::kBool:
      text = value.boolean ? "true" : "false";
      break;
    case AttrType::kNull:
      text = "true";
      break;
    default: {
      rapidjson::StringBuffer buffer;
      JsonWriter writer(buffer);
      WriteAttributeValue(value, writer);
      return std::string("AttributeValue: ") + buffer.GetString();
    }
  }
  return std::string("AttributeValue: {") + AttrTypeName(value.type) + ":" +
         text + "}";
}

}  // namespace ddb
