// BatchGetItem: up to 100 keys across tables, each table with its own
// projection and consistency, read from one snapshot. Items past the 16 MB
// response limit come back in UnprocessedKeys, never as an error.
#include <set>

#include "core/api_error.h"
#include "expressions/projection.h"
#include "server/ops/batch_common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& BatchGetItemShape() {
  static const shape::Shape keys{
      shape::Kind::kList, nullptr, {}, shape::AttributeMap()};
  static const shape::Shape keys_and_attributes{
      shape::Kind::kStruct,
      "KeysAndAttributes",
      {
          Member{.name = "Keys", .shape = &keys},
          Member{.name = "AttributesToGet", .shape = shape::StringList()},
          Member{.name = "ConsistentRead", .shape = shape::Boolean()},
          Member{.name = "ProjectionExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
      }};
  static const shape::Shape request_items{
      shape::Kind::kMap, nullptr, {}, &keys_and_attributes};
  static const shape::Shape request{
      shape::Kind::kStruct,
      "BatchGetItemInput",
      {
          Member{.name = "RequestItems", .shape = &request_items},
          Member{.name = "ReturnConsumedCapacity", .shape = shape::String()},
      }};
  return request;
}

constexpr size_t kMaxKeys = 100;
// DynamoDB's response size limit for one BatchGetItem.
constexpr size_t kMaxResponseBytes = size_t{16} * 1024 * 1024;

// Map-valued RequestItems is beyond shape.h's constraint pass; the
// messages are DynamoDB's.
void CheckConstraints(const rapidjson::Value& request) {
  const rapidjson::Value* items = shape::Find(request, "RequestItems");
  if (items != nullptr && items->MemberCount() == 0) {
    throw ApiError::Validation(
        "The requestItems parameter is required for BatchGetItem");
  }
  ConstraintErrors errors;
  errors.CheckEnum(request, "ReturnConsumedCapacity", "returnConsumedCapacity",
                   kReturnConsumedCapacityValues);
  if (items == nullptr) {
    errors.Add("null", "requestItems", "Member must not be null");
    errors.ThrowIfAny();
  }
  bool bad_name = false;
  for (const auto& table : items->GetObject()) {
    if (!IsValidTableNameKey(std::string_view(table.name.GetString(),
                                              table.name.GetStringLength()))) {
      bad_name = true;
    }
  }
  if (bad_name) {
    errors.Add("'" + RenderValue(*items) + "'", "requestItems",
               kTableNameKeysConstraint);
  }
  for (const auto& table : items->GetObject()) {
    std::string name(table.name.GetString(), table.name.GetStringLength());
    std::string path = "requestItems." + name + ".member.";
    const rapidjson::Value* keys = shape::Find(table.value, "Keys");
    if (keys == nullptr) {
      errors.Add("null", path + "keys", "Member must not be null");
    } else if (keys->Size() < 1) {
      errors.Add("'[]'", path + "keys",
                 "Member must have length greater than or equal to 1");
    } else if (keys->Size() > kMaxKeys) {
      // DynamoDB's wording here names the path capitalised and prints no
      // value.
      errors.Add("Value at 'RequestItems." + name +
                 ".member.Keys' failed to satisfy constraint: Member must "
                 "have length less than or equal to 100");
    }
    if (const rapidjson::Value* attributes =
            shape::Find(table.value, "AttributesToGet")) {
      if (attributes->Size() < 1 || attributes->Size() > 255) {
        errors.Add("'" + RenderValue(*attributes) + "'",
                   path + "attributesToGet",
                   attributes->Size() < 1
                       ? "Member must have length greater than or equal to 1"
                       : "Member must have length less than or equal to 255");
      }
    }
  }
  errors.ThrowIfAny();
}

struct TableRead {
  std::string name;
  const rapidjson::Value* params = nullptr;  // the KeysAndAttributes
  std::vector<Item> keys;
  std::optional<std::vector<DocumentPath>> projection;
  bool consistent = false;
};

