// Operands, the leaves every condition and update value is built from: a
// document path, a :value placeholder, or a function call. Parsed form
// (request-independent, cacheable) and resolved form (names and values
// substituted) live side by side so both grammars share one parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/attribute_names.h"
#include "expressions/attribute_values.h"
#include "expressions/document_path.h"
#include "expressions/lexer.h"

namespace ddb {

struct OperandAst {
  enum class Kind : uint8_t { kPath, kValue, kFunction };

  Kind kind = Kind::kPath;
  PathAst path;                  // kPath
  std::string name;              // kValue: ":v"; kFunction: the name as written
  std::vector<OperandAst> args;  // kFunction
};

// Parses
//   operand := function '(' operand (',' operand)* ')' | path | :value
// where a function is an identifier directly followed by '('. Function names
// are not checked here: each language has its own list.
OperandAst ParseOperand(TokenCursor& cursor);

// Calls `fn` on every path of `operand` (inside function arguments too), in
// source order.
template <typename Fn>
void ForEachPath(const OperandAst& operand, Fn&& fn) {
  if (operand.kind == OperandAst::Kind::kPath) fn(operand.path);
  for (const OperandAst& arg : operand.args) ForEachPath(arg, fn);
}

// Resolution context for one expression of one request.
struct ResolveContext {
  std::string_view parameter;               // "ConditionExpression", ...
  const ExpressionAttributeNames* names;    // null when the request had none
  const ExpressionAttributeValues* values;  // null when the request had none
  UsedNames* used_names;                    // may be null
  UsedValues* used_values;                  // may be null
};

// The value a :placeholder stands for, recording its use. Throws "Invalid
// <parameter>: An expression attribute value used in expression is not
// defined; attribute value: :v".
const AttributeValue& ResolveValue(const std::string& placeholder,
                                   const ResolveContext& context);

// The wire name of a value's type ("S", "NS", ...), as DynamoDB's operand
// type messages in conditions print it.
inline std::string TypeLetters(const AttributeValue& value) {
  return AttrTypeName(value.type);
}

}  // namespace ddb
