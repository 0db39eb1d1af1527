#include "expressions/attribute_values.h"

#include "core/api_error.h"
#include "core/json_codec.h"
#include "expressions/attribute_names.h"

namespace ddb {

ExpressionAttributeValues DecodeExpressionAttributeValues(
    const rapidjson::Value& json) {
  if (json.MemberCount() == 0) {
    throw ApiError::Validation("ExpressionAttributeValues must not be empty");
  }
  for (const auto& member : json.GetObject()) {
    std::string_view key(member.name.GetString(),
                         member.name.GetStringLength());
    if (!IsValidPlaceholderKey(key, ':')) {
      throw ApiError::Validation(
          "ExpressionAttributeValues contains invalid key: Syntax error; "
          "key: \"" +
          std::string(key) + "\"");
    }
  }
  ExpressionAttributeValues values;
  for (const auto& member : json.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    AttributeValue value;
    std::string problem = DecodeAttributeValue(member.value, &value);
    if (!problem.empty()) {
      throw ApiError::Validation(
          "ExpressionAttributeValues contains invalid value: " + problem +
          " for key " + key);
    }
    values.insert_or_assign(std::move(key), std::move(value));
  }
  return values;
}

std::string UnusedValuesMessage(const ExpressionAttributeValues& values,
                                const UsedValues& used) {
  std::string keys;
  for (const auto& [key, value] : values) {
    if (used.contains(key)) continue;
    if (!keys.empty()) keys += ", ";
    keys += key;
  }
  if (keys.empty()) return "";
  return "Value provided in ExpressionAttributeValues unused in expressions: "
         "keys: {" +
         keys + "}";
}

}  // namespace ddb
