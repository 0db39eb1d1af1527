// The JSON codec between DynamoDB's wire form of attribute values
// ({"S": "x"}, {"N": "1"}, {"B": "base64"}, ...) and AttributeValue.
//
// Decoding happens in the two phases DynamoDB applies to a whole request:
//   1. CheckAttributeValueTypes/CheckItemTypes walk the JSON and throw
//      ApiError(SerializationException) with DynamoDB's wording
//      ("NUMBER_VALUE cannot be converted to String", "Start of structure or
//      map found where not expected", base64 errors, ...). The request's
//      other members are type-checked in the same phase (server/ops/shape.h)
//      before any value rule is applied.
//   2. DecodeAttributeValue/DecodeItem build the value and apply DynamoDB's
//      value rules, returning the first ValidationException message ("" when
//      valid): empty value, more than one type, NULL false, empty sets, set
//      duplicates, number syntax and limits (numbers become canonical),
//      nesting deeper than 32.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "core/attribute_value.h"
#include "core/json_writer.h"

namespace ddb {

// Phase 1 (throws SerializationException).
void CheckAttributeValueTypes(const rapidjson::Value& json);
void CheckItemTypes(const rapidjson::Value& json);  // object of values
// The same check for an AttributeValue that is a structure's field rather
// than a map entry or list element (Expected.<name>.Value,
// AttributeUpdates.<name>.Value): a scalar there is "Unexpected field type"
// instead of "Unexpected value type in payload".
void CheckAttributeValueFieldTypes(const rapidjson::Value& json);

// Phase 2. REQUIRES: phase 1 passed on `json`. Returns "" and fills `out`, or
// returns the ValidationException message.
std::string DecodeAttributeValue(const rapidjson::Value& json,
                                 AttributeValue* out);
std::string DecodeItem(const rapidjson::Value& json, Item* out);

// Encoding: canonical DynamoDB JSON (B/BS as standard base64).
void WriteAttributeValue(const AttributeValue& value, JsonWriter& writer);
void WriteItem(const Item& item, JsonWriter& writer);

std::string Base64Encode(std::string_view bytes);

}  // namespace ddb
