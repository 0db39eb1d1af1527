// CreateTable: validates the definition as DynamoDB does, then creates the
// table in one write transaction (ResourceInUseException when the name is
// taken, decided inside that transaction so concurrent creates race safely).
#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <set>

#include "core/api_error.h"
#include "server/ops/common.h"
#include "server/ops/index_common.h"
#include "server/ops/tag_resource.h"

namespace ddb::ops {
namespace {

using shape::Member;
using shape::Shape;

const Shape& CreateTableShape() {
  // AttributeDefinitions, KeySchema and ProvisionedThroughput are declared
  // once in index_common, shared with UpdateTable and the indexes.
  // Structures this issue does not implement yet are type-checked loosely
  // (any object) and then rejected by name below.
  static const Shape any_struct{shape::Kind::kStruct, "Object", {}};
  // Tag members are checked by ParseTagList with DynamoDB's tag messages.
  static const Shape tag{shape::Kind::kStruct,
                         "Tag",
                         {Member{.name = "Key", .shape = shape::String()},
                          Member{.name = "Value", .shape = shape::String()}}};
  static const Shape tags{shape::Kind::kList, nullptr, {}, &tag};
  static const Shape local_indexes{
      shape::Kind::kList, nullptr, {}, LocalSecondaryIndexShape()};
  static const Shape global_indexes{
      shape::Kind::kList, nullptr, {}, GlobalSecondaryIndexShape()};

  static const Shape request{
      shape::Kind::kStruct,
      "CreateTableInput",
      {
          Member{.name = "AttributeDefinitions",
                 .shape = AttributeDefinitionsShape(),
                 .not_null = true},
          ControlTableNameMember(),
          Member{.name = "BillingMode",
                 .shape = shape::String(),
                 .enum_values = {"PROVISIONED", "PAY_PER_REQUEST"}},
          Member{.name = "ProvisionedThroughput",
                 .shape = ProvisionedThroughputShape()},
          Member{.name = "KeySchema",
                 .shape = KeySchemaShape(),
                 .not_null = true,
                 .min_length = 1,
                 .max_length = 2},
          Member{.name = "LocalSecondaryIndexes", .shape = &local_indexes},
          Member{.name = "GlobalSecondaryIndexes", .shape = &global_indexes},
          Member{.name = "StreamSpecification", .shape = &any_struct},
          Member{.name = "SSESpecification", .shape = &any_struct},
          Member{.name = "Tags", .shape = &tags},
          Member{.name = "TableClass",
                 .shape = shape::String(),
                 .enum_values = {"STANDARD", "STANDARD_INFREQUENT_ACCESS"}},
          Member{.name = "DeletionProtectionEnabled",
                 .shape = shape::Boolean()},
          Member{.name = "ResourcePolicy", .shape = shape::String()},
          Member{.name = "OnDemandThroughput", .shape = &any_struct},
          Member{.name = "WarmThroughput", .shape = &any_struct},
      }};
  return request;
}

AttrType ScalarType(const std::string& letter) {
  if (letter == "N") return AttrType::kN;
  if (letter == "B") return AttrType::kB;
  return AttrType::kS;
}

std::string NewTableUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(hex[rng() % 16]);
  }
  out[14] = '4';  // a version-4 UUID, as DynamoDB's TableId is
  return out;
}

// The features CreateTable accepts in DynamoDB that dynalocal does not have
// yet: refused by name rather than silently dropped.
void RejectUnsupported(const rapidjson::Value& request) {
  for (const char* name :
       {"StreamSpecification", "SSESpecification", "ResourcePolicy",
        "OnDemandThroughput", "WarmThroughput"}) {
    if (shape::Find(request, name) != nullptr) {
      throw ApiError::Validation(std::string("dynalocal does not support ") +
                                 name + " yet");
    }
  }
  if (shape::GetBool(request, "DeletionProtectionEnabled").value_or(false)) {
    throw ApiError::Validation(
        "dynalocal does not support DeletionProtectionEnabled yet");
  }
  std::optional<std::string> table_class =
      shape::GetString(request, "TableClass");
  if (table_class && *table_class != "STANDARD") {
    throw ApiError::Validation("dynalocal does not support TableClass " +
                               *table_class + " yet");
  }
}

// LocalSecondaryIndexes, then GlobalSecondaryIndexes, in DynamoDB's order
// of checks; then every attribute definition must be some key's.
void ParseIndexes(const rapidjson::Value& request, TableDef* table) {
  std::set<std::string> names;
  auto add = [&](const rapidjson::Value& json, bool global) {
    IndexDef index = ParseIndex(json, global, *table);
    if (!names.insert(index.name).second) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Duplicate index name: " +
          index.name);
    }
    index.id = table->next_index_id++;
    table->indexes.push_back(std::move(index));
  };
  if (const rapidjson::Value* lsis =
          shape::Find(request, "LocalSecondaryIndexes")) {
    if (lsis->Empty()) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: List of "
          "LocalSecondaryIndexes is empty");
    }
    if (!table->range_key) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Table KeySchema does "
          "not have a range key, which is required when specifying a "
          "LocalSecondaryIndex");
    }
    for (const auto& json : lsis->GetArray()) add(json, false);
    if (lsis->Size() > kMaxLocalIndexes) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Number of "
          "LocalSecondaryIndexes exceeds per-table limit of 5");
    }
  }
  if (const rapidjson::Value* gsis =
          shape::Find(request, "GlobalSecondaryIndexes")) {
    if (gsis->Empty()) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: List of "
          "GlobalSecondaryIndexes is empty");
    }
    for (const auto& json : gsis->GetArray()) add(json, true);
    if (gsis->Size() > kMaxGlobalIndexes) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: GlobalSecondaryIndex "
          "count exceeds the per-table limit of 20");
    }
  }
  CheckIndexSet(*table);
  CheckDefinitionsUsed(*table);
}

