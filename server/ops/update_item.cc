// UpdateItem: edits (or creates) one item with an UpdateExpression or the
// legacy AttributeUpdates, under an optional condition, in one write
// transaction.
#include <memory>

#include "core/api_error.h"
#include "expressions/legacy.h"
#include "expressions/projection.h"
#include "expressions/update.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape* AttributeUpdatesShape() {
  static const shape::Shape update_value{
      shape::Kind::kStruct,
      "AttributeValueUpdate",
      {
          Member{.name = "Action",
                 .shape = shape::String(),
                 .enum_values = {"ADD", "PUT", "DELETE"}},
          Member{.name = "Value", .shape = shape::Attribute()},
      }};
  static const shape::Shape updates{
      shape::Kind::kMap, nullptr, {}, &update_value};
  return &updates;
}

const shape::Shape& UpdateItemShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "UpdateItemInput",
      {
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          DataTableNameMember(),
          Member{.name = "ReturnItemCollectionMetrics",
                 .shape = shape::String(),
                 .enum_values = {"SIZE", "NONE"}},
          Member{.name = "ReturnValues",
                 .shape = shape::String(),
                 .enum_values = kReturnValuesValues},
          Member{
              .name = "Key", .shape = shape::AttributeMap(), .not_null = true},
          Member{.name = "ConditionalOperator",
                 .shape = shape::String(),
                 .enum_values = kConditionalOperatorValues},
          Member{.name = "Expected", .shape = ExpectedShape()},
          Member{.name = "AttributeUpdates", .shape = AttributeUpdatesShape()},
          Member{.name = "ConditionExpression", .shape = shape::String()},
          Member{.name = "UpdateExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeValues",
                 .shape = shape::AttributeMap()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
          Member{.name = "ReturnValuesOnConditionCheckFailure",
                 .shape = shape::String(),
                 .enum_values = {"ALL_OLD", "NONE"}},
      }};
  return request;
}

enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

ReturnValues ParseReturnValues(const rapidjson::Value& request) {
  std::string text = shape::GetString(request, "ReturnValues").value_or("NONE");
  if (text == "ALL_OLD") return ReturnValues::kAllOld;
  if (text == "UPDATED_OLD") return ReturnValues::kUpdatedOld;
  if (text == "ALL_NEW") return ReturnValues::kAllNew;
  if (text == "UPDATED_NEW") return ReturnValues::kUpdatedNew;
  return ReturnValues::kNone;
}

bool NeedsOldItem(ReturnValues values) {
  return values == ReturnValues::kAllOld || values == ReturnValues::kUpdatedOld;
}

struct UpdateRequest {
  std::string table_name;
  Item key;
  Update update;
  std::optional<Condition> condition;
  bool return_old_on_failure = false;
  ReturnValues return_values = ReturnValues::kNone;
  CapacityMode capacity = CapacityMode::kNone;
  bool collection_metrics = false;  // ReturnItemCollectionMetrics=SIZE
  // Filled by the writer.
  std::optional<Item> old_item;    // reset once nothing needs it
  std::optional<size_t> old_size;  // ItemSize of the replaced item, if any
  Item new_item;
  std::optional<ItemCollectionMetrics> metrics;
};

void WriteResponse(const UpdateRequest& req, OpCompletion& done) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  auto write_projected = [&](const Item& item) {
    Item projected = ApplyProjection(item, UpdatedPaths(req.update));
    if (!projected.empty()) WriteItemMember(writer, "Attributes", projected);
  };
  switch (req.return_values) {
    case ReturnValues::kNone:
      break;
    case ReturnValues::kAllOld:
      if (req.old_item) WriteItemMember(writer, "Attributes", *req.old_item);
      break;
    case ReturnValues::kUpdatedOld:
      if (req.old_item) write_projected(*req.old_item);
      break;
    case ReturnValues::kAllNew:
      WriteItemMember(writer, "Attributes", req.new_item);
      break;
    case ReturnValues::kUpdatedNew:
      write_projected(req.new_item);
      break;
  }
  size_t bytes = ItemSize(req.new_item);
  if (req.old_size) bytes = std::max(bytes, *req.old_size);
  WriteConsumedCapacity(writer, req.capacity, req.table_name,
                        WriteUnits(bytes));
  WriteItemCollectionMetrics(writer, req.metrics);
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace

