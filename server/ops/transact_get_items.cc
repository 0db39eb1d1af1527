// TransactGetItems: up to 100 Gets across tables, all read from one
// snapshot (one read transaction), so they see one consistent state.
#include <set>

#include "core/api_error.h"
#include "expressions/projection.h"
#include "server/ops/batch_common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& TransactGetItemsShape() {
  static const shape::Shape get{
      shape::Kind::kStruct,
      "Get",
      {
          Member{
              .name = "Key", .shape = shape::AttributeMap(), .not_null = true},
          Member{.name = "TableName",
                 .shape = shape::String(),
                 .not_null = true,
                 .table_name_pattern = true,
                 .min_length = 1,
                 .max_length = 1024},
          Member{.name = "ProjectionExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
      }};
  static const shape::Shape item{
      shape::Kind::kStruct,
      "TransactGetItem",
      {Member{.name = "Get", .shape = &get, .not_null = true}}};
  static const shape::Shape items{shape::Kind::kList, nullptr, {}, &item};
  static const shape::Shape request{
      shape::Kind::kStruct,
      "TransactGetItemsInput",
      {
          Member{.name = "TransactItems",
                 .shape = &items,
                 .not_null = true,
                 .min_length = 1,
                 .max_length = 100},
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
      }};
  return request;
}

struct GetAction {
  std::string table_name;
  Item key;
  std::optional<std::vector<DocumentPath>> projection;
};

}  // namespace

void TransactGetItems(const rapidjson::Value& request, const OpContext& ctx,
                      OpCompletion done) {
  shape::Check(request, TransactGetItemsShape());
  std::vector<GetAction> actions;
  for (const auto& element :
       shape::Find(request, "TransactItems")->GetArray()) {
    const rapidjson::Value& get = *shape::Find(element, "Get");
    GetAction action;
    action.table_name = *shape::GetString(get, "TableName");
    CheckExpressionParams(get, {"ProjectionExpression"}, {});
    action.projection = ReadProjectionParams(get);
    action.key = DecodeItemOrThrow(*shape::Find(get, "Key"));
    actions.push_back(std::move(action));
  }
  CapacityMode capacity = ParseCapacityMode(request);

  // One snapshot for every Get: no write can land between two of them.
  Txn txn = ctx.storage->BeginRead();
  std::vector<TableDef> tables;
  for (const GetAction& action : actions) {
    tables.push_back(*RequireTable(txn, ctx, action.table_name));
  }
  // A key that does not fit its table cancels the transaction (DynamoDB
  // reports it per action, as ValidationError), after every action was
  // checked.
  std::vector<CancellationReason> reasons(actions.size());
  bool cancelled = false;
  std::set<std::string> seen;
  for (size_t i = 0; i < actions.size(); ++i) {
    try {
      ValidateKey(tables[i], actions[i].key);
    } catch (const ApiError& error) {
      reasons[i].code = "ValidationError";
      reasons[i].message = error.message();
      cancelled = true;
      continue;
    }
    if (!seen.insert(KeyIdentity(actions[i].table_name, actions[i].key))
             .second) {
      throw ApiError::Validation(
          "Transaction request cannot include multiple operations on one "
          "item");
    }
  }
  if (cancelled) ThrowTransactionCanceled(reasons);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  TableCapacity consumed;
  writer.Key("Responses");
  writer.StartArray();
  for (size_t i = 0; i < actions.size(); ++i) {
    std::optional<Item> item = txn.GetItem(tables[i], actions[i].key);
    // Transactional reads cost twice a consistent read.
    consumed.Add(actions[i].table_name,
                 2 * ReadUnits(item ? ItemSize(*item) : 0, true));
    writer.StartObject();
    if (item) {
      WriteItemMember(writer, "Item",
                      actions[i].projection
                          ? ApplyProjection(*item, *actions[i].projection)
                          : *item);
    }
    writer.EndObject();
  }
  writer.EndArray();
  consumed.Write(writer, capacity);
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
