// UpdateExpression: parse to an immutable UpdateAst, resolve against one
// request's names and values into an Update, apply that to an item.
//
// Grammar (Developer Guide, "Update expressions"); clause keywords ignore
// case and each clause appears at most once, in any order:
//   update     := clause+
//   clause     := SET set_action (',' set_action)*
//               | REMOVE path (',' path)*
//               | ADD path :value (',' path :value)*
//               | DELETE path :value (',' path :value)*
//   set_action := path '=' value
//   value      := operand | operand '+' operand | operand '-' operand
//   operand    := path | :value | if_not_exists(path, operand)
//               | list_append(operand, operand)
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/operand.h"

namespace ddb {

struct UpdateActionAst {
  enum class Kind : uint8_t { kSet, kRemove, kAdd, kDelete };
  enum class Arithmetic : uint8_t { kNone, kPlus, kMinus };

  Kind kind = Kind::kSet;
  PathAst path;
  // kSet: `left`, or `left` +/- `right`. kAdd, kDelete: `left` is the
  // :value.
  OperandAst left;
  OperandAst right;
  Arithmetic arithmetic = Arithmetic::kNone;
};

struct UpdateAst {
  std::vector<UpdateActionAst> actions;  // in expression order
};

// Phase 1, request-independent, in DynamoDB's order: size, empty, syntax,
// reserved words, list index range and path depth, unknown functions, a
// clause used twice ("The \"SET\" section can only be used once in an update
// expression;"). Throws ApiError ("Invalid UpdateExpression: ...").
std::shared_ptr<const UpdateAst> ParseUpdateAst(std::string_view expression);

// A resolved SET value.
struct UpdateValue {
  enum class Kind : uint8_t {
    kPath,
    kValue,
    kIfNotExists,  // args: [path, fallback]
    kListAppend,   // args: [first, second]
    kPlus,         // args: [left, right]
    kMinus,
  };

  Kind kind = Kind::kValue;
  DocumentPath path;              // kPath
  AttributeValue value;           // kValue
  std::vector<UpdateValue> args;  // the rest
};

struct UpdateAction {
  enum class Kind : uint8_t { kSet, kRemove, kAdd, kDelete };

  Kind kind = Kind::kSet;
  DocumentPath path;
  UpdateValue value;       // kSet
  AttributeValue operand;  // kAdd, kDelete (always present for them)
  // The legacy AttributeUpdates form: ADD also appends lists, and type
  // mismatches are worded "Type mismatch for attribute to update".
  bool legacy = false;
};

struct Update {
  std::vector<UpdateAction> actions;  // in expression order
};

// Phase 2: substitutes #names, then :values (recording both), and checks, in
// DynamoDB's order: undefined names, undefined values, overlapping then
// conflicting target paths, ADD/DELETE operand types, function operand
// counts and constant operand types.
Update ResolveUpdate(const UpdateAst& ast, const ResolveContext& context);

// Phases 1 and 2 (through the parse cache).
Update ParseUpdate(std::string_view expression, const ResolveContext& context);

// The paths an update writes or removes, for ReturnValues UPDATED_OLD and
// UPDATED_NEW.
std::vector<DocumentPath> UpdatedPaths(const Update& update);

// Phase 3: applies `update` to `item` (the old item, or just the key when
// the item does not exist yet). Every SET value is computed from the item as
// it was before the update. Throws ApiError(ValidationException) with
// DynamoDB's messages ("The document path provided in the update expression
// is invalid for update", "The provided expression refers to an attribute
// that does not exist in the item", "An operand in the update expression has
// an incorrect data type", number range errors); `item` is then unspecified.
void ApplyUpdate(const Update& update, Item* item);

}  // namespace ddb
