// KeyConditionExpression: which items of one partition a Query reads.
//
// How Query uses it (in DynamoDB's order):
//   1. Condition c = ParseCondition(text, inputs.Context(
//          "KeyConditionExpression"));  // syntax, names, values
//      ... resolve FilterExpression and ProjectionExpression, then report
//      unused names and values ...
//   2. std::vector<KeyConditionTerm> terms = ExtractKeyConditions(c);
//      // the shape rules: only AND of =, <, <=, >, >=, BETWEEN, begins_with
//      // on top-level attributes, one condition per attribute
//   3. KeyRange range = BuildKeyRange(terms, schema_of_table_or_index);
//      // the terms against the key schema
//   4. Scan the partition range.hash from the sort bound range.sort
//      describes (none: the whole partition).
// The legacy KeyConditions parameter can be turned into terms directly and
// enter at step 3.
// Every step throws ApiError(ValidationException) with DynamoDB's message;
// steps 2 and 3 have no "Invalid KeyConditionExpression: " prefix, as in
// DynamoDB.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/condition.h"

namespace ddb {

struct KeyConditionTerm {
  enum class Op : uint8_t { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };

  std::string attribute;  // a top-level attribute name
  Op op = Op::kEq;
  // kBetween: [low, high]; the rest: [operand]. For comparisons written
  // value-first (":v < sk") the operator is mirrored (sk > :v).
  std::vector<AttributeValue> values;

  // The legacy ComparisonOperator name ("EQ", "BETWEEN", ...).
  const char* OperatorName() const;
};

// Step 2. Messages: "Invalid operator used in KeyConditionExpression: OR"
// (also NOT, IN, <>, attribute_exists, attribute_not_exists,
// attribute_type, contains), "KeyConditionExpressions cannot contain nested
// operations" (size), "Invalid condition in KeyConditionExpression: BETWEEN
// operator must have the key attribute as its first operand" (and
// begins_with), "Invalid condition in KeyConditionExpression: Multiple
// attribute names used in one condition", "KeyConditionExpressions cannot
// have conditions on nested attributes", "Invalid condition in
// KeyConditionExpression: No key attribute specified",
// "KeyConditionExpressions must only contain one condition per key", and
// then "One or more parameter values were invalid: ComparisonOperator
// BEGINS_WITH is not valid for N AttributeValue type".
std::vector<KeyConditionTerm> ExtractKeyConditions(const Condition& condition);

// The key schema a Query reads by: the table's or an index's.
struct KeySchemaView {
  std::string hash_name;
  AttrType hash_type = AttrType::kS;
  std::optional<std::string> range_name;
  AttrType range_type = AttrType::kS;
};

struct KeyRange {
  AttributeValue hash;                   // the partition key's value
  std::optional<KeyConditionTerm> sort;  // null: the whole partition
};

// Step 3. Messages: "Conditions can be of length 1 or 2 only", "Query key
// condition not supported", "Query condition missed key schema element: pk",
// "One or more parameter values were invalid: Condition parameter type does
// not match schema type".
KeyRange BuildKeyRange(const std::vector<KeyConditionTerm>& terms,
                       const KeySchemaView& schema);

}  // namespace ddb
