#include "server/ops/index_common.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "core/api_error.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;
using shape::Shape;

[[noreturn]] void Invalid(const std::string& message) {
  throw ApiError::Validation("One or more parameter values were invalid: " +
                             message);
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

const Shape* ProjectionShape() {
  static const Shape projection{
      shape::Kind::kStruct,
      "Projection",
      {
          Member{.name = "ProjectionType",
                 .shape = shape::String(),
                 .enum_values = {"ALL", "KEYS_ONLY", "INCLUDE"}},
          Member{.name = "NonKeyAttributes",
                 .shape = shape::StringList(),
                 .min_length = 1,
                 .max_length = 20},
      }};
  return &projection;
}

Member IndexNameMember() {
  return Member{.name = "IndexName",
                .shape = shape::String(),
                .not_null = true,
                .table_name_pattern = true,
                .min_length = 3,
                .max_length = 255};
}

const char* ProjectionName(ProjectionType type) {
  switch (type) {
    case ProjectionType::kKeysOnly:
      return "KEYS_ONLY";
    case ProjectionType::kInclude:
      return "INCLUDE";
    case ProjectionType::kAll:
      break;
  }
  return "ALL";
}

AttrType DefinedType(const TableDef& table, const std::string& name) {
  for (const AttributeDefinition& d : table.attribute_definitions) {
    if (d.name == name) return d.type;
  }
  return AttrType::kS;
}

// A GSI KeySchema longer than two is a multi-attribute key: HASH elements
// first, then RANGE elements, at most four of each, no name twice.
void CheckMultiAttributeKeySchema(const std::vector<std::string>& names,
                                  const std::vector<std::string>& types) {
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = i + 1; j < names.size(); ++j) {
      if (names[i] == names[j]) {
        throw ApiError::Validation(
            "Invalid KeySchema: Duplicate key attribute name: " + names[i]);
      }
    }
  }
  if (types[0] != "HASH") {
    throw ApiError::Validation(
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key "
        "type");
  }
  size_t hash = 0;
  size_t range = 0;
  for (const std::string& type : types) {
    if (type == "HASH") {
      if (range > 0) {
        throw ApiError::Validation(
            "Invalid KeySchema: HASH key elements must precede RANGE key "
            "elements");
      }
      ++hash;
    } else {
      ++range;
    }
  }
  if (hash > kMaxGsiKeyAttributes || range > kMaxGsiKeyAttributes) {
    throw ApiError::Validation(
        "Invalid KeySchema: A KeySchema may have at most 4 HASH and 4 RANGE "
        "key elements");
  }
}

}  // namespace

const Shape* ProvisionedThroughputShape() {
  static const Shape throughput{shape::Kind::kStruct,
                                "ProvisionedThroughput",
                                {
                                    Member{.name = "WriteCapacityUnits",
                                           .shape = shape::Long(),
                                           .not_null = true,
                                           .min_value = 1},
                                    Member{.name = "ReadCapacityUnits",
                                           .shape = shape::Long(),
                                           .not_null = true,
                                           .min_value = 1},
                                }};
  return &throughput;
}

const Shape* AttributeDefinitionsShape() {
  static const Shape definition{shape::Kind::kStruct,
                                "AttributeDefinition",
                                {
                                    Member{.name = "AttributeName",
                                           .shape = shape::String(),
                                           .not_null = true,
                                           .min_length = 1,
                                           .max_length = 255},
                                    Member{.name = "AttributeType",
                                           .shape = shape::String(),
                                           .not_null = true,
                                           .enum_values = {"B", "N", "S"}},
                                }};
  static const Shape list{shape::Kind::kList, nullptr, {}, &definition};
  return &list;
}

const Shape* KeySchemaShape() {
  static const Shape element{shape::Kind::kStruct,
                             "KeySchemaElement",
                             {
                                 Member{.name = "AttributeName",
                                        .shape = shape::String(),
                                        .not_null = true,
                                        .min_length = 1,
                                        .max_length = 255},
                                 Member{.name = "KeyType",
                                        .shape = shape::String(),
                                        .not_null = true,
                                        .enum_values = {"HASH", "RANGE"}},
                             }};
  static const Shape list{shape::Kind::kList, nullptr, {}, &element};
  return &list;
}

