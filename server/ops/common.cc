#include "server/ops/common.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/api_error.h"
#include "expressions/legacy.h"
#include "expressions/projection.h"
#include "server/ops/index_common.h"
#include "storage/range_scan.h"

namespace ddb::ops {

const std::vector<const char*> kReturnConsumedCapacityValues = {
    "INDEXES", "TOTAL", "NONE"};

shape::Member DataTableNameMember() {
  // Since DynamoDB accepts table ARNs in data-plane calls, an empty name is
  // reported against a minimum length of 1 rather than 3.
  shape::Member member{"TableName", shape::String()};
  member.not_null = true;
  member.table_name_pattern = true;
  member.min_length = 1;
  member.max_length = 255;
  member.checked_first = true;
  return member;
}

shape::Member ControlTableNameMember() {
  shape::Member member{"TableName", shape::String()};
  member.required = true;
  member.table_name_pattern = true;
  member.min_length = 3;
  member.max_length = 255;
  member.checked_first = true;
  return member;
}

TableRef RequireTable(const Txn& txn, const OpContext& ctx,
                      const std::string& name) {
  TableRef table = txn.GetTable(ctx.ns, name);
  if (!table) throw ApiError::ResourceNotFound("Requested resource not found");
  return table;
}

Item DecodeItemOrThrow(const rapidjson::Value& json) {
  Item item;
  std::string error = DecodeItem(json, &item);
  if (!error.empty()) throw ApiError::Validation(error);
  return item;
}

namespace {

const char* KeyTypeLetter(AttrType type) { return AttrTypeName(type); }

// Empty values and sizes of one key attribute. `item_wording`: PutItem's
// message says "are not valid" where key lookups say "were invalid".
void CheckKeyValue(const KeyAttribute& attribute, const AttributeValue& value,
                   bool is_hash, bool item_wording) {
  if ((value.type == AttrType::kS || value.type == AttrType::kB) &&
      value.scalar.empty()) {
    throw ApiError::Validation(
        std::string(item_wording ? "One or more parameter values are not "
                                   "valid. "
                                 : "One or more parameter values were "
                                   "invalid: ") +
        "The AttributeValue for a key attribute cannot contain an empty " +
        (value.type == AttrType::kS ? "string" : "binary") +
        " value. Key: " + attribute.name);
  }
  if (value.type == AttrType::kN) return;
  if (is_hash && value.scalar.size() > 2048) {
    throw ApiError::Validation(
        "One or more parameter values were invalid: Size of hashkey has "
        "exceeded the maximum size limit of2048 bytes");
  }
  if (!is_hash && value.scalar.size() > 1024) {
    throw ApiError::Validation(
        "One or more parameter values were invalid: Aggregated size of all "
        "range keys has exceeded the size limit of 1024 bytes");
  }
}

}  // namespace

void ValidateKey(const TableDef& table, const Item& key) {
  const size_t expected = table.range_key ? 2 : 1;
  auto mismatch = [] {
    return ApiError::Validation(
        "The provided key element does not match the schema");
  };
  if (key.size() != expected) throw mismatch();
  auto check = [&](const KeyAttribute& attribute, bool is_hash) {
    auto it = key.find(attribute.name);
    if (it == key.end() || it->second.type != attribute.type) throw mismatch();
    CheckKeyValue(attribute, it->second, is_hash, false);
  };
  check(table.hash_key, true);
  if (table.range_key) check(*table.range_key, false);
}

void ValidateItemKey(const TableDef& table, const Item& item) {
  auto check = [&](const KeyAttribute& attribute, bool is_hash) {
    auto it = item.find(attribute.name);
    if (it == item.end()) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Missing the key " +
          attribute.name + " in the item");
    }
    if (it->second.type != attribute.type) {
      throw ApiError::Validation(
          std::string("One or more parameter values were invalid: Type "
                      "mismatch for key ") +
          attribute.name + " expected: " + KeyTypeLetter(attribute.type) +
          " actual: " + AttrTypeName(it->second.type));
    }
    CheckKeyValue(attribute, it->second, is_hash, true);
  };
  check(table.hash_key, true);
  if (table.range_key) check(*table.range_key, false);
}

