// Request shapes: a declarative description of each operation's input,
// checked the way DynamoDB's front end checks it, in two passes over the
// whole request:
//   1. CheckTypes: JSON types against the shape. The first mismatch throws
//      SerializationException with the Java deserializer's wording
//      ("STRING_VALUE cannot be converted to Integer", ...).
//   2. CheckConstraints: required members, then every member constraint
//      (not null, range, pattern, length, enum), collected in declaration
//      order into one ValidationException: "2 validation errors detected:
//      Value 'x' at 'returnValues' failed to satisfy constraint: ...; ..."
//      (at most 10 are listed, as DynamoDB does).
// Operation-specific rules come after both passes, in the operation's file.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::shape {

enum class Kind {
  kString,
  kBoolean,
  kInteger,
  kLong,
  kList,
  kStringMap,     // Map<String, String> (ExpressionAttributeNames)
  kMap,           // Map<String, element> (element is a kStruct)
  kStruct,        // a named structure with members
  kAttribute,     // one AttributeValue
  kAttributeMap,  // Map<String, AttributeValue> (Item, Key)
  kAttributeList  // List<AttributeValue>
};

struct Shape;

struct Member {
  const char* name;  // wire name, e.g. "TableName"
  const Shape* shape;
  // "The parameter 'X' is required but was not present in the request".
  bool required = false;
  bool not_null = false;
  std::optional<int64_t> min_value, max_value;
  bool table_name_pattern = false;  // [a-zA-Z0-9_.-]+
  std::optional<int64_t> min_length, max_length;
  std::vector<const char*> enum_values;
  // When this member violates a constraint, DynamoDB reports only its
  // errors (TableName is checked before anything else).
  bool checked_first = false;
};

struct Shape {
  Kind kind;
  const char* struct_name =
      nullptr;                     // Java class name, e.g. "KeySchemaElement"
  std::vector<Member> members;     // kStruct, in DynamoDB's check order
  const Shape* element = nullptr;  // kList/kMap: the element shape
};

// Common leaf shapes.
const Shape* String();
const Shape* Boolean();
const Shape* Integer();
const Shape* Long();
const Shape* Attribute();
const Shape* AttributeMap();
const Shape* AttributeList();
const Shape* StringMap();
const Shape* StringList();

// Pass 1. Throws ApiError(SerializationException).
void CheckTypes(const rapidjson::Value& request, const Shape& shape);

// Pass 2. Throws ApiError(ValidationException).
void CheckConstraints(const rapidjson::Value& request, const Shape& shape);

// Both passes.
inline void Check(const rapidjson::Value& request, const Shape& shape) {
  CheckTypes(request, shape);
  CheckConstraints(request, shape);
}

// Readers for members that passed CheckTypes. A JSON null counts as absent.
const rapidjson::Value* Find(const rapidjson::Value& object,
                             std::string_view name);
std::optional<std::string> GetString(const rapidjson::Value& object,
                                     const char* name);
// Booleans arrive as JSON booleans or as the strings DynamoDB's
// deserializer converts ("true", "1", "yes", ...).
std::optional<bool> GetBool(const rapidjson::Value& object, const char* name);
std::optional<int64_t> GetInt(const rapidjson::Value& object, const char* name);

}  // namespace ddb::shape
