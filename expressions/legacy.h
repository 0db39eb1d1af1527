// The legacy (pre-expression) parameters, mapped onto the same resolved
// forms the expression languages produce, so one evaluator serves both:
//   Expected + ConditionalOperator  -> Condition
//   AttributeUpdates                -> Update
// (AttributesToGet is a list of top-level names; GetItem maps it directly.)
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "expressions/condition.h"
#include "expressions/update.h"

namespace ddb {

// The Expected map (REQUIRES: it passed the request shape's type checks),
// validated with DynamoDB's messages, in its order, per attribute:
//   "One or more parameter values were invalid: Value and AttributeValueList
//    cannot be used together for Attribute: a", "... Exists and
//    ComparisonOperator cannot be used together ...", "... Value or
//    AttributeValueList must be used with ComparisonOperator: EQ for
//    Attribute: a", "... Invalid number of argument(s) for the EQ
//    ComparisonOperator", "... AttributeValues inside AttributeValueList must
//    be of same type", "The BETWEEN condition was provided a range where the
//    lower bound is greater than the upper bound", "... AttributeValueList
//    can only be used with a ComparisonOperator for Attribute: a", "... Value
//    must be provided when Exists is null for Attribute: a", "... Value
//    cannot be used when Exists is false for Attribute: a".
// The conditions are joined by `conditional_operator` ("AND" when absent);
// an empty map asks for nothing (nullopt). Throws
// ApiError(ValidationException).
std::optional<Condition> ParseExpected(
    const rapidjson::Value& expected,
    const std::optional<std::string>& conditional_operator);

// The AttributeUpdates map (REQUIRES: type-checked), validated:
//   "One or more parameter values were invalid: Only DELETE action is
//    allowed when no attribute value is specified", "... DELETE action with
//    value is not supported for the type N", "... ADD action is not
//    supported for the type S".
// PUT becomes SET, DELETE without a value REMOVE; ADD and DELETE keep their
// legacy behaviour (ADD appends lists). Throws ApiError.
Update ParseAttributeUpdates(const rapidjson::Value& updates);

}  // namespace ddb
