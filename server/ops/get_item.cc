// GetItem: one item by key from a read snapshot, with an optional
// projection (ProjectionExpression or the legacy AttributesToGet).
#include "core/api_error.h"
#include "expressions/attribute_names.h"
#include "expressions/projection.h"
#include "server/ops/common.h"
#include "storage/item_codec.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& GetItemShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "GetItemInput",
      {
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          Member{.name = "AttributesToGet",
                 .shape = shape::StringList(),
                 .min_length = 1,
                 .max_length = 255},
          DataTableNameMember(),
          Member{
              .name = "Key", .shape = shape::AttributeMap(), .not_null = true},
          Member{.name = "ConsistentRead", .shape = shape::Boolean()},
          Member{.name = "ProjectionExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
      }};
  return request;
}

}  // namespace

void GetItem(const rapidjson::Value& request, const OpContext& ctx,
             OpCompletion done) {
  shape::Check(request, GetItemShape());
  CheckExpressionParams(request, {"ProjectionExpression"}, {"AttributesToGet"});
  Item key = DecodeItemOrThrow(*shape::Find(request, "Key"));

  std::optional<std::vector<DocumentPath>> projection =
      ReadProjectionParams(request);

  std::string table_name = *shape::GetString(request, "TableName");
  bool consistent = shape::GetBool(request, "ConsistentRead").value_or(false);
  CapacityMode capacity = ParseCapacityMode(request);

  Txn txn = ctx.storage->BeginRead();
  const TableRef table_ref = RequireTable(txn, ctx, table_name);
  const TableDef& table = *table_ref;
  ValidateKey(table, key);
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  // Capacity is charged on the whole item, whatever the projection keeps.
  size_t bytes = 0;
  if (!projection) {
    // The common case writes the item's JSON straight from its stored
    // encoding, without building an Item.
    std::string_view stored;
    if (txn.GetStoredItem(table, key, &stored)) {
      writer.Key("Item");
      bytes = WriteStoredItemJson(stored, writer);
    }
  } else if (std::optional<Item> item = txn.GetItem(table, key)) {
    bytes = ItemSize(*item);
    WriteItemMember(writer, "Item", ApplyProjection(*item, *projection));
  }
  WriteConsumedCapacity(writer, capacity, table_name,
                        ReadUnits(bytes, consistent));
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
