#include "server/ops/shape.h"

#include <cmath>
#include <cstring>
#include <string_view>

#include "core/api_error.h"
#include "core/json_codec.h"

namespace ddb::shape {
namespace {

[[noreturn]] void TypeError(std::string message) {
  throw ApiError::Serialization(std::move(message));
}

const char* JavaTypeName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "String";
    case Kind::kBoolean:
      return "Boolean";
    case Kind::kInteger:
      return "Integer";
    case Kind::kLong:
      return "Long";
    default:
      return "Object";
  }
}

// The wording of Jackson/Coral when a JSON scalar of the wrong kind arrives.
std::string ScalarTokenName(const rapidjson::Value& json) {
  if (json.IsBool()) return json.GetBool() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (json.IsString()) return "STRING_VALUE";
  if (json.IsInt64() || json.IsUint64()) return "NUMBER_VALUE";
  return json.IsDouble() && std::floor(json.GetDouble()) == json.GetDouble()
             ? "NUMBER_VALUE"
             : "DECIMAL_VALUE";
}

bool IsScalar(const rapidjson::Value& json) {
  return !json.IsObject() && !json.IsArray();
}

std::optional<bool> ParseBoolString(std::string_view text) {
  std::string upper;
  for (char c : text) upper.push_back(static_cast<char>(std::toupper(c)));
  if (upper == "TRUE" || upper == "1" || upper == "YES") return true;
  if (upper == "FALSE" || upper == "0" || upper == "NO") return false;
  return std::nullopt;
}

// `in_list`: DynamoDB words a bad structure inside a list differently from
// a bad structure member.
void CheckValue(const rapidjson::Value& json, const Shape& shape,
                bool in_list) {
  if (json.IsNull()) return;
  switch (shape.kind) {
    case Kind::kString:
      if (json.IsString()) return;
      if (json.IsObject()) {
        TypeError("Start of structure or map found where not expected");
      }
      if (json.IsArray()) {
        TypeError("Unrecognized collection type class java.lang.String");
      }
      TypeError(ScalarTokenName(json) + " cannot be converted to String");
    case Kind::kBoolean:
      if (json.IsBool()) return;
      if (json.IsString()) {
        if (ParseBoolString(json.GetString())) return;
        TypeError("Unexpected token received from parser");
      }
      if (json.IsObject()) {
        TypeError("Start of structure or map found where not expected");
      }
      if (json.IsArray()) {
        TypeError("Unrecognized collection type class java.lang.Boolean");
      }
      TypeError(ScalarTokenName(json) + " cannot be converted to Boolean");
    case Kind::kInteger:
    case Kind::kLong:
      if (json.IsNumber()) return;
      if (json.IsObject()) {
        TypeError("Start of structure or map found where not expected");
      }
      if (json.IsArray()) {
        TypeError(std::string("Unrecognized collection type class java.lang.") +
                  JavaTypeName(shape.kind));
      }
      TypeError(ScalarTokenName(json) + " cannot be converted to " +
                JavaTypeName(shape.kind));
    case Kind::kList:
    case Kind::kAttributeList:
      if (IsScalar(json)) TypeError("Unexpected field type");
      if (json.IsObject()) {
        TypeError("Start of structure or map found where not expected");
      }
      for (const auto& element : json.GetArray()) {
        if (shape.kind == Kind::kAttributeList) {
          CheckAttributeValueTypes(element);
        } else {
          CheckValue(element, *shape.element, /*in_list=*/true);
        }
      }
      return;
    case Kind::kStringMap:
      if (IsScalar(json)) TypeError("Unexpected field type");
      if (json.IsArray()) {
        TypeError(
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "java.lang.String>");
      }
      for (const auto& member : json.GetObject()) {
        CheckValue(member.value, *String(), false);
      }
      return;
    case Kind::kMap:
      if (IsScalar(json)) TypeError("Unexpected field type");
      if (json.IsArray()) {
        TypeError(std::string("Unrecognized collection type "
                              "java.util.Map<java.lang.String, "
                              "com.amazonaws.dynamodb.v20120810.") +
                  shape.element->struct_name + ">");
      }
      for (const auto& member : json.GetObject()) {
        CheckValue(member.value, *shape.element, /*in_list=*/true);
      }
      return;
    case Kind::kAttributeMap:
      CheckItemTypes(json);
      return;
    case Kind::kAttribute:
      CheckAttributeValueTypes(json);
      return;
    case Kind::kStruct:
      if (IsScalar(json)) {
        TypeError(in_list ? "Unexpected value type in payload"
                          : "Unexpected field type");
      }
      if (json.IsArray()) {
        TypeError(std::string("Unrecognized collection type class "
                              "com.amazonaws.dynamodb.v20120810.") +
                  shape.struct_name);
      }
      for (const Member& member : shape.members) {
        if (const rapidjson::Value* child = Find(json, member.name)) {
          CheckValue(*child, *member.shape, false);
        }
      }
      return;
  }
}

