// DeleteItem: removes one item by key in one write transaction, returning
// the old item on request.
#include <memory>

#include "core/api_error.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& DeleteItemShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "DeleteItemInput",
      {
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          DataTableNameMember(),
          Member{.name = "ReturnValues",
                 .shape = shape::String(),
                 .enum_values = kReturnValuesValues},
          Member{.name = "ReturnItemCollectionMetrics",
                 .shape = shape::String(),
                 .enum_values = {"SIZE", "NONE"}},
          Member{
              .name = "Key", .shape = shape::AttributeMap(), .not_null = true},
          Member{.name = "ConditionalOperator",
                 .shape = shape::String(),
                 .enum_values = kConditionalOperatorValues},
          Member{.name = "Expected", .shape = ExpectedShape()},
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

struct DeleteRequest {
  std::string table_name;
  Item key;
  bool return_old = false;
  CapacityMode capacity = CapacityMode::kNone;
  std::optional<Condition> condition;  // ConditionExpression or Expected
  bool return_old_on_failure = false;
  bool collection_metrics = false;  // ReturnItemCollectionMetrics=SIZE
  std::optional<Item> old_item;     // filled by the writer
  std::optional<ItemCollectionMetrics> metrics;  // filled by the writer
};

}  // namespace

void DeleteItem(const rapidjson::Value& request, const OpContext& ctx,
                OpCompletion done) {
  shape::Check(request, DeleteItemShape());
  CheckExpressionParams(request, {"ConditionExpression"}, {"Expected"});
  auto del = std::make_shared<DeleteRequest>();
  del->key = DecodeItemOrThrow(*shape::Find(request, "Key"));
  std::string return_values =
      shape::GetString(request, "ReturnValues").value_or("NONE");
  if (return_values != "NONE" && return_values != "ALL_OLD") {
    throw ApiError::Validation("ReturnValues can only be ALL_OLD or NONE");
  }
  del->condition = ReadExpected(request);
  ExpressionInputs inputs = ReadExpressionInputs(request);
  if (!del->condition)
    del->condition = ReadConditionExpression(request, inputs);
  inputs.CheckAllUsed();
  del->return_old_on_failure = ReturnOldOnConditionFailure(request);
  del->table_name = *shape::GetString(request, "TableName");
  del->return_old = return_values == "ALL_OLD";
  del->capacity = ParseCapacityMode(request);
  del->collection_metrics = WantsItemCollectionMetrics(request);
  {
    const TableRef table =
        RequireTable(ctx.storage->BeginRead(), ctx, del->table_name);
    ValidateKey(*table, del->key);
  }
  std::string ns = ctx.ns;
  ctx.storage->SubmitWrite(
      [del, ns](Txn& txn) {
        TableRef table = txn.GetTable(ns, del->table_name);
        if (!table) {
          throw ApiError::ResourceNotFound("Requested resource not found");
        }
        ValidateKey(*table, del->key);
        if (del->condition) {
          // Checked in the write transaction itself, so atomic.
          CheckWriteCondition(del->condition, txn.GetItem(*table, del->key),
                              del->return_old_on_failure);
        }
        del->old_item = txn.DeleteItem(*table, del->key);
        if (del->collection_metrics) {
          del->metrics = MeasureItemCollection(txn, *table, del->key);
        }
      },
      [del, done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        if (del->return_old && del->old_item) {
          WriteItemMember(writer, "Attributes", *del->old_item);
        }
        WriteConsumedCapacity(
            writer, del->capacity, del->table_name,
            WriteUnits(del->old_item ? ItemSize(*del->old_item) : 0));
        WriteItemCollectionMetrics(writer, del->metrics);
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      });
}

}  // namespace ddb::ops