Item ExtractKey(const TableDef& table, const Item& item) {
  Item key;
  key.emplace(table.hash_key.name, item.at(table.hash_key.name));
  if (table.range_key) {
    key.emplace(table.range_key->name, item.at(table.range_key->name));
  }
  return key;
}

CapacityMode ParseCapacityMode(const rapidjson::Value& request) {
  std::optional<std::string> mode =
      shape::GetString(request, "ReturnConsumedCapacity");
  if (!mode || *mode == "NONE") return CapacityMode::kNone;
  return *mode == "INDEXES" ? CapacityMode::kIndexes : CapacityMode::kTotal;
}

double WriteUnits(size_t item_bytes) {
  return std::max<double>(1.0, std::ceil(item_bytes / 1024.0));
}

double ReadUnits(size_t item_bytes, bool consistent) {
  double units = std::max<double>(1.0, std::ceil(item_bytes / 4096.0));
  return consistent ? units : units / 2;
}

void WriteConsumedCapacity(JsonWriter& writer, CapacityMode mode,
                           const std::string& table_name, double units) {
  if (mode == CapacityMode::kNone) return;
  writer.Key("ConsumedCapacity");
  writer.StartObject();
  writer.Key("TableName");
  writer.String(table_name);
  writer.Key("CapacityUnits");
  writer.Double(units);
  if (mode == CapacityMode::kIndexes) {
    writer.Key("Table");
    writer.StartObject();
    writer.Key("CapacityUnits");
    writer.Double(units);
    writer.EndObject();
  }
  writer.EndObject();
}

std::string TableArn(const TableDef& table) {
  // DynamoDB Local's fixed account id; no real account is involved.
  return "arn:aws:dynamodb:" + table.region + ":000000000000:table/" +
         table.name;
}

void ValidateIndexKeys(const TableDef& table, const Item& item) {
  for (const IndexDef& index : table.indexes) {
    for (const auto* keys : {&index.hash_keys, &index.range_keys}) {
      for (const KeyAttribute& key : *keys) {
        auto it = item.find(key.name);
        if (it == item.end()) continue;
        if (it->second.type != key.type) {
          throw ApiError::Validation(
              std::string("One or more parameter values were invalid: Type "
                          "mismatch for Index Key ") +
              key.name + " Expected: " + AttrTypeName(key.type) + " Actual: " +
              AttrTypeName(it->second.type) + " IndexName: " + index.name);
        }
        if (key.type != AttrType::kN && it->second.scalar.empty()) {
          throw ApiError::Validation(
              std::string("One or more parameter values are not valid. A "
                          "value specified for a secondary index key is not "
                          "supported. The AttributeValue for a key attribute "
                          "cannot contain an empty ") +
              (key.type == AttrType::kS ? "string" : "binary") +
              " value. IndexName: " + index.name + ", IndexKey: " + key.name);
        }
      }
    }
  }
}

void WriteProvisionedThroughput(JsonWriter& writer, int64_t read_capacity,
                                int64_t write_capacity) {
  writer.Key("ProvisionedThroughput");
  writer.StartObject();
  writer.Key("NumberOfDecreasesToday");
  writer.Int(0);
  writer.Key("ReadCapacityUnits");
  writer.Int64(read_capacity);
  writer.Key("WriteCapacityUnits");
  writer.Int64(write_capacity);
  writer.EndObject();
}