const Shape* GlobalSecondaryIndexShape() {
  static const Shape any_struct{shape::Kind::kStruct, "Object", {}};
  static const Shape index{
      shape::Kind::kStruct,
      "GlobalSecondaryIndex",
      {
          Member{.name = "KeySchema",
                 .shape = KeySchemaShape(),
                 .not_null = true,
                 .min_length = 1,
                 .max_length = 2 * kMaxGsiKeyAttributes},
          Member{.name = "Projection",
                 .shape = ProjectionShape(),
                 .not_null = true},
          IndexNameMember(),
          Member{.name = "ProvisionedThroughput",
                 .shape = ProvisionedThroughputShape()},
          Member{.name = "OnDemandThroughput", .shape = &any_struct},
          Member{.name = "WarmThroughput", .shape = &any_struct},
      }};
  return &index;
}

const Shape* LocalSecondaryIndexShape() {
  static const Shape index{shape::Kind::kStruct,
                           "LocalSecondaryIndex",
                           {
                               Member{.name = "KeySchema",
                                      .shape = KeySchemaShape(),
                                      .not_null = true,
                                      .min_length = 1,
                                      .max_length = 2},
                               Member{.name = "Projection",
                                      .shape = ProjectionShape(),
                                      .not_null = true},
                               IndexNameMember(),
                           }};
  return &index;
}

void CheckKeysDefined(const std::vector<std::string>& names,
                      const std::vector<std::string>& defined) {
  for (const std::string& name : names) {
    if (std::find(defined.begin(), defined.end(), name) == defined.end()) {
      Invalid(
          "Some index key attributes are not defined in "
          "AttributeDefinitions. Keys: [" +
          Join(names) + "], AttributeDefinitions: [" + Join(defined) + "]");
    }
  }
}

void CheckTwoElementKeySchema(const std::vector<std::string>& names,
                              const std::vector<std::string>& types) {
  if (names.size() == 2 && names[0] == names[1]) {
    throw ApiError::Validation(
        "Both the Hash Key and the Range Key element in the KeySchema have "
        "the same name");
  }
  if (types[0] != "HASH") {
    throw ApiError::Validation(
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key "
        "type");
  }
  if (types.size() == 2 && types[1] != "RANGE") {
    throw ApiError::Validation(
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key "
        "type");
  }
}

IndexDef ParseIndex(const rapidjson::Value& json, bool global,
                    const TableDef& table) {
  IndexDef index;
  index.global = global;
  index.name = *shape::GetString(json, "IndexName");
  std::vector<std::string> names;
  std::vector<std::string> types;
  for (const auto& element : shape::Find(json, "KeySchema")->GetArray()) {
    names.push_back(*shape::GetString(element, "AttributeName"));
    types.push_back(*shape::GetString(element, "KeyType"));
  }
  std::vector<std::string> defined;
  for (const AttributeDefinition& d : table.attribute_definitions) {
    defined.push_back(d.name);
  }
  CheckKeysDefined(names, defined);
  if (names.size() <= 2) {
    CheckTwoElementKeySchema(names, types);
  } else {
    CheckMultiAttributeKeySchema(names, types);
  }
  if (!global) {
    if (names.size() != 2) {
      Invalid("Index KeySchema does not have a range key for index: " +
              index.name);
    }
    if (names[0] != table.hash_key.name) {
      Invalid(
          "Index KeySchema does not have the same leading hash key as table "
          "KeySchema for index: " +
          index.name + ". index hash key: " + names[0] +
          ", table hash key: " + table.hash_key.name);
    }
  }
  for (size_t i = 0; i < names.size(); ++i) {
    KeyAttribute key{names[i], DefinedType(table, names[i])};
    (types[i] == "HASH" ? index.hash_keys : index.range_keys)
        .push_back(std::move(key));
  }

  const rapidjson::Value& projection = *shape::Find(json, "Projection");
  std::optional<std::string> type =
      shape::GetString(projection, "ProjectionType");
  if (!type) Invalid("Unknown ProjectionType: null");
  const rapidjson::Value* non_key = shape::Find(projection, "NonKeyAttributes");
  if (non_key != nullptr && *type != "INCLUDE") {
    Invalid("ProjectionType is " + *type +
            ", but NonKeyAttributes is specified");
  }
  index.projection = *type == "ALL"         ? ProjectionType::kAll
                     : *type == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                                            : ProjectionType::kInclude;
  if (non_key != nullptr) {
    for (const auto& name : non_key->GetArray()) {
      index.non_key_attributes.emplace_back(name.GetString(),
                                            name.GetStringLength());
    }
  }

  if (global) {
    const rapidjson::Value* throughput =
        shape::Find(json, "ProvisionedThroughput");
    if (table.pay_per_request && throughput != nullptr) {
      Invalid("ProvisionedThroughput should not be specified for index: " +
              index.name + " when BillingMode is PAY_PER_REQUEST");
    }
    if (!table.pay_per_request) {
      if (throughput == nullptr) {
        Invalid("ProvisionedThroughput must be specified for index: " +
                index.name);
      }
      index.read_capacity = *shape::GetInt(*throughput, "ReadCapacityUnits");
      index.write_capacity = *shape::GetInt(*throughput, "WriteCapacityUnits");
    }
  }
  return index;
}