// Writes one UnprocessedKeys entry: the remaining keys with the table's
// own read parameters, so the client can send it back as is.
void WriteUnprocessed(JsonWriter& writer, const TableRead& read, size_t first) {
  writer.Key(read.name.c_str(),
             static_cast<rapidjson::SizeType>(read.name.size()));
  writer.StartObject();
  for (const char* name :
       {"AttributesToGet", "ConsistentRead", "ExpressionAttributeNames",
        "ProjectionExpression"}) {
    if (const rapidjson::Value* value = shape::Find(*read.params, name)) {
      writer.Key(name);
      value->Accept(writer);
    }
  }
  writer.Key("Keys");
  writer.StartArray();
  for (size_t i = first; i < read.keys.size(); ++i) {
    WriteItem(read.keys[i], writer);
  }
  writer.EndArray();
  writer.EndObject();
}

}  // namespace

void BatchGetItem(const rapidjson::Value& request, const OpContext& ctx,
                  OpCompletion done) {
  shape::CheckTypes(request, BatchGetItemShape());
  CheckConstraints(request);
  std::vector<TableRead> reads;
  size_t total_keys = 0;
  for (const auto& table : shape::Find(request, "RequestItems")->GetObject()) {
    TableRead read;
    read.name.assign(table.name.GetString(), table.name.GetStringLength());
    read.params = &table.value;
    CheckExpressionParams(table.value, {"ProjectionExpression"},
                          {"AttributesToGet"});
    read.projection = ReadProjectionParams(table.value);
    read.consistent =
        shape::GetBool(table.value, "ConsistentRead").value_or(false);
    std::set<std::string> seen;
    for (const auto& key_json : shape::Find(table.value, "Keys")->GetArray()) {
      Item key = DecodeItemOrThrow(key_json);
      if (!seen.insert(KeyIdentity(read.name, key)).second) {
        throw ApiError::Validation(
            "Provided list of item keys contains duplicates");
      }
      if (++total_keys > kMaxKeys) {
        throw ApiError::Validation(
            "Too many items requested for the BatchGetItem call");
      }
      read.keys.push_back(std::move(key));
    }
    reads.push_back(std::move(read));
  }
  CapacityMode capacity = ParseCapacityMode(request);

  // One read transaction: every item comes from the same snapshot.
  Txn txn = ctx.storage->BeginRead();
  std::vector<TableDef> tables;
  for (const TableRead& read : reads) {
    tables.push_back(*RequireTable(txn, ctx, read.name));
    for (const Item& key : read.keys) ValidateKey(tables.back(), key);
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("Responses");
  writer.StartObject();
  TableCapacity consumed;
  size_t response_bytes = 0;
  // Where each table stopped: reads[i].keys[stopped[i]...] are unprocessed.
  std::vector<size_t> stopped(reads.size());
  bool full = false;
  for (size_t t = 0; t < reads.size(); ++t) {
    const TableRead& read = reads[t];
    writer.Key(read.name.c_str(),
               static_cast<rapidjson::SizeType>(read.name.size()));
    writer.StartArray();
    size_t k = 0;
    for (; k < read.keys.size() && !full; ++k) {
      std::optional<Item> item = txn.GetItem(tables[t], read.keys[k]);
      if (!item) {
        consumed.Add(read.name, ReadUnits(0, read.consistent));
        continue;
      }
      Item returned =
          read.projection ? ApplyProjection(*item, *read.projection) : *item;
      size_t bytes = ItemSize(returned);
      if (response_bytes + bytes > kMaxResponseBytes) {
        full = true;
        break;
      }
      response_bytes += bytes;
      // Capacity is charged on the whole item, whatever the projection.
      consumed.Add(read.name, ReadUnits(ItemSize(*item), read.consistent));
      WriteItem(returned, writer);
    }
    stopped[t] = k;
    writer.EndArray();
  }
  writer.EndObject();
  writer.Key("UnprocessedKeys");
  writer.StartObject();
  for (size_t t = 0; t < reads.size(); ++t) {
    if (stopped[t] < reads[t].keys.size()) {
      WriteUnprocessed(writer, reads[t], stopped[t]);
    }
  }
  writer.EndObject();
  consumed.Write(writer, capacity);
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