std::string LowerFirst(const char* name) {
  std::string out(name);
  if (!out.empty()) {
    out[0] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

// Integral value of a JSON number, clamped to int64 (a double far outside
// that range must not be converted: that is undefined behaviour).
int64_t NumberValue(const rapidjson::Value& json) {
  if (json.IsInt64()) return json.GetInt64();
  if (json.IsUint64()) return INT64_MAX;
  double value = std::floor(json.GetDouble());
  if (value >= 9.2e18) return INT64_MAX;
  if (value <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(value);
}

// Renders a value the way the Java front end prints it in constraint
// messages: strings bare, lists as [a, b], structures as
// Name(member=value, ...). Depth is bounded by the shapes.
std::string Render(const rapidjson::Value& json, const Shape& shape) {
  if (json.IsNull()) return "null";
  switch (shape.kind) {
    case Kind::kString:
      return json.IsString() ? json.GetString() : "";
    case Kind::kBoolean:
      return json.IsBool() ? (json.GetBool() ? "true" : "false")
                           : json.GetString();
    case Kind::kInteger:
    case Kind::kLong:
      if (json.IsInt64()) return std::to_string(json.GetInt64());
      if (json.IsUint64()) return std::to_string(json.GetUint64());
      return std::to_string(NumberValue(json));
    case Kind::kList: {
      std::string out = "[";
      bool first = true;
      for (const auto& element : json.GetArray()) {
        if (!first) out += ", ";
        first = false;
        out += Render(element, *shape.element);
      }
      return out + "]";
    }
    case Kind::kStruct: {
      std::string out = std::string(shape.struct_name) + "(";
      bool first = true;
      for (const Member& member : shape.members) {
        if (!first) out += ", ";
        first = false;
        out += LowerFirst(member.name) + "=";
        const rapidjson::Value* child = Find(json, member.name);
        out += child ? Render(*child, *member.shape) : "null";
      }
      return out + ")";
    }
    default:
      // Maps and attribute values never carry constraints whose messages
      // print them.
      return "{}";
  }
}

size_t LengthOf(const rapidjson::Value& json) {
  if (json.IsString()) {
    // Lengths are in characters (UTF-16 code units in Java); count UTF-8
    // lead bytes, which equals code points.
    size_t count = 0;
    const char* text = json.GetString();
    for (rapidjson::SizeType i = 0; i < json.GetStringLength(); ++i) {
      auto byte = static_cast<unsigned char>(text[i]);
      if ((byte & 0xC0) != 0x80) count += byte >= 0xF0 ? 2 : 1;
    }
    return count;
  }
  if (json.IsArray()) return json.Size();
  if (json.IsObject()) return json.MemberCount();
  return 0;
}

bool MatchesTableNamePattern(const rapidjson::Value& json) {
  if (!json.IsString() || json.GetStringLength() == 0) return false;
  const char* text = json.GetString();
  for (rapidjson::SizeType i = 0; i < json.GetStringLength(); ++i) {
    char c = text[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Where a member sits in the request, e.g. "keySchema.1.member.keyType".
// Built on the stack as the checker descends and rendered only for a
// violation: valid requests (nearly all) then cost no string work.
struct Path {
  const Path* parent = nullptr;
  const char* member = nullptr;  // a struct member (its name, capitalised)
  size_t index = 0;              // else a list element, 1-based
  std::string_view key;          // else a map entry's key

  std::string Render() const {
    std::string piece;
    if (member != nullptr) {
      piece = LowerFirst(member);
    } else if (index != 0) {
      piece = std::to_string(index) + ".member";
    } else {
      piece = std::string(key) + ".member";
    }
    return parent == nullptr ? piece : parent->Render() + "." + piece;
  }
};

class ConstraintChecker {
 public:
  void CheckMember(const rapidjson::Value* json, const Member& member,
                   const Path& path) {
    auto fail = [&](const std::string& constraint) {
      std::string value =
          json ? "'" + Render(*json, *member.shape) + "'" : "null";
      errors_.push_back("Value " + value + " at '" + path.Render() +
                        "' failed to satisfy constraint: " + constraint);
    };
    if (json == nullptr) {
      if (member.not_null) fail("Member must not be null");
      return;
    }
    if (member.min_value && NumberValue(*json) < *member.min_value) {
      fail("Member must have value greater than or equal to " +
           std::to_string(*member.min_value));
    }
    if (member.max_value && NumberValue(*json) > *member.max_value) {
      fail("Member must have value less than or equal to " +
           std::to_string(*member.max_value));
    }
    // An empty name is reported against its length only.
    if (member.table_name_pattern && LengthOf(*json) > 0 &&
        !MatchesTableNamePattern(*json)) {
      fail("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    if (member.min_length &&
        LengthOf(*json) < static_cast<size_t>(*member.min_length)) {
      fail("Member must have length greater than or equal to " +
           std::to_string(*member.min_length));
    }
    if (member.max_length &&
        LengthOf(*json) > static_cast<size_t>(*member.max_length)) {
      fail("Member must have length less than or equal to " +
           std::to_string(*member.max_length));
    }
    if (!member.enum_values.empty() && json->IsString()) {
      const std::string_view given(json->GetString(), json->GetStringLength());
      bool found = false;
      for (const char* value : member.enum_values) {
        if (given == value) found = true;
      }
      if (!found) {
        std::string joined;
        for (const char* value : member.enum_values) {
          if (!joined.empty()) joined += ", ";
          joined += value;
        }
        fail("Member must satisfy enum value set: [" + joined + "]");
      }
    }
    CheckChildren(*json, *member.shape, path);
  }

  void CheckChildren(const rapidjson::Value& json, const Shape& shape,
                     const Path& path) {
    if (shape.kind == Kind::kStruct && json.IsObject()) {
      for (const Member& member : shape.members) {
        CheckMember(Find(json, member.name), member,
                    Path{.parent = &path, .member = member.name});
      }
    } else if (shape.kind == Kind::kList && json.IsArray() &&
               shape.element->kind == Kind::kStruct) {
      size_t index = 1;
      for (const auto& element : json.GetArray()) {
        if (!element.IsNull()) {
          CheckChildren(element, *shape.element,
                        Path{.parent = &path, .index = index});
        }
        ++index;
      }
    } else if (shape.kind == Kind::kMap && json.IsObject()) {
      // DynamoDB names a map entry's members "<map>.<key>.member.<name>"
      // (e.g. "scanFilter.a.member.comparisonOperator").
      for (const auto& entry : json.GetObject()) {
        if (entry.value.IsNull()) continue;
        CheckChildren(
            entry.value, *shape.element,
            Path{.parent = &path,
                 .key = std::string_view(entry.name.GetString(),
                                         entry.name.GetStringLength())});
      }
    }
  }

  void ThrowIfAny() {
    if (errors_.empty()) return;
    // DynamoDB lists at most ten violations but counts only those it lists.
    if (errors_.size() > 10) errors_.resize(10);
    std::string message =
        std::to_string(errors_.size()) +
        (errors_.size() == 1 ? " validation error detected: "
                             : " validation errors detected: ");
    for (size_t i = 0; i < errors_.size(); ++i) {
      if (i > 0) message += "; ";
      message += errors_[i];
    }
    throw ApiError::Validation(message);
  }

 private:
  std::vector<std::string> errors_;
};

}  // namespace

const Shape* String() {
  static const Shape shape{Kind::kString};
  return &shape;
}
const Shape* Boolean() {
  static const Shape shape{Kind::kBoolean};
  return &shape;
}
const Shape* Integer() {
  static const Shape shape{Kind::kInteger};
  return &shape;
}
const Shape* Long() {
  static const Shape shape{Kind::kLong};
  return &shape;
}
const Shape* Attribute() {
  static const Shape shape{Kind::kAttribute};
  return &shape;
}
const Shape* AttributeMap() {
  static const Shape shape{Kind::kAttributeMap};
  return &shape;
}
const Shape* AttributeList() {
  static const Shape shape{Kind::kAttributeList};
  return &shape;
}
const Shape* StringMap() {
  static const Shape shape{Kind::kStringMap};
  return &shape;
}
const Shape* StringList() {
  static const Shape shape{Kind::kList, nullptr, {}, String()};
  return &shape;
}

void CheckTypes(const rapidjson::Value& request, const Shape& shape) {
  CheckValue(request, shape, false);
}

void CheckConstraints(const rapidjson::Value& request, const Shape& shape) {
  for (const Member& member : shape.members) {
    if (member.required && Find(request, member.name) == nullptr) {
      throw ApiError::Validation(std::string("The parameter '") + member.name +
                                 "' is required but was not present in the "
                                 "request");
    }
  }
  for (const Member& member : shape.members) {
    if (!member.checked_first) continue;
    ConstraintChecker first;
    first.CheckMember(Find(request, member.name), member,
                      Path{.member = member.name});
    first.ThrowIfAny();
  }
  ConstraintChecker checker;
  for (const Member& member : shape.members) {
    if (member.checked_first) continue;
    checker.CheckMember(Find(request, member.name), member,
                        Path{.member = member.name});
  }
  checker.ThrowIfAny();
}

// rapidjson's FindMember(const char*) measures the name with a byte-by-byte
// loop on every call; validation looks up every member of a shape, several
// times per request (7 % of UpdateItem's instructions under callgrind). The
// name's length is known at the call (a literal) or found by libc's strlen,
// and most members are rejected on their length alone.
const rapidjson::Value* Find(const rapidjson::Value& object,
                             std::string_view name) {
  if (!object.IsObject()) return nullptr;
  for (auto it = object.MemberBegin(), end = object.MemberEnd(); it != end;
       ++it) {
    if (it->name.GetStringLength() != name.size() ||
        std::memcmp(it->name.GetString(), name.data(), name.size()) != 0) {
      continue;
    }
    return it->value.IsNull() ? nullptr : &it->value;
  }
  return nullptr;
}

std::optional<std::string> GetString(const rapidjson::Value& object,
                                     const char* name) {
  const rapidjson::Value* value = Find(object, name);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

std::optional<bool> GetBool(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = Find(object, name);
  if (value == nullptr) return std::nullopt;
  if (value->IsBool()) return value->GetBool();
  if (value->IsString()) return ParseBoolString(value->GetString());
  return std::nullopt;
}

std::optional<int64_t> GetInt(const rapidjson::Value& object,
                              const char* name) {
  const rapidjson::Value* value = Find(object, name);
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  return NumberValue(*value);
}

}  // namespace ddb::shape
