// Tag validation shared by TagResource and CreateTable's Tags.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>

namespace ddb::ops {

// DynamoDB's per-resource tag limit.
inline constexpr size_t kMaxTagsPerResource = 50;

// Checks a Tags list ([{"Key": ..., "Value": ...}], already type-checked)
// with DynamoDB's messages and returns it as key -> value. Throws
// ValidationException. An empty list is the caller's rule (TagResource
// refuses it, CreateTable accepts it).
std::map<std::string, std::string> ParseTagList(const rapidjson::Value& tags);

}  // namespace ddb::ops