void UpdateItem(const rapidjson::Value& request, const OpContext& ctx,
                OpCompletion done) {
  shape::Check(request, UpdateItemShape());
  CheckExpressionParams(request, {"UpdateExpression", "ConditionExpression"},
                        {"AttributeUpdates", "Expected"});
  auto req = std::make_shared<UpdateRequest>();
  req->key = DecodeItemOrThrow(*shape::Find(request, "Key"));
  // DynamoDB's order: legacy parameters, then the expression maps, then the
  // expressions (update before condition), then unused map entries.
  if (const rapidjson::Value* updates =
          shape::Find(request, "AttributeUpdates")) {
    req->update = ParseAttributeUpdates(*updates);
  }
  req->condition = ReadExpected(request);
  ExpressionInputs inputs = ReadExpressionInputs(request);
  if (auto text = shape::GetString(request, "UpdateExpression")) {
    req->update = ParseUpdate(*text, inputs.Context("UpdateExpression"));
  }
  if (!req->condition)
    req->condition = ReadConditionExpression(request, inputs);
  inputs.CheckAllUsed();
  req->return_old_on_failure = ReturnOldOnConditionFailure(request);
  req->return_values = ParseReturnValues(request);
  req->table_name = *shape::GetString(request, "TableName");
  req->capacity = ParseCapacityMode(request);
  req->collection_metrics = WantsItemCollectionMetrics(request);
  {
    const TableRef table =
        RequireTable(ctx.storage->BeginRead(), ctx, req->table_name);
    ValidateKey(*table, req->key);
    CheckKeyNotUpdated(*table, req->update);
  }
  std::string ns = ctx.ns;
  ctx.storage->SubmitWrite(
      [req, ns](Txn& txn) {
        TableRef table = txn.GetTable(ns, req->table_name);
        if (!table) {
          throw ApiError::ResourceNotFound("Requested resource not found");
        }
        ValidateKey(*table, req->key);
        CheckKeyNotUpdated(*table, req->update);
        // Read, check, apply and write in this one write transaction, so
        // concurrent conditional updates serialize.
        std::string_view stored;
        req->old_item = txn.GetItem(*table, req->key, &stored);
        CheckWriteCondition(req->condition, req->old_item,
                            req->return_old_on_failure);
        Txn::Replaced old;
        if (!req->old_item) {
          req->new_item = req->key;
        } else {
          old.size = ItemSize(*req->old_item);
          old.stored = stored;
          if (NeedsOldItem(req->return_values) || !table->indexes.empty()) {
            old.item = &*req->old_item;
            req->new_item = *req->old_item;
          } else {
            // Edited in place: nothing after the write reads the old item.
            req->new_item = std::move(*req->old_item);
            req->old_item.reset();
          }
        }
        req->old_size = old.size;
        ApplyUpdate(req->update, &req->new_item);
        ValidateIndexKeys(*table, req->new_item);
        if (ItemSize(req->new_item) > kItemSizeLimit) {
          throw ApiError::Validation(
              "Item size to update has exceeded the maximum allowed size");
        }
        txn.ReplaceItem(*table, req->new_item, old);
        if (req->collection_metrics) {
          req->metrics = MeasureItemCollection(txn, *table, req->new_item);
        }
      },
      [req, done = std::move(done)](std::exception_ptr error) mutable {
        if (error) return done(error, "");
        WriteResponse(*req, done);
      });
}

}  // namespace ddb::ops