void CheckIndexSet(const TableDef& table) {
  size_t projected = 0;
  for (const IndexDef& index : table.indexes) {
    projected += index.non_key_attributes.size();
  }
  if (projected > kMaxProjectedAttributes) {
    Invalid(
        "The sum of NonKeyAttributes across all secondary indexes exceeds the "
        "limit of 100");
  }
}

void CheckDefinitionsUsed(const TableDef& table) {
  std::vector<std::string> used = {table.hash_key.name};
  if (table.range_key) used.push_back(table.range_key->name);
  for (const IndexDef& index : table.indexes) {
    for (const auto* keys : {&index.hash_keys, &index.range_keys}) {
      for (const KeyAttribute& key : *keys) {
        if (std::find(used.begin(), used.end(), key.name) == used.end()) {
          used.push_back(key.name);
        }
      }
    }
  }
  if (used.size() == table.attribute_definitions.size()) return;
  std::vector<std::string> defined;
  for (const AttributeDefinition& d : table.attribute_definitions) {
    defined.push_back(d.name);
  }
  Invalid("Some AttributeDefinitions are not used. AttributeDefinitions: [" +
          Join(defined) + "], keys used: [" + Join(used) + "]");
}

namespace {

void WriteKeySchema(JsonWriter& writer, const IndexDef& index) {
  writer.Key("KeySchema");
  writer.StartArray();
  for (const auto& [keys, type] : {std::pair{&index.hash_keys, "HASH"},
                                   std::pair{&index.range_keys, "RANGE"}}) {
    for (const KeyAttribute& key : *keys) {
      writer.StartObject();
      writer.Key("AttributeName");
      writer.String(key.name);
      writer.Key("KeyType");
      writer.String(type);
      writer.EndObject();
    }
  }
  writer.EndArray();
}

void WriteCommon(JsonWriter& writer, const TableDef& table,
                 const IndexDef& index, const TableStats& stats) {
  writer.Key("IndexArn");
  writer.String(TableArn(table) + "/index/" + index.name);
  writer.Key("IndexName");
  writer.String(index.name);
  writer.Key("IndexSizeBytes");
  writer.Uint64(stats.size_bytes);
  writer.Key("ItemCount");
  writer.Uint64(stats.item_count);
  WriteKeySchema(writer, index);
  writer.Key("Projection");
  writer.StartObject();
  if (index.projection == ProjectionType::kInclude) {
    writer.Key("NonKeyAttributes");
    writer.StartArray();
    for (const std::string& name : index.non_key_attributes) {
      writer.String(name);
    }
    writer.EndArray();
  }
  writer.Key("ProjectionType");
  writer.String(ProjectionName(index.projection));
  writer.EndObject();
}

TableStats StatsAt(const std::vector<TableStats>& stats, size_t i) {
  return i < stats.size() ? stats[i] : TableStats{};
}

}  // namespace

namespace {

struct TransientHolds {
  std::mutex mu;
  std::map<std::pair<uint64_t, uint32_t>, std::chrono::steady_clock::time_point>
      until;
  // Deleted GSIs still listed as DELETING, per table id.
  struct Deleting {
    IndexDef index;
    std::chrono::steady_clock::time_point until;
  };
  std::map<uint64_t, std::vector<Deleting>> deleting;
};

TransientHolds& Holds() {
  static TransientHolds holds;
  return holds;
}

}  // namespace

