#include "expressions/legacy.h"

#include <cctype>
#include <utility>

#include "core/api_error.h"
#include "core/json_codec.h"
#include "expressions/value_ops.h"

namespace ddb {
namespace {

constexpr std::string_view kInvalid =
    "One or more parameter values were invalid: ";

[[noreturn]] void Fail(std::string_view detail) {
  throw ApiError::Validation(std::string(kInvalid) + std::string(detail));
}

const rapidjson::Value* Member(const rapidjson::Value& object,
                               const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

AttributeValue DecodeValue(const rapidjson::Value& json) {
  AttributeValue value;
  std::string problem = DecodeAttributeValue(json, &value);
  if (!problem.empty()) throw ApiError::Validation(problem);
  return value;
}

std::optional<bool> ReadBool(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = Member(object, name);
  if (value == nullptr) return std::nullopt;
  if (value->IsBool()) return value->GetBool();
  // The shape layer accepts DynamoDB's string spellings of booleans.
  std::string text;
  for (char c :
       std::string_view(value->GetString(), value->GetStringLength())) {
    text.push_back(
        static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return text == "TRUE" || text == "1" || text == "YES";
}

Operand PathOperand(const std::string& name) {
  Operand operand;
  operand.kind = Operand::Kind::kPath;
  operand.path.elements.push_back(PathElement::Name(name));
  return operand;
}

Operand ValueOperand(AttributeValue value) {
  Operand operand;
  operand.kind = Operand::Kind::kValue;
  operand.value = std::move(value);
  return operand;
}

// How many values each ComparisonOperator takes: exact, or at least one.
bool ValidCount(std::string_view op, size_t count) {
  if (op == "NULL" || op == "NOT_NULL") return count == 0;
  if (op == "IN") return count > 0;
  if (op == "BETWEEN") return count == 2;
  return count == 1;
}

Condition Leaf(Condition::Kind kind, const std::string& name,
               std::vector<AttributeValue> values) {
  Condition condition;
  condition.kind = kind;
  condition.operands.push_back(PathOperand(name));
  for (AttributeValue& value : values) {
    condition.operands.push_back(ValueOperand(std::move(value)));
  }
  return condition;
}

Condition Comparison(Comparator comparator, const std::string& name,
                     std::vector<AttributeValue> values) {
  Condition condition =
      Leaf(Condition::Kind::kCompare, name, std::move(values));
  condition.comparator = comparator;
  return condition;
}

Condition Negate(Condition inner) {
  Condition condition;
  condition.kind = Condition::Kind::kNot;
  condition.children.push_back(std::move(inner));
  return condition;
}

Condition ForOperator(std::string_view op, const std::string& name,
                      std::vector<AttributeValue> values) {
  if (op == "EQ") return Comparison(Comparator::kEq, name, std::move(values));
  if (op == "NE") return Comparison(Comparator::kNe, name, std::move(values));
  if (op == "LT") return Comparison(Comparator::kLt, name, std::move(values));
  if (op == "LE") return Comparison(Comparator::kLe, name, std::move(values));
  if (op == "GT") return Comparison(Comparator::kGt, name, std::move(values));
  if (op == "GE") return Comparison(Comparator::kGe, name, std::move(values));
  if (op == "NULL") return Leaf(Condition::Kind::kAttributeNotExists, name, {});
  if (op == "NOT_NULL")
    return Leaf(Condition::Kind::kAttributeExists, name, {});
  if (op == "CONTAINS") {
    return Leaf(Condition::Kind::kContains, name, std::move(values));
  }
  if (op == "NOT_CONTAINS") {
    return Negate(Leaf(Condition::Kind::kContains, name, std::move(values)));
  }
  if (op == "BEGINS_WITH") {
    return Leaf(Condition::Kind::kBeginsWith, name, std::move(values));
  }
  if (op == "IN") return Leaf(Condition::Kind::kIn, name, std::move(values));
  return Leaf(Condition::Kind::kBetween, name, std::move(values));
}

Condition ParseOne(const std::string& name, const rapidjson::Value& entry) {
  const rapidjson::Value* list = Member(entry, "AttributeValueList");
  const rapidjson::Value* value = Member(entry, "Value");
  const rapidjson::Value* op_json = Member(entry, "ComparisonOperator");
  std::optional<bool> exists = ReadBool(entry, "Exists");
  if (list != nullptr && value != nullptr) {
    Fail(
        "Value and AttributeValueList cannot be used together for "
        "Attribute: " +
        name);
  }
  if (op_json != nullptr) {
    std::string op(op_json->GetString(), op_json->GetStringLength());
    if (exists) {
      Fail(
          "Exists and ComparisonOperator cannot be used together for "
          "Attribute: " +
          name);
    }
    if (op != "NULL" && op != "NOT_NULL" && list == nullptr &&
        value == nullptr) {
      Fail(
          "Value or AttributeValueList must be used with ComparisonOperator: " +
          op + " for Attribute: " + name);
    }
    std::vector<AttributeValue> values;
    if (list != nullptr) {
      for (const rapidjson::Value& element : list->GetArray()) {
        values.push_back(DecodeValue(element));
      }
    } else if (value != nullptr) {
      values.push_back(DecodeValue(*value));
    }
    if (!ValidCount(op, values.size())) {
      Fail("Invalid number of argument(s) for the " + op +
           " ComparisonOperator");
    }
    for (const AttributeValue& v : values) {
      if (v.type != values[0].type) {
        Fail("AttributeValues inside AttributeValueList must be of same type");
      }
    }
    if (op == "BETWEEN") {
      std::optional<int> order = CompareOrdered(values[0], values[1]);
      if (order && *order > 0) {
        throw ApiError::Validation(
            "The BETWEEN condition was provided a range where the lower "
            "bound is greater than the upper bound");
      }
    }
    return ForOperator(op, name, std::move(values));
  }
  if (list != nullptr) {
    Fail(
        "AttributeValueList can only be used with a ComparisonOperator for "
        "Attribute: " +
        name);
  }
  const bool must_exist = exists.value_or(true);
  if (must_exist && value == nullptr) {
    Fail(std::string("Value must be provided when Exists is ") +
         (exists ? "true" : "null") + " for Attribute: " + name);
  }
  if (!must_exist && value != nullptr) {
    Fail("Value cannot be used when Exists is false for Attribute: " + name);
  }
  if (!must_exist) return Leaf(Condition::Kind::kAttributeNotExists, name, {});
  std::vector<AttributeValue> values;
  values.push_back(DecodeValue(*value));
  return Comparison(Comparator::kEq, name, std::move(values));
}

}  // namespace

std::optional<Condition> ParseExpected(
    const rapidjson::Value& expected,
    const std::optional<std::string>& conditional_operator) {
  const Condition::Kind join = conditional_operator == "OR"
                                   ? Condition::Kind::kOr
                                   : Condition::Kind::kAnd;
  std::optional<Condition> result;
  for (const auto& member : expected.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    Condition condition = ParseOne(name, member.value);
    if (!result) {
      result = std::move(condition);
      continue;
    }
    Condition joined;
    joined.kind = join;
    joined.children.push_back(std::move(*result));
    joined.children.push_back(std::move(condition));
    result = std::move(joined);
  }
  return result;
}

Update ParseAttributeUpdates(const rapidjson::Value& updates) {
  Update update;
  for (const auto& member : updates.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    const rapidjson::Value* value_json = Member(member.value, "Value");
    const rapidjson::Value* action_json = Member(member.value, "Action");
    std::string action_name = action_json != nullptr
                                  ? std::string(action_json->GetString(),
                                                action_json->GetStringLength())
                                  : "PUT";
    std::optional<AttributeValue> value;
    if (value_json != nullptr) value = DecodeValue(*value_json);
    if (!value && action_name != "DELETE") {
      Fail(
          "Only DELETE action is allowed when no attribute value is "
          "specified");
    }
    if (value && action_name == "DELETE" && !IsSetType(value->type)) {
      Fail(std::string("DELETE action with value is not supported for the "
                       "type ") +
           AttrTypeName(value->type));
    }
    if (value && action_name == "ADD" && !IsSetType(value->type) &&
        value->type != AttrType::kN && value->type != AttrType::kL) {
      Fail(std::string("ADD action is not supported for the type ") +
           AttrTypeName(value->type));
    }
    UpdateAction action;
    action.legacy = true;
    action.path.elements.push_back(PathElement::Name(name));
    if (action_name == "PUT") {
      action.kind = UpdateAction::Kind::kSet;
      action.value.kind = UpdateValue::Kind::kValue;
      action.value.value = std::move(*value);
    } else if (action_name == "ADD") {
      action.kind = UpdateAction::Kind::kAdd;
      action.operand = std::move(*value);
    } else if (value) {
      action.kind = UpdateAction::Kind::kDelete;
      action.operand = std::move(*value);
    } else {
      action.kind = UpdateAction::Kind::kRemove;
    }
    update.actions.push_back(std::move(action));
  }
  return update;
}

}  // namespace ddb
