// Evaluation of resolved conditions (see condition.h) with DynamoDB's
// comparison semantics (Developer Guide, "Comparison operator and function
// reference").
#include <algorithm>

#include "expressions/condition.h"
#include "expressions/value_ops.h"

namespace ddb {
namespace {

// Java strings count UTF-16 code units, and DynamoDB's size() of a string
// follows them: characters outside the BMP count twice.
size_t Utf16Length(const std::string& text) {
  size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

// The value of `operand` for `item`: null when a path is missing or size()
// has nothing to measure. `scratch` holds computed values.
const AttributeValue* Evaluate(const Operand& operand, const Item& item,
                               AttributeValue* scratch) {
  switch (operand.kind) {
    case Operand::Kind::kValue:
      return &operand.value;
    case Operand::Kind::kPath:
      return FindPath(item, operand.path);
    case Operand::Kind::kSize: {
      AttributeValue inner_scratch;
      const AttributeValue* value =
          Evaluate(operand.args[0], item, &inner_scratch);
      if (value == nullptr) return nullptr;
      size_t size = 0;
      switch (value->type) {
        case AttrType::kS:
          size = Utf16Length(value->scalar);
          break;
        case AttrType::kB:
          size = value->scalar.size();
          break;
        case AttrType::kSS:
        case AttrType::kNS:
        case AttrType::kBS:
          size = value->set.size();
          break;
        case AttrType::kL:
          size = value->list.size();
          break;
        case AttrType::kM:
          size = value->map.size();
          break;
        default:
          // size() of a number, boolean or null is no value at all, so any
          // comparison with it is false.
          return nullptr;
      }
      *scratch = AttributeValue::Number(std::to_string(size));
      return scratch;
    }
  }
  return nullptr;
}

bool Compare(Comparator comparator, const AttributeValue* left,
             const AttributeValue* right) {
  if (comparator == Comparator::kNe) {
    // A missing attribute differs from every value: "a <> :v" holds when a
    // is absent.
    if (left == nullptr || right == nullptr) return left != right;
    return !ValuesEqual(*left, *right);
  }
  if (left == nullptr || right == nullptr) return false;
  if (comparator == Comparator::kEq) return ValuesEqual(*left, *right);
  std::optional<int> order = CompareOrdered(*left, *right);
  if (!order) return false;
  switch (comparator) {
    case Comparator::kLt:
      return *order < 0;
    case Comparator::kLe:
      return *order <= 0;
    case Comparator::kGt:
      return *order > 0;
    case Comparator::kGe:
      return *order >= 0;
    default:
      return false;
  }
}

bool BeginsWith(const AttributeValue& value, const AttributeValue& prefix) {
  if (value.type != prefix.type) return false;
  if (value.type != AttrType::kS && value.type != AttrType::kB) return false;
  return value.scalar.starts_with(prefix.scalar);
}

bool Contains(const AttributeValue& container, const AttributeValue& operand) {
  switch (container.type) {
    case AttrType::kS:
    case AttrType::kB:
      // A substring (or byte sequence) of the same type.
      return operand.type == container.type &&
             container.scalar.find(operand.scalar) != std::string::npos;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      // An element of the set's own element type.
      const AttrType element = container.type == AttrType::kSS   ? AttrType::kS
                               : container.type == AttrType::kNS ? AttrType::kN
                                                                 : AttrType::kB;
      if (operand.type != element) return false;
      AttributeValue member;
      member.type = element;
      for (const std::string& text : container.set) {
        member.scalar = text;
        if (ValuesEqual(member, operand)) return true;
      }
      return false;
    }
    case AttrType::kL:
      // An element equal to the operand, of any type.
      return std::any_of(
          container.list.begin(), container.list.end(),
          [&](const AttributeValue& e) { return ValuesEqual(e, operand); });
    default:
      return false;
  }
}

}  // namespace

bool EvaluateCondition(const Condition& condition, const Item& item) {
  switch (condition.kind) {
    case Condition::Kind::kAnd:
      return EvaluateCondition(condition.children[0], item) &&
             EvaluateCondition(condition.children[1], item);
    case Condition::Kind::kOr:
      return EvaluateCondition(condition.children[0], item) ||
             EvaluateCondition(condition.children[1], item);
    case Condition::Kind::kNot:
      return !EvaluateCondition(condition.children[0], item);
    default:
      break;
  }
  const std::vector<Operand>& operands = condition.operands;
  AttributeValue scratch0, scratch1, scratch2;
  const AttributeValue* first = Evaluate(operands[0], item, &scratch0);
  switch (condition.kind) {
    case Condition::Kind::kAttributeExists:
      return first != nullptr;
    case Condition::Kind::kAttributeNotExists:
      return first == nullptr;
    case Condition::Kind::kCompare:
      return Compare(condition.comparator, first,
                     Evaluate(operands[1], item, &scratch1));
    case Condition::Kind::kBetween: {
      const AttributeValue* low = Evaluate(operands[1], item, &scratch1);
      const AttributeValue* high = Evaluate(operands[2], item, &scratch2);
      return Compare(Comparator::kGe, first, low) &&
             Compare(Comparator::kLe, first, high);
    }
    case Condition::Kind::kIn:
      if (first == nullptr) return false;
      for (size_t i = 1; i < operands.size(); ++i) {
        const AttributeValue* candidate =
            Evaluate(operands[i], item, &scratch1);
        if (candidate != nullptr && ValuesEqual(*first, *candidate)) {
          return true;
        }
      }
      return false;
    case Condition::Kind::kAttributeType: {
      const AttributeValue* type = Evaluate(operands[1], item, &scratch1);
      return first != nullptr && type != nullptr &&
             type->type == AttrType::kS &&
             type->scalar == AttrTypeName(first->type);
    }
    case Condition::Kind::kBeginsWith: {
      const AttributeValue* prefix = Evaluate(operands[1], item, &scratch1);
      return first != nullptr && prefix != nullptr &&
             BeginsWith(*first, *prefix);
    }
    case Condition::Kind::kContains: {
      const AttributeValue* operand = Evaluate(operands[1], item, &scratch1);
      return first != nullptr && operand != nullptr &&
             Contains(*first, *operand);
    }
    default:
      return false;
  }
}

}  // namespace ddb
