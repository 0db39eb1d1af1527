#include "expressions/attribute_names.h"

namespace ddb {

bool IsValidPlaceholderKey(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (char c : key.substr(1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string CheckExpressionAttributeNames(
    const ExpressionAttributeNames& names) {
  if (names.empty()) return "ExpressionAttributeNames must not be empty";
  for (const auto& [key, value] : names) {
    if (!IsValidPlaceholderKey(key, '#')) {
      return "ExpressionAttributeNames contains invalid key: Syntax error; "
             "key: \"" +
             key + "\"";
    }
    if (value.empty()) {
      return "ExpressionAttributeNames contains invalid value: Empty "
             "attribute name for key " +
             key;
    }
  }
  return "";
}

std::string UnusedNamesMessage(const ExpressionAttributeNames& names,
                               const UsedNames& used) {
  std::string keys;
  for (const auto& [key, value] : names) {
    if (used.contains(key)) continue;
    if (!keys.empty()) keys += ", ";
    keys += key;
  }
  if (keys.empty()) return "";
  return "Value provided in ExpressionAttributeNames unused in expressions: "
         "keys: {" +
         keys + "}";
}

}  // namespace ddb
