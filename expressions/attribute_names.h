// ExpressionAttributeNames: the request's "#placeholder" -> attribute name
// map, its key rules, and the bookkeeping that finds unused entries.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace ddb {

// std::less<> lets parsers look a placeholder up by string_view.
using ExpressionAttributeNames =
    std::map<std::string, std::string, std::less<>>;

// The placeholders an expression (or all expressions of one request)
// resolved. DynamoDB rejects a request whose map has entries that no
// expression uses, so callers pass one set through every expression of a
// request and check it at the end with UnusedNamesMessage().
using UsedNames = std::set<std::string, std::less<>>;

// DynamoDB's checks of the map itself, before any expression is parsed:
//   "ExpressionAttributeNames must not be empty"
//   "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""
//     (a key must be '#' followed by one or more of [A-Za-z0-9_])
//   "ExpressionAttributeNames contains invalid value: Empty attribute name
//     for key #a"
// Returns the first problem, or "" if the map is acceptable.
std::string CheckExpressionAttributeNames(
    const ExpressionAttributeNames& names);

// True if `key` is `sigil` followed by one or more of [A-Za-z0-9_], the form
// of keys in ExpressionAttributeNames ('#') and ExpressionAttributeValues
// (':').
bool IsValidPlaceholderKey(std::string_view key, char sigil);

// "Value provided in ExpressionAttributeNames unused in expressions: keys:
// {#a, #b}" listing every entry of `names` not in `used`, or "" if all were
// used. Keys are listed in the map's (sorted) order.
std::string UnusedNamesMessage(const ExpressionAttributeNames& names,
                               const UsedNames& used);

}  // namespace ddb