void WriteTableDescription(JsonWriter& writer, const TableDef& table,
                           const TableStats& stats, const char* status,
                           const std::vector<TableStats>& index_stats) {
  writer.StartObject();
  writer.Key("AttributeDefinitions");
  writer.StartArray();
  for (const AttributeDefinition& definition : table.attribute_definitions) {
    writer.StartObject();
    writer.Key("AttributeName");
    writer.String(definition.name);
    writer.Key("AttributeType");
    writer.String(AttrTypeName(definition.type));
    writer.EndObject();
  }
  writer.EndArray();
  if (table.pay_per_request) {
    writer.Key("BillingModeSummary");
    writer.StartObject();
    writer.Key("BillingMode");
    writer.String("PAY_PER_REQUEST");
    writer.Key("LastUpdateToPayPerRequestDateTime");
    writer.Double(table.creation_time);
    writer.EndObject();
  }
  writer.Key("CreationDateTime");
  writer.Double(table.creation_time);
  writer.Key("DeletionProtectionEnabled");
  writer.Bool(false);
  WriteGlobalIndexes(writer, table, index_stats, status);
  writer.Key("ItemCount");
  writer.Uint64(stats.item_count);
  writer.Key("KeySchema");
  writer.StartArray();
  auto key_element = [&](const KeyAttribute& attribute, const char* type) {
    writer.StartObject();
    writer.Key("AttributeName");
    writer.String(attribute.name);
    writer.Key("KeyType");
    writer.String(type);
    writer.EndObject();
  };
  key_element(table.hash_key, "HASH");
  if (table.range_key) key_element(*table.range_key, "RANGE");
  writer.EndArray();
  WriteLocalIndexes(writer, table, index_stats);
  WriteProvisionedThroughput(writer, table.read_capacity, table.write_capacity);
  writer.Key("TableArn");
  writer.String(TableArn(table));
  writer.Key("TableId");
  writer.String(table.table_uuid);
  writer.Key("TableName");
  writer.String(table.name);
  writer.Key("TableSizeBytes");
  writer.Uint64(stats.size_bytes);
  writer.Key("TableStatus");
  writer.String(status);
  writer.EndObject();
}

}  // namespace ddb::ops

namespace ddb::ops {

void CheckExpressionParams(const rapidjson::Value& request,
                           std::initializer_list<const char*> expressions,
                           std::initializer_list<const char*> legacy) {
  // Messages are built only for a request that fails: this runs on every
  // item operation.
  auto any_present = [&](std::initializer_list<const char*> names,
                         bool values_only) {
    for (const char* name : names) {
      if (values_only && std::string_view(name) == "ProjectionExpression") {
        continue;
      }
      if (shape::Find(request, name) != nullptr) return true;
    }
    return false;
  };
  auto present = [&](std::initializer_list<const char*> names) {
    std::string joined;
    for (const char* name : names) {
      if (shape::Find(request, name) == nullptr) continue;
      if (!joined.empty()) joined += ", ";
      joined += name;
    }
    return joined;
  };
  const bool uses_expressions = any_present(expressions, false);
  if (uses_expressions && any_present(legacy, false)) {
    throw ApiError::Validation(
        "Can not use both expression and non-expression parameters in the "
        "same request: Non-expression parameters: {" +
        present(legacy) + "} Expression parameters: {" + present(expressions) +
        "}");
  }
  if (!uses_expressions &&
      shape::Find(request, "ExpressionAttributeNames") != nullptr) {
    throw ApiError::Validation(
        "ExpressionAttributeNames can only be specified when using "
        "expressions");
  }
  // Values are never referenced by a ProjectionExpression.
  if (shape::Find(request, "ExpressionAttributeValues") == nullptr ||
      any_present(expressions, true)) {
    return;
  }
  std::string names;
  size_t count = 0;
  for (const char* name : expressions) {
    if (std::string_view(name) == "ProjectionExpression") continue;
    if (!names.empty()) names += " and ";
    names += name;
    ++count;
  }
  if (count == 0) return;
  throw ApiError::Validation(
      "ExpressionAttributeValues can only be specified when using "
      "expressions: " +
      names + (count > 1 ? " are null" : " is null"));
}

void RejectUnsupported(const rapidjson::Value& request,
                       const std::vector<const char*>& names) {
  for (const char* name : names) {
    if (shape::Find(request, name) != nullptr) {
      throw ApiError::Validation(std::string("dynalocal does not support ") +
                                 name + " yet");
    }
  }
}

void WriteItemMember(JsonWriter& writer, const char* name, const Item& item) {
  writer.Key(name);
  WriteItem(item, writer);
}

}  // namespace ddb::ops