TableDef ParseCreateTable(const rapidjson::Value& request,
                          const OpContext& ctx) {
  shape::Check(request, CreateTableShape());

  TableDef table;
  table.ns = ctx.ns;
  table.region = ctx.region;
  table.name = *shape::GetString(request, "TableName");

  // Billing first, as DynamoDB reports it before the key schema.
  std::string billing =
      shape::GetString(request, "BillingMode").value_or("PROVISIONED");
  const rapidjson::Value* throughput =
      shape::Find(request, "ProvisionedThroughput");
  if (billing == "PAY_PER_REQUEST") {
    if (throughput != nullptr) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Neither "
          "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
          "BillingMode is PAY_PER_REQUEST");
    }
  } else {
    if (throughput == nullptr) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: ReadCapacityUnits and "
          "WriteCapacityUnits must both be specified when BillingMode is "
          "PROVISIONED");
    }
    table.pay_per_request = false;
    table.read_capacity = *shape::GetInt(*throughput, "ReadCapacityUnits");
    table.write_capacity = *shape::GetInt(*throughput, "WriteCapacityUnits");
    constexpr int64_t kMaxUnits = 1000000000000;
    if (table.read_capacity > kMaxUnits) {
      throw ApiError::Validation("Given value " +
                                 std::to_string(table.read_capacity) +
                                 " for ReadCapacityUnits is out of bounds");
    }
    if (table.write_capacity > kMaxUnits) {
      throw ApiError::Validation("Given value " +
                                 std::to_string(table.write_capacity) +
                                 " for WriteCapacityUnits is out of bounds");
    }
  }

  std::vector<std::string> definition_names;
  for (const auto& definition :
       shape::Find(request, "AttributeDefinitions")->GetArray()) {
    AttributeDefinition parsed{
        *shape::GetString(definition, "AttributeName"),
        ScalarType(*shape::GetString(definition, "AttributeType"))};
    definition_names.push_back(parsed.name);
    table.attribute_definitions.push_back(std::move(parsed));
  }
  std::vector<std::string> key_names;
  std::vector<std::string> key_types;
  for (const auto& element : shape::Find(request, "KeySchema")->GetArray()) {
    key_names.push_back(*shape::GetString(element, "AttributeName"));
    key_types.push_back(*shape::GetString(element, "KeyType"));
  }

  if (key_names.size() > definition_names.size()) {
    throw ApiError::Validation(
        "Invalid KeySchema: Some index key attribute have no definition");
  }
  // The same rules as every index's KeySchema (index_common.h).
  CheckKeysDefined(key_names, definition_names);
  CheckTwoElementKeySchema(key_names, key_types);
  for (size_t i = 0; i < definition_names.size(); ++i) {
    for (size_t j = i + 1; j < definition_names.size(); ++j) {
      if (definition_names[i] == definition_names[j]) {
        throw ApiError::Validation(
            "Cannot have two attributes with the same name. Attribute name: " +
            definition_names[i]);
      }
    }
  }
  const bool has_indexes =
      shape::Find(request, "LocalSecondaryIndexes") != nullptr ||
      shape::Find(request, "GlobalSecondaryIndexes") != nullptr;
  if (!has_indexes && key_names.size() != definition_names.size()) {
    throw ApiError::Validation(
        "One or more parameter values were invalid: Number of attributes in "
        "KeySchema does not exactly match number of attributes defined in "
        "AttributeDefinitions");
  }
  RejectUnsupported(request);
  // Unlike TagResource, CreateTable accepts an empty Tags list.
  if (const rapidjson::Value* tags = shape::Find(request, "Tags")) {
    table.tags = ParseTagList(*tags);
  }

  auto type_of = [&](const std::string& name) {
    for (const AttributeDefinition& definition : table.attribute_definitions) {
      if (definition.name == name) return definition.type;
    }
    return AttrType::kS;
  };
  table.hash_key = KeyAttribute{key_names[0], type_of(key_names[0])};
  if (key_names.size() == 2) {
    table.range_key = KeyAttribute{key_names[1], type_of(key_names[1])};
  }
  ParseIndexes(request, &table);
  auto now = std::chrono::system_clock::now().time_since_epoch();
  // DynamoDB reports creation time in seconds with millisecond precision.
  table.creation_time =
      std::chrono::duration_cast<std::chrono::milliseconds>(now).count() /
      1000.0;
  table.table_uuid = NewTableUuid();
  return table;
}

}  // namespace

void CreateTable(const rapidjson::Value& request, const OpContext& ctx,
                 OpCompletion done) {
  auto table = std::make_shared<TableDef>(ParseCreateTable(request, ctx));
  ctx.storage->SubmitWrite(
      [table](Txn& txn) {
        if (txn.GetTable(table->ns, table->name)) {
          throw ApiError::ResourceInUse("Table already exists: " + table->name);
        }
        txn.CreateTable(*table);
      },
      [table, done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        writer.Key("TableDescription");
        // DynamoDB answers CREATING and turns ACTIVE shortly after; here the
        // table is usable at once, so DescribeTable already says ACTIVE.
        WriteTableDescription(writer, *table, TableStats{}, "CREATING",
                              std::vector<TableStats>(table->indexes.size()));
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      });
}

}  // namespace ddb::ops
