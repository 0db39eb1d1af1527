// BatchWriteItem: 1-25 PutRequest/DeleteRequest per table, across tables,
// without conditions. dynalocal writes the whole batch in one write
// transaction, so UnprocessedItems is always {} (DynamoDB may return some
// under throttling; clients retry them).
#include <memory>
#include <set>

#include "core/api_error.h"
#include "server/ops/batch_common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& WriteRequestShape() {
  static const shape::Shape put{
      shape::Kind::kStruct,
      "PutRequest",
      {Member{.name = "Item", .shape = shape::AttributeMap()}}};
  static const shape::Shape del{
      shape::Kind::kStruct,
      "DeleteRequest",
      {Member{.name = "Key", .shape = shape::AttributeMap()}}};
  static const shape::Shape request{
      shape::Kind::kStruct,
      "WriteRequest",
      {Member{.name = "DeleteRequest", .shape = &del},
       Member{.name = "PutRequest", .shape = &put}}};
  return request;
}

// The scalar members; RequestItems (a map of lists) is checked by hand.
const shape::Shape& TopLevelShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "BatchWriteItemInput",
      {Member{.name = "ReturnConsumedCapacity", .shape = shape::String()},
       Member{.name = "ReturnItemCollectionMetrics",
              .shape = shape::String()}}};
  return request;
}

void CheckTypes(const rapidjson::Value& request) {
  shape::CheckTypes(request, TopLevelShape());
  const rapidjson::Value* items = shape::Find(request, "RequestItems");
  if (items == nullptr) return;
  if (items->IsArray()) {
    throw ApiError::Serialization(
        "Unrecognized collection type java.util.Map<java.lang.String, "
        "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>");
  }
  if (!items->IsObject()) {
    throw ApiError::Serialization("Unexpected field type");
  }
  for (const auto& table : items->GetObject()) {
    if (table.value.IsNull()) continue;
    if (table.value.IsObject()) {
      throw ApiError::Serialization(
          "Start of structure or map found where not expected");
    }
    if (!table.value.IsArray()) {
      throw ApiError::Serialization("Unexpected field type");
    }
    for (const auto& element : table.value.GetArray()) {
      if (!element.IsNull() && !element.IsObject() && !element.IsArray()) {
        throw ApiError::Serialization("Unexpected value type in payload");
      }
      shape::CheckTypes(element, WriteRequestShape());
    }
  }
}

void CheckConstraints(const rapidjson::Value& request) {
  const rapidjson::Value* items = shape::Find(request, "RequestItems");
  if (items != nullptr && items->MemberCount() == 0) {
    throw ApiError::Validation(
        "The requestItems parameter is required for BatchWriteItem");
  }
  ConstraintErrors errors;
  errors.CheckEnum(request, "ReturnConsumedCapacity", "returnConsumedCapacity",
                   kReturnConsumedCapacityValues);
  errors.CheckEnum(request, "ReturnItemCollectionMetrics",
                   "returnItemCollectionMetrics", {"SIZE", "NONE"});
  if (items == nullptr) {
    errors.Add("null", "requestItems", "Member must not be null");
    errors.ThrowIfAny();
  }
  bool bad_name = false, bad_length = false;
  for (const auto& table : items->GetObject()) {
    std::string_view name(table.name.GetString(), table.name.GetStringLength());
    if (!IsValidTableNameKey(name)) bad_name = true;
    size_t size = table.value.IsArray() ? table.value.Size() : 0;
    if (size < 1 || size > 25) bad_length = true;
  }
  // Rendered only for a violation: the whole RequestItems of a valid
  // batch (25 items) took a fifth of BatchWriteItem's CPU to render.
  if (bad_name || bad_length) {
    const std::string rendered = "'" + RenderValue(*items) + "'";
    if (bad_name) {
      errors.Add(rendered, "requestItems", kTableNameKeysConstraint);
    }
    if (bad_length) {
      errors.Add(rendered, "requestItems",
                 "Map value must satisfy constraint: [Member must have length "
                 "less than or equal to 25, Member must have length greater "
                 "than or equal to 1]");
    }
  }
  for (const auto& table : items->GetObject()) {
    if (!table.value.IsArray()) continue;
    size_t index = 0;
    for (const auto& element : table.value.GetArray()) {
      ++index;
      // The path is built only for a violation.
      auto path = [&] {
        return "requestItems." +
               std::string(table.name.GetString(),
                           table.name.GetStringLength()) +
               ".member." + std::to_string(index) + ".member.";
      };
      if (const rapidjson::Value* del = shape::Find(element, "DeleteRequest");
          del != nullptr && shape::Find(*del, "Key") == nullptr) {
        errors.Add("null", path() + "deleteRequest.key",
                   "Member must not be null");
      }
      if (const rapidjson::Value* put = shape::Find(element, "PutRequest");
          put != nullptr && shape::Find(*put, "Item") == nullptr) {
        errors.Add("null", path() + "putRequest.item",
                   "Member must not be null");
      }
    }
  }
  errors.ThrowIfAny();
}