namespace ddb::ops {

const std::vector<const char*> kReturnValuesValues = {
    "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"};
const std::vector<const char*> kConditionalOperatorValues = {"OR", "AND"};

const shape::Shape* ExpectedShape() {
  using shape::Member;
  static const shape::Shape expected_value{
      shape::Kind::kStruct,
      "ExpectedAttributeValue",
      {
          Member{.name = "AttributeValueList", .shape = shape::AttributeList()},
          Member{.name = "ComparisonOperator",
                 .shape = shape::String(),
                 .enum_values = {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS",
                                 "EQ", "GT", "NOT_NULL", "NE", "LE",
                                 "BEGINS_WITH", "GE", "CONTAINS"}},
          Member{.name = "Exists", .shape = shape::Boolean()},
          Member{.name = "Value", .shape = shape::Attribute()},
      }};
  static const shape::Shape expected{
      shape::Kind::kMap, nullptr, {}, &expected_value};
  return &expected;
}

}  // namespace ddb::ops

namespace ddb::ops {

void ExpressionInputs::CheckAllUsed() const {
  if (names) {
    std::string unused = UnusedNamesMessage(*names, used_names);
    if (!unused.empty()) throw ApiError::Validation(unused);
  }
  if (values) {
    std::string unused = UnusedValuesMessage(*values, used_values);
    if (!unused.empty()) throw ApiError::Validation(unused);
  }
}

ExpressionInputs ReadExpressionInputs(const rapidjson::Value& request) {
  ExpressionInputs inputs;
  if (const rapidjson::Value* json =
          shape::Find(request, "ExpressionAttributeNames")) {
    inputs.names.emplace();
    for (const auto& member : json->GetObject()) {
      inputs.names->emplace(
          std::string(member.name.GetString(), member.name.GetStringLength()),
          std::string(member.value.GetString(),
                      member.value.GetStringLength()));
    }
    std::string problem = CheckExpressionAttributeNames(*inputs.names);
    if (!problem.empty()) throw ApiError::Validation(problem);
  }
  if (const rapidjson::Value* json =
          shape::Find(request, "ExpressionAttributeValues")) {
    inputs.values = DecodeExpressionAttributeValues(*json);
  }
  return inputs;
}

std::optional<Condition> ReadExpected(const rapidjson::Value& request) {
  const rapidjson::Value* expected = shape::Find(request, "Expected");
  if (expected == nullptr) return std::nullopt;
  return ParseExpected(*expected,
                       shape::GetString(request, "ConditionalOperator"));
}

std::optional<Condition> ReadConditionExpression(
    const rapidjson::Value& request, ExpressionInputs& inputs) {
  std::optional<std::string> text =
      shape::GetString(request, "ConditionExpression");
  if (!text) return std::nullopt;
  return ParseCondition(*text, inputs.Context("ConditionExpression"));
}

bool ReturnOldOnConditionFailure(const rapidjson::Value& request) {
  return shape::GetString(request, "ReturnValuesOnConditionCheckFailure") ==
         "ALL_OLD";
}

void CheckWriteCondition(const std::optional<Condition>& condition,
                         const std::optional<Item>& old_item, bool return_old) {
  if (!condition) return;
  static const Item kNoItem;
  if (EvaluateCondition(*condition, old_item ? *old_item : kNoItem)) return;
  std::string item_json;
  if (return_old && old_item) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    WriteItem(*old_item, writer);
    item_json = buffer.GetString();
  }
  throw ApiError::ConditionalCheckFailed(std::move(item_json));
}

}  // namespace ddb::ops

