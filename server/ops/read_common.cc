#include "server/ops/read_common.h"

#include <regex>
#include <set>

#include "core/api_error.h"
#include "core/json_codec.h"
#include "expressions/legacy.h"
#include "storage/key_codec.h"

namespace ddb::ops {

const std::vector<const char*> kSelectValues = {"SPECIFIC_ATTRIBUTES", "COUNT",
                                                "ALL_ATTRIBUTES",
                                                "ALL_PROJECTED_ATTRIBUTES"};

const shape::Shape* FilterConditionsShape() {
  using shape::Member;
  static const shape::Shape condition{
      shape::Kind::kStruct,
      "Condition",
      {
          Member{.name = "AttributeValueList", .shape = shape::AttributeList()},
          Member{.name = "ComparisonOperator",
                 .shape = shape::String(),
                 .not_null = true,
                 .enum_values = {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS",
                                 "EQ", "GT", "NOT_NULL", "NE", "LE",
                                 "BEGINS_WITH", "GE", "CONTAINS"}},
      }};
  static const shape::Shape conditions{
      shape::Kind::kMap, nullptr, {}, &condition};
  return &conditions;
}

std::optional<Condition> ReadLegacyFilter(const rapidjson::Value& request,
                                          const char* member) {
  const rapidjson::Value* filter = shape::Find(request, member);
  if (filter == nullptr) return std::nullopt;
  // A filter entry is an Expected entry without Value/Exists.
  return ParseExpected(*filter,
                       shape::GetString(request, "ConditionalOperator"));
}

Select ReadSelect(const rapidjson::Value& request) {
  const bool has_expression =
      shape::Find(request, "ProjectionExpression") != nullptr;
  const bool has_attributes =
      shape::Find(request, "AttributesToGet") != nullptr;
  std::optional<std::string> select = shape::GetString(request, "Select");
  if (!select) {
    return has_expression || has_attributes ? Select::kSpecific
                                            : Select::kAllAttributes;
  }
  if (*select == "SPECIFIC_ATTRIBUTES") {
    if (!has_expression && !has_attributes) {
      throw ApiError::Validation(
          "Must specify the AttributesToGet or ProjectionExpression when "
          "choosing to get SPECIFIC_ATTRIBUTES");
    }
    return Select::kSpecific;
  }
  // DynamoDB names the rejected parameter and what was chosen; COUNT reads
  // "only the Count".
  const std::string chosen =
      *select == "COUNT" ? std::string("only the Count") : *select;
  if (has_expression) {
    throw ApiError::Validation(
        "Cannot specify the ProjectionExpression when choosing to get " +
        chosen);
  }
  if (has_attributes) {
    throw ApiError::Validation(
        "Cannot specify the AttributesToGet when choosing to get " + chosen);
  }
  if (*select == "ALL_PROJECTED_ATTRIBUTES") {
    // AWS says "Querying" on a Scan too.
    if (shape::Find(request, "IndexName") == nullptr) {
      throw ApiError::Validation(
          "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
          "IndexName");
    }
    return Select::kAllProjected;
  }
  return *select == "COUNT" ? Select::kCount : Select::kAllAttributes;
}

std::optional<std::vector<DocumentPath>> ReadAttributesToGet(
    const rapidjson::Value& request) {
  const rapidjson::Value* attributes = shape::Find(request, "AttributesToGet");
  if (attributes == nullptr) return std::nullopt;
  std::vector<DocumentPath> paths;
  std::set<std::string> seen;
  for (const auto& name : attributes->GetArray()) {
    std::string text(name.GetString(), name.GetStringLength());
    if (!seen.insert(text).second) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Duplicate value in "
          "attribute name: " +
          text);
    }
    paths.push_back(DocumentPath{{PathElement::Name(std::move(text))}});
  }
  return paths;
}

std::optional<Item> ReadExclusiveStartKey(const rapidjson::Value& request) {
  const rapidjson::Value* json = shape::Find(request, "ExclusiveStartKey");
  if (json == nullptr) return std::nullopt;
  Item key;
  std::string error = DecodeItem(*json, &key);
  if (!error.empty()) {
    // DynamoDB leaves the prefix off its number and set messages.
    static const std::regex kBare(
        "contains duplicates|number set|numeric value|significant "
        "digits|number with magnitude");
    if (!std::regex_search(error, kBare)) {
      error = "The provided starting key is invalid: " + error;
    }
    throw ApiError::Validation(error);
  }
  return key;
}

void RejectIndexName(const rapidjson::Value& request) {
  if (std::optional<std::string> index =
          shape::GetString(request, "IndexName")) {
    throw ApiError::Validation("The table does not have the specified index: " +
                               *index);
  }
}

void ValidateStartKey(const TableDef& table, const Item& key) {
  try {
    ValidateKey(table, key);
  } catch (const ApiError& error) {
    throw ApiError::Validation("The provided starting key is invalid: " +
                               error.message());
  }
}

namespace {

void CollectOperandNames(const Operand& operand,
                         std::vector<std::string>* out) {
  if (operand.kind == Operand::Kind::kPath && !operand.path.elements.empty() &&
      !operand.path.elements[0].is_index()) {
    out->push_back(operand.path.elements[0].name);
  }
  for (const Operand& arg : operand.args) CollectOperandNames(arg, out);
}

}  // namespace

std::vector<std::string> ConditionAttributeNames(const Condition& condition) {
  std::vector<std::string> names;
  for (const Operand& operand : condition.operands) {
    CollectOperandNames(operand, &names);
  }
  for (const Condition& child : condition.children) {
    for (std::string& name : ConditionAttributeNames(child)) {
      names.push_back(std::move(name));
    }
  }
  return names;
}

std::string RunPage(const Txn& txn, const TableDef& table, RangeScan& scan,
                    const ReadRequest& request) {
  scan.limit = static_cast<size_t>(request.limit);
  if (request.exclusive_start_key) {
    scan.start_after = EncodeItemKey(table, *request.exclusive_start_key);
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  const bool write_items = request.select != Select::kCount;
  if (write_items) {
    writer.Key("Items");
    writer.StartArray();
  }
  size_t count = 0;
  // Only the last item read's key is kept: memory stays bounded by the page
  // being written, not by what was read.
  Item last_key;
  RangeScanResult result = ReadRange(txn, scan, [&](const Item& item) {
    last_key = ExtractKey(table, item);
    if (request.filter && !EvaluateCondition(*request.filter, item)) return;
    ++count;
    if (!write_items) return;
    if (request.projection) {
      WriteItem(request.projection->Apply(item), writer);
    } else {
      WriteItem(item, writer);
    }
  });
  if (write_items) writer.EndArray();
  writer.Key("Count");
  writer.Uint64(count);
  writer.Key("ScannedCount");
  writer.Uint64(result.scanned);
  if (result.stopped_early)
    WriteItemMember(writer, "LastEvaluatedKey", last_key);
  WriteConsumedCapacity(writer, request.capacity, request.table_name,
                        ReadUnits(result.bytes_read, request.consistent));
  writer.EndObject();
  return buffer.GetString();
}

}  // namespace ddb::ops