void HoldIndexCreating(uint64_t table_id, uint32_t index_id,
                       std::chrono::milliseconds hold) {
  TransientHolds& holds = Holds();
  std::lock_guard lock(holds.mu);
  holds.until[{table_id, index_id}] = std::chrono::steady_clock::now() + hold;
}

bool IndexHeldCreating(uint64_t table_id, uint32_t index_id) {
  TransientHolds& holds = Holds();
  std::lock_guard lock(holds.mu);
  if (holds.until.empty()) return false;
  auto it = holds.until.find({table_id, index_id});
  if (it == holds.until.end()) return false;
  if (std::chrono::steady_clock::now() < it->second) return true;
  holds.until.erase(it);
  return false;
}

void HoldIndexDeleting(uint64_t table_id, const IndexDef& index,
                       std::chrono::milliseconds hold) {
  TransientHolds& holds = Holds();
  std::lock_guard lock(holds.mu);
  holds.deleting[table_id].push_back(
      {index, std::chrono::steady_clock::now() + hold});
}

namespace {

// The deleted GSIs of `table` still to be listed as DELETING; forgets those
// whose hold has passed, and any that a live index of the same name
// replaced.
std::vector<IndexDef> IndexesHeldDeleting(const TableDef& table) {
  TransientHolds& holds = Holds();
  std::lock_guard lock(holds.mu);
  std::vector<IndexDef> held;
  if (holds.deleting.empty()) return held;
  auto it = holds.deleting.find(table.id);
  if (it == holds.deleting.end()) return held;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(it->second, [&](const TransientHolds::Deleting& d) {
    return now >= d.until || table.FindIndex(d.index.name) != nullptr;
  });
  for (const TransientHolds::Deleting& d : it->second) held.push_back(d.index);
  if (it->second.empty()) holds.deleting.erase(it);
  return held;
}

void WriteGlobalIndex(JsonWriter& writer, const TableDef& table,
                      const IndexDef& index, const TableStats& stats,
                      const char* index_status) {
  writer.StartObject();
  if (index.backfilling) {
    writer.Key("Backfilling");
    writer.Bool(true);
  }
  WriteCommon(writer, table, index, stats);
  writer.Key("IndexStatus");
  writer.String(index_status);
  WriteProvisionedThroughput(writer, index.read_capacity, index.write_capacity);
  writer.EndObject();
}

}  // namespace

void WriteGlobalIndexes(JsonWriter& writer, const TableDef& table,
                        const std::vector<TableStats>& index_stats,
                        const char* table_status) {
  const std::string status = table_status;
  std::vector<IndexDef> deleting = IndexesHeldDeleting(table);
  bool any = false;
  auto start = [&] {
    if (any) return;
    writer.Key("GlobalSecondaryIndexes");
    writer.StartArray();
    any = true;
  };
  for (size_t i = 0; i < table.indexes.size(); ++i) {
    const IndexDef& index = table.indexes[i];
    if (!index.global) continue;
    start();
    const bool creating = index.backfilling || status == "CREATING" ||
                          IndexHeldCreating(table.id, index.id);
    WriteGlobalIndex(writer, table, index, StatsAt(index_stats, i),
                     creating               ? "CREATING"
                     : status == "DELETING" ? "DELETING"
                                            : "ACTIVE");
  }
  for (const IndexDef& index : deleting) {
    start();
    WriteGlobalIndex(writer, table, index, TableStats{}, "DELETING");
  }
  if (any) writer.EndArray();
}

void WriteLocalIndexes(JsonWriter& writer, const TableDef& table,
                       const std::vector<TableStats>& index_stats) {
  bool any = false;
  for (size_t i = 0; i < table.indexes.size(); ++i) {
    const IndexDef& index = table.indexes[i];
    if (index.global) continue;
    if (!any) {
      writer.Key("LocalSecondaryIndexes");
      writer.StartArray();
      any = true;
    }
    writer.StartObject();
    WriteCommon(writer, table, index, StatsAt(index_stats, i));
    writer.EndObject();
  }
  if (any) writer.EndArray();
}

std::vector<TableStats> ReadIndexStats(const Txn& txn, const TableDef& table) {
  std::vector<TableStats> stats;
  for (const IndexDef& index : table.indexes) {
    stats.push_back(txn.GetIndexStats(table.id, index.id));
  }
  return stats;
}

}  // namespace ddb::ops