namespace ddb::ops {

std::optional<std::vector<DocumentPath>> ReadProjectionParams(
    const rapidjson::Value& params) {
  std::optional<std::vector<DocumentPath>> projection;
  if (const rapidjson::Value* attributes =
          shape::Find(params, "AttributesToGet")) {
    std::set<std::string> seen;
    projection.emplace();
    for (const auto& name : attributes->GetArray()) {
      std::string text(name.GetString(), name.GetStringLength());
      if (!seen.insert(text).second) {
        throw ApiError::Validation(
            "One or more parameter values were invalid: Duplicate value in "
            "attribute name: " +
            text);
      }
      projection->push_back(DocumentPath{{PathElement::Name(text)}});
    }
  }
  const rapidjson::Value* names_json =
      shape::Find(params, "ExpressionAttributeNames");
  if (names_json == nullptr &&
      shape::Find(params, "ProjectionExpression") == nullptr) {
    return projection;
  }
  ExpressionAttributeNames names;
  if (names_json != nullptr) {
    for (const auto& member : names_json->GetObject()) {
      names.emplace(
          std::string(member.name.GetString(), member.name.GetStringLength()),
          std::string(member.value.GetString(),
                      member.value.GetStringLength()));
    }
    std::string problem = CheckExpressionAttributeNames(names);
    if (!problem.empty()) throw ApiError::Validation(problem);
  }
  UsedNames used;
  if (auto expression = shape::GetString(params, "ProjectionExpression")) {
    projection = ParseProjection(
        *expression, names_json != nullptr ? &names : nullptr, &used);
  }
  std::string unused = UnusedNamesMessage(names, used);
  if (!unused.empty()) throw ApiError::Validation(unused);
  return projection;
}

void CheckKeyNotUpdated(const TableDef& table, const Update& update) {
  for (const UpdateAction& action : update.actions) {
    const std::string& name = action.path.elements[0].name;
    if (name == table.hash_key.name ||
        (table.range_key && name == table.range_key->name)) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Cannot update "
          "attribute " +
          name + ". This attribute is part of the key");
    }
  }
}

}  // namespace ddb::ops

namespace ddb::ops {

bool WantsItemCollectionMetrics(const rapidjson::Value& request) {
  return shape::GetString(request, "ReturnItemCollectionMetrics")
             .value_or("NONE") == "SIZE";
}

std::optional<ItemCollectionMetrics> MeasureItemCollection(
    const Txn& txn, const TableDef& table, const Item& item) {
  const bool has_local_index =
      std::any_of(table.indexes.begin(), table.indexes.end(),
                  [](const IndexDef& index) { return !index.global; });
  if (!has_local_index) return std::nullopt;
  ItemCollectionMetrics metrics;
  metrics.key_name = table.hash_key.name;
  metrics.key_value = item.at(table.hash_key.name);
  RangeScan scan = PartitionQuery(table, metrics.key_value, std::nullopt);
  scan.byte_budget = SIZE_MAX;  // the whole collection
  RangeScanResult result = ReadRange(txn, scan, [](const Item&) {});
  metrics.size_gb = result.bytes_read / (1024.0 * 1024.0 * 1024.0);
  return metrics;
}

void WriteItemCollectionMetrics(
    JsonWriter& writer, const std::optional<ItemCollectionMetrics>& metrics) {
  if (!metrics) return;
  writer.Key("ItemCollectionMetrics");
  writer.StartObject();
  writer.Key("ItemCollectionKey");
  writer.StartObject();
  writer.Key(metrics->key_name.c_str(),
             static_cast<rapidjson::SizeType>(metrics->key_name.size()));
  WriteAttributeValue(metrics->key_value, writer);
  writer.EndObject();
  // DynamoDB gives a whole-gigabyte range around its estimate.
  const double lower = std::floor(metrics->size_gb);
  writer.Key("SizeEstimateRangeGB");
  writer.StartArray();
  writer.Double(lower);
  writer.Double(lower + 1);
  writer.EndArray();
  writer.EndObject();
}

}  // namespace ddb::ops
