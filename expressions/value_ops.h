// Operations on attribute values that every expression evaluator shares:
// DynamoDB's equality and ordering, document path lookup, and the type and
// value renderings its error messages use.
#pragma once

#include <optional>
#include <string>

#include "core/attribute_value.h"
#include "expressions/document_path.h"

namespace ddb {

// DynamoDB's equality: values of different types are never equal; numbers
// compare numerically (1 = 1.0); sets compare as sets (order ignored); lists
// element by element; maps member by member.
bool ValuesEqual(const AttributeValue& a, const AttributeValue& b);

// Ordering for <, <=, >, >= and BETWEEN: defined only for two values of the
// same scalar type S, N or B (strings and binary by unsigned bytes, numbers
// numerically). Returns nullopt when the values are not ordered, which makes
// every ordering comparison false.
std::optional<int> CompareOrdered(const AttributeValue& a,
                                  const AttributeValue& b);

// The value `path` names inside `item`, or null when any step is missing or
// walks into a value of the wrong type (a name into a list, an index into a
// map or a scalar).
const AttributeValue* FindPath(const Item& item, const DocumentPath& path);
AttributeValue* FindPath(Item& item, const DocumentPath& path);

// "AttributeValue: {N:5}", the rendering of a constant in DynamoDB's BETWEEN
// messages.
std::string DescribeValue(const AttributeValue& value);

// True for SS, NS and BS.
bool IsSetType(AttrType type);

}  // namespace ddb
