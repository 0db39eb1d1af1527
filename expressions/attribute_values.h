// ExpressionAttributeValues: the request's ":placeholder" -> value map, its
// key rules, and the bookkeeping that finds unused entries (the values'
// counterpart of attribute_names.h).
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/attribute_value.h"

namespace ddb {

using ExpressionAttributeValues =
    std::map<std::string, AttributeValue, std::less<>>;

// The value placeholders the expressions of one request used.
using UsedValues = std::set<std::string, std::less<>>;

// Decodes a request's ExpressionAttributeValues member (REQUIRES: it passed
// the shape's type checks) with DynamoDB's checks, in its order:
//   "ExpressionAttributeValues must not be empty"
//   "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""
//     (every key is checked before any value)
//   "ExpressionAttributeValues contains invalid value: <value rule message>
//     for key :v"
// Throws ApiError(ValidationException).
ExpressionAttributeValues DecodeExpressionAttributeValues(
    const rapidjson::Value& json);

// "Value provided in ExpressionAttributeValues unused in expressions: keys:
// {:a, :b}", or "" when every entry was used.
std::string UnusedValuesMessage(const ExpressionAttributeValues& values,
                                const UsedValues& used);

}  // namespace ddb
