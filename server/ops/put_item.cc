// PutItem: creates or replaces one item in one write transaction, returning
// the old item on request.
#include <memory>

#include "core/api_error.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& PutItemShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "PutItemInput",
      {
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          DataTableNameMember(),
          Member{
              .name = "Item", .shape = shape::AttributeMap(), .not_null = true},
          Member{.name = "ConditionalOperator",
                 .shape = shape::String(),
                 .enum_values = kConditionalOperatorValues},
          Member{.name = "Expected", .shape = ExpectedShape()},
          Member{.name = "ReturnValues",
                 .shape = shape::String(),
                 .enum_values = kReturnValuesValues},
          Member{.name = "ReturnItemCollectionMetrics",
                 .shape = shape::String(),
                 .enum_values = {"SIZE", "NONE"}},
          Member{.name = "ConditionExpression", .shape = shape::String()},
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

constexpr size_t kMaxItemBytes = 400 * 1024;

struct PutRequest {
  std::string table_name;
  Item item;
  bool return_old = false;
  CapacityMode capacity = CapacityMode::kNone;
  std::optional<Condition> condition;  // ConditionExpression or Expected
  bool return_old_on_failure = false;
  bool collection_metrics = false;  // ReturnItemCollectionMetrics=SIZE
  std::optional<Item> old_item;     // filled by the writer
  // The replaced item's size, when only that was read (no ALL_OLD).
  std::optional<size_t> old_size;
  std::optional<ItemCollectionMetrics> metrics;  // filled by the writer
};

}  // namespace

void PutItem(const rapidjson::Value& request, const OpContext& ctx,
             OpCompletion done) {
  shape::Check(request, PutItemShape());
  CheckExpressionParams(request, {"ConditionExpression"}, {"Expected"});
  auto put = std::make_shared<PutRequest>();
  put->item = DecodeItemOrThrow(*shape::Find(request, "Item"));
  std::string return_values =
      shape::GetString(request, "ReturnValues").value_or("NONE");
  if (return_values != "NONE" && return_values != "ALL_OLD") {
    throw ApiError::Validation("ReturnValues can only be ALL_OLD or NONE");
  }
  if (ItemSize(put->item) > kMaxItemBytes) {
    throw ApiError::Validation(
        "Item size has exceeded the maximum allowed size");
  }
  put->condition = ReadExpected(request);
  ExpressionInputs inputs = ReadExpressionInputs(request);
  if (!put->condition)
    put->condition = ReadConditionExpression(request, inputs);
  inputs.CheckAllUsed();
  put->return_old_on_failure = ReturnOldOnConditionFailure(request);
  put->table_name = *shape::GetString(request, "TableName");
  put->return_old = return_values == "ALL_OLD";
  put->capacity = ParseCapacityMode(request);
  put->collection_metrics = WantsItemCollectionMetrics(request);

  {
    // Resolve the table and check the key before queueing the write, so a
    // bad request never waits behind other writers.
    const TableRef table =
        RequireTable(ctx.storage->BeginRead(), ctx, put->table_name);
    ValidateItemKey(*table, put->item);
  }
  std::string ns = ctx.ns;
  ctx.storage->SubmitWrite(
      [put, ns](Txn& txn) {
        // Looked up again inside the transaction: the table may have been
        // deleted (or re-created with another schema) meanwhile.
        TableRef table = txn.GetTable(ns, put->table_name);
        if (!table) {
          throw ApiError::ResourceNotFound("Requested resource not found");
        }
        ValidateItemKey(*table, put->item);
        ValidateIndexKeys(*table, put->item);
        if (put->condition) {
          // Read, check and write in this one write transaction: no other
          // writer can slip in between, so the condition is atomic.
          std::string_view stored;
          std::optional<Item> current =
              txn.GetItem(*table, ExtractKey(*table, put->item), &stored);
          CheckWriteCondition(put->condition, current,
                              put->return_old_on_failure);
          Txn::Replaced old;
          if (current) {
            old = {.size = ItemSize(*current),
                   .item = &*current,
                   .stored = stored};
          }
          txn.ReplaceItem(*table, put->item, old);
          put->old_item = std::move(current);
        } else if (put->return_old) {
          put->old_item = txn.PutItem(*table, put->item);
        } else {
          // Capacity needs only the replaced item's size.
          put->old_size = txn.PutItemOldSize(*table, put->item);
        }
        if (put->collection_metrics) {
          put->metrics = MeasureItemCollection(txn, *table, put->item);
        }
      },
      [put, done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        if (put->return_old && put->old_item) {
          WriteItemMember(writer, "Attributes", *put->old_item);
        }
        size_t bytes = ItemSize(put->item);
        if (put->old_item) bytes = std::max(bytes, ItemSize(*put->old_item));
        if (put->old_size) bytes = std::max(bytes, *put->old_size);
        WriteConsumedCapacity(writer, put->capacity, put->table_name,
                              WriteUnits(bytes));
        WriteItemCollectionMetrics(writer, put->metrics);
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      });
}

}  // namespace ddb::ops