struct WriteOp {
  std::string table_name;
  bool is_put = false;
  Item item;  // the Item of a put, the Key of a delete
};

struct BatchWrite {
  std::vector<WriteOp> ops;
  CapacityMode capacity = CapacityMode::kNone;
  TableCapacity consumed;  // filled by the writer
};

}  // namespace

void BatchWriteItem(const rapidjson::Value& request, const OpContext& ctx,
                    OpCompletion done) {
  CheckTypes(request);
  CheckConstraints(request);
  auto batch = std::make_shared<BatchWrite>();
  batch->capacity = ParseCapacityMode(request);
  const rapidjson::Value& items = *shape::Find(request, "RequestItems");
  for (const auto& table : items.GetObject()) {
    std::string name(table.name.GetString(), table.name.GetStringLength());
    for (const auto& element : table.value.GetArray()) {
      const rapidjson::Value* put = shape::Find(element, "PutRequest");
      const rapidjson::Value* del = shape::Find(element, "DeleteRequest");
      if ((put == nullptr) == (del == nullptr)) {
        // DynamoDB's wording for a WriteRequest with no (or both) requests.
        throw ApiError::Validation(
            "Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes");
      }
      WriteOp op{name, put != nullptr, {}};
      op.item = DecodeItemOrThrow(
          *shape::Find(put ? *put : *del, put ? "Item" : "Key"));
      if (op.is_put && ItemSize(op.item) > kItemSizeLimit) {
        throw ApiError::Validation(
            "Item size has exceeded the maximum allowed size");
      }
      batch->ops.push_back(std::move(op));
    }
  }
  {
    // Every table must exist before keys are compared (DynamoDB reports a
    // missing table over duplicate keys).
    Txn txn = ctx.storage->BeginRead();
    std::map<std::string, TableRef> tables;
    for (const auto& table : items.GetObject()) {
      std::string name(table.name.GetString(), table.name.GetStringLength());
      tables.emplace(name, RequireTable(txn, ctx, name));
    }
    std::set<std::string> seen;
    for (const WriteOp& op : batch->ops) {
      const TableDef& table = *tables.at(op.table_name);
      Item key = op.is_put ? KeyOfItem(table, op.item) : op.item;
      if (op.is_put) {
        ValidateIndexKeys(table, op.item);
      } else {
        ValidateKey(table, key);
      }
      if (!seen.insert(KeyIdentity(op.table_name, key)).second) {
        throw ApiError::Validation(
            "Provided list of item keys contains duplicates");
      }
    }
  }
  std::string ns = ctx.ns;
  ctx.storage->SubmitWrite(
      [batch, ns](Txn& txn) {
        // The whole batch is one transaction: tables are looked up again
        // here, since one may have been deleted meanwhile.
        std::map<std::string, TableRef> tables;
        for (const WriteOp& op : batch->ops) {
          if (tables.count(op.table_name) != 0) continue;
          TableRef table = txn.GetTable(ns, op.table_name);
          if (!table) {
            throw ApiError::ResourceNotFound("Requested resource not found");
          }
          tables.emplace(op.table_name, std::move(table));
        }
        for (const WriteOp& op : batch->ops) {
          const TableDef& table = *tables.at(op.table_name);
          if (op.is_put) {
            KeyOfItem(table, op.item);
            ValidateIndexKeys(table, op.item);
            // Capacity needs only the replaced item's size.
            std::optional<size_t> old_size = txn.PutItemOldSize(table, op.item);
            size_t bytes = ItemSize(op.item);
            if (old_size) bytes = std::max(bytes, *old_size);
            batch->consumed.Add(op.table_name, WriteUnits(bytes));
          } else {
            ValidateKey(table, op.item);
            std::optional<Item> old = txn.DeleteItem(table, op.item);
            batch->consumed.Add(op.table_name,
                                WriteUnits(old ? ItemSize(*old) : 0));
          }
        }
      },
      [batch, done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        batch->consumed.Write(writer, batch->capacity);
        writer.Key("UnprocessedItems");
        writer.StartObject();
        writer.EndObject();
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      });
}

}  // namespace ddb::ops
