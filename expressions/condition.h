// ConditionExpression, FilterExpression (and the parse of
// KeyConditionExpression): parse to an immutable ConditionAst, resolve it
// against one request's names and values into a Condition, evaluate that
// against items.
//
// Grammar (DynamoDB Developer Guide, "Comparison operator and function
// reference"; NOT binds tighter than AND, AND tighter than OR):
//   condition  := or
//   or         := and (OR and)*
//   and        := not (AND not)*
//   not        := NOT not | primary
//   primary    := '(' condition ')'
//               | operand comparator operand
//               | operand BETWEEN operand AND operand
//               | operand IN '(' operand (',' operand)* ')'
//               | function '(' operand (',' operand)* ')'
//   comparator := = | <> | < | <= | > | >=
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/operand.h"

namespace ddb {

enum class Comparator : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// "=", "<>", ...
const char* ComparatorText(Comparator comparator);

struct ConditionAst {
  enum class Kind : uint8_t {
    kCompare,
    kBetween,
    kIn,
    kFunction,
    kAnd,
    kOr,
    kNot
  };

  Kind kind = Kind::kCompare;
  Comparator comparator = Comparator::kEq;  // kCompare
  // kCompare: [left, right]; kBetween: [subject, low, high]; kIn: [subject,
  // candidates...]; kFunction: [the call].
  std::vector<OperandAst> operands;
  std::vector<ConditionAst> children;  // kAnd, kOr: 2; kNot: 1
};

// The most operands IN accepts, and the most operators one expression may
// hold (Developer Guide, "Expression parameters" limits).
inline constexpr size_t kMaxInOperands = 100;
inline constexpr size_t kMaxOperators = 300;

// Phase 1: everything request-independent, in DynamoDB's order: size (4 KB),
// empty, syntax, then redundant parentheses, unknown functions, functions
// used where a value is needed, reserved words, list index range and path
// depth, operator count. `parameter` names the request member
// ("ConditionExpression", "FilterExpression", "KeyConditionExpression").
// Throws ApiError(ValidationException, "Invalid <parameter>: ...").
std::shared_ptr<const ConditionAst> ParseConditionAst(
    std::string_view expression, std::string_view parameter);

// A resolved operand: a path, a constant, or size(operand).
struct Operand {
  enum class Kind : uint8_t { kPath, kValue, kSize };

  Kind kind = Kind::kPath;
  DocumentPath path;          // kPath
  AttributeValue value;       // kValue
  std::vector<Operand> args;  // kSize: its one argument
};

struct Condition {
  enum class Kind : uint8_t {
    kCompare,
    kBetween,
    kIn,
    kAttributeExists,
    kAttributeNotExists,
    kAttributeType,
    kBeginsWith,
    kContains,
    kAnd,
    kOr,
    kNot,
  };

  Kind kind = Kind::kCompare;
  Comparator comparator = Comparator::kEq;
  std::vector<Operand> operands;    // as in ConditionAst; functions: args
  std::vector<Condition> children;  // kAnd, kOr, kNot
};

// Phase 2: substitutes #names and :values (recording their use) and applies
// the checks that need the values: undefined names and values, operand
// counts, identical operands, operand types of functions, BETWEEN bounds,
// IN's operand count.
Condition ResolveCondition(const ConditionAst& ast,
                           const ResolveContext& context);

// Phase 3: whether `item` satisfies `condition`. A missing item is the empty
// item. Never throws for any item.
bool EvaluateCondition(const Condition& condition, const Item& item);

// Phases 1 and 2 (through the parse cache).
Condition ParseCondition(std::string_view expression,
                         const ResolveContext& context);

}  // namespace ddb
