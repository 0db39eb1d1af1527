// Helpers shared by the expression tests: building attribute values without
// core's factories, and a compact rendering to compare results by.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "core/api_error.h"
#include "core/attribute_value.h"

namespace ddb::testing {

inline AttributeValue S(std::string text) {
  AttributeValue value;
  value.type = AttrType::kS;
  value.scalar = std::move(text);
  return value;
}

inline AttributeValue N(std::string digits) {
  AttributeValue value;
  value.type = AttrType::kN;
  value.scalar = std::move(digits);
  return value;
}

inline AttributeValue L(std::initializer_list<AttributeValue> elements) {
  AttributeValue value;
  value.type = AttrType::kL;
  value.list = elements;
  return value;
}

inline AttributeValue
M(std::initializer_list<std::pair<const std::string, AttributeValue>> members) {
  AttributeValue value;
  value.type = AttrType::kM;
  value.map = members;
  return value;
}

// DynamoDB-JSON-like text, with map members in key order, e.g.
// {a: {M: {b: {L: [{S: x}]}}}}. Only the types these tests build.
inline std::string Render(const AttributeValue& value);

inline std::string Render(const Item& item) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, member] : item) {
    if (!first) out += ", ";
    first = false;
    out += name + ": " + Render(member);
  }
  return out + "}";
}

inline std::string Render(const AttributeValue& value) {
  switch (value.type) {
    case AttrType::kS:
      return "{S: " + value.scalar + "}";
    case AttrType::kN:
      return "{N: " + value.scalar + "}";
    case AttrType::kL: {
      std::string out = "{L: [";
      for (size_t i = 0; i < value.list.size(); ++i) {
        if (i > 0) out += ", ";
        out += Render(value.list[i]);
      }
      return out + "]}";
    }
    case AttrType::kM:
      return "{M: " + Render(value.map) + "}";
    default:
      return "{?}";
  }
}

// The ValidationException message `fn` throws, or a note that it threw
// nothing / something else, so a test can compare messages exactly.
inline std::string ValidationMessage(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& error) {
    if (error.type() != "ValidationException") {
      return "unexpected " + error.type() + ": " + error.message();
    }
    return error.message();
  }
  return "<no error>";
}

}  // namespace ddb::testing
