#include "expressions/key_condition.h"

#include "core/api_error.h"

namespace ddb {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  throw ApiError::Validation(message);
}

[[noreturn]] void FailOperator(const std::string& name) {
  Fail("Invalid operator used in KeyConditionExpression: " + name);
}

KeyConditionTerm::Op ForComparator(Comparator comparator, bool mirrored) {
  switch (comparator) {
    case Comparator::kLt:
      return mirrored ? KeyConditionTerm::Op::kGt : KeyConditionTerm::Op::kLt;
    case Comparator::kLe:
      return mirrored ? KeyConditionTerm::Op::kGe : KeyConditionTerm::Op::kLe;
    case Comparator::kGt:
      return mirrored ? KeyConditionTerm::Op::kLt : KeyConditionTerm::Op::kGt;
    case Comparator::kGe:
      return mirrored ? KeyConditionTerm::Op::kLe : KeyConditionTerm::Op::kGe;
    default:
      return KeyConditionTerm::Op::kEq;
  }
}

void Collect(const Condition& condition, std::vector<KeyConditionTerm>* out) {
  using Kind = Condition::Kind;
  switch (condition.kind) {
    case Kind::kAnd:
      Collect(condition.children[0], out);
      Collect(condition.children[1], out);
      return;
    case Kind::kOr:
      FailOperator("OR");
    case Kind::kNot:
      FailOperator("NOT");
    case Kind::kIn:
      FailOperator("IN");
    case Kind::kAttributeExists:
      FailOperator("attribute_exists");
    case Kind::kAttributeNotExists:
      FailOperator("attribute_not_exists");
    case Kind::kAttributeType:
      FailOperator("attribute_type");
    case Kind::kContains:
      FailOperator("contains");
    default:
      break;
  }
  if (condition.kind == Kind::kCompare &&
      condition.comparator == Comparator::kNe) {
    FailOperator("<>");
  }
  for (const Operand& operand : condition.operands) {
    if (operand.kind == Operand::Kind::kSize) {
      Fail("KeyConditionExpressions cannot contain nested operations");
    }
  }
  if ((condition.kind == Kind::kBetween ||
       condition.kind == Kind::kBeginsWith) &&
      condition.operands[0].kind != Operand::Kind::kPath) {
    Fail(std::string("Invalid condition in KeyConditionExpression: ") +
         (condition.kind == Kind::kBetween ? "BETWEEN" : "begins_with") +
         " operator must have the key attribute as its first operand");
  }
  const Operand* path = nullptr;
  size_t path_index = 0;
  for (size_t i = 0; i < condition.operands.size(); ++i) {
    const Operand& operand = condition.operands[i];
    if (operand.kind != Operand::Kind::kPath) continue;
    if (path != nullptr) {
      Fail(
          "Invalid condition in KeyConditionExpression: Multiple attribute "
          "names used in one condition");
    }
    if (operand.path.elements.size() > 1) {
      Fail(
          "KeyConditionExpressions cannot have conditions on nested "
          "attributes");
    }
    path = &operand;
    path_index = i;
  }
  if (path == nullptr) {
    Fail(
        "Invalid condition in KeyConditionExpression: No key attribute "
        "specified");
  }
  KeyConditionTerm term;
  term.attribute = path->path.elements[0].name;
  for (const KeyConditionTerm& other : *out) {
    if (other.attribute == term.attribute) {
      Fail("KeyConditionExpressions must only contain one condition per key");
    }
  }
  for (size_t i = 0; i < condition.operands.size(); ++i) {
    if (i != path_index) term.values.push_back(condition.operands[i].value);
  }
  switch (condition.kind) {
    case Kind::kBetween:
      term.op = KeyConditionTerm::Op::kBetween;
      break;
    case Kind::kBeginsWith:
      term.op = KeyConditionTerm::Op::kBeginsWith;
      break;
    default:
      term.op = ForComparator(condition.comparator, path_index != 0);
      break;
  }
  out->push_back(std::move(term));
}

bool TypeAllowed(KeyConditionTerm::Op op, AttrType type) {
  if (op == KeyConditionTerm::Op::kBeginsWith) {
    return type == AttrType::kS || type == AttrType::kB;
  }
  return type == AttrType::kS || type == AttrType::kN || type == AttrType::kB;
}

}  // namespace

const char* KeyConditionTerm::OperatorName() const {
  switch (op) {
    case Op::kEq:
      return "EQ";
    case Op::kLt:
      return "LT";
    case Op::kLe:
      return "LE";
    case Op::kGt:
      return "GT";
    case Op::kGe:
      return "GE";
    case Op::kBetween:
      return "BETWEEN";
    case Op::kBeginsWith:
      return "BEGINS_WITH";
  }
  return "EQ";
}

std::vector<KeyConditionTerm> ExtractKeyConditions(const Condition& condition) {
  std::vector<KeyConditionTerm> terms;
  Collect(condition, &terms);
  for (const KeyConditionTerm& term : terms) {
    for (const AttributeValue& value : term.values) {
      if (!TypeAllowed(term.op, value.type)) {
        Fail(std::string("One or more parameter values were invalid: "
                         "ComparisonOperator ") +
             term.OperatorName() + " is not valid for " +
             AttrTypeName(value.type) + " AttributeValue type");
      }
    }
  }
  return terms;
}

KeyRange BuildKeyRange(const std::vector<KeyConditionTerm>& terms,
                       const KeySchemaView& schema) {
  if (terms.empty() || terms.size() > 2) {
    Fail("Conditions can be of length 1 or 2 only");
  }
  if (!schema.range_name && terms.size() > 1) {
    Fail("Query key condition not supported");
  }
  const KeyConditionTerm* hash = nullptr;
  const KeyConditionTerm* range = nullptr;
  for (const KeyConditionTerm& term : terms) {
    if (term.attribute == schema.hash_name) hash = &term;
    if (schema.range_name && term.attribute == *schema.range_name) {
      range = &term;
    }
  }
  if (hash == nullptr) {
    Fail("Query condition missed key schema element: " + schema.hash_name);
  }
  auto check_type = [](const KeyConditionTerm& term, AttrType type) {
    for (const AttributeValue& value : term.values) {
      if (value.type != type) {
        Fail(
            "One or more parameter values were invalid: Condition parameter "
            "type does not match schema type");
      }
    }
  };
  check_type(*hash, schema.hash_type);
  if (hash->op != KeyConditionTerm::Op::kEq) {
    Fail("Query key condition not supported");
  }
  if (terms.size() == 2 && range == nullptr) {
    Fail("Query condition missed key schema element: " + *schema.range_name);
  }
  KeyRange result;
  result.hash = hash->values[0];
  if (range != nullptr) {
    check_type(*range, schema.range_type);
    result.sort = *range;
  }
  return result;
}

}  // namespace ddb
